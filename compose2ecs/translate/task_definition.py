"""Containers -> a Fargate task definition: task size, volumes, platform, dependencies, limits."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, NamedTuple

from compose2ecs.translate import files, names, storage
from compose2ecs.translate.container import FILES_CONTAINER
from compose2ecs.translate.report import APPROXIMATED, IGNORED, MAPPED, REJECTED, Report

if TYPE_CHECKING:
    from compose2ecs.errors import Path
    from compose2ecs.model import EcsParams, EfsVolume
    from compose2ecs.translate.container import Container

# Fargate's valid task sizes: cpu units -> valid memory values in MiB (fargate-rules.md §1.1).
FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
    8192: tuple(range(16384, 61441, 4096)),
    16384: tuple(range(32768, 122881, 8192)),
}
_WINDOWS_CPUS = (1024, 2048, 4096)  # 8 and 16 vCPU are Linux only
_MAX_CONTAINERS = 10
_MAX_REQUEST_BYTES = 65536
_WINDOWS_FARGATE = {
    "WINDOWS_SERVER_2019_FULL", "WINDOWS_SERVER_2019_CORE", "WINDOWS_SERVER_2022_FULL",
    "WINDOWS_SERVER_2022_CORE",
}  # fmt: skip


class TaskInput(NamedTuple):
    family: str
    containers: list[Container]
    tags: list[dict[str, str]]
    service_connect: bool = False  # ECS adds its proxy container to the task
    files_prefix: str = "/compose2ecs/files/"  # the deployment's SSM parameters for files (files.py)


# What AWS recommends adding to a task for the Service Connect proxy that ECS injects (Amazon ECS
# Developer Guide, "Service Connect configuration": 256 CPU units and at least 64 MiB).
PROXY_CPU = 256
PROXY_MEMORY = 64


def build(
    task: TaskInput, params: EcsParams, compose: dict[str, Any], execution_role: str, report: Report
) -> dict[str, Any]:
    """The RegisterTaskDefinition request for one task."""
    containers = task.containers
    request: dict[str, Any] = {"family": task.family}
    if params.task_role_arn:
        request["taskRoleArn"] = params.task_role_arn
    request["executionRoleArn"] = execution_role
    request["networkMode"] = "awsvpc"
    request["requiresCompatibilities"] = ["FARGATE"]
    _check_names(task, report)
    os_family, arch = _runtime_platform(containers, params, report)
    cpu, memory = _task_size(task, params, os_family, report)
    request["cpu"], request["memory"] = str(cpu), str(memory)
    request["runtimePlatform"] = {"operatingSystemFamily": os_family, "cpuArchitecture": arch}
    if params.pid_mode:
        if params.pid_mode == "task":
            request["pidMode"] = "task"
        else:
            report.add(
                ("task_definition", "pid_mode"), "Fargate accepts only pid_mode task", REJECTED, "fargate-pid"
            )
    else:
        _compose_pid(containers, compose, request, report)
    if params.ipc_mode:
        report.add(
            ("task_definition", "ipc_mode"),
            "Fargate does not support IPC modes",
            REJECTED,
            "fargate-unsupported",
        )
    if params.ephemeral_storage is not None:
        request["ephemeralStorage"] = {"sizeInGiB": params.ephemeral_storage}
    volumes = _volumes(containers, params, compose, report)
    if volumes:
        request["volumes"] = volumes
    _dependencies(containers, params, report)
    request["containerDefinitions"] = [c.definition for c in containers]
    if any(c.secret_files or c.host_files for c in containers):
        _files_container(request, containers, os_family, task.files_prefix, report)
    request["tags"] = task.tags
    if os_family != "LINUX":
        _windows_limits(request, containers, params, report)
    _check_limits(request, containers, report)
    return request


# A small public image with a POSIX shell, pinned: it only writes files (ECR Public mirrors Docker's
# official images, so tasks in public subnets or behind a NAT pull it without Docker Hub's limits).
FILES_IMAGE = "public.ecr.aws/docker/library/busybox:1.36"
_SECRETS_DIR = "/run/secrets"


def _files_container(
    request: dict[str, Any], containers: list[Container], os_family: str, prefix: str, report: Report
) -> None:
    """Secret and host files: an init container writes them into task volumes per container.

    ECS injects a secret (or an SSM parameter) only as an environment variable; the init container
    (not essential) receives each one so, writes it with its mode and owner into the volume of
    the container that reads it, and exits; that container mounts its volumes read-only (at
    /run/secrets, and where its host files go: translate/files.py) and starts only once the init
    container has succeeded (`dependsOn` SUCCESS). Each container sees only its own files, as in
    compose. A single host file is written next to what the image holds in its directory: a seed
    container of the app's own image copies that directory into the volume first.
    """
    if os_family != "LINUX":
        report.add(
            ("services",),
            "compose secrets, configs and host files need a Linux task (a shell writes them at start)",
            REJECTED,
            "fargate-windows",
            "list the secrets in ecs-params.yml (task_definition.services.<name>.secrets) as variables, "
            "and copy the files into the image",
        )
        return
    taken = [
        c.service for c in containers if c.service == FILES_CONTAINER or c.service.startswith(SEED_PREFIX)
    ]
    if taken:
        report.add(
            ("services", taken[0]),
            f"the names {FILES_CONTAINER} and {SEED_PREFIX}* are compose2ecs's, for the containers that "
            "write files into the task",
            REJECTED,
            "container-name-taken",
            "rename the service",
        )
        return
    writer = _Writer(request.setdefault("volumes", []))
    seeds: list[dict[str, Any]] = []
    for container in containers:
        if container.secret_files:
            writer.secrets_of(container)
        deliveries = files.deliveries(
            container.host_files, container.whole_directories, ("services", container.service), report
        )
        seeded = [writer.deliver(container, delivery, prefix) for delivery in deliveries]
        if any(seeded):
            seeds.append(_seed_container(container, [d for d in seeded if d]))
        if container.secret_files or deliveries:
            container.definition.setdefault("dependsOn", []).append(
                {"containerName": FILES_CONTAINER, "condition": "SUCCESS"}
            )
    init: dict[str, Any] = {
        "name": FILES_CONTAINER,
        "image": FILES_IMAGE,
        "essential": False,
        "entryPoint": ["sh", "-c"],
        "command": ["; ".join(writer.script)],
        "secrets": writer.secrets,
        "mountPoints": writer.mounts,
    }
    if seeds:
        init["dependsOn"] = [{"containerName": seed["name"], "condition": "SUCCESS"} for seed in seeds]
    logging = next(
        (
            c.definition["logConfiguration"]
            for c in containers
            if c.definition.get("logConfiguration", {}).get("logDriver") == "awslogs"
        ),
        None,
    )
    for helper in (*seeds, init):
        if logging is not None:
            helper["logConfiguration"] = {
                **logging,
                "options": {**logging.get("options", {}), "awslogs-stream-prefix": helper["name"]},
            }
    request["containerDefinitions"] = [*seeds, init, *request["containerDefinitions"]]


SEED_PREFIX = "compose2ecs-seed-"


def _q(text: str) -> str:
    """One shell word, whatever the text holds (a quote, a $, a space)."""
    import shlex  # noqa: PLC0415 - only tasks with files need it

    return shlex.quote(text)


class _Writer:
    """The init container's script, variables and mounts, built container by container."""

    def __init__(self, volumes: list[dict[str, Any]]) -> None:
        self.volumes = volumes
        self.secrets: list[dict[str, str]] = []
        self.mounts: list[dict[str, Any]] = []
        self.script = ["set -e"]
        self.deliveries: dict[str, int] = {}  # container -> volumes of files so far

    def _volume(self, name: str) -> str:
        volume = names.volume(name)
        self.volumes.append({"name": volume})
        self.mounts.append(
            {"sourceVolume": volume, "containerPath": f"/compose2ecs/{volume}", "readOnly": False}
        )
        return volume

    def _own(self, target: str, uid: str, gid: str, mode: str) -> None:
        self.script += [f"chown {_q(f'{uid}:{gid}')} {_q(target)}", f"chmod {_q(mode)} {_q(target)}"]

    def secrets_of(self, container: Container) -> None:
        volume = self._volume(f"{FILES_CONTAINER}-{container.service}")
        self.script.append("umask 077")  # a secret is its owner's only
        for secret in container.secret_files:
            variable = f"C2E_SECRET_{len(self.secrets)}"
            self.secrets.append({"name": variable, "valueFrom": secret.value_from})
            target = f"/compose2ecs/{volume}/{secret.name}"
            # printf keeps the value byte for byte (echo would add a newline, or read escapes).
            self.script.append(f"printf '%s' \"${variable}\" > {_q(target)}")
            self._own(target, secret.uid, secret.gid, secret.mode)
        container.definition.setdefault("mountPoints", []).append(
            {"sourceVolume": volume, "containerPath": _SECRETS_DIR, "readOnly": True}
        )

    def deliver(self, container: Container, delivery: files.Delivery, prefix: str) -> tuple[str, str] | None:
        """Write the delivery's files; (directory, volume) when the image's directory seeds it."""
        index = self.deliveries.get(container.service, 0)
        self.deliveries[container.service] = index + 1
        # A "." no service name has after it: `web` and `web-0` never share a volume (names.volume
        # turns it into "-" and adds a digest of the original).
        volume = self._volume(f"{FILES_CONTAINER}-{container.service}.files.{index}")
        root = f"/compose2ecs/{volume}"
        self.script.append("umask 022")  # the directories it makes: the app's user must enter them
        for file in delivery.files:
            target = root + file.target[len(delivery.directory) :]
            variables = []
            for parameter in files.parameters(file.content, prefix):
                variable = f"C2E_FILE_{len(self.secrets)}"
                self.secrets.append({"name": variable, "valueFrom": parameter.name})
                variables.append(f'"${variable}"')
            parent = target.rsplit("/", 1)[0]
            if parent != root:
                self.script.append(f"mkdir -p {_q(parent)}")
            if variables:
                # base64: a file may hold any bytes; SSM holds text.
                self.script.append(f"printf '%s' {' '.join(variables)} | base64 -d > {_q(target)}")
            else:
                self.script.append(f": > {_q(target)}")
            self._own(target, file.uid, file.gid, file.mode)
        container.definition.setdefault("mountPoints", []).append(
            {"sourceVolume": volume, "containerPath": delivery.directory, "readOnly": True}
        )
        return (delivery.directory, volume) if delivery.seed else None


