"""moto's ECS backend with the simulation attached, and the operations the handlers call."""

from __future__ import annotations

from typing import Any

from moto.core.exceptions import ServiceException
from moto.ec2.models import ec2_backends
from moto.ecs import models as ecs_models
from moto.ecs.exceptions import InvalidParameterException, ServiceNotFoundException

from tests.emulator.ecs.common import (
    ClusterContainsServicesException,
    ClusterContainsTasksException,
    dt,
    now,
)
from tests.emulator.ecs.services import (
    DEFAULT_DEPLOYMENT_CONFIGURATION,
    KEPT_FIELDS,
    ServiceScheduler,
    ServiceState,
    awsvpc_with_defaults,
    resolve_namespace,
)
from tests.emulator.ecs.tasks import SimTask, TaskRunner


class Simulation(TaskRunner, ServiceScheduler):
    """The ECS state moto lacks, per account and region; driven by `tick`."""

    def __init__(self, backend: SimBackend) -> None:
        self.backend = backend
        self.tasks = {}
        self.clock = now()

    def tick(self) -> None:
        """Replay every transition due up to now, reconciling services after each moment."""
        moment = now()
        for _ in range(100_000):  # bounded: a failing service without a breaker relaunches forever
            due = min((t for t in (task.next_time() for task in self.tasks.values()) if t), default=None)
            if due is None or due > moment:
                break
            self.clock = due
            for task in list(self.tasks.values()):
                self.advance(task, due)
            self.reconcile()
        self.clock = moment
        self.reconcile()


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

    def register_task_definition(  # type: ignore[override]
        self, family: str, container_definitions: list[dict[str, Any]], **kwargs: Any
    ) -> Any:
        # RegisterTaskDefinition, PortMapping: "If you use containers in a task with the awsvpc or
        # host network mode, the hostPort can either be left blank or set to the same value as the
        # containerPort"; ECS answers with it set. moto 5.2.5 leaves it out.
        if kwargs.get("network_mode") in {"awsvpc", "host"}:
            for container in container_definitions:
                for mapping in container.get("portMappings") or []:
                    if "containerPort" in mapping and "hostPort" not in mapping:
                        mapping["hostPort"] = mapping["containerPort"]
        return super().register_task_definition(family, container_definitions, **kwargs)

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
        strategy = self._strategy(params)
        network = awsvpc_with_defaults(params.get("networkConfiguration"))
        if network:
            self._fill_default_security_group(network)
        connect = resolve_namespace(self, params.get("serviceConnectConfiguration"))
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

    def _strategy(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """The request's capacity-provider strategy, checked as CreateService and RunTask check it."""
        strategy: list[dict[str, Any]] = params.get("capacityProviderStrategy") or []
        self._check_providers(params.get("cluster") or "default", strategy)
        if strategy and params.get("launchType"):
            raise InvalidParameterException(
                "Specify either Launch Type or Capacity Provider Strategy, but not both."
            )
        return strategy

    def _check_providers(self, cluster_name: str, strategy: list[dict[str, Any]]) -> None:
        """[api] CreateService/RunTask: a strategy may name only providers of the cluster."""
        cluster = self._get_cluster(cluster_name)
        associated = set(cluster.capacity_providers or [])
        if any(item.get("capacityProvider") not in associated for item in strategy):
            raise InvalidParameterException(
                "The specified capacity provider strategy cannot contain a capacity provider that is "
                "not associated with the cluster. Associate the capacity provider with the cluster or "
                "specify a valid capacity provider and try again."
            )

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
            self._check_providers(params.get("cluster") or "default", strategy)
            new_deployment |= strategy != state.capacity_provider_strategy
            state.capacity_provider_strategy = strategy
            if not strategy:
                state.launch_type = state.launch_type or "FARGATE"
        if "networkConfiguration" in params:
            network = awsvpc_with_defaults(params["networkConfiguration"])
            if network:
                self._fill_default_security_group(network)
            new_deployment |= network != state.network
            state.network = network
            service.network_configuration = network
        if "serviceConnectConfiguration" in params:
            connect = resolve_namespace(self, params["serviceConnectConfiguration"])
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
                service.deployments[0]["updatedAt"] = dt(at)
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
        strategy = self._strategy(params)
        network = awsvpc_with_defaults(params.get("networkConfiguration"))
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

    def sim_execute_command(self, params: dict[str, Any]) -> dict[str, Any]:
        """ExecuteCommand (API reference): a session for the Session Manager plugin.

        ECS refuses a task that was not started with enableExecuteCommand, and one that is not
        RUNNING. No agent runs here: the session opens nothing.
        """
        found = self._get_cluster(params.get("cluster") or "default")
        ref = str(params.get("task", ""))
        task = next(
            (
                t
                for t in self.sim.tasks.values()
                if t.task_id == ref.rsplit("/", 1)[-1] and t.data["clusterArn"] == found.arn
            ),
            None,
        )
        if task is None:
            raise InvalidParameterException("The specified task was not found.")
        if not task.data.get("enableExecuteCommand"):
            raise InvalidParameterException(
                "The execute command failed because execute command was not enabled when the task was run "
                "or the execute command agent isn't running."
            )
        if task.data["lastStatus"] != "RUNNING":
            raise InvalidParameterException("The execute command failed because the task is not running.")
        names = [c["name"] for c in task.data["containers"]]
        container = params.get("container") or (names[0] if len(names) == 1 else None)
        if container not in names:
            raise InvalidParameterException(
                "The container name must be specified when the task has several containers."
            )
        session_id = f"ecs-execute-command-{task.task_id[:17]}"
        return {
            "clusterArn": found.arn,
            "containerArn": f"{task.arn.replace(':task/', ':container/')}/{container}",
            "containerName": container,
            "interactive": bool(params.get("interactive")),
            "session": {
                "sessionId": session_id,
                "streamUrl": f"wss://ssmmessages.{self.region_name}.amazonaws.com/v1/data-channel/{session_id}",
                "tokenValue": "emulated-token",
            },
            "taskArn": task.arn,
        }

    def sim_stop_task(self, cluster: str, ref: str, reason: str) -> SimTask:
        tasks, _ = self.sim_describe_tasks(cluster, [ref])
        if not tasks:
            raise InvalidParameterException("The referenced task was not found.")
        task = tasks[0]
        self.sim.request_stop(task, self.sim.clock, reason or "Task stopped by user")
        task.data["stopCode"] = "UserInitiated"
        return task
