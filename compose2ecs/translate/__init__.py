"""Stage 2, `translate`: the loaded project + ecs-params + trust policy -> the AWS requests (pure).

Input: the canonical compose model (a dict, as `config` prints it), `EcsParams` and `TrustPolicy`.
Output: `DesiredState` — RegisterTaskDefinition and CreateService requests with boto3 parameter
names, the execution role, the log groups — plus the conversion report (`problems`): every key
that was approximated, ignored or rejected, and every Fargate rule broken, each with the key path
(the caller turns paths into file:line:column). No I/O, no AWS calls, no boto3.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from compose2ecs.model import (
    DesiredState,
    EcsParams,
    FileParameter,
    LogGroupSpec,
    Owner,
    Reference,
    TrustPolicy,
    secret_arn,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from compose2ecs.model import HostEntry
from compose2ecs.translate import (
    discovery,
    exposure,
    files,
    iam,
    names,
    reachability,
    scaling,
    service,
    storage,
    task_definition,
)
from compose2ecs.translate.container import Container, Context, convert_service, unique_port_names
from compose2ecs.translate.report import APPROXIMATED, IGNORED, MAPPED, REJECTED, Report


class TranslateOptions(NamedTuple):
    region: str
    layout: str | None = None  # --layout; else ecs-params run_params.layout; else "project"
    cluster: str = "default"  # the deployment's cluster: its tags and per-deployment names carry it
    project_dir: str = ""  # where the compose file's relative paths start (bind mounts' volume names)
    # The host files the project names, read by load/host_files.py (configs, bind mounts)
    host_files: Mapping[str, HostEntry] = MappingProxyType({})
    environment: Mapping[str, str] = MappingProxyType({})  # the project's (configs from `environment:`)


def translate_project(
    name: str, compose: dict[str, Any], params: EcsParams, trust: TrustPolicy, options: TranslateOptions
) -> DesiredState:
    """Translate one project; errors are in `problems` (severity "error"), never raised."""
    layout = options.layout or params.layout or "project"
    report = Report(params.file)
    ctx = Context(
        name,
        options.region,
        compose,
        options.project_dir,
        options.host_files,
        options.environment,
        options.cluster,
    )
    services: dict[str, Any] = compose.get("services") or {}
    owner = Owner(name, options.cluster, options.region)
    tags = {**params.tags, **owner.tags()}  # the ownership tags are what `down --all` trusts
    tag_list = [{"key": k, "value": v} for k, v in tags.items()]
    desired = DesiredState(
        project=name, layout=layout, region=options.region, tags=tags, cluster=options.cluster
    )
    _check_params(params, services, report)
    containers = {
        key: convert_service(ctx, key, value, params.services.get(key), report)
        for key, value in services.items()
    }
    groups = _group(layout, services, report)
    _volumes_from_other_tasks(containers, groups, params, report)
    role_name, role_path = names.role_from_reference(params.task_execution_role or names.execution_role(name))
    execution_role = params.task_execution_role or role_name
    # Service Connect lets the compose service names resolve between ECS services; it costs an
    # Envoy sidecar per task, so a project whose services do not call each other can turn it off.
    # One namespace per deployment: two clusters of a project must not resolve each other's endpoints.
    namespace = (
        names.namespace(name, options.cluster)
        if layout == "service" and params.service_connect is not False
        else None
    )
    for root, members in groups.items():
        task_containers = [containers[m] for m in members]
        family = names.family(name, root if layout == "service" else None)
        _cross_task_dependencies(task_containers, members, report)
        unique_port_names(task_containers, report)
        desired.task_definitions.append(
            task_definition.build(
                task_definition.TaskInput(
                    family, task_containers, tag_list, namespace is not None, desired.file_parameter_prefix
                ),
                params,
                compose,
                execution_role,
                report,
            )
        )
        count, explicit = _desired_count(task_containers, params, report)
        service_name = family  # the ecs-cli convention: the service is named as its family
        request = service.build(
            service_name, family, task_containers, params, count, namespace, tag_list, report
        )
        service.one_copy_for_shared_data(request, desired.task_definitions[-1], params, report)
        desired.services.append(request)
        desired.desired_count_explicit[service_name] = explicit
    if layout == "project" and len(services) > 1:
        report.info(
            ("services",),
            "all services run as containers of one task: they reach each other on localhost, not by service "
            "name (use --layout service for name resolution through Service Connect)",
            "one-task",
        )
    desired.namespace = namespace
    _log_groups(desired, list(containers.values()), params)
    secrets = sorted({s for c in containers.values() for s in c.secrets})
    desired.secrets = list({s.name: s for c in containers.values() for s in c.managed_secrets}.values())
    desired.file_parameters = _file_parameters(
        list(containers.values()), desired.file_parameter_prefix, report
    )
    create_groups = sorted({c.awslogs for c in containers.values() if c.awslogs and c.create_group})
    desired.roles.append(
        iam.execution_role(
            role_name,
            role_path,
            trust,
            options.region,
            secrets,
            create_groups,
            owner.policy_name,
            managed_secrets=[
                *(secret_arn(s.name) for s in desired.secrets),
                *sorted({secret_arn(f"named:{n}") for c in containers.values() for n in c.named_secrets}),
            ],
            file_parameters=desired.file_parameter_prefix if desired.file_parameters else None,
        )
    )
    if not names.is_iam_role_name(role_name):
        report.add(
            ("task_definition", "task_execution_role"),
            f'"{role_name}" is not a valid IAM role name (at most 64 of letters, digits and +=,.@_-)',
            REJECTED,
            "invalid-role-name",
        )
    exposure.expose(desired, list(containers.values()), params, report, connected=namespace is not None)
    storage.plan_file_system(desired, list(containers.values()), params, compose.get("volumes") or {}, report)
    storage.task_role(desired, params, report)
    scaling.plan_scaling(desired, params, report)
    discovery.plan_discovery(desired, params, report)
    reachability.check(list(containers.values()), layout, report, connected=namespace is not None)
    _project_level(compose, report)
    desired.references = _references(list(containers.values()), params)
    desired.references += [
        Reference(
            "certificate",
            li.certificate,
            ("run_params", "ports", str(li.port), "certificate_arn"),
            in_params=True,
        )
        for li in desired.listeners
        if li.certificate
    ]
    desired.problems = report.problems
    return desired


def _references(containers: list[Container], params: EcsParams) -> list[Reference]:
    """The secrets, parameters, task role and EFS file systems the files name, for the preflight."""
    out: list[Reference] = []
    seen: set[str] = set()
    for container in containers:
        for value, (path, in_params) in container.secret_sources.items():
            if value in seen:
                continue
            seen.add(value)
            kind = "secret" if ":secretsmanager:" in value else "parameter"
            out.append(Reference(kind, value, path, in_params=in_params))
    named = {n: p for container in containers for n, p in container.named_secrets.items()}
    out.extend(Reference("secret-name", name, path, in_params=False) for name, path in sorted(named.items()))
    if params.task_role_arn:
        out.append(
            Reference("role", params.task_role_arn, ("task_definition", "task_role_arn"), in_params=True)
        )
    used = {mount.source for container in containers for mount in container.mounts if mount.kind == "named"}
    for index, volume in enumerate(params.efs_volumes):
        if volume.name not in used:
            continue  # not in any task definition: nothing to check
        where = ("task_definition", "efs_volumes", index)
        efs: tuple[tuple[str, str | None, str], ...] = (
            ("efs-file-system", volume.filesystem_id, "filesystem_id"),
            ("efs-access-point", volume.access_point, "access_point"),
        )
        for efs_kind, ident, key in efs:
            if ident and ident not in seen:
                seen.add(ident)
                out.append(Reference(efs_kind, ident, (*where, key), in_params=True))
    return out


def _file_parameters(containers: list[Container], prefix: str, report: Report) -> list[FileParameter]:
    """The SSM parameters of every host file and config, once each (the same content is shared)."""
    out: dict[str, FileParameter] = {}
    for container in containers:
        size = sum(len(f.content) for f in container.host_files)
        if size > files.MAX_TASK_BYTES:
            report.add(
                ("services", container.service),
                f"service {container.service} gets {size // 1024} KiB of configs and host files, more "
                f"than the {files.MAX_TASK_BYTES // 1024} KiB compose2ecs carries into a task",
                REJECTED,
                "host-files-too-large",
                "copy the larger files into the image",
            )
        for file in container.host_files:
            for parameter in files.parameters(file.content, prefix):
                out.setdefault(parameter.name, parameter)
    return list(out.values())


def _check_params(params: EcsParams, services: dict[str, Any], report: Report) -> None:
    if params.network_mode and params.network_mode != "awsvpc":
        report.add(
            ("task_definition", "ecs_network_mode"),
            f"Fargate requires network mode awsvpc, not {params.network_mode}",
            REJECTED,
            "fargate-network-mode",
            "set ecs_network_mode: awsvpc (or leave it out)",
        )
    for key in params.services:
        if key not in services:
            # ecs-cli ignored these silently; one ecs-params.yml often serves several compose files
            # or profiles, so this is a warning, not a refusal.
            report.add(
                ("task_definition", "services", key),
                f'no compose service named "{key}" is in the project (or its active profiles); '
                "these settings are not used",
                IGNORED,
                "unknown-service",
                f"services: {', '.join(services) or '(none)'}",
            )


def _group(layout: str, services: dict[str, Any], report: Report) -> dict[str, list[str]]:
    """Which compose services share a task: all of them (project), or each alone plus its sidecars."""
    if not services:
        report.add(("services",), "the project has no services", REJECTED, "no-services")
        return {}
    sidecar_of: dict[str, str] = {}
    for key, value in services.items():
        mode = str(value.get("network_mode") or "")
        path = ("services", key, "network_mode")
        if mode.startswith("service:"):
            sidecar_of[key] = mode.removeprefix("service:")
            report.add(
                path, "runs in the same task (containers of a task share one network)", MAPPED, "sidecar"
            )
        elif mode == "bridge":
            report.add(path, "ignored: Fargate always uses awsvpc networking", IGNORED, "network-mode")
        elif mode:
            report.add(
                path,
                f"network_mode {mode} is not available on Fargate (always awsvpc)",
                REJECTED,
                "fargate-network-mode",
                "remove network_mode",
            )
    if layout == "project":
        return {"": list(services)}
    _jobs_join_their_dependent(services, sidecar_of, report)

    def root(key: str, seen: tuple[str, ...] = ()) -> str:
        parent = sidecar_of.get(key)
        if parent is None or parent not in services or parent in seen:
            return key
        return root(parent, (*seen, key))

    groups: dict[str, list[str]] = {}
    for key in services:
        groups.setdefault(root(key), []).append(key)
    return groups


def _jobs_join_their_dependent(services: dict[str, Any], sidecar_of: dict[str, str], report: Report) -> None:
    """A service others wait for with service_completed_successfully is a job, not a server.

    As its own ECS service it would be restarted every time it exits (a migration run forever), so
    it joins the task of the one service that waits for it, where dependsOn SUCCESS orders them.
    """
    waiting: dict[str, list[str]] = {}
    for key, value in services.items():
        for target, dependency in (value.get("depends_on") or {}).items():
            if (dependency or {}).get("condition") == "service_completed_successfully" and target in services:
                waiting.setdefault(target, []).append(key)
    for job, dependents in waiting.items():
        path = ("services", dependents[0], "depends_on", job)
        if job in sidecar_of:
            continue
        if len(dependents) == 1:
            sidecar_of[job] = dependents[0]
            report.add(
                path,
                f"{job} runs once, in the task of {dependents[0]}, which starts after it exits successfully",
                MAPPED,
                "job-in-task",
            )
        else:
            report.add(
                path,
                f"{job} is awaited by {', '.join(dependents)}: it runs as its own ECS service, which "
                "starts it again each time it exits, and the services do not wait for it",
                APPROXIMATED,
                "job-as-service",
                "run it in one service's task (network_mode: service:<name>), or as a one-off task",
            )


def _volumes_from_other_tasks(
    containers: dict[str, Container], groups: dict[str, list[str]], params: EcsParams, report: Report
) -> None:
    """`volumes_from` a service of another task: its named volumes, mounted from the file system.

    ECS shares `volumesFrom` only inside a task; a named volume lives on the project's EFS file
    system (or the one ecs-params names), which any task can mount, so the volumes are mounted
    again, as Docker shares them. Task storage (anonymous volumes, tmpfs) stays with its task.
    """
    task_of = {member: root for root, members in groups.items() for member in members}
    for container in _sources_first(containers):
        kept = []
        for index, entry in enumerate(container.definition.get("volumesFrom", [])):
            source = containers.get(str(entry["sourceContainer"]))
            if source is None or task_of.get(source.service) == task_of.get(container.service):
                kept.append(entry)
                continue
            path = ("services", container.service, "volumes_from", index)
            points = {str(m["sourceVolume"]): m for m in source.definition.get("mountPoints", [])}
            _share_anonymous_volumes(source, params, report)
            efs = {v.name for v in params.efs_volumes}
            persistent = [
                m.kind == "named" and (m.source in efs or storage.on_file_system(str(m.source), params))
                for m in source.mounts
            ]
            shared = [
                m
                for m, kept_on in zip(source.mounts, persistent, strict=True)
                if kept_on and m.volume in points
            ]
            unshared = [m for m, kept_on in zip(source.mounts, persistent, strict=True) if not kept_on]
            if unshared:
                report.add(
                    path,
                    f"{source.service} runs as another task, and its task storage (anonymous volumes, tmpfs, "
                    "storage: task) stays with that task",
                    REJECTED,
                    "volumes-from",
                    f"give {source.service}'s volumes names (they are then kept on EFS and shared), or use "
                    "--layout project",
                )
                continue
            if source.host_files:
                report.add(
                    path,
                    f"{source.service}'s configs and read-only host files are written into its own task, "
                    "and not shared",
                    APPROXIMATED,
                    "volumes-from-files",
                    f"give this service the same configs or mounts as {source.service}",
                )
            if not shared:
                report.add(path, f"{source.service} has no volumes to share", IGNORED, "volumes-from-shared")
                continue
            for mount in shared:
                container.mounts.append(mount._replace(path=path))
                point = dict(points[mount.volume])
                point["readOnly"] = bool(point.get("readOnly")) or bool(entry.get("readOnly"))
                container.definition.setdefault("mountPoints", []).append(point)
            report.add(
                path,
                f"{source.service} runs as another task: its named volumes ("
                + ", ".join(str(m.source) for m in shared)
                + ") are mounted here too, from the file system",
                MAPPED,
                "volumes-from-shared",
            )
        if kept:
            container.definition["volumesFrom"] = kept
        else:
            container.definition.pop("volumesFrom", None)


def _sources_first(containers: dict[str, Container]) -> list[Container]:
    """The containers, each after those it takes volumes from (a -> b -> c passes a's volumes on)."""
    order: list[str] = []

    def visit(name: str, trail: frozenset[str]) -> None:
        if name in order or name in trail:
            return  # done, or a cycle (refused elsewhere)
        for entry in containers[name].definition.get("volumesFrom", []):
            if str(entry["sourceContainer"]) in containers:
                visit(str(entry["sourceContainer"]), trail | {name})
        order.append(name)

    for name in containers:
        visit(name, frozenset())
    return [containers[name] for name in order]


def _share_anonymous_volumes(source: Container, params: EcsParams, report: Report) -> None:
    """Another task mounts `source`'s volumes: its anonymous ones become named, kept on EFS.

    Docker shares an anonymous volume through `volumes_from`; ECS shares task storage only inside
    a task, so the volume gets a name (`<service>-<index>`) and lives on the project's file system.
    """
    for index, mount in enumerate(source.mounts):
        if mount.kind != "anonymous":
            continue
        name = f"{source.service}-volume-{index}"
        if not storage.on_file_system(name, params):
            continue
        source.mounts[index] = mount._replace(kind="named", source=name)
        report.add(
            mount.path,
            f"an anonymous volume another task shares (volumes_from): kept on the project's EFS file "
            f"system as volume {name}, so both tasks see it",
            APPROXIMATED,
            "anonymous-volume-shared",
        )


def _cross_task_dependencies(task_containers: list[Container], members: list[str], report: Report) -> None:
    for container in task_containers:
        for target in container.depends:
            if target not in members:
                report.add(
                    ("services", container.service, "depends_on", target),
                    f"{target} runs as another ECS service; ECS does not order the start of separate "
                    "services",
                    IGNORED,
                    "depends-on-across-services",
                    "make the app retry until its dependency answers",
                )


def _desired_count(containers: list[Container], params: EcsParams, report: Report) -> tuple[int, bool]:
    if params.desired_count is not None:
        return params.desired_count, True
    counts = {c.replicas for c in containers if c.replicas is not None}
    if len(counts) == 1:
        return counts.pop(), True
    if len(counts) > 1:
        report.add(
            ("services",),
            "the services of one task ask for different replicas; the ECS service runs 1 task",
            APPROXIMATED,
            "replicas",
            "set run_params.desired_count in ecs-params.yml, or use --layout service",
        )
    return 1, False


def _log_groups(desired: DesiredState, containers: list[Container], params: EcsParams) -> None:
    seen: set[tuple[str, str]] = set()
    for container in containers:
        if container.awslogs and container.awslogs not in seen:
            seen.add(container.awslogs)
            group, region = container.awslogs
            desired.log_groups.append(LogGroupSpec(group, region, params.log_retention_days))


def _project_level(compose: dict[str, Any], report: Report) -> None:
    networks = {k: v for k, v in (compose.get("networks") or {}).items() if k != "default"}
    if networks:
        report.add(
            ("networks",),
            "ignored: a Fargate task has one network interface; subnets and security groups come "
            "from ecs-params.yml",
            IGNORED,
            "networks",
        )
    for key in ("models",):
        if compose.get(key):
            report.add((key,), f"top-level {key} have no Fargate equivalent", IGNORED, "unsupported-key")
