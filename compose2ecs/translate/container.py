"""One compose service -> one ECS container definition, reporting every key that does not map 1:1."""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from compose2ecs.model import ContainerParams, HealthcheckParams, HostEntry, SecretSpec, secret_arn
from compose2ecs.model.sensitive import looks_secret, secret_shaped
from compose2ecs.translate import files, names
from compose2ecs.translate.report import APPROXIMATED, IGNORED, MAPPED, REJECTED, Report
from compose2ecs.translate.units import cpu_units, mib, seconds_up

if TYPE_CHECKING:
    from collections.abc import Mapping

    from compose2ecs.translate.files import HostFile

# Keys handled by this module, or by the task/service level (listed so nothing falls through silently).
_HANDLED = {
    "image", "command", "entrypoint", "environment", "working_dir", "user", "ports", "expose",
    "healthcheck", "depends_on", "deploy", "cpus", "cpu_shares", "mem_limit", "mem_reservation",
    "stop_grace_period", "init", "read_only", "ulimits", "cap_add", "cap_drop", "sysctls", "labels",
    "logging", "platform", "secrets", "volumes", "volumes_from", "tty", "stdin_open", "scale",
    "network_mode", "pid", "privileged", "tmpfs", "build", "networks", "configs", "security_opt",
}  # fmt: skip

# Keys with no Fargate meaning: (status, why). Rejected ones would change what the app can do.
_NO_MEANING: dict[str, tuple[str, str]] = {
    "container_name": (IGNORED, "the ECS container is named after the compose service"),
    "restart": (IGNORED, "an ECS service replaces stopped tasks by itself"),
    "hostname": (IGNORED, "Fargate (awsvpc) does not let a container set its hostname"),
    "domainname": (IGNORED, "Fargate (awsvpc) does not let a container set its domain name"),
    "extra_hosts": (IGNORED, "Fargate (awsvpc) has no /etc/hosts entries; these names will not resolve"),
    "dns": (IGNORED, "Fargate uses the VPC's DNS resolver"),
    "dns_search": (IGNORED, "Fargate uses the VPC's DNS resolver"),
    "dns_opt": (IGNORED, "Fargate uses the VPC's DNS resolver"),
    "links": (IGNORED, "links do not exist in awsvpc; containers of a task share localhost"),
    "external_links": (IGNORED, "links do not exist in awsvpc"),
    "mac_address": (IGNORED, "Fargate assigns the network interface"),
    "stop_signal": (IGNORED, "ECS always stops containers with SIGTERM, then SIGKILL"),
    "memswap_limit": (IGNORED, "Fargate has no swap"),
    "mem_swappiness": (IGNORED, "Fargate has no swap"),
    "oom_kill_disable": (IGNORED, "no ECS field"),
    "oom_score_adj": (IGNORED, "no ECS field"),
    "pids_limit": (IGNORED, "no ECS field"),
    "cpu_count": (IGNORED, "Windows-only Docker option; no ECS field"),
    "cpu_percent": (IGNORED, "Windows-only Docker option; no ECS field"),
    "cpu_period": (IGNORED, "no ECS field; use deploy.resources.limits.cpus"),
    "cpu_quota": (IGNORED, "no ECS field; use deploy.resources.limits.cpus"),
    "cpu_rt_period": (IGNORED, "no ECS field"),
    "cpu_rt_runtime": (IGNORED, "no ECS field"),
    "cpuset": (IGNORED, "Fargate does not pin CPUs"),
    "blkio_config": (IGNORED, "no ECS field"),
    "group_add": (IGNORED, "no ECS field"),
    "isolation": (IGNORED, "no ECS field on Linux"),
    "runtime": (IGNORED, "Fargate chooses the container runtime"),
    "storage_opt": (IGNORED, "no ECS field; see ecs-params task_definition.ephemeral_storage"),
    "credential_spec": (IGNORED, "gMSA credential specs are not supported by compose2ecs"),
    "uts": (IGNORED, "no ECS field"),
    "develop": (IGNORED, "a local development setting"),
    "pull_policy": (IGNORED, "Fargate always pulls the image"),
    "pull_refresh_after": (IGNORED, "Fargate always pulls the image"),
    "profiles": (IGNORED, "profiles were applied when the project was loaded"),
    "attach": (IGNORED, "a local `docker compose up` setting"),
    "annotations": (IGNORED, "no ECS field"),
    "label_file": (IGNORED, "already merged into labels"),
    "post_start": (IGNORED, "ECS has no lifecycle hooks"),
    "pre_stop": (IGNORED, "ECS has no lifecycle hooks"),
    "models": (IGNORED, "no ECS equivalent"),
    "provider": (IGNORED, "no ECS equivalent"),
    "use_api_socket": (IGNORED, "there is no Docker API socket on Fargate"),
    "gpus": (REJECTED, "Fargate has no GPUs"),
    "devices": (REJECTED, "Fargate does not expose host devices"),
    "device_cgroup_rules": (REJECTED, "Fargate does not expose host devices"),
    "shm_size": (REJECTED, "Fargate does not let a task size /dev/shm"),
    "userns_mode": (REJECTED, "Fargate does not support user namespace settings"),
    "cgroup": (REJECTED, "Fargate does not support cgroup settings"),
    "cgroup_parent": (REJECTED, "Fargate does not support cgroup settings"),
    "ipc": (REJECTED, "Fargate does not support IPC modes"),
}

# Compiled on first use (the re module caches it), not at start-up.
_SECRET_STORE_ARN = r"arn:aws[a-z-]*:(secretsmanager|ssm):"  # noqa: S105 - a pattern, not a secret
_ALLOWED_ADD_CAPS = {"SYS_PTRACE"}
_CAPABILITIES = {
    "ALL",
    "AUDIT_CONTROL",
    "AUDIT_WRITE",
    "BLOCK_SUSPEND",
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "IPC_LOCK",
    "IPC_OWNER",
    "KILL",
    "LEASE",
    "LINUX_IMMUTABLE",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "MKNOD",
    "NET_ADMIN",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_RAW",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_CHROOT",
    "SYS_MODULE",
    "SYS_NICE",
    "SYS_PACCT",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "SYSLOG",
    "WAKE_ALARM",
}
_ULIMITS = {
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
}
_NOFILE_MAX = 1048576
_IPC_SYSCTLS = {
    "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
    "kernel.shmmni", "kernel.shm_rmid_forced",
}  # fmt: skip
_LOG_DRIVERS = {"awslogs", "splunk", "awsfirelens"}
_MIN_CONTAINER_MIB = 6
# Health-check bounds (seconds / count) ECS enforces.
_HC_BOUNDS = {"interval": (5, 300), "timeout": (2, 60), "retries": (1, 10), "startPeriod": (0, 300)}
_STOP_TIMEOUT = (2, 120)


class Mount(NamedTuple):
    """A compose volume entry that needs a task-level volume."""

    volume: str  # task volume name
    kind: str  # named | anonymous | tmpfs
    source: str | None  # compose top-level volume key, for named volumes
    path: tuple[str | int, ...]


class Listen(NamedTuple):
    """A port published on the network: compose's `published:target/protocol`."""

    published: int
    target: int
    protocol: str  # tcp | udp
    app_protocol: str  # compose's app_protocol ("" when not given)
    path: tuple[str | int, ...]  # the `ports` entry
    host_ip: str = ""  # one interface of the host (not all, not loopback): kept off the internet