def _seed_container(container: Container, seeded: list[tuple[str, str]]) -> dict[str, Any]:
    """The app's own image, copying the directories its single host files go into (`sh`, `cp`)."""
    copies = [
        f"cp -a {_q(directory + '/.')} {_q(f'/compose2ecs/{volume}/')} 2>/dev/null || true"
        for directory, volume in seeded
    ]
    seed: dict[str, Any] = {
        "name": f"{SEED_PREFIX}{container.service}",
        "image": container.definition["image"],
        "essential": False,
        "user": "0",
        "entryPoint": ["sh", "-c"],
        "command": ["; ".join(copies)],
        "mountPoints": [
            {"sourceVolume": volume, "containerPath": f"/compose2ecs/{volume}", "readOnly": False}
            for _, volume in seeded
        ],
    }
    if "repositoryCredentials" in container.definition:
        seed["repositoryCredentials"] = container.definition["repositoryCredentials"]  # a private image
    return seed


# Container fields Windows tasks on Fargate refuse, and the compose keys that set them.
_LINUX_ONLY_FIELDS = {
    "user": "user",
    "ulimits": "ulimits",
    "linuxParameters": "init, cap_add, cap_drop, tmpfs",
    "readonlyRootFilesystem": "read_only",
}
_WINDOWS_RESERVED_PORT = 3150


