"""CreateService requests (without `cluster`), including Service Connect for the `service` layout."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compose2ecs.translate import names
from compose2ecs.translate.report import IGNORED, MAPPED, REJECTED, Report

if TYPE_CHECKING:
    from compose2ecs.model import AwsvpcParams, EcsParams
    from compose2ecs.translate.container import Container

_MAX_DESIRED = 5000
_MAX_DESIRED_CONNECTED = 1000


def build(
    name: str,
    family: str,
    containers: list[Container],
    params: EcsParams,
    desired_count: int,
    namespace: str | None,
    tags: list[dict[str, str]],
    report: Report,
) -> dict[str, Any]:
    """The CreateService request of one ECS service (the task definition is named by its family)."""
    request: dict[str, Any] = {"serviceName": name, "taskDefinition": family, "desiredCount": desired_count}
    if params.capacity_providers:
        request["capacityProviderStrategy"] = [
            {
                "capacityProvider": item.capacity_provider,
                **({"weight": item.weight} if item.weight is not None else {}),
                **({"base": item.base} if item.base is not None else {}),
            }
            for item in params.capacity_providers
        ]
    else:
        request["launchType"] = "FARGATE"
    request["platformVersion"] = params.platform_version or "LATEST"
    _platform_version(params, report)
    awsvpc = params.awsvpc
    if awsvpc and awsvpc.subnets:
        config: dict[str, Any] = {"subnets": list(awsvpc.subnets)}
        if awsvpc.security_groups:
            config["securityGroups"] = list(awsvpc.security_groups)
        if awsvpc.assign_public_ip:
            config["assignPublicIp"] = awsvpc.assign_public_ip
        request["networkConfiguration"] = {"awsvpcConfiguration": config}
    elif awsvpc:
        _network_without_subnets(awsvpc, report)
    request["deploymentConfiguration"] = _deployment_configuration(params)
    request["schedulingStrategy"] = "REPLICA"
    # Tasks carry the project tag too, so costs and `ps` can be traced to the project.
    request["propagateTags"] = "SERVICE"
    if params.enable_execute_command is not None:
        request["enableExecuteCommand"] = params.enable_execute_command
    if namespace is not None:
        request["serviceConnectConfiguration"] = _service_connect(containers, namespace, report)
    # Cloud Map holds at most 1,000 instances per service: Service Connect and service discovery.
    limit = _MAX_DESIRED_CONNECTED if namespace or params.service_discovery else _MAX_DESIRED
    if desired_count > limit:
        report.add(
            ("run_params", "desired_count")
            if params.desired_count is not None
            else ("services", containers[0].service, "deploy", "replicas"),
            f"{desired_count} tasks is above ECS's {limit} per service",
            REJECTED,
            "desired-count",
        )
    request["tags"] = tags
    if params.task_placement_strategy or params.task_placement_constraints:
        report.add(
            ("run_params", "task_placement"), "Fargate places tasks itself", REJECTED, "fargate-unsupported"
        )
    if params.placement_constraints:
        report.add(
            ("task_definition", "placement_constraints"),
            "Fargate does not accept placement constraints",
            REJECTED,
            "fargate-unsupported",
        )
    return request


def _network_without_subnets(awsvpc: AwsvpcParams, report: Report) -> None:
    """Without subnets `up` uses the default VPC: what else the file says cannot apply there."""
    path = ("run_params", "network_configuration", "awsvpc_configuration")
    if awsvpc.security_groups:
        report.add(
            (*path, "security_groups"),
            "security groups without subnets: the default VPC's subnets and this project's own "
            "security group are used instead",
            IGNORED,
            "network-incomplete",
            "list the subnets too",
        )
    if awsvpc.assign_public_ip == "DISABLED":
        # The default VPC has public subnets and no NAT: without a public IP no image can be pulled.
        report.add(
            (*path, "assign_public_ip"),
            "DISABLED without subnets: the default VPC's public subnets need a public IP to pull "
            "images, so tasks get one",
            IGNORED,
            "network-incomplete",
            "list private subnets that have a NAT gateway or VPC endpoints",
        )


def _platform_version(params: EcsParams, report: Report) -> None:
    version = params.platform_version
    if (
        version
        and version not in {"LATEST", "1.4.0"}
        and not (params.os_family or "LINUX").startswith("WINDOWS")
    ):
        report.add(
            ("run_params", "platform_version"),
            f"platform version {version} is retired or unknown; Fargate Linux runs LATEST (1.4.0)",
            REJECTED,
            "platform-version",
            "use LATEST or 1.4.0",
        )


def _service_connect(containers: list[Container], namespace: str, report: Report) -> dict[str, Any]:
    """Each tcp port becomes reachable as `<compose service>:<port>` from the other services."""
    services = []
    for container in containers:
        path: tuple[str | int, ...] = ("services", container.service)
        dns_name = names.dns_name(container.service)
        if not _reachable_as(container, dns_name, path, report):
            continue
        for mapping in container.definition.get("portMappings", []):
            port = mapping["containerPort"]
            source, _ = container.port_sources.get((port, mapping["protocol"]), ((*path, "ports"), False))
            if mapping["protocol"] != "tcp":
                report.add(
                    source,
                    f"port {port}/udp cannot be reached through Service Connect (tcp only)",
                    IGNORED,
                    "service-connect-udp",
                )
                continue
            services.append(
                {
                    "portName": mapping["name"],
                    # Unique in the namespace, unlike the port's own name, which two services may share.
                    "discoveryName": names.port_name(container.service, port, "tcp"),
                    "clientAliases": [{"port": port, "dnsName": dns_name}],
                }
            )
    config: dict[str, Any] = {"enabled": True, "namespace": namespace}
    if services:
        config["services"] = services
    return config


def _reachable_as(container: Container, dns_name: str, path: tuple[str | int, ...], report: Report) -> bool:
    """Whether the service name can be its Service Connect DNS name; reports the reason when not."""
    if not container.definition.get("portMappings"):
        return True
    if not names.is_dns_name(dns_name):
        report.add(
            path,
            f'service name "{container.service}" cannot be a Service Connect DNS name (lowercase letters, '
            'digits, "_", "-" and ".", labels of at most 63 characters, not starting with "-")',
            REJECTED,
            "invalid-dns-name",
            "rename the service",
        )
        return False
    if container.namesakes:
        report.add(
            path,
            f"services {container.service} and {', '.join(container.namesakes)} would have the same "
            f'DNS name "{dns_name}" (DNS ignores letter case)',
            REJECTED,
            "duplicate-dns-name",
            "rename one of them",
        )
        return False
    if dns_name != container.service:
        report.add(
            path,
            f'reachable through Service Connect as "{dns_name}": ECS wants DNS names in lowercase, and '
            "DNS ignores letter case",
            MAPPED,
            "dns-name-lowercase",
        )
    return True


def one_copy_for_shared_data(
    request: dict[str, Any], task_definition: dict[str, Any], params: EcsParams, report: Report
) -> None:
    """A task writing to a persistent (EFS) volume deploys old-out-then-new-in: 100 % / 0 %.

    ECS's default rolling deployment (200 % / 100 %) starts the new task before the old one
    stops, so two copies of a database would share its data directory for a while. What
    ecs-params `run_params.deployment` sets wins.
    """
    efs = {v["name"] for v in task_definition.get("volumes", []) if "efsVolumeConfiguration" in v}
    writers = [
        (str(c["name"]), str(m["sourceVolume"]))
        for c in task_definition.get("containerDefinitions", [])
        for m in c.get("mountPoints", [])
        if m.get("sourceVolume") in efs and not m.get("readOnly")
    ]
    written = sorted({volume for _, volume in writers})
    deployment = params.deployment
    if not written or (
        deployment is not None
        and (deployment.maximum_percent is not None or deployment.minimum_healthy_percent is not None)
    ):
        return
    request["deploymentConfiguration"] = {
        **request["deploymentConfiguration"],
        "maximumPercent": 100,
        "minimumHealthyPercent": 0,
    }
    report.info(
        ("services", writers[0][0], "volumes"),
        f"service {request['serviceName']} writes to the persistent volume {', '.join(written)}: it deploys "
        "with minimum healthy 0 % and maximum 100 %, so the old task stops before the new one starts "
        "and two copies never share the data (a short outage per deployment; run_params.deployment "
        "can say otherwise)",
        "persistent-volume-deployment",
    )


def _deployment_configuration(params: EcsParams) -> dict[str, Any]:
    """What the user set, and the deployment circuit breaker with rollback unless turned off.

    AWS's own default is no breaker: a release whose tasks cannot start then retries forever
    and `up` waits until its timeout. With the breaker, ECS stops it after a few failed tasks and
    rolls back to the last deployment that completed, and `up` reports it (exit 3).
    """
    deployment = params.deployment
    config: dict[str, Any] = {}
    if deployment is not None:
        # Only what the user set: AWS's defaults (200/100) need not be sent.
        pairs = (
            ("maximumPercent", deployment.maximum_percent),
            ("minimumHealthyPercent", deployment.minimum_healthy_percent),
        )
        config = {key: value for key, value in pairs if value is not None}
    enable = True if deployment is None or deployment.circuit_breaker is None else deployment.circuit_breaker
    rollback = enable if deployment is None or deployment.rollback is None else deployment.rollback
    config["deploymentCircuitBreaker"] = {"enable": enable, "rollback": rollback}
    return config