class Container:
    """A container definition plus what the task and service levels need to know about it.

    Filled in key by key while the service converts, hence a plain mutable class.
    """

    __slots__ = (
        "awslogs",
        "create_group",
        "definition",
        "depends",
        "essential_explicit",
        "host_files",
        "listens",
        "local_only",
        "managed_secrets",
        "mounts",
        "named_secrets",
        "namesakes",
        "platform",
        "port_sources",
        "published",
        "replicas",
        "secret_files",
        "secret_sources",
        "secrets",
        "service",
        "whole_directories",
    )

    def __init__(self, service: str, definition: dict[str, Any]) -> None:
        self.service = service
        self.definition = definition
        self.mounts: list[Mount] = []
        self.published: list[tuple[int, str]] = []  # (port, protocol) from `ports`
        self.listens: list[Listen] = []  # the published ports that are not on a loopback address
        # Published on a loopback IP: the user kept them off the network, so no ingress rule opens them.
        self.local_only: set[tuple[int, str]] = set()
        # (port, protocol) -> the compose key of its mapping, and whether the user named it
        self.port_sources: dict[tuple[int, str], tuple[tuple[str | int, ...], bool]] = {}
        # Other compose services whose name differs from this one only in letter case.
        self.namesakes: tuple[str, ...] = ()
        self.platform: tuple[str, str] | None = None  # (os family, cpu architecture)
        self.secrets: list[str] = []  # valueFrom of every secret it reads
        self.secret_files: list[SecretFile] = []  # compose secrets, as files under /run/secrets
        self.managed_secrets: list[SecretSpec] = []  # compose file/environment secrets, kept in AWS
        self.named_secrets: dict[str, tuple[str | int, ...]] = {}  # external secrets by name -> key
        self.host_files: list[HostFile] = []  # configs and read-only bind mounts (translate/files.py)
        self.whole_directories: set[str] = set()  # targets of bind-mounted directories
        # valueFrom -> (key path that set it, whether that path is in ecs-params.yml)
        self.secret_sources: dict[str, tuple[tuple[str | int, ...], bool]] = {}
        self.depends: dict[str, str] = {}  # compose service -> ECS condition
        self.awslogs: tuple[str, str] | None = None  # (group, region)
        self.create_group = False
        self.replicas: int | None = None
        self.essential_explicit = False


class Context(NamedTuple):
    project: str
    region: str
    compose: dict[str, Any]  # the whole project model (top-level secrets, volumes)
    project_dir: str = ""  # the project's directory: a bind mount's volume is named from inside it
    # What load/host_files.py read: bind mount sources and configs files -> what is there
    host_files: Mapping[str, HostEntry] = MappingProxyType({})
    environment: Mapping[str, str] = MappingProxyType({})  # for configs from `environment:`
    cluster: str = "default"  # the deployment's, in the names of the secrets it keeps


def convert_service(
    ctx: Context, name: str, service: dict[str, Any], params: ContainerParams | None, report: Report
) -> Container:
    """Build the container definition of compose service `name`."""
    base: tuple[str | int, ...] = ("services", name)
    params = params or ContainerParams()
    container = Container(name, {"name": name})
    definition = container.definition
    if not names.is_ecs_name(name):
        report.add(
            base,
            f'service name "{name}" cannot be an ECS container name (only letters, digits, "_" and "-")',
            REJECTED,
            "invalid-name",
            "rename the service",
        )
    container.namesakes = tuple(
        other
        for other in ctx.compose.get("services") or {}
        if other != name and other.lower() == name.lower()
    )
    _image(service, base, definition, report)
    essential = True if params.essential is None else params.essential
    definition["essential"] = essential
    container.essential_explicit = params.essential is not None
    for key, field_name in (("entrypoint", "entryPoint"), ("command", "command")):
        if service.get(key):
            definition[field_name] = [str(part) for part in service[key]]
    _cleared_commands(service, base, definition, report)
    _environment(service, base, definition, report)
    _ports(service, base, container, report)
    _resources(service, base, params, definition, report)
    health = _healthcheck(service.get("healthcheck"), params.healthcheck, base, report)
    if health:
        definition["healthCheck"] = health
    _simple_fields(service, base, definition, report)
    _linux_parameters(service, base, params, definition, report)
    _secrets(ctx, service, base, params, container, report)
    _configs(ctx, service, base, container, report)
    _security_options(service, base, report)
    _logging(ctx, service, base, params, container, report)
    _volumes(service, base, container, report, ctx)
    _platform(service, base, container, report)
    _depends_on(service, base, container, report)
    if params.repository_credentials:
        definition["repositoryCredentials"] = {"credentialsParameter": params.repository_credentials}
        container.secrets.append(params.repository_credentials)
    if params.firelens:
        firelens: dict[str, Any] = {"type": params.firelens.type}
        if params.firelens.options:
            firelens["options"] = dict(params.firelens.options)
        definition["firelensConfiguration"] = firelens
    if params.gpu:
        report.add(
            ("task_definition", "services", name, "gpu"),
            "Fargate has no GPUs",
            REJECTED,
            "fargate-unsupported",
            "remove gpu, or run this service on EC2",
        )
    _scale(service, base, container, report)
    _no_meaning(service, base, report)
    return container


def _image(
    service: dict[str, Any], base: tuple[str | int, ...], definition: dict[str, Any], report: Report
) -> None:
    image = service.get("image")
    if not image:
        report.add(
            (*base, "build") if "build" in service else base,
            "no image to run: Fargate cannot build images",
            REJECTED,
            "build-without-image",
            "build and push the image to a registry (e.g. ECR), then set image:",
        )
        return
    definition["image"] = image
    if not names.is_image_reference(image):
        report.add(
            (*base, "image"),
            f"image reference {image!r} is not valid for ECS",
            REJECTED,
            "invalid-image",
            "use letters, digits and - _ : . / # @, at most 255 characters",
        )
    if "build" in service:
        report.add((*base, "build"), "not built: Fargate runs the image as pushed", IGNORED, "build-ignored")


def _cleared_commands(
    service: dict[str, Any], base: tuple[str | int, ...], definition: dict[str, Any], report: Report
) -> None:
    """`entrypoint: []` and `command: []` (or "") ask Docker to drop the image's ENTRYPOINT or CMD.

    ECS sends an empty list as no value at all, so the image's would run. Docker's own "no
    entrypoint" is `[""]`, which ECS passes on; Docker then runs the command without the image's
    CMD, so it works only with a command of our own. Docker keeps the image's CMD for an empty
    command unless an entrypoint is set, and ECS does the same.
    """
    if service.get("entrypoint") == []:
        if definition.get("command"):
            definition["entryPoint"] = [""]
            report.add(
                (*base, "entrypoint"),
                "the image's ENTRYPOINT is cleared with entryPoint [\"\"], Docker's value for none",
                MAPPED,
                "entrypoint-cleared",
            )
        else:
            report.add(
                (*base, "entrypoint"),
                "the image's ENTRYPOINT still runs: Docker would run the image's CMD without it, which "
                "ECS cannot do (it clears the entrypoint only when command: is given)",
                APPROXIMATED,
                "entrypoint-not-cleared",
                "add command: with the image's CMD",
            )
    if service.get("command") == []:
        if definition.get("entryPoint", [""]) != [""]:
            message, status = "no command: with an entrypoint set, the image's CMD is not used", MAPPED
        else:
            message = "an empty command does not clear the image's CMD, which runs (as under Docker)"
            status = IGNORED
        report.add((*base, "command"), message, status, "empty-command")


def _environment(
    service: dict[str, Any], base: tuple[str | int, ...], definition: dict[str, Any], report: Report
) -> None:
    environment = service.get("environment") or {}
    pairs = []
    for key, value in environment.items():
        if value is None:
            report.add(
                (*base, "environment", key),
                f"{key} has no value here (it was not set when converting), so it is left out",
                IGNORED,
                "unset-variable",
                f"give it a value, e.g. {key}=... or set it in .env",
            )
            continue
        pairs.append({"name": key, "value": str(value)})
        if _plaintext_secret(str(key), str(value)):
            # The message never holds the value: it may end up in a CI log.
            report.add(
                (*base, "environment", key),
                f"{key} looks like a secret, and its value would be stored in plain text in the task "
                "definition, where anyone allowed to describe task definitions reads it",
                MAPPED,
                "plaintext-secret",
                "store it in Secrets Manager or SSM Parameter Store, and name it in ecs-params.yml "
                f"under task_definition.services.{base[1]}.secrets (or as an external compose secret)",
                warn=True,
            )
    if pairs:
        definition["environment"] = pairs


def _plaintext_secret(name: str, value: str) -> bool:
    """A secret-looking name or value, with a value that could be one (not empty, a number or a flag)."""
    if secret_shaped(value):
        return True
    plain = value.strip().lower()
    if not plain or plain.isdigit() or plain in {"true", "false", "yes", "no", "on", "off", "none", "null"}:
        return False
    if name.upper().endswith("_FILE") and plain.startswith("/"):
        return False  # the images' convention (POSTGRES_PASSWORD_FILE): the path of the secret's file
    return looks_secret(name)