def _windows_limits(
    request: dict[str, Any], containers: list[Container], params: EcsParams, report: Report
) -> None:
    """What Fargate refuses for Windows tasks (fargate-rules.md: pidMode, EFS, Linux-only fields)."""
    if "pidMode" in request:
        path: Path = ("task_definition", "pid_mode") if params.pid_mode else ("services",)
        report.add(
            path, "Windows tasks on Fargate have no PID mode", REJECTED, "fargate-windows", "remove it"
        )
    if any("efsVolumeConfiguration" in volume for volume in request.get("volumes", [])):
        report.add(
            ("task_definition", "efs_volumes"),
            "Windows tasks on Fargate cannot mount EFS volumes",
            REJECTED,
            "fargate-windows",
        )
    for container in containers:
        definition = container.definition
        for field, keys in _LINUX_ONLY_FIELDS.items():
            if field in definition:
                report.add(
                    ("services", container.service),
                    f"{keys}: Linux only; Windows tasks on Fargate refuse {field}",
                    REJECTED,
                    "fargate-windows",
                    f"remove {keys} from {container.service}",
                )
        if any(m.get("containerPort") == _WINDOWS_RESERVED_PORT for m in definition.get("portMappings", [])):
            report.add(
                ("services", container.service, "ports"),
                f"port {_WINDOWS_RESERVED_PORT} is reserved in Windows tasks on Fargate",
                REJECTED,
                "fargate-windows",
                "use another port",
            )


