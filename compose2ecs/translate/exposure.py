"""Which published ports may face the internet: never a data store's, unless ecs-params says so.

A compose file publishes a database's port for the developer's own machine (`5432:5432` to run
psql from the laptop); on Fargate the same line would open the database to the internet, so a
data store's port stays inside the project. A data store is known by its image (the official
images and their common forks) or, for any image, by the well-known port it listens on.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

from compose2ecs.model import (
    HealthCheck,
    ListenerRuleSpec,
    ListenerSpec,
    LoadBalancerSpec,
    PortParams,
    PortRule,
    TargetGroupSpec,
)
from compose2ecs.translate import names
from compose2ecs.translate.report import APPROXIMATED, IGNORED, MAPPED, REJECTED

if TYPE_CHECKING:
    from compose2ecs.model import DesiredState, EcsParams, HealthCheckParams
    from compose2ecs.translate.container import Container, Listen
    from compose2ecs.translate.report import Report

# The repository's last path component, as Docker Hub and the vendors name them.
DATA_STORE_IMAGES = frozenset(
    {
        "postgres",
        "postgis",
        "timescaledb",
        "mysql",
        "mariadb",
        "percona",
        "percona-server",
        "redis",
        "redis-stack",
        "redis-stack-server",
        "valkey",
        "keydb",
        "mongo",
        "mongodb",
        "mongodb-community-server",
        "elasticsearch",
        "opensearch",
        "memcached",
        "rabbitmq",
        "cassandra",
        "scylla",
        "couchdb",
        "couchbase",
        "neo4j",
        "influxdb",
        "clickhouse-server",
        "cockroach",
        "zookeeper",
        "kafka",
        "etcd",
        "server",  # mcr.microsoft.com/mssql/server: checked with its namespace below
        "minio",
        "solr",
    }
)
_AMBIGUOUS = {"server": "mssql/"}  # a last component that is a data store only under this namespace
# Ports data stores listen on by default, whatever image serves them.
DATA_STORE_PORTS = {
    1433: "SQL Server",
    1521: "Oracle",
    2181: "ZooKeeper",
    2379: "etcd",
    3306: "MySQL",
    5432: "PostgreSQL",
    5672: "RabbitMQ",
    5984: "CouchDB",
    6379: "Redis",
    7687: "Neo4j",
    9042: "Cassandra",
    9092: "Kafka",
    9200: "Elasticsearch",
    9300: "Elasticsearch",
    11211: "Memcached",
    26257: "CockroachDB",
    27017: "MongoDB",
}


def image_name(image: str) -> str:
    """`docker.io/library/postgres:16@sha256:…` -> `library/postgres` (no registry, tag or digest)."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name = name[: len(name) - len(last)] + last.split(":", 1)[0]
    parts = name.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]  # a registry host
    return "/".join(parts)


def data_store(image: str, port: int) -> str | None:
    """What makes `port` of `image` a data store's ("the redis image", "PostgreSQL's port"), or None."""
    name = image_name(image.lower())
    last = name.rsplit("/", 1)[-1]
    if last in DATA_STORE_IMAGES and (last not in _AMBIGUOUS or _AMBIGUOUS[last] in name + "/"):
        return f"the {name.removeprefix('library/')} image"
    if port in DATA_STORE_PORTS:
        return f"{DATA_STORE_PORTS[port]}'s port"
    return None


# Container ports that web apps listen on by default: served through an Application Load Balancer.
HTTP_PORTS = frozenset({80, 3000, 4000, 5000, 8000, 8008, 8080, 8081, 8088, 8888, 9090})


@functools.cache
def _local_url() -> re.Pattern[str]:
    """Compiled on first use, by a project whose healthcheck is read for a port.

    http only: a probe of https://localhost means the container speaks TLS, which passes through an NLB.
    """
    return re.compile(r"http://(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?::(\d+))?(/[^\s'\"|;&)]*)?")