def _ports(
    service: dict[str, Any], base: tuple[str | int, ...], container: Container, report: Report
) -> None:
    mappings: dict[tuple[int, str], dict[str, Any]] = {}
    loopback: set[tuple[int, str]] = set()
    public: set[tuple[int, str]] = set()
    for index, port in enumerate(service.get("ports") or []):
        path = (*base, "ports", index)
        target = int(port["target"])
        protocol = port.get("protocol") or "tcp"
        if protocol not in {"tcp", "udp"}:
            report.add(
                path,
                f"protocol {protocol} is not supported by ECS",
                REJECTED,
                "invalid-protocol",
                "use tcp or udp",
            )
            continue
        published = port.get("published")
        # A range ("8000-8001:80") is expanded by the loader; what is left is one port or none.
        listen = int(published) if published not in (None, "") and str(published).isdigit() else target
        host_ip = str(port.get("host_ip") or "")
        local_only = _is_loopback(host_ip)
        if local_only:
            report.add(
                (*path, "host_ip"),
                f"published on {host_ip} only, so not reachable from outside the host: kept as container "
                f"port {target} for the project's own containers, but not opened to the internet",
                APPROXIMATED,
                "loopback-port",
                f'to open it to the internet, publish it without a host IP ("{target}:{target}")',
            )
        elif host_ip and host_ip in _ALL_INTERFACES:
            report.add(
                (*path, "host_ip"),
                "ignored: a task has its own network interface",
                IGNORED,
                "host-ip-ignored",
            )
        mapping = {"containerPort": target, "hostPort": target, "protocol": protocol}
        user_name = str(port.get("name") or "")
        if user_name and not names.is_port_name(user_name):
            report.add(
                (*path, "name"),
                f'port name "{user_name}" is not valid for ECS: lowercase letters, digits, "_" and "-", '
                'at most 64 characters, not starting with "-"',
                REJECTED,
                "invalid-port-name",
                f'e.g. "{names.port_name_chars(user_name).strip("-")[:64] or "http"}", or leave the name out',
            )
            user_name = ""
        mapping["name"] = user_name or names.port_name(container.service, target, protocol)
        if port.get("app_protocol"):
            if port["app_protocol"] in {"http", "http2", "grpc"}:
                mapping["appProtocol"] = port["app_protocol"]
            else:
                report.add(
                    (*path, "app_protocol"),
                    f"app_protocol {port['app_protocol']} is ignored (ECS knows http, http2, grpc)",
                    IGNORED,
                    "app-protocol-ignored",
                )
        if mappings.setdefault((target, protocol), mapping) is mapping:
            container.port_sources[target, protocol] = (path, bool(user_name))
        container.published.append((target, protocol))
        if not local_only:
            container.listens.append(
                Listen(
                    listen,
                    target,
                    protocol,
                    str(port.get("app_protocol") or ""),
                    path,
                    "" if host_ip in _ALL_INTERFACES else host_ip,
                )
            )
        (loopback if local_only else public).add((target, protocol))
    container.local_only = loopback - public
    for index, exposed in enumerate(service.get("expose") or []):
        spec = str(exposed)
        port_part, _, protocol = spec.partition("/")
        protocol = protocol.lower() or "tcp"
        if protocol not in {"tcp", "udp"}:
            report.add(
                (*base, "expose", index),
                f"protocol {protocol} is not supported by ECS",
                REJECTED,
                "invalid-protocol",
                "use tcp or udp",
            )
            continue
        start, _, end = port_part.partition("-")
        try:
            ports = range(int(start), int(end or start) + 1)
        except ValueError:
            report.add((*base, "expose", index), f"cannot read port {spec!r}", REJECTED, "invalid-port")
            continue
        for target in ports:
            if (target, protocol) in mappings:
                continue
            mappings[target, protocol] = {
                "containerPort": target,
                "hostPort": target,
                "protocol": protocol,
                "name": names.port_name(container.service, target, protocol),
            }
            container.port_sources[target, protocol] = ((*base, "expose", index), False)
    if mappings:
        container.definition["portMappings"] = list(mappings.values())


def unique_port_names(containers: list[Container], report: Report) -> None:
    """Port names must be unique within a task definition, whose containers may come from several services.

    A name the user chose is kept, so a second use of it is refused; a generated name that is taken
    gets a number.
    """
    taken: dict[str, str] = {}
    for container in containers:
        for mapping in container.definition.get("portMappings", []):
            path, chosen = container.port_sources[mapping["containerPort"], mapping["protocol"]]
            if not chosen:
                continue
            name = mapping["name"]
            if name in taken:
                owner = "another port" if taken[name] == container.service else f"a port of {taken[name]}"
                report.add(
                    (*path, "name"),
                    f'port name "{name}" is also used by {owner}: ECS wants the port names of a task '
                    "definition unique",
                    REJECTED,
                    "duplicate-port-name",
                    "give each port its own name, or leave the names out",
                )
            taken.setdefault(name, container.service)
    for container in containers:
        for mapping in container.definition.get("portMappings", []):
            path, chosen = container.port_sources[mapping["containerPort"], mapping["protocol"]]
            if chosen:
                continue
            name, number = mapping["name"], 2
            while name in taken:
                tag = f"-{number}"
                name, number = mapping["name"][: names.PORT_NAME_MAX - len(tag)] + tag, number + 1
            if name != mapping["name"]:
                report.add(
                    path,
                    f'port named "{name}": "{mapping["name"]}" is taken by {taken[mapping["name"]]}',
                    MAPPED,
                    "port-name",
                )
                mapping["name"] = name
            taken[name] = container.service


_ALL_INTERFACES = frozenset({"", "0.0.0.0", "::", "[::]"})  # noqa: S104 - compose's meaning, not a bind


def _is_loopback(host_ip: str) -> bool:
    """127.0.0.0/8, ::1, and 127.x written as an IPv4-mapped IPv6 address."""
    import ipaddress  # noqa: PLC0415 - only ports bound to a host IP need it

    try:
        address = ipaddress.ip_address(host_ip.strip("[]"))
    except ValueError:
        return False
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def _resources(
    service: dict[str, Any],
    base: tuple[str | int, ...],
    params: ContainerParams,
    definition: dict[str, Any],
    report: Report,
) -> None:
    deploy = service.get("deploy") or {}
    resources = deploy.get("resources") or {}
    limits = resources.get("limits") or {}
    reservations = resources.get("reservations") or {}
    cpu = None
    for value, path in (
        (limits.get("cpus"), (*base, "deploy", "resources", "limits", "cpus")),
        (service.get("cpus"), (*base, "cpus")),
        (reservations.get("cpus"), (*base, "deploy", "resources", "reservations", "cpus")),
    ):
        if value is not None and cpu is None:
            cpu = cpu_units(value)
            if path[-2:] == ("reservations", "cpus"):
                report.add(path, "used as the container's CPU units", MAPPED, "cpu-reservation")
    if cpu is None and service.get("cpu_shares") is not None:
        cpu = int(service["cpu_shares"])
    if params.cpu_shares is not None:
        cpu = params.cpu_shares
    if cpu:
        definition["cpu"] = cpu
    memory_sources = (
        (limits.get("memory"), (*base, "deploy", "resources", "limits", "memory")),
        (service.get("mem_limit"), (*base, "mem_limit")),
    )
    reservation_sources = (
        (reservations.get("memory"), (*base, "deploy", "resources", "reservations", "memory")),
        (service.get("mem_reservation"), (*base, "mem_reservation")),
    )
    memory, memory_path = next(((mib(v), p) for v, p in memory_sources if v is not None), (None, base))
    reservation, reservation_path = next(
        ((mib(v), p) for v, p in reservation_sources if v is not None), (None, base)
    )
    params_path = ("task_definition", "services", base[1])
    if params.mem_limit is not None:
        memory, memory_path = params.mem_limit, (*params_path, "mem_limit")
    if params.mem_reservation is not None:
        reservation, reservation_path = params.mem_reservation, (*params_path, "mem_reservation")
    for value, key, label, path in (
        (memory, "memory", "memory limit", memory_path),
        (reservation, "memoryReservation", "memory reservation", reservation_path),
    ):
        if value is None:
            continue
        if value < _MIN_CONTAINER_MIB:
            report.add(
                path,
                f"{label} of {value} MiB is below the 6 MiB Docker needs",
                REJECTED,
                "memory-too-small",
                "give at least 6m",
            )
        definition[key] = value
    if memory is not None and reservation is not None and memory < reservation:
        report.add(
            memory_path,
            f"memory limit ({memory} MiB) is below the reservation ({reservation} MiB)",
            REJECTED,
            "memory-below-reservation",
            "raise the limit or lower the reservation",
        )
    for key in ("pids",):
        if limits.get(key) is not None:
            report.add(
                (*base, "deploy", "resources", "limits", key), "no ECS field", IGNORED, "unsupported-key"
            )
    for key in ("devices", "generic_resources"):
        if reservations.get(key):
            report.add(
                (*base, "deploy", "resources", "reservations", key),
                "Fargate has no devices or GPUs",
                REJECTED,
                "fargate-unsupported",
            )