def _check_names(task: TaskInput, report: Report) -> None:
    if not names.is_ecs_name(task.family):
        report.add(
            (),
            f'task definition family "{task.family}" is not a valid ECS name (letters, digits, "_", '
            '"-", at most 255)',
            REJECTED,
            "invalid-name",
            "set a project name with -p or `name:`",
        )
    if len(task.containers) > _MAX_CONTAINERS:
        report.add(
            ("services",),
            f"task {task.family} would hold {len(task.containers)} containers; Fargate allows at most 10",
            REJECTED,
            "too-many-containers",
            "use --layout service (one task per compose service)",
        )


def _runtime_platform(containers: list[Container], params: EcsParams, report: Report) -> tuple[str, str]:
    platforms = {c.platform for c in containers if c.platform}
    if len(platforms) > 1:
        report.add(
            ("services", next(c.service for c in containers if c.platform), "platform"),
            "the containers of one task must share one platform",
            REJECTED,
            "fargate-platform",
            "use the same platform: for every service in the task",
        )
    os_family, arch = next(iter(platforms)) if platforms else ("LINUX", "X86_64")
    os_family = params.os_family or os_family
    arch = params.cpu_architecture or arch
    if os_family != "LINUX" and os_family not in _WINDOWS_FARGATE:
        report.add(
            ("task_definition", "os_family"),
            f"Fargate does not run {os_family}",
            REJECTED,
            "fargate-platform",
            "use LINUX, or WINDOWS_SERVER_2019/2022 CORE/FULL",
        )
    if os_family != "LINUX" and arch == "ARM64":
        report.add(
            ("task_definition", "runtime_platform"),
            "Windows on Fargate is X86_64 only",
            REJECTED,
            "fargate-platform",
        )
    return os_family, arch