def expose(
    desired: DesiredState, containers: list[Container], params: EcsParams, report: Report, *, connected: bool
) -> None:
    """The ingress rules, and the load balancers in front of the published ports.

    With the network compose2ecs manages (no subnets in ecs-params), every published port gets a
    listener on a load balancer of the project, forwarding to a target group on the container
    port, and the tasks admit only the load balancers and each other. With a network of the
    user's, the user's security groups decide, and a published port must equal the container port;
    unless `run_params.load_balancer` names the load balancers' subnets: then the ports get the
    project's load balancers there, and the tasks a group of the project's next to the user's that
    admits only those load balancers.
    """
    managed = desired.uses_project_network
    placed = not managed and _placed(params, report)
    rules: dict[tuple[int, str, str], PortRule] = {}
    by_container = service_of_container(desired)
    for container in containers:
        for listen in container.listens:
            port = params.ports.get(listen.published, PortParams())
            if port.listener_arn:
                if listen.host_ip:
                    report.add(
                        (*listen.path, "host_ip"),
                        f"ignored: the port is behind the listener ecs-params names, and that load "
                        f"balancer's scheme decides who reaches it, not {listen.host_ip}",
                        IGNORED,
                        "host-ip-ignored",
                        "use a listener of an internal load balancer to keep the port private",
                    )
                _rule_behind(
                    desired,
                    container,
                    listen,
                    by_container[container.service],
                    port,
                    report,
                    admitted=managed or placed,
                )
                if managed or placed:
                    source = f"listener:{port.listener_arn}"
                    rules.setdefault(
                        (listen.target, "tcp", source), PortRule(listen.target, "tcp", source=source)
                    )
                continue
            if not managed and not placed:
                _without_balancer(listen, port, report)
                continue
            scheme = _scheme(listen, port, params)
            if scheme == "internet-facing" and not _exposable(
                container, listen, params, report, desired.layout, connected=connected
            ):
                continue
            if listen.protocol == "udp":
                _udp(listen, rules, report, scheme=scheme, placed=placed)
                continue
            if placed and not _subnets(scheme, params)[0]:
                report.add(
                    listen.path,
                    f"an {scheme} load balancer is wanted, and run_params.load_balancer names only "
                    "internal_subnets: with the subnets of ecs-params, compose2ecs does not choose "
                    "a load balancer's subnets",
                    REJECTED,
                    "load-balancer-subnets",
                    "add run_params.load_balancer.subnets (public ones, one per Availability Zone), "
                    "or make the port internal (run_params.ports.<port>.scheme: internal)",
                )
                continue
            kind = _balancer_kind(container, listen, params)
            balancer = _balancer(desired, kind, scheme, params)
            taken = _listener_taken(desired, balancer.name, listen.published)
            if taken is not None:
                report.add(
                    listen.path,
                    f"port {listen.published} is published by {taken} too: a load balancer has one "
                    "listener per port",
                    REJECTED,
                    "published-port-taken",
                    f'publish another port, e.g. "{listen.published + 1}:{listen.target}"',
                )
                continue
            _listen_behind(
                desired, container, listen, balancer, by_container[container.service], port, report
            )
            where = (
                f"{kind} load balancer"
                if scheme == "internet-facing"
                else f"internal {kind} load balancer, reachable inside the VPC only"
                + (f" (published on {listen.host_ip} only)" if listen.host_ip else "")
            )
            report.info(
                listen.path,
                f"published through the project's {where}: a listener on {listen.published} "
                f"forwards to container port {listen.target}; the tasks admit only the load balancer",
                "load-balancer-listener",
            )
            rules.setdefault((listen.target, "tcp", "lb"), PortRule(listen.target, "tcp", source="lb"))
    if connected and managed:
        # Services reach each other through Service Connect on their container ports (with a
        # network of the user's, the user's groups decide that).
        for container in containers:
            for mapping in container.definition.get("portMappings", []):
                key = (mapping["containerPort"], mapping["protocol"], "self")
                rules.setdefault(key, PortRule(mapping["containerPort"], mapping["protocol"], source="self"))
    _reuse_target_groups(desired, containers, params, report, by_container)
    if managed or placed:
        # With a network of the user's, the project's group is there for its own load balancers.
        desired.ingress = list(rules.values())
    _target_group_limit(desired, containers, report)