def _healthcheck(
    compose_hc: dict[str, Any] | None,
    params_hc: HealthcheckParams | None,
    base: tuple[str | int, ...],
    report: Report,
) -> dict[str, Any] | None:
    path = (*base, "healthcheck")
    result: dict[str, Any] = {}
    if compose_hc and not compose_hc.get("disable"):
        test = compose_hc.get("test") or []
        if test and test[0] in {"CMD", "CMD-SHELL"}:
            result["command"] = [str(part) for part in test]
        elif test and test[0] != "NONE":
            result["command"] = ["CMD-SHELL", " ".join(str(part) for part in test)]
        for key, field_name in (
            ("interval", "interval"),
            ("timeout", "timeout"),
            ("start_period", "startPeriod"),
        ):
            if compose_hc.get(key) is None:
                continue
            converted = seconds_up(compose_hc[key])
            if converted[0] == 0 and key != "start_period":
                continue  # Docker's 0 means "inherit the default", as leaving it out does on ECS
            result[field_name], rounded = converted
            if rounded:
                report.add(
                    (*path, key),
                    f"{compose_hc[key]} rounded up to {converted[0]}s (ECS counts whole seconds)",
                    APPROXIMATED,
                    "rounded-duration",
                )
        if compose_hc.get("retries"):  # 0: inherit the default, as above
            result["retries"] = int(compose_hc["retries"])
        if compose_hc.get("start_interval") is not None:
            report.add((*path, "start_interval"), "ECS has no start interval", IGNORED, "unsupported-key")
        from_params = bool(params_hc and params_hc.command)
        if not result.get("command") and (test or not from_params):
            result = {}
        if not test and not from_params:
            # Docker would use the image's HEALTHCHECK test with these settings; ECS never does.
            report.add(
                path,
                "no test: the image's HEALTHCHECK would be used by Docker, but ECS ignores it, so "
                "the container has no health check",
                IGNORED,
                "healthcheck-without-test",
                "add test: with the image's HEALTHCHECK command",
            )
    if params_hc:
        overrides = {
            "command": list(params_hc.command) if params_hc.command else None,
            "interval": params_hc.interval,
            "timeout": params_hc.timeout,
            "retries": params_hc.retries,
            "startPeriod": params_hc.start_period,
        }
        result.update({k: v for k, v in overrides.items() if v is not None})
    if not result:
        return None
    if not result.get("command"):
        report.add(
            ("task_definition", "services", base[1], "healthcheck"),
            "a health check needs a command",
            REJECTED,
            "healthcheck-command",
            "add test: or command:",
        )
        return None
    given = {k for k in _HC_BOUNDS if params_hc is not None and getattr(params_hc, _hc_key(k)) is not None}
    for field_name, (low, high) in _HC_BOUNDS.items():
        value = result.get(field_name)
        if field_name in given and value is not None and not low <= value <= high:
            # ecs-params speaks ECS's own terms: a value outside its range is a mistake to fix.
            compose_key, unit = _hc_key(field_name), _hc_unit(field_name)
            report.add(
                ("task_definition", "services", base[1], "healthcheck", compose_key),
                f"health check {compose_key} {value}{unit} is outside ECS's range {low}-{high}{unit}",
                REJECTED,
                "healthcheck-bounds",
                f"use a value from {low} to {high}",
            )
    _within_bounds(result, given, path, report)
    return {"command": result["command"], **{k: v for k, v in result.items() if k != "command"}}


# Docker's defaults, for the time to unhealthy of a compose health check that leaves them out.
_DOCKER_INTERVAL, _DOCKER_RETRIES = 30, 3