def _task_size(task: TaskInput, params: EcsParams, os_family: str, report: Report) -> tuple[int, int]:
    """ecs-params task_size when given (checked), else the smallest Fargate size that fits.

    With Service Connect the size leaves the room AWS recommends for the proxy ECS adds.
    """
    family, containers = task.family, task.containers
    # A recommendation, not a rule: it sizes a task compose2ecs chooses, and never refuses one the
    # user chose (a warning says the proxy is short of room instead).
    chosen = params.cpu is None and params.memory is None
    proxy_cpu, proxy_memory = (PROXY_CPU, PROXY_MEMORY) if task.service_connect and chosen else (0, 0)
    cpu_sum = sum(c.definition.get("cpu", 0) for c in containers) + proxy_cpu
    reserved = sum(c.definition.get("memoryReservation", c.definition.get("memory", 0)) for c in containers)
    hard = max((c.definition.get("memory", 0) for c in containers), default=0)
    memory_needed = max(reserved + proxy_memory, hard)
    given_cpu = int(params.cpu) if params.cpu else None
    given_memory = int(params.memory) if params.memory else None
    windows = os_family != "LINUX"
    cpus = _WINDOWS_CPUS if windows else tuple(FARGATE_SIZES)
    # Every Fargate size for this OS that agrees with what ecs-params fixed, smallest first.
    sizes = [
        (cpu, memory)
        for cpu in cpus
        for memory in FARGATE_SIZES[cpu]
        if given_cpu in (None, cpu) and given_memory in (None, memory)
    ]
    size_path = ("task_definition", "task_size")
    if not sizes:
        _refuse_size(given_cpu, given_memory, cpus, windows, report)
        return given_cpu or cpus[0], given_memory or FARGATE_SIZES[cpus[0]][0]
    fitting = [(cpu, memory) for cpu, memory in sizes if cpu >= cpu_sum and memory >= memory_needed]
    if given_cpu is not None and given_memory is not None:
        cpu, memory = sizes[0]  # the one size ecs-params names
    elif not fitting:
        cpu, memory = sizes[-1]  # the largest: the checks below say what does not fit
    else:
        cpu, memory = fitting[0]
        proxy = " and the Service Connect proxy" if task.service_connect else ""
        report.info(
            (),
            f"task {family}: {cpu} CPU units / {memory} MiB, the smallest Fargate size that fits its "
            f"containers{proxy} (set task_size in ecs-params.yml to choose)",
            "task-size-chosen",
        )
    given = given_cpu is not None or given_memory is not None
    if cpu_sum > cpu:
        report.add(
            (*size_path, "cpu_limit") if given_cpu is not None else ("services",),
            f"the containers ask for {cpu_sum} CPU units in total"
            + (f" (with {PROXY_CPU} for the Service Connect proxy)" if proxy_cpu else "")
            + f", more than the task's {cpu}",
            REJECTED,
            "fargate-cpu-sum",
        )
    if memory_needed > memory:
        report.add(
            (*size_path, "mem_limit") if given else ("services",),
            f"the containers need {memory_needed} MiB"
            + (f" (with {PROXY_MEMORY} for the Service Connect proxy)" if proxy_memory else "")
            + f", more than the task's {memory} MiB",
            REJECTED,
            "fargate-memory-sum",
        )
    if (
        task.service_connect
        and not chosen
        and (cpu_sum + PROXY_CPU > cpu or memory_needed + PROXY_MEMORY > memory)
    ):
        report.add(
            size_path,
            f"task {family}: {cpu} CPU units / {memory} MiB leave less than the {PROXY_CPU} CPU units "
            f"and {PROXY_MEMORY} MiB AWS recommends for the Service Connect proxy",
            APPROXIMATED,
            "service-connect-room",
            "raise task_size, or leave it out and compose2ecs sizes the task",
        )
    return cpu, memory


def _refuse_size(
    given_cpu: int | None, given_memory: int | None, cpus: tuple[int, ...], windows: bool, report: Report
) -> None:
    os_name = " for Windows" if windows else ""
    if given_cpu in cpus:
        key = "mem_limit"
        hint = (
            f"with cpu_limit {given_cpu} use mem_limit one of {', '.join(map(str, FARGATE_SIZES[given_cpu]))}"
        )
    else:
        key = "cpu_limit" if given_cpu is not None else "mem_limit"
        hint = f"cpu_limit must be one of {', '.join(map(str, cpus))} CPU units (1024 = 1 vCPU)"
        if given_cpu is None:
            hint = "mem_limit must be a Fargate memory size in MiB, e.g. 512, 1024, 2048, 3072 (= 3GB)"
    size = " with ".join(
        part
        for part in (
            f"{given_cpu} CPU units" if given_cpu is not None else "",
            f"{given_memory} MiB" if given_memory is not None else "",
        )
        if part
    )
    report.add(
        ("task_definition", "task_size", key),
        f"{size} is not a Fargate task size{os_name}",
        REJECTED,
        "fargate-task-size",
        hint,
    )