def _reuse_target_groups(
    desired: DesiredState,
    containers: list[Container],
    params: EcsParams,
    report: Report,
    by_container: dict[str, dict[str, Any]],
) -> None:
    """ecs-params `run_params.target_groups`: existing target groups, attached to the service as given."""
    ports = {
        c.service: {int(m["containerPort"]) for m in c.definition.get("portMappings", [])} for c in containers
    }
    for ref in params.target_groups:
        if ref.container_name not in ports:
            report.add(
                (*ref.path, "container_name"),
                f"no service named {ref.container_name} in this project",
                REJECTED,
                "target-group-container",
                "name the compose service whose container the target group sends to",
            )
            continue
        if ref.container_port not in ports[ref.container_name]:
            known = ", ".join(map(str, sorted(ports[ref.container_name]))) or "none"
            report.add(
                (*ref.path, "container_port"),
                f"{ref.container_name} has no container port {ref.container_port} (its ports: {known})",
                REJECTED,
                "target-group-port",
                f"publish or expose {ref.container_port} in the compose file, or give one of its ports",
            )
            continue
        service = by_container[ref.container_name]
        service.setdefault("loadBalancers", []).append(
            {
                "targetGroupArn": ref.target_group_arn,
                "containerName": ref.container_name,
                "containerPort": ref.container_port,
            }
        )
        desired.reused_target_groups.append(ref)


def _placed(params: EcsParams, report: Report) -> bool:
    """ecs-params names the subnets of the project's load balancers (with a network of the user's)."""
    given = params.load_balancer
    if given is None or not (given.subnets or given.internal_subnets):
        return False
    if params.awsvpc is not None and not params.awsvpc.security_groups:
        # ECS gives tasks the VPC's default group only when none is named; adding the project's
        # would silently take the tasks out of it (and away from what it admits, a database say).
        report.add(
            ("run_params", "network_configuration", "awsvpc_configuration"),
            "with run_params.load_balancer.subnets the tasks get the project's security group for "
            "the load balancers, so they would lose the VPC's default group that ECS gives them "
            "when no security_groups are listed",
            REJECTED,
            "load-balancer-subnets",
            "list the tasks' security groups in security_groups (the VPC's default one too, if "
            "they need what it admits)",
        )
        return False
    return True


def _scheme(listen: Listen, port: PortParams, params: EcsParams) -> str:
    """The port's scheme: internal when published on one interface of the host, or as ecs-params says."""
    if port.scheme:
        return port.scheme
    if listen.host_ip:
        return "internal"
    return (params.load_balancer.scheme if params.load_balancer else None) or "internet-facing"


def _balancer(desired: DesiredState, kind: str, scheme: str, params: EcsParams) -> LoadBalancerSpec:
    """The project's load balancer of this type and scheme, added on first use."""
    name = names.load_balancer(desired.project, desired.cluster, kind, scheme)
    for spec in desired.load_balancers:
        if spec.name == name:
            return spec
    subnets, path = _subnets(scheme, params)
    spec = LoadBalancerSpec(name, kind, scheme, subnets, path)
    desired.load_balancers.append(spec)
    return spec


def _subnets(scheme: str, params: EcsParams) -> tuple[tuple[str, ...], tuple[str | int, ...]]:
    """The subnets ecs-params gives a load balancer of `scheme`, and their key; none: the default VPC's.

    An internal one takes `internal_subnets` when given, else `subnets`.
    """
    given = params.load_balancer
    if given is None:
        return (), ()
    if scheme == "internal" and given.internal_subnets:
        return given.internal_subnets, (*given.path, "internal_subnets")
    return given.subnets, ((*given.path, "subnets") if given.subnets else ())


def _listener_taken(desired: DesiredState, name: str, port: int) -> str | None:
    """The container that already has the listener on `port` of the load balancer `name`."""
    containers = {tg.name: tg.container for tg in desired.target_groups}
    for listener in desired.listeners:
        if listener.load_balancer == name and listener.port == port:
            return containers.get(listener.target_group, "another service")
    return None


MAX_TARGET_GROUPS = 5  # per ECS service ("Registering multiple target groups with a service")


