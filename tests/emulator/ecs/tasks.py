"""A task's life on Fargate: launched, PENDING, RUNNING, healthy, exited or stopped, STOPPED.

A task is a `SimTask`: the Task shape DescribeTasks returns, plus its timeline of transitions due.
`TaskRunner` (mixed into the `Simulation`) carries the transitions out, gives each task its ENI
and writes its first log line.
"""

from __future__ import annotations

import hashlib
import ipaddress
import shlex
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from moto.ec2.models import ec2_backends
from moto.ec2.utils import random_public_ip
from moto.logs.models import logs_backends

from tests.emulator.ecs.common import (
    EXIT_AFTER,
    FAILING_TAG,
    HEALTHY_AFTER,
    MAX_STOPPED_PER_SERVICE,
    SETTINGS,
    STABLE_AFTER,
    START_TIMELINE,
    STOP_TIMELINE,
    dt,
    short_id,
)

if TYPE_CHECKING:
    from tests.emulator.ecs.backend import SimBackend


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


class TaskRunner:
    """The task half of the simulation: what happens to each task, at the moment it is due."""

    backend: SimBackend
    tasks: dict[str, SimTask]  # task ARN -> task, in launch order
    clock: float

    def advance(self, task: SimTask, moment: float) -> None:
        while task.timeline and task.timeline[0][0] <= moment:
            at, what = task.timeline.pop(0)
            self._apply(task, what, at)

    def _apply(self, task: SimTask, what: str, at: float) -> None:
        data = task.data
        if what == "PENDING":
            data["lastStatus"] = "PENDING"
            data["pullStartedAt"] = dt(at)
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
                data["stoppingAt"] = dt(at)
                data["executionStoppedAt"] = dt(at)
        elif what == "STOPPED":
            self._stopped(task, at)

    def _start_running(self, task: SimTask, at: float) -> None:
        data = task.data
        problem = self._write_start_logs(task, at)
        data["pullStoppedAt"] = dt(at)
        if problem:
            # [stopped] TaskFailedToStart / ResourceInitializationError: the log group is missing.
            task.failed = True
            data["stopCode"] = "TaskFailedToStart"
            data["stoppedReason"] = problem
            self.request_stop(task, at, keep_reason=True)
            return
        data["lastStatus"] = "RUNNING"
        data["startedAt"] = dt(at)
        data["connectivity"] = "CONNECTED"
        data["connectivityAt"] = dt(at)
        for attachment in data["attachments"]:
            attachment["status"] = "ATTACHED"
        for container in data["containers"]:
            container["lastStatus"] = "RUNNING"
            for agent in container.get("managedAgents", []):
                agent.update(lastStatus="RUNNING", lastStartedAt=dt(at))
        launched = at - START_TIMELINE[-1][1] * SETTINGS.step
        if any(c.get("_checked") for c in data["containers"]):
            task.timeline.append((launched + HEALTHY_AFTER * SETTINGS.step, "HEALTHY"))
        if task.service_key is None or any(_failing(c["image"]) for c in data["containers"]):
            task.timeline.append((launched + EXIT_AFTER * SETTINGS.step, "EXIT"))
        task.timeline.append((launched + STABLE_AFTER * SETTINGS.step, "STABLE"))
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
        data["stoppedAt"] = dt(at)
        data.setdefault("stoppingAt", dt(at))
        data.setdefault("executionStoppedAt", dt(at))
        for container in data["containers"]:
            container["lastStatus"] = "STOPPED"
            for agent in container.get("managedAgents", []):
                agent["lastStatus"] = "STOPPED"
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
        task.timeline = [(at + offset * SETTINGS.step, what) for what, offset in STOP_TIMELINE]
        if data["lastStatus"] in {"PROVISIONING", "PENDING"}:
            task.timeline = [(at + STOP_TIMELINE[-1][1] * SETTINGS.step, "STOPPED")]

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
        task_id = short_id()
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
                    # [api] Container.managedAgents: the ECS Exec agent, in a task started with it.
                    **(
                        {"managedAgents": [{"name": "ExecuteCommandAgent", "lastStatus": "PENDING"}]}
                        if enable_execute_command
                        else {}
                    ),
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
            "createdAt": dt(at),
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
        task.timeline = [(at + offset * SETTINGS.step, what) for what, offset in START_TIMELINE]
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
                    # moto gives an interface a DNS name only in a VPC with DNS host names on.
                    *(
                        [{"name": "privateDnsName", "value": eni.private_dns_name}]
                        if getattr(eni, "private_dns_name", None)
                        else []
                    ),
                    {"name": "privateIPv4Address", "value": address},
                ],
            }
        )
        for container in task.data["containers"]:
            container["networkInterfaces"] = [{"attachmentId": attachment_id, "privateIpv4Address": address}]


def task_view(task: SimTask, *, include_tags: bool) -> dict[str, Any]:
    data = {k: v for k, v in task.data.items() if include_tags or k != "tags"}
    data["containers"] = [{k: v for k, v in c.items() if not k.startswith("_")} for c in data["containers"]]
    return data
