"""Services: deployments that roll out, scaling, the circuit breaker, and the view ECS returns.

`ServiceState` is what the emulator keeps beside moto's Service object; `ServiceScheduler`
(mixed into the `Simulation`) starts and stops a service's tasks as its deployments need.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from moto.servicediscovery.models import servicediscovery_backends

from tests.emulator.ecs.common import BREAKER_MAX, BREAKER_MIN, MAX_EVENTS, NamespaceNotFoundException, dt

if TYPE_CHECKING:
    from tests.emulator.ecs.backend import SimBackend
    from tests.emulator.ecs.tasks import SimTask


class ServiceScheduler:
    """The service half of the simulation: each service's tasks follow its deployments."""

    backend: SimBackend
    tasks: dict[str, SimTask]
    clock: float

    def request_stop(self, task: SimTask, at: float, reason: str = "", *, keep_reason: bool = False) -> None:
        raise NotImplementedError  # TaskRunner's

    def launch(self, *args: Any, **kwargs: Any) -> SimTask:
        raise NotImplementedError  # TaskRunner's

    def service_tasks(self, key: str, deployment_id: str | None = None) -> list[SimTask]:
        return [
            t
            for t in self.tasks.values()
            if t.service_key == key and (deployment_id is None or t.deployment_id == deployment_id)
        ]

    def reconcile(self) -> None:
        for key, service in list(self.backend.services.items()):
            state: ServiceState | None = getattr(service, "sim", None)
            if state is not None:
                self._reconcile_service(key, service, state)
        for cluster in self.backend.clusters.values():
            mine = [t for t in self.tasks.values() if t.data["clusterArn"] == cluster.arn and t.live]
            cluster.running_tasks_count = sum(t.last_status == "RUNNING" for t in mine)
            cluster.pending_tasks_count = sum(t.last_status in {"PROVISIONING", "PENDING"} for t in mine)
            cluster.active_services_count = sum(
                s.status == "ACTIVE" and s.cluster_name == cluster.name
                for s in self.backend.services.values()
            )

    def _reconcile_service(self, key: str, service: Any, state: ServiceState) -> None:
        at = self.clock
        if service.status == "DRAINING":
            for task in self.service_tasks(key):
                self.request_stop(task, at, "Scaling activity initiated by (service deletion)")
            if not any(t.live for t in self.service_tasks(key)):
                # [api] DeleteService: DRAINING until every task stopped, then INACTIVE.
                service.status = "INACTIVE"
                service.deployments = []
            self._count(key, service)
            return
        if service.status != "ACTIVE" or not service.deployments:
            return
        primary = service.deployments[0]
        tasks = self.service_tasks(key, primary["id"])
        for task in tasks:
            if task.failed and not task.counted:
                task.counted = True
                primary["failedTasks"] += 1
                primary["updatedAt"] = dt(at)
        self._circuit_breaker(key, service, state, primary)
        primary = service.deployments[0]
        tasks = self.service_tasks(key, primary["id"])
        wanted = [t for t in tasks if t.wanted]
        desired = int(primary["desiredCount"])
        if primary["rolloutState"] != "FAILED" or primary.get("_keeps_trying"):
            if len(wanted) < desired:
                started = [self._launch_for(service, state, primary) for _ in range(desired - len(wanted))]
                state.event(at, f"(service {service.name}) has started {len(started)} tasks: "
                            + " ".join(f"(task {t.task_id})" for t in started) + ".")  # fmt: skip
                state.steady = False
            elif len(wanted) > desired:
                extra = wanted[desired:]
                for task in extra:
                    self.request_stop(task, at, f"Scaling activity initiated by (deployment {primary['id']})")
                state.event(at, f"(service {service.name}) has stopped {len(extra)} running tasks: "
                            + " ".join(f"(task {t.task_id})" for t in extra) + ".")  # fmt: skip
                state.steady = False
        ready = [t for t in self.service_tasks(key, primary["id"]) if t.wanted and t.ready]
        if len(ready) >= desired and primary["rolloutState"] != "FAILED":
            others = service.deployments[1:]
            old = [t for d in others for t in self.service_tasks(key, d["id"]) if t.wanted]
            for task in old:
                self.request_stop(task, at, f"Scaling activity initiated by (deployment {primary['id']})")
            if old:
                state.event(at, f"(service {service.name}) has stopped {len(old)} running tasks: "
                            + " ".join(f"(task {t.task_id})" for t in old) + ".")  # fmt: skip
            if not any(t.live for d in others for t in self.service_tasks(key, d["id"])):
                service.deployments = [primary]
                if primary["rolloutState"] == "IN_PROGRESS":
                    primary["rolloutState"] = "COMPLETED"
                    primary["rolloutStateReason"] = f"ECS deployment {primary['id']} completed."
                    primary["updatedAt"] = dt(at)
                    state.last_completed = primary
                    state.event(
                        at, f"(service {service.name}) (deployment {primary['id']}) deployment completed."
                    )
                if not state.steady:
                    state.steady = True
                    state.event(at, f"(service {service.name}) has reached a steady state.")
        self._count(key, service)

    def _circuit_breaker(self, key: str, service: Any, state: ServiceState, primary: dict[str, Any]) -> None:
        """[rolling] After enough failed tasks the deployment FAILS, and rolls back when asked to."""
        breaker = state.deployment_configuration.get("deploymentCircuitBreaker") or {}
        if primary["rolloutState"] != "IN_PROGRESS" or not breaker.get("enable"):
            return
        threshold = min(BREAKER_MAX, max(BREAKER_MIN, math.ceil(0.5 * int(primary["desiredCount"]))))
        if primary["failedTasks"] < threshold:
            return
        at = self.clock
        primary["rolloutState"] = "FAILED"
        primary["rolloutStateReason"] = "ECS deployment circuit breaker: tasks failed to start."
        primary["updatedAt"] = dt(at)
        state.event(
            at,
            f"(service {service.name}) (deployment {primary['id']}) deployment failed: "
            "tasks failed to start.",
        )
        for task in self.service_tasks(key, primary["id"]):
            self.request_stop(task, at, f"Scaling activity initiated by (deployment {primary['id']})")
        target = state.last_completed
        if not breaker.get("rollback") or target is None:
            return
        # The rollback is a new PRIMARY deployment of the last deployment that completed.
        primary["status"] = "ACTIVE"
        rollback = state.new_deployment(service, target["taskDefinition"], at, template=target)
        rollback["rolloutStateReason"] = (
            f"ECS deployment circuit breaker: rolling back to deploymentId {target['id']}."
        )
        service.deployments.insert(0, rollback)
        service.task_definition = target["taskDefinition"]
        state.event(at, f"(service {service.name}) rolling back to deployment {target['id']}.")

    def _launch_for(self, service: Any, state: ServiceState, deployment: dict[str, Any]) -> SimTask:
        cluster = self.backend.clusters[service.cluster_name]
        definition = self.backend.describe_task_definition(deployment["taskDefinition"])
        strategy = deployment.get("capacityProviderStrategy") or []
        return self.launch(
            cluster,
            definition,
            deployment.get("networkConfiguration"),
            group=f"service:{service.name}",
            started_by=deployment["id"],
            launch_type=deployment.get("launchType"),
            capacity_provider=strategy[0]["capacityProvider"] if strategy else None,
            service_key=f"{service.cluster_name}:{service.name}",
            deployment_id=deployment["id"],
            tags=list(service.tags or []) if state.propagate_tags == "SERVICE" else [],
            enable_execute_command=state.enable_execute_command,
        )

    def _count(self, key: str, service: Any) -> None:
        for deployment in service.deployments:
            mine = [t for t in self.service_tasks(key, deployment["id"]) if t.wanted and t.live]
            deployment["runningCount"] = sum(t.last_status == "RUNNING" for t in mine)
            deployment["pendingCount"] = sum(t.last_status in {"PROVISIONING", "PENDING"} for t in mine)
        live = [t for t in self.service_tasks(key) if t.live and t.wanted]
        service.running_count = sum(t.last_status == "RUNNING" for t in live)
        service.pending_count = sum(t.last_status in {"PROVISIONING", "PENDING"} for t in live)