def _target_group_limit(desired: DesiredState, containers: list[Container], report: Report) -> None:
    by_service: dict[str, list[str]] = {}
    for request in desired.services:
        users = [str(item["containerName"]) for item in request.get("loadBalancers", [])]
        if users:
            by_service[str(request["serviceName"])] = users
    for service, users in by_service.items():
        if len(users) <= MAX_TARGET_GROUPS:
            continue
        first = next(c for c in containers if c.service == users[0])
        report.add(
            ("services", first.service, "ports"),
            f"ECS service {service} would need {len(users)} target groups, one per container port "
            f"behind a load balancer; ECS attaches at most {MAX_TARGET_GROUPS} to a service",
            REJECTED,
            "too-many-target-groups",
            "publish fewer ports (expose the others), or use --layout service to give each compose "
            "service its own ECS service",
        )


def _exposable(
    container: Container, listen: Listen, params: EcsParams, report: Report, layout: str, *, connected: bool
) -> bool:
    store = data_store(str(container.definition.get("image", "")), listen.target)
    if not store or params.ports.get(listen.published, PortParams()).public:
        return True
    report.add(
        listen.path,
        f"port {listen.target} is a data store's ({store}): not opened to the internet; "
        + _reached_by(container.service, listen.target, layout, connected=connected),
        APPROXIMATED,
        "data-store-port",
        f"to open it to the internet anyway, set run_params.ports.{listen.published}.public: true "
        "in ecs-params.yml",
    )
    return False


def _reached_by(service: str, port: int, layout: str, *, connected: bool) -> str:
    if layout == "project":
        return f"the project's containers reach it on localhost:{port}, as they share one task"
    if connected:
        return f"the project's other services reach it as {service}:{port} (Service Connect)"
    return "with Service Connect off, the project's other services cannot reach it either"


def _udp(
    listen: Listen,
    rules: dict[tuple[int, str, str], PortRule],
    report: Report,
    *,
    scheme: str,
    placed: bool,
) -> None:
    """UDP stays on the task's public address, without a load balancer.

    A Network Load Balancer's UDP target group needs a health check on a TCP or HTTP port of the
    app, which compose does not say. A port meant to stay private is not opened; with a network of
    the user's, their groups decide.
    """
    if scheme == "internal":
        # No load balancer carries UDP: the task's public address is the internet.
        report.add(
            (*listen.path, "host_ip") if listen.host_ip else listen.path,
            f"UDP port {listen.target} is meant to stay private"
            + (f" (published on {listen.host_ip})" if listen.host_ip else " (scheme internal)")
            + ", and no load balancer carries UDP: it is not opened; the project's own "
            "containers reach it",
            IGNORED,
            "udp-kept-private",
            "to open it on the task's public address, publish it without a host IP "
            f'("{listen.target}:{listen.target}/udp")',
        )
        return
    if listen.published != listen.target:
        report.add(
            listen.path,
            f"host port {listen.published} differs from container port {listen.target}: a UDP port is "
            "published on the task's own address, as the same port",
            REJECTED,
            "fargate-host-port",
            f'publish "{listen.target}:{listen.target}/udp"',
        )
        return
    if placed:
        # The user's groups decide what reaches the tasks; the project's group admits
        # only its load balancers, which carry no UDP.
        report.add(
            listen.path,
            f"UDP port {listen.target} is published as the same port of the task: with the "
            "subnets and security groups of ecs-params, your security groups decide who "
            "reaches it (no load balancer carries UDP)",
            MAPPED,
            "udp-without-load-balancer",
        )
        return
    report.add(
        listen.path,
        f"UDP port {listen.target} is opened on the task's public address, without a load balancer: the "
        "address changes with every deployment",
        APPROXIMATED,
        "udp-without-load-balancer",
    )
    rules.setdefault((listen.target, "udp", "world"), PortRule(listen.target, "udp"))


def _without_balancer(listen: Listen, port: PortParams, report: Report) -> None:
    """A network of the user's and no load balancer of the project's: their security groups decide."""
    if port.scheme:
        report.add(
            (*_params_path(listen), "scheme"),
            "ignored: with the subnets of ecs-params and no run_params.load_balancer.subnets, "
            "compose2ecs puts no load balancer in front of this port",
            IGNORED,
            "load-balancer-subnets",
            "name the load balancers' subnets in run_params.load_balancer.subnets",
        )
    if listen.host_ip:
        report.add(
            (*listen.path, "host_ip"),
            "ignored: a task has its own network interface, and your security groups decide",
            IGNORED,
            "host-ip-ignored",
        )
    if listen.published != listen.target:
        report.add(
            listen.path,
            f"host port {listen.published} differs from container port {listen.target}: with "
            "the subnets and security groups of ecs-params, nothing maps one onto the other",
            REJECTED,
            "fargate-host-port",
            f'publish "{listen.target}:{listen.target}", or name the subnets of a load '
            "balancer in front (run_params.load_balancer.subnets), or leave the network to "
            "compose2ecs",
        )