def _compose_pid(
    containers: list[Container], compose: dict[str, Any], request: dict[str, Any], report: Report
) -> None:
    for container in containers:
        pid = (compose["services"][container.service].get("pid") or "").lower()
        if not pid:
            continue
        path = ("services", container.service, "pid")
        if pid == "host":
            report.add(path, "Fargate cannot share the host's PID namespace", REJECTED, "fargate-pid")
        else:
            request["pidMode"] = "task"
            report.add(
                path,
                "mapped to pidMode task: all containers of the task share PIDs",
                APPROXIMATED,
                "pid-task",
            )


def _volumes(
    containers: list[Container], params: EcsParams, compose: dict[str, Any], report: Report
) -> list[dict[str, Any]]:
    efs = {v.name: v for v in params.efs_volumes}
    top = compose.get("volumes") or {}
    volumes: dict[str, dict[str, Any]] = {}
    for container in containers:
        for mount in container.mounts:
            if mount.volume in volumes:
                continue
            if mount.kind == "named" and mount.source in efs:
                volumes[mount.volume] = _existing_file_system(mount.volume, efs[mount.source], params, report)
                continue
            volumes[mount.volume] = {"name": mount.volume}
            if mount.kind == "named":
                declared = top.get(mount.source) or {}
                config = _named_volume(str(mount.source), declared, mount.path, params, report)
                if config is not None:
                    volumes[mount.volume]["efsVolumeConfiguration"] = config
            elif mount.kind == "tmpfs":
                report.add(
                    mount.path,
                    "Fargate has no tmpfs; mounted from the task's ephemeral storage (on disk) instead",
                    APPROXIMATED,
                    "tmpfs-as-volume",
                )
    used = {m.source for c in containers for m in c.mounts}
    for index, spec in enumerate(params.efs_volumes):
        if spec.name not in used:
            report.add(
                ("task_definition", "efs_volumes", index),
                f"no service mounts {spec.name}",
                IGNORED,
                "unused-volume",
            )
    for name, choice in params.volumes.items():
        if name not in used:
            report.add(choice.path, f"no service mounts volume {name}", IGNORED, "unused-volume")
    for index, docker_volume in enumerate(params.docker_volumes):
        report.add(
            ("task_definition", "docker_volumes", index),
            f"docker volume {docker_volume.name}: Fargate has no Docker volume drivers",
            REJECTED,
            "fargate-unsupported",
            "use efs_volumes",
        )
    return list(volumes.values())


def _existing_file_system(volume: str, spec: EfsVolume, params: EcsParams, report: Report) -> dict[str, Any]:
    """An ecs-params efs_volumes entry (ecs-cli's), as it says."""
    config: dict[str, Any] = {"fileSystemId": spec.filesystem_id}
    if spec.root_directory:
        config["rootDirectory"] = spec.root_directory
    if spec.transit_encryption:
        config["transitEncryption"] = spec.transit_encryption
    if spec.transit_encryption_port is not None:
        config["transitEncryptionPort"] = spec.transit_encryption_port
    auth = {k: v for k, v in (("accessPointId", spec.access_point), ("iam", spec.iam)) if v}
    if auth:
        config["authorizationConfig"] = auth
    if spec.iam == "ENABLED" and not params.task_role_arn:
        report.add(
            ("task_definition", "efs_volumes"),
            f"EFS volume {spec.name} uses IAM authorization, which needs a task role",
            APPROXIMATED,
            "efs-needs-task-role",
            "set task_definition.task_role_arn to a role allowed elasticfilesystem:ClientMount",
        )
    return {"name": volume, "efsVolumeConfiguration": config}