# ---------------------------------------------------------------------------------------------
# The service fields moto drops, and the view DescribeServices returns.

# [api] DeploymentConfiguration: what a service created without the section reports.
DEFAULT_DEPLOYMENT_CONFIGURATION: dict[str, Any] = {
    "deploymentCircuitBreaker": {"enable": False, "rollback": False},
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
}
KEPT_FIELDS = (
    "healthCheckGracePeriodSeconds",
    "placementConstraints",
    "placementStrategy",
    "enableECSManagedTags",
    "enableExecuteCommand",
    "propagateTags",
    "availabilityZoneRebalancing",
)


@dataclass
class ServiceState:
    """What the emulator keeps per service besides moto's Service object."""

    created_at: float
    launch_type: str | None
    capacity_provider_strategy: list[dict[str, Any]]
    deployment_configuration: dict[str, Any]
    service_connect: dict[str, Any] | None
    network: dict[str, Any] | None
    platform_version: str
    fields: dict[str, Any]
    client_token: str | None
    events: list[dict[str, Any]] = field(default_factory=list)
    last_completed: dict[str, Any] | None = None
    steady: bool = False

    @property
    def propagate_tags(self) -> str:
        return str(self.fields.get("propagateTags") or "NONE")

    @property
    def enable_execute_command(self) -> bool:
        return bool(self.fields.get("enableExecuteCommand"))

    def event(self, at: float, message: str) -> None:
        self.events.insert(0, {"id": str(uuid.uuid4()), "createdAt": dt(at), "message": message})
        del self.events[MAX_EVENTS:]

    def new_deployment(
        self, service: Any, task_definition: str, at: float, template: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        source = template or {}
        deployment: dict[str, Any] = {
            "id": f"ecs-svc/{uuid.uuid4().int % 10**19:019d}",
            "status": "PRIMARY",
            "taskDefinition": task_definition,
            "desiredCount": service.desired_count,
            "pendingCount": 0,
            "runningCount": 0,
            "failedTasks": 0,
            "createdAt": dt(at),
            "updatedAt": dt(at),
            "platformVersion": "1.4.0",
            "platformFamily": "Linux",
            "rolloutState": "IN_PROGRESS",
            "rolloutStateReason": "ECS deployment {id} in progress.",
        }
        deployment["rolloutStateReason"] = f"ECS deployment {deployment['id']} in progress."
        strategy = source.get("capacityProviderStrategy", self.capacity_provider_strategy)
        if strategy:
            deployment["capacityProviderStrategy"] = strategy
        else:
            deployment["launchType"] = source.get("launchType", self.launch_type or "FARGATE")
        network = source.get("networkConfiguration", self.network)
        if network:
            deployment["networkConfiguration"] = network
        connect = source.get("serviceConnectConfiguration", self.service_connect)
        if connect is not None:
            deployment["serviceConnectConfiguration"] = connect
            resources = _service_connect_resources(service, connect)
            if resources:
                deployment["serviceConnectResources"] = resources
        return deployment


def _service_connect_resources(service: Any, connect: dict[str, Any]) -> list[dict[str, str]]:
    """[connect] Each served port becomes a Cloud Map service named by its discovery name."""
    if not connect.get("enabled"):
        return []
    out = []
    for entry in connect.get("services") or []:
        name = entry.get("discoveryName") or entry.get("portName")
        digest = hashlib.sha256(f"{service.arn}/{name}".encode()).hexdigest()[:16]
        arn = f"arn:aws:servicediscovery:{service.region_name}:{service._account_id}:service/srv-{digest}"
        out.append({"discoveryName": name, "discoveryArn": arn})
    return out


def resolve_namespace(backend: SimBackend, connect: dict[str, Any] | None) -> dict[str, Any] | None:
    """[api] ServiceConnectConfiguration.namespace: a name or ARN is sent, the ARN comes back."""
    if connect is None:
        return None
    out = dict(connect)
    name = out.get("namespace")
    if name:
        cloud_map = servicediscovery_backends[backend.account_id][backend.region_name]
        for namespace in cloud_map.namespaces.values():
            if name in {namespace.name, namespace.arn, namespace.id}:
                out["namespace"] = namespace.arn
                break
        else:
            raise NamespaceNotFoundException(str(name))
    return out


def awsvpc_with_defaults(network: dict[str, Any] | None) -> dict[str, Any] | None:
    if not network or "awsvpcConfiguration" not in network:
        return network
    awsvpc = {"assignPublicIp": "DISABLED", **network["awsvpcConfiguration"]}  # [api] the default
    return {"awsvpcConfiguration": awsvpc}


def service_view(service: Any, *, include_tags: bool) -> dict[str, Any]:
    """The Service shape DescribeServices, CreateService and UpdateService return."""
    state: ServiceState = service.sim
    out: dict[str, Any] = {
        "serviceArn": service.arn,
        "serviceName": service.name,
        "clusterArn": service.cluster_arn,
        "loadBalancers": service.load_balancers,
        "serviceRegistries": service.service_registries,
        "status": service.status,
        "desiredCount": service.desired_count,
        "runningCount": service.running_count,
        "pendingCount": service.pending_count,
        "platformVersion": state.platform_version,
        "platformFamily": "Linux",
        "taskDefinition": service.task_definition,
        "deploymentConfiguration": state.deployment_configuration,
        "deployments": [{k: v for k, v in d.items() if not k.startswith("_")} for d in service.deployments],
        "events": state.events,
        "createdAt": dt(state.created_at),
        "createdBy": f"arn:aws:iam::{service._account_id}:root",
        "schedulingStrategy": service.scheduling_strategy,
        "deploymentController": service.deployment_controller,
        "enableECSManagedTags": bool(state.fields.get("enableECSManagedTags", False)),
        "propagateTags": state.propagate_tags,
        "enableExecuteCommand": state.enable_execute_command,
        "placementConstraints": state.fields.get("placementConstraints", []),
        "placementStrategy": state.fields.get("placementStrategy", []),
    }
    if state.capacity_provider_strategy:
        out["capacityProviderStrategy"] = state.capacity_provider_strategy
    else:
        out["launchType"] = state.launch_type or "FARGATE"
    if state.network:
        out["networkConfiguration"] = state.network
    if "healthCheckGracePeriodSeconds" in state.fields:
        out["healthCheckGracePeriodSeconds"] = state.fields["healthCheckGracePeriodSeconds"]
    if "availabilityZoneRebalancing" in state.fields:
        out["availabilityZoneRebalancing"] = state.fields["availabilityZoneRebalancing"]
    if service.role_arn:
        out["roleArn"] = service.role_arn
    if include_tags:
        out["tags"] = service.tags
    return out