def _balancer_kind(container: Container, listen: Listen, params: EcsParams) -> str:
    """Application for HTTP, Network for the rest: by ecs-params, compose's app_protocol, the port."""
    port = params.ports.get(listen.published, PortParams())
    if port.certificate_arn:
        return "application"  # HTTPS is an Application Load Balancer's
    chosen = port.load_balancer
    if chosen:
        return chosen
    if listen.app_protocol:
        # An ALB speaks HTTP/2 and gRPC to targets only over TLS: those pass through an NLB.
        return "application" if listen.app_protocol == "http" else "network"
    if listen.target in HTTP_PORTS or _probe(container, listen.target) is not None:
        return "application"
    return "network"


def _probe(container: Container, port: int) -> tuple[str, int] | None:
    """(path, start period) of a compose healthcheck that fetches http://localhost:PORT/PATH."""
    health = container.definition.get("healthCheck") or {}
    command = " ".join(str(part) for part in health.get("command") or [])
    for match in _local_url().finditer(command):
        probed = int(match.group(1)) if match.group(1) else 80
        if probed == port:
            return match.group(2) or "/", int(health.get("startPeriod") or 0)
    return None


def _listen_behind(
    desired: DesiredState,
    container: Container,
    listen: Listen,
    balancer: LoadBalancerSpec,
    service: dict[str, Any],
    port: PortParams,
    report: Report,
) -> None:
    name, kind = balancer.name, balancer.type
    protocol = "HTTP" if kind == "application" else "TCP"
    # A target group serves one load balancer: an internal one's container port gets its own.
    salt = protocol if balancer.scheme == "internet-facing" else f"{protocol}@internal"
    group = names.target_group(desired.project, desired.cluster, container.service, listen.target, salt)
    _target_group(desired, container, listen, group, protocol, service, port, report)
    if port.certificate_arn and port.certificate_arn.split(":")[3:4] != [desired.region]:
        report.add(
            (*_params_path(listen), "certificate_arn"),
            f"the certificate is not in {desired.region}: a load balancer takes certificates of its "
            "own region",
            REJECTED,
            "certificate-region",
            f"request or import the certificate in ACM in {desired.region}",
        )
    secure = "HTTPS" if port.certificate_arn else protocol
    desired.listeners.append(
        ListenerSpec(name, listen.published, secure, group, listen.path, certificate=port.certificate_arn)
    )
    if port.redirect_from and port.certificate_arn:
        taken = _listener_taken(desired, name, port.redirect_from)
        if taken is None:
            desired.listeners.append(
                ListenerSpec(name, port.redirect_from, "HTTP", "", listen.path, redirect_to=listen.published)
            )
        else:
            report.add(
                (*_params_path(listen), "redirect_from"),
                f"port {port.redirect_from} is published by {taken}: it cannot also redirect to HTTPS",
                REJECTED,
                "published-port-taken",
            )
    elif port.redirect_from:
        report.add(
            (*_params_path(listen), "redirect_from"),
            "a redirect to HTTPS needs the port's certificate_arn",
            REJECTED,
            "redirect-without-certificate",
            "add certificate_arn, or remove redirect_from",
        )