def _within_bounds(
    result: dict[str, Any], given: set[str], path: tuple[str | int, ...], report: Report
) -> None:
    """Bring a compose health check inside ECS's ranges, keeping its time to unhealthy.

    Docker calls a container unhealthy after `retries` failed probes `interval` apart; ECS does
    the same within narrower ranges (interval 5-300 s, retries 1-10). `interval: 3s, retries: 20`
    (a minute) becomes 6 s and 10 retries: the same minute, probed a little less often; `1s` and
    5 retries becomes 5 s and 5 retries: the retries kept, the time as short as ECS allows. Values
    that ecs-params gives (`given`) stay as they are.
    """

    def clamp(field_name: str, value: int) -> int:
        low, high = _HC_BOUNDS[field_name]
        return min(max(value, low), high)

    outside = [k for k in _HC_BOUNDS if k in result and k not in given and clamp(k, result[k]) != result[k]]
    if not outside:
        return
    before = {"interval": _DOCKER_INTERVAL, "retries": _DOCKER_RETRIES, **result}
    for field_name in ("timeout", "startPeriod"):
        if field_name in outside:
            result[field_name] = clamp(field_name, result[field_name])
    if {"interval", "retries"} & set(outside):
        interval, retries = int(before["interval"]), int(before["retries"])
        total = interval * retries
        # As many retries as compose asks, up to ECS's 10 (a single failed probe never kills the
        # container when compose said it should not), spread over the same time when it fits.
        new_retries = clamp("retries", retries)
        new_interval = clamp("interval", -(-total // new_retries))  # ceil: not sooner than Docker
        if new_interval * new_retries < total:
            new_retries = clamp("retries", -(-total // new_interval))  # the interval is at its most
        wanted = {"interval": new_interval, "retries": new_retries}
        result.update({k: v for k, v in wanted.items() if k not in given})
    changed = [k for k in _HC_BOUNDS if k in result and result[k] != before.get(k)]
    was = ", ".join(f"{_hc_key(k)} {before[k]}{_hc_unit(k)}" for k in changed)
    now = ", ".join(f"{_hc_key(k)} {result[k]}{_hc_unit(k)}" for k in changed)
    unhealthy = int(result.get("interval", _DOCKER_INTERVAL)) * int(result.get("retries", _DOCKER_RETRIES))
    report.add(
        (*path, _hc_key(outside[0])),
        f"{was} {'is' if len(changed) == 1 else 'are'} outside ECS's ranges (interval 5-300 s, "
        "timeout 2-60 s, retries 1-10, start "
        f"period 0-300 s): {now}, so a failing container is unhealthy after {unhealthy} s",
        APPROXIMATED,
        "healthcheck-bounds",
    )


def _hc_key(field_name: str) -> str:
    return {"startPeriod": "start_period"}.get(field_name, field_name)


def _hc_unit(field_name: str) -> str:
    return "" if field_name == "retries" else "s"


def _simple_fields(
    service: dict[str, Any], base: tuple[str | int, ...], definition: dict[str, Any], report: Report
) -> None:
    for key, field_name in (("working_dir", "workingDirectory"), ("user", "user")):
        if service.get(key):
            definition[field_name] = str(service[key])
    for key, field_name in (
        ("read_only", "readonlyRootFilesystem"),
        ("tty", "pseudoTerminal"),
        ("stdin_open", "interactive"),
    ):
        if service.get(key):
            definition[field_name] = True
    if service.get("labels"):
        definition["dockerLabels"] = {str(k): str(v) for k, v in service["labels"].items()}
    if service.get("stop_grace_period") is not None:
        seconds, _ = seconds_up(service["stop_grace_period"])
        low, high = _STOP_TIMEOUT
        if not low <= seconds <= high:
            report.add(
                (*base, "stop_grace_period"),
                f"stop_grace_period {service['stop_grace_period']} is outside Fargate's {low}-{high} s",
                REJECTED,
                "stop-timeout-bounds",
                f"use a value from {low}s to {high}s",
            )
        definition["stopTimeout"] = seconds
    if service.get("privileged"):
        report.add(
            (*base, "privileged"),
            "Fargate does not run privileged containers",
            REJECTED,
            "fargate-unsupported",
        )
    sysctls = service.get("sysctls") or {}
    controls = []
    for key, value in sysctls.items():
        if key.startswith(("net.", "fs.mqueue.")) or key in _IPC_SYSCTLS:
            controls.append({"namespace": key, "value": str(value)})
        else:
            report.add(
                (*base, "sysctls", key),
                f"sysctl {key} is not namespaced; Fargate accepts only net.*, fs.mqueue.* and the IPC "
                "kernel.* keys",
                REJECTED,
                "fargate-sysctl",
            )
    if controls:
        definition["systemControls"] = controls
    ulimits = []
    for key, value in (service.get("ulimits") or {}).items():
        soft, hard = (value, value) if isinstance(value, int) else (value.get("soft"), value.get("hard"))
        path = (*base, "ulimits", key)
        if key not in _ULIMITS:
            report.add(path, f"ECS does not know the ulimit {key}", REJECTED, "invalid-ulimit")
            continue
        if soft is None or hard is None or soft > hard:
            report.add(
                path, "the soft limit must be set and at most the hard limit", REJECTED, "invalid-ulimit"
            )
            continue
        if key == "nofile" and hard > _NOFILE_MAX:
            report.add(path, f"nofile above Fargate's maximum {_NOFILE_MAX}", REJECTED, "invalid-ulimit")
            continue
        ulimits.append({"name": key, "softLimit": int(soft), "hardLimit": int(hard)})
    if ulimits:
        definition["ulimits"] = ulimits


def _linux_parameters(
    service: dict[str, Any],
    base: tuple[str | int, ...],
    params: ContainerParams,
    definition: dict[str, Any],
    report: Report,
) -> None:
    linux: dict[str, Any] = {}
    add, drop = [], []
    for index, cap in enumerate(service.get("cap_add") or []):
        name = str(cap).upper().removeprefix("CAP_")
        if name in _ALLOWED_ADD_CAPS:
            add.append(name)
        else:
            report.add(
                (*base, "cap_add", index),
                f"Fargate can add only SYS_PTRACE, not {name}",
                REJECTED,
                "fargate-capability",
                "remove it from cap_add",
            )
    for index, cap in enumerate(service.get("cap_drop") or []):
        name = str(cap).upper().removeprefix("CAP_")
        if name in _CAPABILITIES:
            drop.append(name)
        else:
            report.add(
                (*base, "cap_drop", index), f"unknown capability {name}", REJECTED, "invalid-capability"
            )
    if add or drop:
        linux["capabilities"] = {k: v for k, v in (("add", add), ("drop", drop)) if v}
    init = params.init_process_enabled if params.init_process_enabled is not None else service.get("init")
    if init:
        linux["initProcessEnabled"] = True
    if linux:
        definition["linuxParameters"] = linux


FILES_CONTAINER = "compose2ecs-files"  # the init container that writes secret files
_SECRET_FILE_NAME = re.compile(r"[A-Za-z0-9._-]{1,255}")


class SecretFile(NamedTuple):
    """A compose secret delivered as a file under /run/secrets, by the init container."""

    value_from: str  # the Secrets Manager or SSM reference
    name: str  # the file's name under /run/secrets
    mode: str  # octal, as chmod takes it
    uid: str
    gid: str


def _secret_file(
    entry: dict[str, Any], reference: str, path: tuple[str | int, ...], report: Report
) -> SecretFile | None:
    """Where compose puts the secret: /run/secrets/<target>, with its mode and owner."""
    target = str(entry.get("target") or entry["source"])
    name = target.removeprefix("/run/secrets/") if target.startswith("/") else target
    elsewhere = target.startswith("/") and not target.startswith("/run/secrets/")
    if elsewhere or not _SECRET_FILE_NAME.fullmatch(name):
        report.add(
            (*path, "target"),
            f"target {target} is not a file name under /run/secrets: the secret files are one task "
            "volume mounted there, so another directory would be hidden by it",
            REJECTED,
            "secret-target",
            "use a target under /run/secrets (e.g. db_password) and point the app at it "
            "(many images read a *_FILE variable)",
        )
        return None
    mode = str(entry.get("mode") or "0444")
    if not re.fullmatch(r"0?[0-7]{3,4}", mode):
        try:
            mode = f"0{int(mode):o}"  # a decimal number of the permission bits
        except ValueError:
            mode = "0444"
    return SecretFile(reference, name, mode, str(entry.get("uid") or "0"), str(entry.get("gid") or "0"))


# What Fargate does with each Docker security option: a task cannot set any of them, so each is
# reported as what the container gets instead (the runtime's defaults), or refused when unknown.
_SECURITY_OPTIONS = {
    "no-new-privileges": (
        APPROXIMATED,
        (
            "Fargate has no no-new-privileges setting: processes may gain privileges through setuid "
            "binaries, as without the option"
        ),
        "run as a non-root user (user:) and drop capabilities (cap_drop: [ALL]) for the same effect",
    ),
    "seccomp": (
        APPROXIMATED,
        "Fargate applies its own default seccomp profile; a custom profile or `unconfined` cannot be set",
        "if the app needs a system call the default profile blocks, it cannot run on Fargate",
    ),
    "apparmor": (
        APPROXIMATED,
        "Fargate applies its own AppArmor defaults; a profile cannot be chosen",
        "",
    ),
    "label": (IGNORED, "SELinux labels have no meaning on Fargate", ""),
    "systempaths": (
        APPROXIMATED,
        "Fargate keeps the kernel's system paths masked and read-only; `unconfined` cannot be set",
        "",
    ),
}


def _security_options(service: dict[str, Any], base: tuple[str | int, ...], report: Report) -> None:
    for index, option in enumerate(service.get("security_opt") or []):
        path = (*base, "security_opt", index)
        text = str(option)
        name, _, value = text.replace("=", ":", 1).partition(":")
        known = _SECURITY_OPTIONS.get(name)
        if known is None:
            report.add(
                path,
                f"security option {text} has no Fargate equivalent",
                REJECTED,
                "fargate-unsupported",
                "remove it",
            )
            continue
        status, why, hint = known
        if name == "no-new-privileges" and value.lower() == "false":
            status, why, hint = IGNORED, "no-new-privileges:false is what a Fargate container gets anyway", ""
        report.add(path, f"security_opt {text}: {why}", status, "security-option", hint)


def _configs(
    ctx: Context, service: dict[str, Any], base: tuple[str | int, ...], container: Container, report: Report
) -> None:
    """Compose configs, as files at their targets (translate/files.py)."""
    top = ctx.compose.get("configs") or {}
    for index, entry in enumerate(service.get("configs") or []):
        declared = top.get(entry.get("source")) or {}
        path = (*base, "configs", index)
        found = files.from_config(entry, declared, ctx.host_files, ctx.environment, path, report)
        if found is not None:
            container.host_files.append(found)


def _secret_source(
    ctx: Context,
    entry: dict[str, Any],
    declared: dict[str, Any],
    path: tuple[str | int, ...],
    container: Container,
    report: Report,
) -> tuple[str, str] | None:
    """Where a compose secret's value is read from (valueFrom, and what that is), or None: refused."""
    reference = str(declared.get("name") or "")
    if not declared.get("external"):
        managed = _managed_secret(ctx, entry, declared, report)
        if managed is not None:
            container.managed_secrets.append(managed)
            return secret_arn(managed.name), f"kept in Secrets Manager as {managed.name}"
        if declared.get("file") or declared.get("environment"):
            return None  # refused by _managed_secret, with its reason
    if declared.get("external") and reference and not reference.startswith("arn:"):
        # By name, as a swarm secret is: the Secrets Manager secret of that name, found by `up`.
        container.named_secrets[reference] = (*path, "source")
        return secret_arn(f"named:{reference}"), f"the Secrets Manager secret named {reference}"
    if not (declared.get("external") and re.match(_SECRET_STORE_ARN, reference)):
        report.add(
            path,
            f'secret "{entry["source"]}" is not in AWS: Fargate reads secrets from Secrets Manager or SSM',
            REJECTED,
            "secret-not-in-aws",
            "store it there and declare it as `external: true` with `name: <its ARN>`, "
            "or list it in ecs-params.yml under task_definition.services.<name>.secrets",
        )
        return None
    container.secret_sources.setdefault(reference, ((*path, "source"), False))
    container.secrets.append(reference)  # the execution role reads it
    return reference, "read from AWS"


def _managed_secret(
    ctx: Context, entry: dict[str, Any], declared: dict[str, Any], report: Report
) -> SecretSpec | None:
    """A compose secret from `file:` or `environment:`: its value, to keep in Secrets Manager."""
    source = str(entry["source"])
    if declared.get("environment"):
        variable = str(declared["environment"])
        if variable not in ctx.environment:
            report.add(
                ("secrets", source, "environment"),
                f"secret {source}: the variable {variable} is not set",
                REJECTED,
                "secret-environment",
                f"set {variable} in the environment of compose2ecs (not in a file in the repository)",
            )
            return None
        value = ctx.environment[variable]
    elif declared.get("file"):
        found = ctx.host_files.get(str(declared["file"]))
        if found is None or found.kind != "file":
            why = (found.why or found.kind) if found is not None else "it was not read"
            report.add(
                ("secrets", source, "file"),
                f"secret {source}: {declared['file']} cannot be read ({why})",
                REJECTED,
                "host-file-missing" if found is not None and found.kind == "missing" else "secret-file",
                "give a file inside the project directory, at most 64 KiB",
            )
            return None
        try:
            value = found.files[""].decode("utf-8")
        except UnicodeDecodeError:
            report.add(
                ("secrets", source, "file"),
                f"secret {source}: {declared['file']} is not UTF-8 text, which Secrets Manager keeps "
                "as a string",
                REJECTED,
                "secret-file",
                "store it base64-encoded, and decode it in the app",
            )
            return None
    else:
        return None
    if not value:
        report.add(
            ("secrets", source),
            f"secret {source} is empty, and Secrets Manager keeps no empty value",
            REJECTED,
            "secret-empty",
            "give it a value",
        )
        return None
    name = f"compose2ecs/{ctx.project}/{ctx.cluster}/{source}"
    if len(name) > _SECRET_NAME_MAX or not set(name) <= _SECRET_NAME_CHARS:
        report.add(
            ("secrets", source),
            f"secret {source} would be kept in Secrets Manager as {name[:80]}..., which is not a valid "
            f"secret name (at most {_SECRET_NAME_MAX} of letters, digits and /_+=.@-)",
            REJECTED,
            "secret-name",
            "give the secret, the project or the cluster a shorter name",
        )
        return None
    return SecretSpec(name, source, value)


_SECRET_NAME_MAX = 512  # Secrets Manager's limit
_SECRET_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+=.@-")


def _secrets(
    ctx: Context,
    service: dict[str, Any],
    base: tuple[str | int, ...],
    params: ContainerParams,
    container: Container,
    report: Report,
) -> None:
    secrets: list[dict[str, str]] = []
    top = ctx.compose.get("secrets") or {}
    as_variable: dict[str, list[str]] = {}
    for variable, source_name in params.secret_variables.items():
        as_variable.setdefault(source_name, []).append(variable)
    for index, entry in enumerate(service.get("secrets") or []):
        path = (*base, "secrets", index)
        source = str(entry["source"])
        declared = top.get(source) or {}
        found = _secret_source(ctx, entry, declared, path, container, report)
        if found is None:
            continue
        value_from, origin = found
        variables = as_variable.pop(source, [])
        if variables:
            # As ecs-params asks: variables (ECS injects them), not a file.
            secrets.extend({"name": variable, "valueFrom": value_from} for variable in variables)
            variable = ", ".join(variables)
            report.add(
                path,
                f"secret {source} ({origin}) is the variable {variable}, as ecs-params asks",
                MAPPED,
                "secret-as-variable",
            )
            continue
        secret_file = _secret_file(entry, value_from, path, report)
        if secret_file is None:
            continue
        container.secret_files.append(secret_file)
        report.add(
            path,
            f"secret {source} ({origin}) is delivered as the file /run/secrets/{secret_file.name} (mode "
            f"{secret_file.mode}), as compose does: the init container {FILES_CONTAINER} writes it at start",
            MAPPED,
            "secret-as-file",
        )
    for variable_source, unused in sorted(as_variable.items()):
        report.add(
            ("task_definition", "services", container.service, "secret_variables", unused[0]),
            f"service {container.service} does not list the compose secret {variable_source}",
            REJECTED,
            "secret-variable-unknown",
            f"add {variable_source} to the service's secrets, or remove the entry",
        )
    secrets.extend({"name": s.name, "valueFrom": s.value_from} for s in params.secrets)
    for index, ref in enumerate(params.secrets):
        where = ("task_definition", "services", container.service, "secrets", index, "value_from")
        container.secret_sources.setdefault(ref.value_from, (where, True))
    if not secrets:
        return
    environment = {pair["name"] for pair in container.definition.get("environment", [])}
    seen: set[str] = set()
    for secret in secrets:
        if secret["name"] in environment or secret["name"] in seen:
            report.add(
                (*base, "environment", secret["name"])
                if secret["name"] in environment
                else (*base, "secrets"),
                f"{secret['name']} is set both as a secret and as a plain variable (or twice)",
                REJECTED,
                "duplicate-variable",
                "keep one of them",
            )
        seen.add(secret["name"])
        if not secret["valueFrom"].startswith("{{"):  # kept or found by name: the role names them already
            container.secrets.append(secret["valueFrom"])
    container.definition["secrets"] = secrets


def _logging(
    ctx: Context,
    service: dict[str, Any],
    base: tuple[str | int, ...],
    params: ContainerParams,
    container: Container,
    report: Report,
) -> None:
    logging = service.get("logging") or {}
    driver = logging.get("driver")
    options = {str(k): str(v) for k, v in (logging.get("options") or {}).items()}
    path = (*base, "logging")
    if driver == "none":
        report.add((*path, "driver"), "no logs are collected for this container", MAPPED, "logging-none")
        return
    if driver and driver not in _LOG_DRIVERS:
        report.add(
            (*path, "driver"),
            f"Fargate cannot use the {driver} log driver; logs go to CloudWatch Logs (awslogs) instead",
            APPROXIMATED,
            "log-driver-replaced",
            "use driver awslogs, splunk or awsfirelens to choose",
        )
        driver, options = None, {}
    if driver is None:
        driver = "awslogs"
        options = {}
    if driver == "awslogs":
        options.setdefault("awslogs-group", names.log_group(ctx.project))
        options.setdefault("awslogs-region", ctx.region)
        options.setdefault("awslogs-stream-prefix", container.service)
        if "awslogs-datetime-format" in options and "awslogs-multiline-pattern" in options:
            report.add(
                (*path, "options"),
                "awslogs-datetime-format and awslogs-multiline-pattern cannot be used together",
                REJECTED,
                "awslogs-options",
            )
        _check_awslogs(ctx, options, (*path, "options"), container.service, report)
        container.awslogs = (options["awslogs-group"], options["awslogs-region"])
        container.create_group = options.get("awslogs-create-group", "").lower() == "true"
    elif driver == "splunk":
        for required in ("splunk-url", "splunk-token"):
            if required not in options and not any(s.name == required for s in params.log_secret_options):
                report.add(
                    (*path, "options"),
                    f"the splunk driver needs {required}",
                    REJECTED,
                    "splunk-options",
                    # The token is a secret: as a plain option it is refused (see _without_secrets).
                    "name its Secrets Manager or SSM ARN in ecs-params logging.secret_options"
                    if required == "splunk-token"
                    else f"add {required} to logging.options",
                )
    options = _without_secrets(options, (*path, "options"), container.service, report)
    config: dict[str, Any] = {"logDriver": driver, "options": options}
    if params.log_secret_options:
        config["secretOptions"] = [
            {"name": s.name, "valueFrom": s.value_from} for s in params.log_secret_options
        ]
        container.secrets.extend(s.value_from for s in params.log_secret_options)
    container.definition["logConfiguration"] = config


def _check_awslogs(
    ctx: Context, options: dict[str, str], path: tuple[str | int, ...], service: str, report: Report
) -> None:
    group, region, prefix = (options[f"awslogs-{key}"] for key in ("group", "region", "stream-prefix"))
    if not names.is_log_group_name(group):
        report.add(
            (*path, "awslogs-group"),
            f'"{group}" is not a CloudWatch Logs group name (letters, digits and . - _ / #, at most 512)',
            REJECTED,
            "invalid-log-group",
        )
    if not names.is_log_stream_prefix(prefix, service):
        report.add(
            (*path, "awslogs-stream-prefix"),
            f'"{prefix}" cannot start CloudWatch Logs stream names (<prefix>/{service}/<task id>): it must '
            'not be empty nor contain ":" or "*", and the name has at most 512 characters',
            REJECTED,
            "invalid-log-stream-prefix",
        )
    if names.partition(region) != names.partition(ctx.region):
        report.add(
            (*path, "awslogs-region"),
            f"{region} is in another AWS partition than the task's region {ctx.region}",
            REJECTED,
            "log-region-partition",
            "log to a region of the same partition",
        )


# Log driver options that hold a credential (splunk-token, a FireLens output's apikey or HTTP_Passwd).
_SECRET_LOG_OPTION = r"token|passw|secret|api[-_.]?key|license[-_.]?key|access[-_.]?key"  # noqa: S105 - a pattern


def _without_secrets(
    options: dict[str, str], path: tuple[str | int, ...], service: str, report: Report
) -> dict[str, str]:
    """The options safe to send as plain text; a secret one is refused and never copied (nor printed)."""
    kept = {}
    for key, value in options.items():
        if not re.search(_SECRET_LOG_OPTION, key.lower()):
            kept[key] = value
            continue
        report.add(
            (*path, key),
            f"{key} holds a secret: it would be stored in plain text in the task definition",
            REJECTED,
            "secret-log-option",
            "store it in Secrets Manager or SSM Parameter Store and reference it in ecs-params.yml "
            f"under task_definition.services.{service}.logging.secret_options (name: {key}, value_from: "
            "its ARN)",
        )
    return kept


# Host paths a Fargate task cannot share, and what to do instead.
_HOST_SYSTEM = (
    (
        ("/var/run/docker.sock", "/run/docker.sock"),
        "the Docker socket: Fargate runs no Docker daemon a container can reach",
        (
            "a reverse proxy that reads it (Traefik, nginx-proxy) is replaced by the load balancer "
            "compose2ecs puts in front of the published ports: drop that service; a tool that starts "
            "containers needs ECS's API (RunTask) instead"
        ),
    ),
    (
        ("/proc", "/sys", "/dev", "/var/lib/docker", "/var/log", "/run", "/var/run", "/"),
        "the host's system files: a Fargate task sees only its own",
        (
            "drop the mount; a host agent (node-exporter, cAdvisor, a log shipper) has no host to "
            "watch on Fargate: use CloudWatch Container Insights and the awslogs driver instead"
        ),
    ),
)
# Read from the host (a writable one is data the app keeps: it goes on EFS).
_HOST_CONFIG = (
    ("/etc", "/usr", "/lib", "/lib64", "/bin", "/sbin", "/boot", "/cgroup"),
    (
        "the host's own configuration or programs (certificates, kubeconfig, libraries), which a "
        "Fargate task has no host to share"
    ),
    (
        "copy what the container needs into its image (or into the project directory, from where "
        "compose2ecs carries a read-only file into the task); the image's own CA certificates serve TLS"
    ),
)
_HOST_TIME = ("/etc/localtime", "/etc/timezone")


def _bind_mount(
    service: dict[str, Any],
    volume: dict[str, Any],
    path: tuple[str | int, ...],
    report: Report,
    ctx: Context,
    container: Container,
) -> str | None:
    """A bind mount: development wiring left out, a host file refused with advice that fits.

    A writable directory is data the app keeps: the name of the volume that holds it instead
    (kept on EFS as a named volume is, translate/storage.py), else None.
    """
    source = str(volume.get("source") or "")
    context = str((service.get("build") or {}).get("context") or "")
    if context and not context.startswith(("http://", "https://", "git@")) and _inside(source, context):
        if volume.get("read_only"):
            report.add(
                path,
                f"{source} is inside the build context: the image built from it holds these files, "
                "so this mount is development wiring (live code), left out",
                IGNORED,
                "source-mount",
            )
        else:
            # Writable: maybe live code, maybe data the app keeps (./pgdata): say what is lost.
            report.add(
                path,
                f"{source} is inside the build context, so it is left out and the container sees "
                "what the image holds at that path (if the Dockerfile copies it); what the app writes "
                "there is lost with the task",
                APPROXIMATED,
                "source-mount",
                "for data the app keeps, use a named volume (kept on EFS)",
            )
        return None
    if source in _HOST_TIME:
        report.add(
            path,
            f"{source} is the host's time zone, and a Fargate task has no host to share it: tasks run in UTC",
            IGNORED,
            "host-time-zone",
            "set the TZ environment variable (e.g. TZ: Europe/Paris) if the app needs a time zone",
        )
        return None
    host_config = volume.get("read_only") and not (ctx.project_dir and _inside(source, ctx.project_dir))
    for sources, what, advice in (*_HOST_SYSTEM, *((_HOST_CONFIG,) if host_config else ())):
        if any(source == s or (s != "/" and source.startswith(f"{s}/")) for s in sources):
            report.add(path, f"{source} is {what}", REJECTED, "host-system-path", advice)
            return None
    entry = ctx.host_files.get(source)
    if volume.get("read_only") and entry is not None and entry.kind in {"file", "directory"}:
        _read_only_files(volume, entry, path, report, container)
        return None
    if volume.get("read_only") and entry is not None and entry.kind == "missing":
        report.add(
            path,
            f"{source} does not exist, so there are no files to carry into the task",
            REJECTED,
            "host-file-missing",
            "create it inside the project directory, or remove the mount",
        )
        return None
    if entry is not None and entry.kind == "refused":
        report.add(
            path,
            f"host path {source} cannot be carried into the task: {entry.why}",
            REJECTED,
            "fargate-bind-mount",
            "copy the files into the image, or keep them inside the project directory (at most 64 files, "
            "256 KiB)",
        )
        return None
    if entry is not None and entry.kind == "file" and not volume.get("read_only"):
        report.add(
            path,
            f"{source} is a file the container may write: a task has no host file to write back to",
            REJECTED,
            "fargate-bind-mount",
            "mount it read-only (`:ro`) to deliver it, or keep the data in a named volume (kept on EFS)",
        )
        return None
    writable_directory = entry.kind in {"directory", "missing"} if entry else not _looks_like_a_file(source)
    if not volume.get("read_only") and writable_directory:
        name = bind_volume_name(source, ctx.project_dir)
        if name in (ctx.compose.get("volumes") or {}):
            name += "-bind"  # not the named volume of the same name: other data
        report.add(
            path,
            f"{source} is a writable directory, data the app keeps: it becomes volume {name} on the "
            "project's EFS file system, which starts empty (the host's files are not copied)",
            APPROXIMATED,
            "bind-mount-as-volume",
            f"copy existing data in once, or name the volume in ecs-params task_definition.volumes.{name}",
        )
        return name
    kind = "a writable file" if not volume.get("read_only") else "a read-only host file or directory"
    report.add(
        path,
        f"host path {source} ({kind}) cannot be mounted: Fargate has no host filesystem",
        REJECTED,
        "fargate-bind-mount",
        "copy the files into the image, or use a named volume (kept on EFS)",
    )
    return None


def _read_only_files(
    volume: dict[str, Any],
    entry: HostEntry,
    path: tuple[str | int, ...],
    report: Report,
    container: Container,
) -> None:
    """A read-only file or directory inside the project: carried into the task (translate/files.py)."""
    container.host_files.extend(files.from_bind_mount(volume, entry, path, report))
    if entry.kind == "directory":
        container.whole_directories.add(files.target_path(str(volume.get("target") or "")))


def _looks_like_a_file(source: str) -> bool:
    """`app.db`, `nginx.conf`: a name with an extension (translate reads no disk to be sure)."""
    base = source.rstrip("/").rsplit("/", 1)[-1]
    stem, dot, extension = base.rpartition(".")
    return bool(stem and dot and extension.isalnum() and not extension.isdigit())


def bind_volume_name(source: str, project_dir: str) -> str:
    """The volume of a writable bind mount: its path inside the project (`./data` -> `data`).

    A path that does not spell a volume name as it is (`./data/db`, `./.cache`) gets letters,
    digits, `_` and `-` only and a digest of the path, so two paths never share a volume and the
    name is a valid EFS directory and tag.
    """
    relative = source
    if project_dir and _inside(source, project_dir):
        relative = source[len(project_dir.rstrip("/")) + 1 :]
    relative = relative.strip("/") or "project"
    plain = "".join(c if c.isascii() and (c.isalnum() or c in "_-") else "-" for c in relative).strip("-")
    if plain == relative and plain[:1].isalnum():
        return plain
    import hashlib  # noqa: PLC0415 - rare

    return f"{plain[:80] or 'volume'}-{hashlib.sha256(relative.encode()).hexdigest()[:8]}"


def _inside(source: str, directory: str) -> bool:
    import posixpath  # noqa: PLC0415 - only bind mounts of a built service need it

    source, directory = posixpath.normpath(source), posixpath.normpath(directory)
    return source == directory or source.startswith(directory.rstrip("/") + "/")


def _volumes(
    service: dict[str, Any],
    base: tuple[str | int, ...],
    container: Container,
    report: Report,
    ctx: Context,
) -> None:
    mount_points = []
    for index, volume in enumerate(service.get("volumes") or []):
        path = (*base, "volumes", index)
        kind = volume.get("type")
        target = volume.get("target")
        if kind == "volume" and volume.get("source"):
            task_volume = names.volume(volume["source"])
            container.mounts.append(Mount(task_volume, "named", volume["source"], path))
        elif kind == "volume":
            task_volume = names.volume(f"{container.service}-{index}")
            container.mounts.append(Mount(task_volume, "anonymous", None, path))
        elif kind == "tmpfs":
            task_volume = names.volume(f"{container.service}-tmpfs-{index}")
            container.mounts.append(Mount(task_volume, "tmpfs", None, path))
        elif kind == "bind":
            bound = _bind_mount(service, volume, path, report, ctx, container)
            if bound is None:
                continue
            task_volume = names.volume(bound)
            container.mounts.append(Mount(task_volume, "named", bound, path))
        else:
            report.add(path, f"{kind} mounts are not supported on Fargate", REJECTED, "fargate-unsupported")
            continue
        options = volume.get("volume") or {}
        if options.get("subpath"):
            report.add(
                (*path, "volume", "subpath"),
                "ECS mounts a task volume only whole, not a subdirectory of it",
                REJECTED,
                "volume-subpath",
                "mount the whole volume (and use the subdirectory in the app), or for EFS add an "
                "efs_volumes entry whose root_directory is that subdirectory",
            )
        if options.get("nocopy"):
            report.add(
                (*path, "volume", "nocopy"),
                "nocopy has no ECS field: ECS copies the image's files into task storage only where the "
                "image declares a VOLUME at this path, and never into EFS",
                APPROXIMATED,
                "volume-nocopy",
            )
        mount_points.append(
            {"sourceVolume": task_volume, "containerPath": target, "readOnly": bool(volume.get("read_only"))}
        )
    for index, target in enumerate(service.get("tmpfs") or []):
        path = (*base, "tmpfs", index)
        task_volume = names.volume(f"{container.service}-tmpfs-{index}")
        container.mounts.append(Mount(task_volume, "tmpfs", None, path))
        mount_points.append(
            {"sourceVolume": task_volume, "containerPath": str(target).split(":", 1)[0], "readOnly": False}
        )
    if mount_points:
        container.definition["mountPoints"] = mount_points
    volumes_from = []
    for entry in service.get("volumes_from") or []:
        source, _, mode = str(entry).removeprefix("service:").partition(":")
        volumes_from.append({"sourceContainer": source, "readOnly": mode == "ro"})
    if volumes_from:
        container.definition["volumesFrom"] = volumes_from


def _platform(
    service: dict[str, Any], base: tuple[str | int, ...], container: Container, report: Report
) -> None:
    platform = service.get("platform")
    if not platform:
        return
    parts = str(platform).lower().split("/")
    arch = {"amd64": "X86_64", "x86_64": "X86_64", "arm64": "ARM64", "aarch64": "ARM64"}.get(
        parts[1] if len(parts) > 1 else "amd64"
    )
    if parts[0] != "linux" or arch is None:
        report.add(
            (*base, "platform"),
            f"platform {platform} is not available on Fargate",
            REJECTED,
            "fargate-platform",
            "use linux/amd64 or linux/arm64",
        )
        return
    container.platform = ("LINUX", arch)


def _depends_on(
    service: dict[str, Any], base: tuple[str | int, ...], container: Container, report: Report
) -> None:
    conditions = {
        "service_started": "START",
        "service_healthy": "HEALTHY",
        "service_completed_successfully": "SUCCESS",
    }
    for target, spec in (service.get("depends_on") or {}).items():
        condition = conditions.get((spec or {}).get("condition", "service_started"), "START")
        container.depends[target] = condition
        if (spec or {}).get("restart"):
            report.add(
                (*base, "depends_on", target, "restart"),
                "ECS does not restart dependents",
                IGNORED,
                "unsupported-key",
            )


def _scale(
    service: dict[str, Any], base: tuple[str | int, ...], container: Container, report: Report
) -> None:
    deploy = service.get("deploy") or {}
    replicas = deploy.get("replicas", service.get("scale"))
    if replicas is not None:
        container.replicas = int(replicas)
    if deploy.get("mode") in {"global", "global-job"}:
        report.add(
            (*base, "deploy", "mode"),
            "Fargate has no global (daemon) services",
            REJECTED,
            "fargate-unsupported",
        )
    if deploy.get("mode") == "replicated-job":
        report.add((*base, "deploy", "mode"), "run as a long-running service", APPROXIMATED, "job-as-service")
    for key, why in (
        ("restart_policy", "an ECS service replaces stopped tasks by itself"),
        ("rollback_config", "compose2ecs turns on the ECS deployment circuit breaker with rollback"),
        ("placement", "Fargate places tasks itself"),
        ("endpoint_mode", "no ECS equivalent"),
        ("labels", "no ECS equivalent for service labels"),
        ("update_config", "see ecs-params run_params.deployment"),
    ):
        if deploy.get(key):
            report.add((*base, "deploy", key), f"ignored: {why}", IGNORED, "unsupported-key")


def _no_meaning(service: dict[str, Any], base: tuple[str | int, ...], report: Report) -> None:
    networks = [n for n in service.get("networks") or {} if n != "default"]
    if networks:
        report.add(
            (*base, "networks"),
            "ignored: the containers of a task share one network interface",
            IGNORED,
            "networks",
        )
    for key, value in service.items():
        if key in _HANDLED or value in (None, [], {}, False) or key.startswith("x-"):
            continue
        if key in _NO_MEANING:
            status, why = _NO_MEANING[key]
            report.add(
                (*base, key), why, status, "fargate-unsupported" if status == REJECTED else "unsupported-key"
            )
        else:
            report.add((*base, key), "no Fargate equivalent", IGNORED, "unsupported-key")