def _named_volume(
    source: str, declared: dict[str, Any], path: Path, params: EcsParams, report: Report
) -> dict[str, Any] | None:
    """The efsVolumeConfiguration of a named volume on the project's file system; None: task storage."""
    if declared.get("external") and storage.on_file_system(source, params):
        report.add(
            ("volumes", source, "external"),
            f"volume {source} is external: its data is on a Docker host compose2ecs cannot reach, so it "
            "is kept on the project's EFS file system instead, starting empty",
            APPROXIMATED,
            "external-volume",
            f"copy the data in once, or name a file system that holds it in an efs_volumes entry named "
            f"{source}",
        )
        return storage.volume_configuration(source)
    if storage.on_file_system(source, params):
        driver = [k for k in ("driver", "driver_opts") if declared.get(k) and declared.get(k) != "local"]
        if driver:
            report.add(
                ("volumes", source, driver[0]),
                f"volume {source}: Fargate has no volume drivers; it is kept on the project's EFS file "
                "system instead (starting empty)",
                APPROXIMATED,
                "volume-driver-replaced",
                f"add an efs_volumes entry named {source} to ecs-params.yml to use a file system of your own",
            )
        return storage.volume_configuration(source)
    choice = params.volumes.get(source)
    report.add(
        choice.path if choice is not None else path,
        f"volume {source} is task storage (ecs-params storage: task): shared by this task's containers, "
        "and its data is lost at every deployment and whenever the task stops",
        APPROXIMATED,
        "ephemeral-volume",
        f"to keep the data, remove task_definition.volumes.{source}.storage",
    )
    return None


def _wanted_dependencies(
    container: Container, params: EcsParams, by_name: dict[str, Container], report: Report
) -> dict[str, tuple[str, Path]]:
    """Target -> (ECS condition, key path): compose depends_on, then ecs-params depends_on on top.

    ecs-params' list was ecs-cli's only way to order containers, so migrated files rely on it; it
    names containers of the same task and, being ECS-specific, wins over compose for a target.
    """
    wanted: dict[str, tuple[str, Path]] = {
        target: (condition, ("services", container.service, "depends_on", target))
        for target, condition in container.depends.items()
    }
    overrides = params.services.get(container.service)
    for index, dependency in enumerate(overrides.depends_on if overrides else ()):
        path: Path = ("task_definition", "services", container.service, "depends_on", index)
        if dependency.container_name not in by_name:
            report.add(
                (*path, "container_name"),
                f"no container named {dependency.container_name} runs in the task of {container.service}",
                REJECTED,
                "depends-on",
                f"name one of: {', '.join(by_name)}",
            )
            continue
        wanted[dependency.container_name] = (dependency.condition, path)
        report.add(path, f"dependsOn {dependency.condition}", MAPPED, "depends-on")
    return wanted


def _dependencies(containers: list[Container], params: EcsParams, report: Report) -> None:
    by_name = {c.service: c for c in containers}
    for container in containers:
        deps = []
        for target, (condition, path) in _wanted_dependencies(container, params, by_name, report).items():
            other = by_name.get(target)
            if other is None:
                continue  # another task: the service level reports it
            if target == container.service:
                report.add(path, "a container cannot depend on itself", REJECTED, "depends-on")
                continue
            if condition == "HEALTHY" and "healthCheck" not in other.definition:
                report.add(
                    path,
                    f"waits for {target} to be healthy, but {target} has no health check",
                    REJECTED,
                    "depends-on-healthy",
                    f"add a healthcheck to {target}",
                )
            if condition in {"SUCCESS", "COMPLETE"}:
                if other.essential_explicit and other.definition["essential"]:
                    report.add(
                        path,
                        f"waits for {target} to complete, but {target} is essential (its exit would "
                        "stop the task)",
                        REJECTED,
                        "depends-on-essential",
                        f"set essential: false for {target} in ecs-params.yml",
                    )
                elif other.definition["essential"]:
                    other.definition["essential"] = False
                    report.add(
                        path,
                        f"{target} is marked essential: false, because it is expected to exit",
                        MAPPED,
                        "essential-false",
                    )
            deps.append({"containerName": target, "condition": condition})
        if deps:
            container.definition["dependsOn"] = deps
    _log_router_first(containers, report)
    _check_cycles(containers, report)
    if not any(c.definition.get("essential", True) for c in containers):
        report.add(
            ("services", containers[0].service),
            "at least one container of a task must be essential",
            REJECTED,
            "no-essential-container",
            "set essential: true for one service in ecs-params.yml",
        )


