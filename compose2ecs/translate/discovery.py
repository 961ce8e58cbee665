"""ecs-cli's `run_params.service_discovery`: DNS names in a Cloud Map private namespace.

ecs-cli's `--enable-service-discovery` made a Cloud Map service with A (or SRV) records in a
private DNS namespace, and ECS registered each task's address in it, so `<name>.<namespace>`
resolved for anything in the VPC. compose2ecs does the same, without the flag: the ECS service
gets one `serviceRegistries` entry, and the namespace and Cloud Map service are used when they
exist (ecs-cli's are never changed nor deleted) and created when not. The names keep working
for the apps that call this one, so moving from ecs-cli renames nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compose2ecs.model import DiscoverySpec
from compose2ecs.translate.exposure import service_of_container
from compose2ecs.translate.report import IGNORED, REJECTED

if TYPE_CHECKING:
    from compose2ecs.model import DesiredState, EcsParams
    from compose2ecs.translate.report import Report

PATH = ("run_params", "service_discovery")
DEFAULT_TTL = 60  # ecs-cli's --dns-ttl default
DEFAULT_FAILURE_THRESHOLD = 1  # ecs-cli's default, and the only value Cloud Map now uses


def plan_discovery(desired: DesiredState, params: EcsParams, report: Report) -> None:
    given = params.service_discovery
    if not given:
        return
    if given.get("public_dns_namespace"):
        report.add(
            (*PATH, "public_dns_namespace"),
            "ignored: a public DNS namespace would publish the tasks' private addresses; the "
            "published ports are reached through the load balancer, whose address `up` prints",
            IGNORED,
            "service-discovery",
        )
    namespace = given.get("private_dns_namespace") or {}
    if not namespace.get("name") and not namespace.get("id"):
        if not given.get("public_dns_namespace"):
            report.add(
                PATH,
                "service discovery needs a private DNS namespace: private_dns_namespace.name (or id)",
                REJECTED,
                "service-discovery",
                "add private_dns_namespace: {name: corp.local}",
            )
        return
    service = _service(desired, given, report)
    if service is None:
        return
    sds = given.get("service_discovery_service") or {}
    dns = sds.get("dns_config") or {}
    record_type = str(dns.get("type") or "A")
    container, port = _target(desired, service, given, record_type, report)
    if record_type == "SRV" and not port:
        return
    spec = DiscoverySpec(
        service=str(service["serviceName"]),
        name=str(sds.get("name") or service["serviceName"]),
        namespace=str(namespace.get("name") or ""),
        namespace_id=str(namespace.get("id") or ""),
        vpc=str(namespace.get("vpc") or ""),
        record_type=record_type,
        ttl=int(dns["ttl"]) if dns.get("ttl") is not None else DEFAULT_TTL,
        failure_threshold=int(
            (sds.get("healthcheck_custom_config") or {}).get("failure_threshold") or DEFAULT_FAILURE_THRESHOLD
        ),
        container=container,
        port=port,
    )
    desired.discovery = spec
    registry: dict[str, Any] = {"registryArn": spec.placeholder}
    if record_type == "SRV":
        # awsvpc with SRV records: the container and port the record names (A records take neither).
        registry |= {"containerName": container, "containerPort": port}
    service["serviceRegistries"] = [registry]
    report.info(
        PATH,
        f"service {spec.service}'s tasks are registered as {spec.name}.{spec.namespace or spec.namespace_id} "
        f"({record_type} records, TTL {spec.ttl} s) in Cloud Map, as ecs-cli's service discovery did",
        "service-discovery",
    )


def _service(desired: DesiredState, given: dict[str, Any], report: Report) -> dict[str, Any] | None:
    """The ECS service that registers: the one there is, or the one running `container_name`."""
    if len(desired.services) == 1:
        return desired.services[0]
    container = given.get("container_name")
    by_container = service_of_container(desired)
    if container is None:
        report.add(
            PATH,
            f"the project runs {len(desired.services)} ECS services, and a Cloud Map service takes "
            "the tasks of one",
            REJECTED,
            "service-discovery",
            "name the service's container in service_discovery.container_name",
        )
        return None
    service = by_container.get(str(container))
    if service is None:
        report.add(
            (*PATH, "container_name"),
            f'no container named "{container}" is in the project',
            REJECTED,
            "service-discovery",
            f"containers: {', '.join(sorted(by_container)) or '(none)'}",
        )
    return service


def _target(
    desired: DesiredState, service: dict[str, Any], given: dict[str, Any], record_type: str, report: Report
) -> tuple[str, int]:
    """The container and port an SRV record points at: as given, else the first port mapping."""
    definition = next(d for d in desired.task_definitions if d["family"] == service["taskDefinition"])
    ports = [
        (str(c["name"]), int(m["containerPort"]))
        for c in definition["containerDefinitions"]
        for m in c.get("portMappings", [])
    ]
    container, port = given.get("container_name"), given.get("container_port")
    if record_type != "SRV":
        if port is not None:
            report.add(
                (*PATH, "container_port"),
                "ignored: an A record holds an address, not a port (an SRV record holds both)",
                IGNORED,
                "service-discovery",
            )
        return "", 0
    if container is None and port is None and ports:
        return ports[0]
    wanted = [
        (c, p) for c, p in ports if (container is None or c == container) and (port is None or p == port)
    ]
    if wanted:
        return wanted[0]
    report.add(
        (*PATH, "container_port" if port is not None else "container_name"),
        "an SRV record points at a container port, and "
        + (f"no container of the service has port {port}" if port is not None else "this one has none"),
        REJECTED,
        "service-discovery",
        "publish or expose the port in the compose file, or use dns_config.type: A",
    )
    return "", 0