def _rule_behind(
    desired: DesiredState,
    container: Container,
    listen: Listen,
    service: dict[str, Any],
    port: PortParams,
    report: Report,
    *,
    admitted: bool,
) -> None:
    """A rule on the existing listener ecs-params names, forwarding to a target group of the project's.

    `admitted`: the project's group lets the load balancer in; else the user's groups must.
    """
    arn = str(port.listener_arn)
    at = _params_path(listen)
    if listen.protocol == "udp":
        report.add(
            (*at, "listener_arn"),
            "an Application Load Balancer's listener carries HTTP, not UDP",
            REJECTED,
            "listener-rule-udp",
            "remove listener_arn for this port",
        )
        return
    # A target group serves one load balancer (any of its listeners): the balancer is in the name's
    # hash, so the same container port behind the project's own load balancer too gets a group of
    # its own, and two listeners of one shared load balancer (HTTP and HTTPS) share one.
    balancer = "/".join(arn.split(":listener/", 1)[-1].split("/")[:3])
    group = names.target_group(
        desired.project, desired.cluster, container.service, listen.target, f"HTTP@{balancer}"
    )
    _target_group(desired, container, listen, group, "HTTP", service, port, report)
    rule = ListenerRuleSpec(arn, group, port.hosts, port.paths, port.priority, at)
    same = [r for r in desired.listener_rules if r.listener_arn == arn]
    if rule.priority is not None and any(r.priority == rule.priority for r in same):
        report.add(
            (*at, "priority"),
            f"priority {rule.priority} is given to two rules of the same listener: AWS requires them unique",
            REJECTED,
            "listener-rule-priority",
            "give each rule its own priority (a lower number is evaluated first)",
        )
        return
    desired.listener_rules.append(rule)
    report.info(
        listen.path,
        f"published through an existing listener: a rule for {rule.text()} forwards to container port "
        f"{listen.target}" + ("" if admitted else "; your security groups must admit the load balancer's"),
        "listener-rule",
    )


def _target_group(
    desired: DesiredState,
    container: Container,
    listen: Listen,
    group: str,
    protocol: str,
    service: dict[str, Any],
    port: PortParams,
    report: Report,
) -> None:
    """The target group `group` on the container port, attached to the service (once per group)."""
    if any(tg.name == group for tg in desired.target_groups):
        return
    probe = _probe(container, listen.target)
    health = _health(protocol, probe, port.health_check, listen, report)
    stickiness = port.stickiness or 0
    if stickiness and protocol != "HTTP":
        report.add(
            (*_params_path(listen), "stickiness"),
            "stickiness is an Application Load Balancer's (cookies): ignored for a TCP port",
            IGNORED,
            "stickiness-ignored",
        )
        stickiness = 0
    spec = TargetGroupSpec(
        group,
        str(service["serviceName"]),
        container.service,
        listen.target,
        protocol,
        health,
        stickiness=stickiness,
    )
    desired.target_groups.append(spec)
    service.setdefault("loadBalancers", []).append(
        {"targetGroupArn": group, "containerName": container.service, "containerPort": listen.target}
    )
    if probe and probe[1]:
        grace = max(int(service.get("healthCheckGracePeriodSeconds") or 0), probe[1])
        service["healthCheckGracePeriodSeconds"] = grace


def _params_path(listen: Listen) -> tuple[str | int, ...]:
    return ("run_params", "ports", str(listen.published))


def _health(
    protocol: str,
    probe: tuple[str, int] | None,
    given: HealthCheckParams | None,
    listen: Listen,
    report: Report,
) -> HealthCheck:
    """The compose healthcheck's probe, or the protocol's default, then what ecs-params sets."""
    if protocol == "HTTP":
        health = HealthCheck("HTTP", probe[0] if probe else "/", "200-399")
    else:
        health = HealthCheck("TCP", interval=30, timeout=10, healthy=3, unhealthy=3)
    if given is None:
        return health
    if protocol != "HTTP" and (given.path or given.matcher):
        report.add(
            (*_params_path(listen), "health_check"),
            "a TCP target group checks that the port accepts connections: path and matcher are ignored",
            IGNORED,
            "health-check-ignored",
        )
        given = given._replace(path=None, matcher=None)
    return HealthCheck(
        health.protocol,
        given.path or health.path,
        given.matcher or health.matcher,
        given.interval or health.interval,
        given.timeout or health.timeout,
        given.healthy_threshold or health.healthy,
        given.unhealthy_threshold or health.unhealthy,
    )


def service_of_container(desired: DesiredState) -> dict[str, dict[str, Any]]:
    """Container name -> the CreateService request of the ECS service whose task runs it."""
    family = {
        str(c["name"]): str(d["family"]) for d in desired.task_definitions for c in d["containerDefinitions"]
    }
    by_family = {str(s["taskDefinition"]): s for s in desired.services}
    return {name: by_family[f] for name, f in family.items() if f in by_family}
