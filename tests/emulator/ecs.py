"""ECS services, deployments and tasks as the ECS developer guide describes them, on moto's ECS.

moto 5.2.5 keeps a service's first deployment forever, never starts a task for a service, and
drops `deploymentConfiguration`, `serviceConnectConfiguration` and `enableECSManagedTags`. This
module replaces, inside the emulator process only, the ECS operations that deploy and run things
(CreateService, UpdateService, DescribeServices, ListServices, DeleteService, RunTask,
DescribeTasks, ListTasks, StopTask, DeleteCluster); every other ECS operation stays moto's.

Time moves on its own: every ECS request first catches the simulation up to the wall clock,
replaying each scheduled transition at the moment it was due (a discrete-event loop), so what a
client sees depends only on how much time has passed, never on how often it asked. One *step*
(`STEP` seconds, `--step` of the emulator) paces everything; the numbers below are in steps.

Sources, cited where each rule is applied:
- [lifecycle] Task lifecycle: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html
- [rolling] Rolling update deployments and the circuit breaker:
  https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html and
  https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html
- [events] Service event messages: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages-list.html
- [stopped] Stopped task error codes: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html
- [api] The ECS API reference for each operation, and botocore's ECS model (the shapes returned).
- [connect] Service Connect: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-concepts.html
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import shlex
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, BaseResponse
from moto.ec2.models import ec2_backends
from moto.ec2.utils import random_public_ip
from moto.ecs import models as ecs_models
from moto.ecs.exceptions import InvalidParameterException, ServiceNotFoundException
from moto.ecs.responses import EC2ContainerServiceResponse
from moto.logs.models import logs_backends
from moto.servicediscovery.models import servicediscovery_backends

# Seconds per simulation step; set once by the server at start-up.
STEP = 1.0
# Failure injection: a container whose image reference ends in this tag exits with code 1.
FAILING_TAG = ":exit-1"
# [rolling] "a minimum threshold of 3 and a maximum threshold of 200" failed tasks, else half the
# desired count (rounded up).
BREAKER_MIN, BREAKER_MAX = 3, 200
MAX_EVENTS = 100  # [api] DescribeServices returns the latest 100 events
MAX_STOPPED_PER_SERVICE = 100  # AWS keeps stopped tasks visible for a while, not forever
LIST_PAGE = 100  # [api] ListTasks/ListServices return at most 100 results per page

# When each transition happens, in steps after the task was launched or asked to stop.
# [lifecycle] PROVISIONING -> PENDING -> ACTIVATING -> RUNNING; DEACTIVATING -> STOPPING ->
# DEPROVISIONING -> STOPPED.
START_TIMELINE = (("PENDING", 0.25), ("RUNNING", 0.5))
HEALTHY_AFTER = 1.0  # a container health check passes one step after launch
EXIT_AFTER = 1.0  # an `:exit-1` container, or a standalone task's command, ends here
# A task counts for a deployment once it has stayed up a while ([rolling]: ECS waits for a new
# task to be stable before it stops old ones), so a container that exits at once never does.
STABLE_AFTER = 1.5
STOP_TIMELINE = (("DEACTIVATING", 0.0), ("STOPPING", 0.2), ("DEPROVISIONING", 0.35), ("STOPPED", 0.5))

LOCK = threading.RLock()  # moto is not thread-safe; the server is threaded


class ClusterContainsServicesException(ServiceException):
    def __init__(self) -> None:
        # [api] DeleteCluster: "You can't delete a cluster that contains services."
        super().__init__(
            "ClusterContainsServicesException",
            "The Cluster cannot be deleted while Services are active.",
        )


class ClusterContainsTasksException(ServiceException):
    def __init__(self) -> None:
        super().__init__(
            "ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active."
        )


class NamespaceNotFoundException(ServiceException):
    def __init__(self, namespace: str) -> None:
        super().__init__("NamespaceNotFoundException", f"Namespace {namespace} not found.")


def _now() -> float:
    return time.time()


def _dt(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _short_id() -> str:
    return uuid.uuid4().hex


# ---------------------------------------------------------------------------------------------
# Tasks.


@dataclass
class SimTask:
    """One task; `data` is the Task shape DescribeTasks returns (camelCase, as botocore's model)."""

    data: dict[str, Any]
    region: str
    account: str
    service_key: str | None  # "cluster:service" for a service's task, None for RunTask
    deployment_id: str | None
    definition: dict[str, Any]  # the task definition's containerDefinitions etc. (as registered)
    timeline: list[tuple[float, str]] = field(default_factory=list)
    failed: bool = False  # stopped because it could not run (counts for the circuit breaker)
    counted: bool = False  # its failure was counted in its deployment's failedTasks
    stable: bool = False  # has stayed RUNNING for STABLE_AFTER
    eni_id: str | None = None

    @property
    def arn(self) -> str:
        return str(self.data["taskArn"])

    @property
    def task_id(self) -> str:
        return self.arn.rsplit("/", 1)[-1]

    @property
    def last_status(self) -> str:
        return str(self.data["lastStatus"])

    @property
    def live(self) -> bool:
        return self.last_status != "STOPPED"

    @property
    def wanted(self) -> bool:
        """Still meant to run (its desired status is RUNNING)."""
        return bool(self.data["desiredStatus"] == "RUNNING")

    @property
    def ready(self) -> bool:
        """RUNNING, and HEALTHY when a container has a health check ([rolling]: a task counts as
        started once its health checks pass)."""
        checked = any(c.get("healthCheck") for c in self.definition["containerDefinitions"])
        healthy = not checked or self.data["healthStatus"] == "HEALTHY"
        return self.last_status == "RUNNING" and self.stable and healthy

    def next_time(self) -> float | None:
        return self.timeline[0][0] if self.timeline else None


def _failing(image: str) -> bool:
    return image.endswith(FAILING_TAG)


def _command_line(container: dict[str, Any], override: dict[str, Any]) -> str:
    words = list(container.get("entryPoint") or []) + list(
        override.get("command") or container.get("command") or []
    )
    return shlex.join(words) if words else f"(the default command of {container.get('image')})"


class Simulation:
    """The ECS state moto lacks, per account and region; driven by `tick`."""

    def __init__(self, backend: SimBackend) -> None:
        self.backend = backend
        self.tasks: dict[str, SimTask] = {}  # task ARN -> task, in launch order
        self.clock = _now()

    # -- the event loop ----------------------------------------------------------------------

    def tick(self) -> None:
        """Replay every transition due up to now, reconciling services after each moment."""
        now = _now()
        for _ in range(100_000):  # bounded: a failing service without a breaker relaunches forever
            due = min((t for t in (task.next_time() for task in self.tasks.values()) if t), default=None)
            if due is None or due > now:
                break
            self.clock = due
            for task in list(self.tasks.values()):
                self._advance(task, due)
            self.reconcile()
        self.clock = now
        self.reconcile()

    def _advance(self, task: SimTask, moment: float) -> None:
        while task.timeline and task.timeline[0][0] <= moment:
            at, what = task.timeline.pop(0)
            self._apply(task, what, at)

    def _apply(self, task: SimTask, what: str, at: float) -> None:
        data = task.data
        if what == "PENDING":
            data["lastStatus"] = "PENDING"
            data["pullStartedAt"] = _dt(at)
        elif what == "RUNNING":
            self._start_running(task, at)
        elif what == "HEALTHY":
            if data["lastStatus"] == "RUNNING":
                for container in data["containers"]:
                    if container["healthStatus"] == "UNKNOWN" and container.get("_checked"):
                        container["healthStatus"] = "HEALTHY"
                data["healthStatus"] = "HEALTHY"
        elif what == "STABLE":
            task.stable = data["lastStatus"] == "RUNNING"
        elif what == "EXIT":
            self._exit(task, at)
        elif what in {"DEACTIVATING", "STOPPING", "DEPROVISIONING"}:
            data["lastStatus"] = what
            if what == "STOPPING":
                data["stoppingAt"] = _dt(at)
                data["executionStoppedAt"] = _dt(at)
        elif what == "STOPPED":
            self._stopped(task, at)

    def _start_running(self, task: SimTask, at: float) -> None:
        data = task.data
        problem = self._write_start_logs(task, at)
        data["pullStoppedAt"] = _dt(at)
        if problem:
            # [stopped] TaskFailedToStart / ResourceInitializationError: the log group is missing.
            task.failed = True
            data["stopCode"] = "TaskFailedToStart"
            data["stoppedReason"] = problem
            self.request_stop(task, at, keep_reason=True)
            return
        data["lastStatus"] = "RUNNING"
        data["startedAt"] = _dt(at)
        data["connectivity"] = "CONNECTED"
        data["connectivityAt"] = _dt(at)
        for attachment in data["attachments"]:
            attachment["status"] = "ATTACHED"
        for container in data["containers"]:
            container["lastStatus"] = "RUNNING"
        launched = at - START_TIMELINE[-1][1] * STEP
        if any(c.get("_checked") for c in data["containers"]):
            task.timeline.append((launched + HEALTHY_AFTER * STEP, "HEALTHY"))
        if task.service_key is None or any(_failing(c["image"]) for c in data["containers"]):
            task.timeline.append((launched + EXIT_AFTER * STEP, "EXIT"))
        task.timeline.append((launched + STABLE_AFTER * STEP, "STABLE"))
        task.timeline.sort()

    def _exit(self, task: SimTask, at: float) -> None:
        """Containers end: `:exit-1` ones with code 1, and a standalone task's command with 0."""
        data = task.data
        if data["lastStatus"] != "RUNNING":
            return
        essential_ended = False
        for container, definition in zip(
            data["containers"], task.definition["containerDefinitions"], strict=True
        ):
            if _failing(container["image"]) or task.service_key is None:
                container["lastStatus"] = "STOPPED"
                container["exitCode"] = 1 if _failing(container["image"]) else 0
                if definition.get("essential", True):
                    essential_ended = True
        if not essential_ended:
            return
        failed = any(c.get("exitCode") for c in data["containers"])
        task.failed = failed and task.service_key is not None
        # [stopped] "Essential container in task exited", stop code EssentialContainerExited.
        data["stopCode"] = "EssentialContainerExited"
        data["stoppedReason"] = "Essential container in task exited"
        self.request_stop(task, at, keep_reason=True)

    def _stopped(self, task: SimTask, at: float) -> None:
        data = task.data
        data["lastStatus"] = "STOPPED"
        data["stoppedAt"] = _dt(at)
        data.setdefault("stoppingAt", _dt(at))
        data.setdefault("executionStoppedAt", _dt(at))
        for container in data["containers"]:
            container["lastStatus"] = "STOPPED"
            if task.service_key is not None and "exitCode" not in container and data.get("startedAt"):
                container["exitCode"] = 0  # SIGTERM handled; ECS reports the container's own code
        for attachment in data["attachments"]:
            attachment["status"] = "DELETED"
        if task.eni_id:
            # Fargate deletes the task's network interface when the task stops.
            ec2 = ec2_backends[task.account][task.region]
            ec2.enis.pop(task.eni_id, None)
            task.eni_id = None
        self._forget_old_stopped(task.service_key)

    def _forget_old_stopped(self, service_key: str | None) -> None:
        stopped = [t for t in self.tasks.values() if t.service_key == service_key and not t.live]
        for old in stopped[:-MAX_STOPPED_PER_SERVICE]:
            del self.tasks[old.arn]

    def request_stop(self, task: SimTask, at: float, reason: str = "", *, keep_reason: bool = False) -> None:
        """Set the desired status to STOPPED and schedule the stop sequence ([lifecycle])."""
        if not task.wanted and keep_reason is False:
            return
        data = task.data
        data["desiredStatus"] = "STOPPED"
        if not keep_reason:
            data["stoppedReason"] = reason
            data.setdefault("stopCode", "ServiceSchedulerInitiated" if task.service_key else "UserInitiated")
        task.timeline = [(at + offset * STEP, what) for what, offset in STOP_TIMELINE]
        if data["lastStatus"] in {"PROVISIONING", "PENDING"}:
            task.timeline = [(at + STOP_TIMELINE[-1][1] * STEP, "STOPPED")]

    def _write_start_logs(self, task: SimTask, at: float) -> str:
        """Each awslogs container writes its command line to `<prefix>/<container>/<task id>`."""
        overrides = {
            o.get("name"): o for o in (task.data.get("overrides") or {}).get("containerOverrides", [])
        }
        for container in task.definition["containerDefinitions"]:
            logging = container.get("logConfiguration") or {}
            if logging.get("logDriver") != "awslogs":
                continue
            options = logging.get("options") or {}
            group_name = options.get("awslogs-group", "")
            region = options.get("awslogs-region") or task.region
            logs = logs_backends[task.account][region]
            group = logs.groups.get(group_name)
            if group is None:
                if str(options.get("awslogs-create-group", "")).lower() != "true":
                    return (
                        "ResourceInitializationError: failed to validate logger args: create stream has "
                        "been retried 1 times: failed to create Cloudwatch log stream: "
                        "ResourceNotFoundException: The specified log group does not exist. : exit status 1"
                    )
                logs.create_log_group(group_name, {})
                group = logs.groups[group_name]
            prefix = options.get("awslogs-stream-prefix")
            stream = f"{prefix}/{container['name']}/{task.task_id}" if prefix else task.task_id
            if stream not in group.streams:
                group.create_log_stream(stream)
            message = _command_line(container, overrides.get(container["name"], {}))
            group.put_log_events(stream, [{"timestamp": int(at * 1000), "message": message}])
        return ""

    # -- launching ---------------------------------------------------------------------------

    def launch(
        self,
        cluster: Any,
        definition: Any,
        network: dict[str, Any] | None,
        *,
        group: str,
        started_by: str,
        launch_type: str | None,
        capacity_provider: str | None,
        service_key: str | None = None,
        deployment_id: str | None = None,
        overrides: dict[str, Any] | None = None,
        tags: list[dict[str, str]] | None = None,
        enable_execute_command: bool = False,
    ) -> SimTask:
        backend = self.backend
        at = self.clock
        task_id = _short_id()
        arn = f"arn:aws:ecs:{backend.region_name}:{backend.account_id}:task/{cluster.name}/{task_id}"
        containers = []
        for container in definition.container_definitions:
            image = str(container.get("image", ""))
            containers.append(
                {
                    "containerArn": (
                        f"arn:aws:ecs:{backend.region_name}:{backend.account_id}:container/"
                        f"{cluster.name}/{task_id}/{uuid.uuid4()}"
                    ),
                    "taskArn": arn,
                    "name": container.get("name"),
                    "image": image,
                    "imageDigest": "sha256:" + hashlib.sha256(image.encode()).hexdigest(),
                    "runtimeId": f"{task_id}-{abs(hash(container.get('name'))) % 10**10}",
                    "lastStatus": "PENDING",
                    "networkInterfaces": [],
                    # [api] Container.healthStatus: UNKNOWN without a health check, and until it passes.
                    "healthStatus": "UNKNOWN",
                    "cpu": str(container.get("cpu", 0)),
                    **({"memory": str(container["memory"])} if container.get("memory") else {}),
                    **(
                        {"memoryReservation": str(container["memoryReservation"])}
                        if container.get("memoryReservation")
                        else {}
                    ),
                    "_checked": bool(container.get("healthCheck")),
                }
            )
        data: dict[str, Any] = {
            "taskArn": arn,
            "clusterArn": cluster.arn,
            "taskDefinitionArn": definition.arn,
            "group": group,
            "startedBy": started_by,
            "lastStatus": "PROVISIONING",
            "desiredStatus": "RUNNING",
            "healthStatus": "UNKNOWN",
            "createdAt": _dt(at),
            "cpu": definition.cpu,
            "memory": definition.memory,
            "containers": containers,
            "attachments": [],
            "overrides": overrides or {"containerOverrides": [], "inferenceAcceleratorOverrides": []},
            "tags": tags or [],
            "version": 1,
            "enableExecuteCommand": enable_execute_command,
            "platformFamily": "Linux",
            "ephemeralStorage": {"sizeInGiB": 20},  # [api] the Fargate default
        }
        if capacity_provider:
            data["capacityProviderName"] = capacity_provider
        if launch_type or not capacity_provider:
            data["launchType"] = launch_type or "FARGATE"
        if data.get("launchType", "FARGATE") == "FARGATE" or capacity_provider:
            data["platformVersion"] = "1.4.0"  # what LATEST means on Linux today
        task = SimTask(
            data=data,
            region=backend.region_name,
            account=backend.account_id,
            service_key=service_key,
            deployment_id=deployment_id,
            definition={"containerDefinitions": definition.container_definitions},
        )
        if network:
            self._attach_eni(task, network)
        task.timeline = [(at + offset * STEP, what) for what, offset in START_TIMELINE]
        self.tasks[arn] = task
        return task

    def _attach_eni(self, task: SimTask, network: dict[str, Any]) -> None:
        """An ENI in the first subnet, with an address inside the subnet's range ([api] Attachment)."""
        awsvpc = network.get("awsvpcConfiguration") or {}
        ec2 = ec2_backends[task.account][task.region]
        subnet = ec2.get_subnet(awsvpc["subnets"][0])
        groups = list(awsvpc.get("securityGroups") or [])
        if not groups:
            default = ec2.get_default_security_group(subnet.vpc_id)
            groups = [default.id] if default else []
        used = {eni.private_ip_address for eni in ec2.enis.values()}
        hosts = ipaddress.ip_network(subnet.cidr_block).hosts()
        # The first four addresses of a subnet are reserved by AWS.
        address = next(str(ip) for index, ip in enumerate(hosts) if index >= 3 and str(ip) not in used)
        attachment_id = str(uuid.uuid4())
        eni = ec2.create_network_interface(
            subnet,
            address,
            group_ids=groups,
            description=f"arn:aws:ecs:{task.region}:{task.account}:attachment/{attachment_id}",
        )
        eni.status = "in-use"
        eni.requester_managed = True
        if awsvpc.get("assignPublicIp") == "ENABLED":
            # The public address is on the ENI (EC2 DescribeNetworkInterfaces), not in the attachment.
            eni.public_ip = random_public_ip()
        task.eni_id = eni.id
        task.data["availabilityZone"] = subnet.availability_zone
        task.data["attachments"].append(
            {
                "id": attachment_id,
                "type": "ElasticNetworkInterface",
                "status": "PRECREATED",
                "details": [
                    {"name": "subnetId", "value": subnet.id},
                    {"name": "networkInterfaceId", "value": eni.id},
                    {"name": "macAddress", "value": eni.mac_address},
                    {"name": "privateDnsName", "value": eni.private_dns_name},
                    {"name": "privateIPv4Address", "value": address},
                ],
            }
        )
        for container in task.data["containers"]:
            container["networkInterfaces"] = [{"attachmentId": attachment_id, "privateIpv4Address": address}]

    # -- services ----------------------------------------------------------------------------

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
                primary["updatedAt"] = _dt(at)
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
                    primary["updatedAt"] = _dt(at)
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
        primary["updatedAt"] = _dt(at)
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
# UpdateService fields whose change starts a new deployment ([api] UpdateService: "a new
# deployment is triggered" for these; desiredCount alone only adjusts the running one).
DEPLOYMENT_FIELDS = (
    "networkConfiguration",
    "platformVersion",
    "capacityProviderStrategy",
    "loadBalancers",
    "serviceRegistries",
    "serviceConnectConfiguration",
    "volumeConfigurations",
)
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
        self.events.insert(0, {"id": str(uuid.uuid4()), "createdAt": _dt(at), "message": message})
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
            "createdAt": _dt(at),
            "updatedAt": _dt(at),
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


def _resolve_namespace(backend: SimBackend, connect: dict[str, Any] | None) -> dict[str, Any] | None:
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


def _awsvpc_with_defaults(network: dict[str, Any] | None) -> dict[str, Any] | None:
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
        "createdAt": _dt(state.created_at),
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


def task_view(task: SimTask, *, include_tags: bool) -> dict[str, Any]:
    data = {k: v for k, v in task.data.items() if include_tags or k != "tags"}
    data["containers"] = [{k: v for k, v in c.items() if not k.startswith("_")} for c in data["containers"]]
    return data


# ---------------------------------------------------------------------------------------------
# The backend.


class SimBackend(ecs_models.EC2ContainerServiceBackend):
    """moto's ECS backend with the simulation attached."""

    # moto finds a backend's URL module from the module its class is defined in.
    __module__ = "moto.ecs.models"

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.sim = Simulation(self)

    def _calculate_task_resource_requirements(self, task_definition: Any) -> dict[str, Any]:  # type: ignore[override]
        # moto 5.2.5 fails (HTTP 500) on a Fargate task definition whose containers have no
        # memory of their own; Fargate tasks need no container instance, so nothing is placed.
        return {"CPU": 0, "MEMORY": 0, "PORTS": [], "PORTS_UDP": []}

    def delete_cluster(self, cluster_str: str) -> Any:
        cluster = self._get_cluster(cluster_str)
        if any(s.cluster_name == cluster.name and s.status != "INACTIVE" for s in self.services.values()):
            raise ClusterContainsServicesException
        if any(t.data["clusterArn"] == cluster.arn and t.live for t in self.sim.tasks.values()):
            raise ClusterContainsTasksException
        return super().delete_cluster(cluster_str)

    # -- services ----------------------------------------------------------------------------

    def sim_create_service(self, params: dict[str, Any]) -> Any:
        cluster_name = params.get("cluster") or "default"
        cluster = self._get_cluster(cluster_name)
        name = params["serviceName"]
        existing: Any = self.services.get(f"{cluster.name}:{name}")
        if existing is not None and existing.status != "INACTIVE":
            token = params.get("clientToken")
            if token and token == existing.sim.client_token:
                return existing  # [api] CreateService: clientToken makes a retry idempotent
            raise InvalidParameterException("Creation of service was not idempotent.")
        strategy = params.get("capacityProviderStrategy") or []
        if strategy and params.get("launchType"):
            raise InvalidParameterException(
                "Specify either Launch Type or Capacity Provider Strategy, but not both."
            )
        network = _awsvpc_with_defaults(params.get("networkConfiguration"))
        if network:
            self._fill_default_security_group(network)
        connect = _resolve_namespace(self, params.get("serviceConnectConfiguration"))
        service: Any = super().create_service(
            cluster_name,
            name,
            int(params.get("desiredCount", 0) or 0),
            params.get("taskDefinition"),
            params.get("loadBalancers"),
            params.get("schedulingStrategy"),
            params.get("tags"),
            params.get("deploymentController"),
            params.get("launchType") or "FARGATE",
            params.get("serviceRegistries"),
            params.get("platformVersion"),
            params.get("propagateTags") or "NONE",
            network,
            params.get("role"),
        )
        service.task_definition = self.describe_task_definition(params["taskDefinition"]).arn
        state = ServiceState(
            created_at=self.sim.clock,
            launch_type=None if strategy else (params.get("launchType") or "FARGATE"),
            capacity_provider_strategy=strategy,
            deployment_configuration={
                **DEFAULT_DEPLOYMENT_CONFIGURATION,
                **(params.get("deploymentConfiguration") or {}),
            },
            service_connect=connect,
            network=network,
            platform_version=params.get("platformVersion") or "LATEST",
            fields={k: params[k] for k in KEPT_FIELDS if k in params},
            client_token=params.get("clientToken"),
        )
        state.fields["propagateTags"] = params.get("propagateTags") or "NONE"
        service.sim = state
        service.deployments = []
        if service.task_definition:
            service.deployments = [state.new_deployment(service, service.task_definition, self.sim.clock)]
        self.sim.reconcile()
        return service

    def _fill_default_security_group(self, network: dict[str, Any]) -> None:
        # [api] AwsVpcConfiguration.securityGroups: "If you don't specify a security group, the
        # default security group for the VPC is used." (moto answers HTTP 500 instead.)
        awsvpc = network.get("awsvpcConfiguration") or {}
        if awsvpc.get("securityGroups") or not awsvpc.get("subnets"):
            return
        ec2 = ec2_backends[self.account_id][self.region_name]
        subnet = ec2.get_subnet(awsvpc["subnets"][0])
        default = ec2.get_default_security_group(subnet.vpc_id)
        if default is not None:
            awsvpc["securityGroups"] = [default.id]

    def sim_update_service(self, params: dict[str, Any]) -> Any:
        service: Any = self._get_service(params.get("cluster") or "default", params["service"].split("/")[-1])
        if service.status != "ACTIVE":
            raise ServiceException("ServiceNotActiveException", "Service was not ACTIVE.")
        state: ServiceState = service.sim
        at = self.sim.clock
        new_deployment = bool(params.get("forceNewDeployment"))
        if params.get("taskDefinition"):
            arn = self.describe_task_definition(params["taskDefinition"]).arn
            new_deployment |= arn != service.task_definition
            service.task_definition = arn
        if "capacityProviderStrategy" in params:
            strategy = params["capacityProviderStrategy"] or []
            new_deployment |= strategy != state.capacity_provider_strategy
            state.capacity_provider_strategy = strategy
            if not strategy:
                state.launch_type = state.launch_type or "FARGATE"
        if "networkConfiguration" in params:
            network = _awsvpc_with_defaults(params["networkConfiguration"])
            if network:
                self._fill_default_security_group(network)
            new_deployment |= network != state.network
            state.network = network
            service.network_configuration = network
        if "serviceConnectConfiguration" in params:
            connect = _resolve_namespace(self, params["serviceConnectConfiguration"])
            new_deployment |= connect != state.service_connect
            state.service_connect = connect
        if "platformVersion" in params:
            new_deployment |= params["platformVersion"] != state.platform_version
            state.platform_version = params["platformVersion"]
        for key in ("loadBalancers", "serviceRegistries"):
            if key in params:
                attribute = "load_balancers" if key == "loadBalancers" else "service_registries"
                new_deployment |= params[key] != getattr(service, attribute)
                setattr(service, attribute, params[key])
        if "volumeConfigurations" in params:
            new_deployment |= params["volumeConfigurations"] != state.fields.get("volumeConfigurations")
            state.fields["volumeConfigurations"] = params["volumeConfigurations"]
        if "deploymentConfiguration" in params:
            state.deployment_configuration = {
                **state.deployment_configuration,
                **params["deploymentConfiguration"],
            }
        for key in KEPT_FIELDS:
            if key in params:
                state.fields[key] = params[key]
        if params.get("desiredCount") is not None:
            service.desired_count = int(params["desiredCount"])
            if service.deployments:
                service.deployments[0]["desiredCount"] = service.desired_count
                service.deployments[0]["updatedAt"] = _dt(at)
            state.steady = False
        if new_deployment:
            for deployment in service.deployments:
                deployment["status"] = "ACTIVE"
            service.deployments.insert(0, state.new_deployment(service, service.task_definition, at))
            state.steady = False
        self.sim.reconcile()
        return service

    def sim_delete_service(self, cluster: str, name: str, force: bool) -> Any:
        service: Any = self._get_service(cluster or "default", name.rsplit("/", maxsplit=1)[-1])
        if service.status == "INACTIVE":
            raise ServiceNotFoundException
        if service.desired_count > 0 and not force:
            raise InvalidParameterException("The service cannot be stopped while it is scaled above 0.")
        # [api] DeleteService: the service is DRAINING while its tasks stop, then INACTIVE.
        service.status = "DRAINING"
        service.desired_count = 0
        self.sim.reconcile()
        return service

    def sim_list_services(self, cluster: str, launch_type: str | None) -> list[str]:
        found = self._get_cluster(cluster or "default")
        services: list[Any] = list(self.services.values())
        return sorted(
            s.arn
            for s in services
            # [api] ListServices returns ACTIVE and DRAINING services, not INACTIVE ones.
            if s.cluster_name == found.name
            and s.status != "INACTIVE"
            and (launch_type is None or s.sim.launch_type == launch_type)
        )

    # -- tasks -------------------------------------------------------------------------------

    def sim_run_task(self, params: dict[str, Any]) -> list[SimTask]:
        cluster = self._get_cluster(params.get("cluster") or "default")
        definition = self.describe_task_definition(params["taskDefinition"])
        strategy = params.get("capacityProviderStrategy") or []
        if strategy and params.get("launchType"):
            raise InvalidParameterException(
                "Specify either Launch Type or Capacity Provider Strategy, but not both."
            )
        network = _awsvpc_with_defaults(params.get("networkConfiguration"))
        if definition.network_mode == "awsvpc":
            awsvpc = (network or {}).get("awsvpcConfiguration") or {}
            if not awsvpc.get("subnets"):
                raise InvalidParameterException(
                    "Network Configuration must be provided when networkMode 'awsvpc' is specified."
                )
            ec2 = ec2_backends[self.account_id][self.region_name]
            for subnet in awsvpc["subnets"]:
                try:
                    ec2.get_subnet(subnet)
                except Exception as error:
                    raise InvalidParameterException(
                        f"Error retrieving subnet information for [{subnet}]"
                    ) from error
        count = int(params.get("count") or 1)
        if not 1 <= count <= 10:
            raise InvalidParameterException("count must be between 1 and 10.")
        return [
            self.sim.launch(
                cluster,
                definition,
                network,
                group=params.get("group") or f"family:{definition.family}",
                started_by=params.get("startedBy") or "",
                launch_type=params.get("launchType"),
                capacity_provider=strategy[0]["capacityProvider"] if strategy else None,
                overrides=params.get("overrides"),
                tags=params.get("tags"),
                enable_execute_command=bool(params.get("enableExecuteCommand")),
            )
            for _ in range(count)
        ]

    def sim_list_tasks(self, params: dict[str, Any]) -> list[str]:
        cluster = self._get_cluster(params.get("cluster") or "default")
        # [api] ListTasks: desiredStatus defaults to RUNNING.
        desired = params.get("desiredStatus") or "RUNNING"
        service = params.get("serviceName")
        family = params.get("family")
        out = []
        for task in self.sim.tasks.values():
            data = task.data
            if data["clusterArn"] != cluster.arn or data["desiredStatus"] != desired:
                continue
            if service and data["group"] != f"service:{service.split('/')[-1]}":
                continue
            if family and data["taskDefinitionArn"].rsplit("/", 1)[-1].split(":")[0] != family:
                continue
            if params.get("startedBy") and data["startedBy"] != params["startedBy"]:
                continue
            if params.get("launchType") and data.get("launchType") != params["launchType"]:
                continue
            out.append(task.arn)
        return out

    def sim_describe_tasks(self, cluster: str, ids: list[str]) -> tuple[list[SimTask], list[dict[str, str]]]:
        found = self._get_cluster(cluster or "default")
        if not ids:
            raise InvalidParameterException("Tasks cannot be empty.")
        tasks, failures = [], []
        by_id = {t.task_id: t for t in self.sim.tasks.values() if t.data["clusterArn"] == found.arn}
        for ref in ids:
            task = by_id.get(ref.rsplit("/", 1)[-1])
            if task is None:
                failures.append({"arn": ref, "reason": "MISSING"})
            else:
                tasks.append(task)
        return tasks, failures

    def sim_stop_task(self, cluster: str, ref: str, reason: str) -> SimTask:
        tasks, _ = self.sim_describe_tasks(cluster, [ref])
        if not tasks:
            raise InvalidParameterException("The referenced task was not found.")
        task = tasks[0]
        self.sim.request_stop(task, self.sim.clock, reason or "Task stopped by user")
        task.data["stopCode"] = "UserInitiated"
        return task


# ---------------------------------------------------------------------------------------------
# The response handlers that replace moto's for these operations.


def _backend(response: Any) -> SimBackend:
    backend: Any = ecs_models.ecs_backends[response.current_account][response.region]
    assert isinstance(backend, SimBackend)
    return backend


def _include_tags(response: Any) -> bool:
    return "TAGS" in (response._get_param("include") or [])


def _page(items: list[str], token: str | None, size: int | None) -> dict[str, Any]:
    start = int(token or 0)
    size = min(int(size or LIST_PAGE), LIST_PAGE)
    out: dict[str, Any] = {"items": items[start : start + size]}
    if start + size < len(items):
        out["nextToken"] = str(start + size)
    return out


def _create_service(self: Any) -> ActionResult:
    service = _backend(self).sim_create_service(self._get_params())
    return ActionResult({"service": service_view(service, include_tags=True)})


def _update_service(self: Any) -> ActionResult:
    service = _backend(self).sim_update_service(self._get_params())
    return ActionResult({"service": service_view(service, include_tags=False)})


def _describe_services(self: Any) -> ActionResult:
    backend = _backend(self)
    services, failures = backend.describe_services(
        self._get_param("cluster", "default"), self._get_param("services", [])
    )
    views = [service_view(s, include_tags=_include_tags(self)) for s in services if hasattr(s, "sim")]
    return ActionResult({"services": views, "failures": failures})


def _delete_service(self: Any) -> ActionResult:
    service = _backend(self).sim_delete_service(
        self._get_param("cluster", "default"), self._get_param("service"), bool(self._get_param("force"))
    )
    return ActionResult({"service": service_view(service, include_tags=False)})


def _list_services(self: Any) -> ActionResult:
    arns = _backend(self).sim_list_services(
        self._get_param("cluster", "default"), self._get_param("launchType")
    )
    page = _page(arns, self._get_param("nextToken"), self._get_param("maxResults"))
    return ActionResult(
        {"serviceArns": page["items"], **({"nextToken": page["nextToken"]} if "nextToken" in page else {})}
    )


def _run_task(self: Any) -> ActionResult:
    tasks = _backend(self).sim_run_task(self._get_params())
    return ActionResult({"tasks": [task_view(t, include_tags=True) for t in tasks], "failures": []})


def _describe_tasks(self: Any) -> ActionResult:
    tasks, failures = _backend(self).sim_describe_tasks(
        self._get_param("cluster", "default"), self._get_param("tasks", [])
    )
    return ActionResult(
        {"tasks": [task_view(t, include_tags=_include_tags(self)) for t in tasks], "failures": failures}
    )


def _list_tasks(self: Any) -> ActionResult:
    arns = _backend(self).sim_list_tasks(self._get_params())
    page = _page(arns, self._get_param("nextToken"), self._get_param("maxResults"))
    return ActionResult(
        {"taskArns": page["items"], **({"nextToken": page["nextToken"]} if "nextToken" in page else {})}
    )


def _stop_task(self: Any) -> ActionResult:
    task = _backend(self).sim_stop_task(
        self._get_param("cluster", "default"), self._get_param("task"), self._get_param("reason") or ""
    )
    return ActionResult({"task": task_view(task, include_tags=False)})


_ORIGINAL_CALL_ACTION = BaseResponse.call_action


def _call_action(self: Any) -> Any:
    """Every ECS request first brings the simulation up to the wall clock, under one lock."""
    with LOCK:
        backend = _backend(self)
        if isinstance(backend, SimBackend):
            backend.sim.tick()
        return _ORIGINAL_CALL_ACTION(self)


def install(step: float) -> None:
    """Swap the simulation into moto (in the emulator process only)."""
    global STEP  # noqa: PLW0603 - one setting for the process, set once at start-up
    STEP = step
    ecs_models.ecs_backends.backend = SimBackend
    handlers = {
        "create_service": _create_service,
        "update_service": _update_service,
        "describe_services": _describe_services,
        "delete_service": _delete_service,
        "list_services": _list_services,
        "run_task": _run_task,
        "describe_tasks": _describe_tasks,
        "list_tasks": _list_tasks,
        "stop_task": _stop_task,
        "call_action": _call_action,
    }
    for name, handler in handlers.items():
        setattr(EC2ContainerServiceResponse, name, handler)