def _log_router_first(containers: list[Container], report: Report) -> None:
    """The FireLens log router starts before the containers that log through it.

    AWS's FireLens guide has each such container depend on the router's START, or its first lines
    are lost. Compose's `network_mode: service:app` on the router implies the opposite order (the
    router waits for app), which is dropped here for the containers it serves.
    """
    router = next((c for c in containers if "firelensConfiguration" in c.definition), None)
    if router is None:
        return
    users = {
        c.service: c
        for c in containers
        if c is not router and c.definition.get("logConfiguration", {}).get("logDriver") == "awsfirelens"
    }
    before = router.definition.get("dependsOn", [])
    kept = [d for d in before if d["containerName"] not in users]
    if len(kept) != len(before):
        if kept:
            router.definition["dependsOn"] = kept
        else:
            del router.definition["dependsOn"]
    added = []
    for name, user in users.items():
        deps = user.definition.setdefault("dependsOn", [])
        if not any(d["containerName"] == router.service for d in deps):
            deps.append({"containerName": router.service, "condition": "START"})
            added.append(name)
    if added or len(kept) != len(before):
        report.add(
            ("services", router.service),
            f"log router {router.service} starts first: {', '.join(sorted(users))} "
            f"{'waits' if len(users) == 1 else 'wait'} for it to start",
            MAPPED,
            "firelens-order",
        )


def _check_cycles(containers: list[Container], report: Report) -> None:
    graph = {c.service: [d["containerName"] for d in c.definition.get("dependsOn", [])] for c in containers}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                cycle = [*trail[trail.index(nxt) :], nxt] if nxt in trail else [node, nxt]
                report.add(
                    ("services", node, "depends_on"),
                    f"dependency cycle: {' -> '.join(cycle)}",
                    REJECTED,
                    "depends-on-cycle",
                )
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for name in graph:
        if name not in state:
            visit(name, [name])


def _check_limits(request: dict[str, Any], containers: list[Container], report: Report) -> None:
    seen: dict[tuple[int, str], str] = {}
    for container in containers:
        for mapping in container.definition.get("portMappings", []):
            key = (mapping["containerPort"], mapping["protocol"])
            if key in seen and seen[key] != container.service:
                published = any(port == key[0] for port, _ in container.published)
                report.add(
                    ("services", container.service, "ports" if published else "expose"),
                    f"port {key[0]}/{key[1]} is also used by {seen[key]}; the containers of a task "
                    "share one network",
                    REJECTED,
                    "port-conflict",
                    "use --layout service, or change one of the ports",
                )
            seen.setdefault(key, container.service)
        for source in container.definition.get("volumesFrom", []):
            if source["sourceContainer"] not in {c.service for c in containers}:
                report.add(
                    ("services", container.service, "volumes_from"),
                    f"{source['sourceContainer']} is not in the same task",
                    REJECTED,
                    "volumes-from",
                    "volumes_from works only between containers of one task (--layout project)",
                )
    routers = [c.service for c in containers if "firelensConfiguration" in c.definition]
    for container in containers:
        driver = container.definition.get("logConfiguration", {}).get("logDriver")
        if driver == "awsfirelens" and not routers:
            report.add(
                ("services", container.service, "logging", "driver"),
                "awsfirelens needs a log router container (firelens_configuration) in the same task",
                REJECTED,
                "firelens-router",
                "add a fluent-bit service with firelens_configuration in ecs-params.yml",
            )
    size = len(json.dumps(request, separators=(",", ":")).encode())
    if size > _MAX_REQUEST_BYTES:
        report.add(
            (),
            f"task definition {request['family']} is {size} bytes; ECS accepts at most 64 KiB",
            REJECTED,
            "task-definition-size",
            "move large environment values to Secrets Manager or SSM",
        )
    if len({c.service for c in containers}) != len(containers):
        report.add(("services",), "container names must be unique", REJECTED, "invalid-name")
