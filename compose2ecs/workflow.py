"""The pipeline on one screen: load -> translate -> plan -> apply. Wiring only, no rules.

Commands call these functions; they return values for the CLI to render. Nothing here imports
boto3: the AWS-facing functions receive a `Gateway` built by the CLI (`aws.BotoGateway`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, NamedTuple

from compose2ecs.errors import InputError, Problem, UsageError
from compose2ecs.load import (
    Project,
    ProjectOptions,
    Reader,
    discover_files,
    is_follow_on,
    load_project,
    load_project_leniently,
    locate_problems,
)
from compose2ecs.load.ecs_params import load_ecs_params
from compose2ecs.load.host_files import read_host_files
from compose2ecs.load.role_policy import load_trust_policy, standard_trust_policy
from compose2ecs.model import EcsParams, RoleSpec, family_of, resource_id
from compose2ecs.translate import TranslateOptions, names, translate_project

if TYPE_CHECKING:
    from collections.abc import Mapping

    from compose2ecs.model import DesiredState, TrustPolicy
    from compose2ecs.model.deployed import DeployedState, Plan
    from compose2ecs.resources.gateway import Gateway

DEFAULT_REGION = "us-east-1"


class ConvertOptions(NamedTuple):
    project: ProjectOptions
    ecs_params: str | None = None
    role_policy: str | None = None
    layout: str | None = None
    region: str | None = None
    profile: str | None = None
    cluster: str = "default"
    strict: bool = False  # --strict: every approximation is an error


class Conversion(NamedTuple):
    project: Project | None  # None: a deployment known by name only (`down -p NAME` without files)
    desired: DesiredState
    region_defaulted: bool = False
    warnings: tuple[str, ...] = ()
    params_file: str | None = None  # the ecs-params.yml that was read, for problems found later

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.desired.problems if p.severity == "error"]


def resolve_region(region: str | None, profile: str | None, environ: Mapping[str, str]) -> str | None:
    """--region, AWS_REGION, AWS_DEFAULT_REGION, then the profile's region in the AWS config file.

    The same order boto3 uses, read without importing boto3 so that `convert` stays fast.
    """
    for candidate in (region, environ.get("AWS_REGION"), environ.get("AWS_DEFAULT_REGION")):
        if candidate:
            return candidate
    import configparser  # noqa: PLC0415 - rarely needed; keeps `convert` start-up short

    config_file = environ.get("AWS_CONFIG_FILE") or os.path.expanduser("~/.aws/config")  # noqa: PTH111
    parser = configparser.ConfigParser()
    try:
        parser.read(config_file, encoding="utf-8")
    except (configparser.Error, OSError):
        return None
    name = profile or environ.get("AWS_PROFILE") or "default"
    section = "default" if name == "default" else f"profile {name}"
    return parser.get(section, "region", fallback=None) or None


def convert(options: ConvertOptions, environ: Mapping[str, str]) -> Conversion:
    """Load every input and translate it; problems carry file:line:column. Raises InputError for bad files."""
    reader = Reader()
    try:
        project = load_project(options.project, reader)
    except InputError as refused:
        raise InputError(_every_problem(options, environ, refused.problems)) from None
    params, trust, problems = _ecs_cli_files(options, project.working_dir, environ, reader)
    if problems or params is None or trust is None:
        raise InputError(problems)
    region = resolve_region(options.region, options.profile, environ)
    desired = translate_project(
        project.name,
        project.model,
        params,
        trust,
        TranslateOptions(
            region or DEFAULT_REGION,
            options.layout,
            options.cluster,
            project.working_dir,
            read_host_files(project.model, project.working_dir),
            project.environment,
        ),
    )
    desired.problems = locate_problems(desired.problems, project, reader)
    if options.strict:
        desired.problems = [_strictly(p) for p in desired.problems]
    return Conversion(
        project,
        desired,
        region_defaulted=region is None,
        warnings=tuple(project.warnings),
        params_file=params.file,
    )


def _strictly(problem: Problem) -> Problem:
    """`--strict`: an approximation refuses the conversion, for teams that want exactness."""
    if problem.status != "approximated":
        return problem
    hint = "without --strict it is converted as described" + (f"; or {problem.hint}" if problem.hint else "")
    return problem._replace(
        severity="error", message=f"{problem.message} (an approximation: --strict)", hint=hint
    )


def _ecs_cli_files(
    options: ConvertOptions, working_dir: str, environ: Mapping[str, str], reader: Reader
) -> tuple[EcsParams | None, TrustPolicy | None, list[Problem]]:
    """ecs-params.yml and the trust policy, each read even when the other is wrong (every problem)."""
    problems: list[Problem] = []
    params = trust = None
    try:
        params = load_ecs_params(options.ecs_params, working_dir, environ, reader)
    except InputError as exc:
        problems.extend(exc.problems)
    try:
        trust = load_trust_policy(options.role_policy, working_dir, reader)
    except InputError as exc:
        problems.extend(exc.problems)
    if trust is not None and trust.broad and not (params is not None and params.allow_broad_trust_policy):
        problems.extend(trust.broad)
    return params, trust, problems


def _every_problem(
    options: ConvertOptions, environ: Mapping[str, str], refused: list[Problem]
) -> list[Problem]:
    """The loader refused the files: what the later stages find too, on what is left (one run, all).

    ecs-params.yml and the trust policy are checked as usual, and the Fargate rules run on the
    project without the keys the loader refused (with ecs-params' defaults where ecs-params.yml
    itself is wrong). Only errors are added: warnings wait for files that load.
    """
    reader = Reader()
    try:
        project, lenient, dropped = load_project_leniently(options.project, reader)
    except Exception:  # noqa: BLE001 - diagnostics only: the strict loader's problems still stand
        return list(refused)
    problems = list(refused)
    for problem in lenient:
        if problem not in problems:
            problems.append(problem)
    if any(p.code == "no-compose-file" for p in refused):
        return problems
    working_dir = project.working_dir if project is not None else _working_dir(options.project, reader)
    params, trust, file_problems = _ecs_cli_files(options, working_dir, environ, reader)
    problems.extend(file_problems)
    if project is None:
        return problems
    try:
        desired = translate_project(
            project.name,
            project.model,
            params or EcsParams(),
            trust or standard_trust_policy(),
            TranslateOptions(
                resolve_region(options.region, options.profile, environ) or DEFAULT_REGION,
                options.layout,
                options.cluster,
                project.working_dir,
                read_host_files(project.model, project.working_dir),
                project.environment,
            ),
        )
    except Exception:  # noqa: BLE001 - a model with keys dropped may surprise a rule: fewer problems, never a crash
        return problems
    # A service whose `imag:` was dropped has "no image": that follows from the typo, already said.
    errors = [p for p in desired.problems if p.severity == "error" and not is_follow_on(p.path, dropped)]
    located = locate_problems(errors, project, reader)
    return [*problems, *(p for p in located if p not in problems)]


def _working_dir(options: ProjectOptions, reader: Reader) -> str:
    """The project directory, as the loader finds it, for a project it could not load."""
    if options.project_directory:
        return os.path.abspath(os.path.join(options.cwd, options.project_directory))  # noqa: PTH100, PTH118
    try:
        files = discover_files(options, reader)
    except InputError:
        return os.path.abspath(options.cwd)  # noqa: PTH100
    return os.path.dirname(os.path.abspath(os.path.join(options.cwd, files[0])))  # noqa: PTH100, PTH118, PTH120


def by_name(project: str, region: str, cluster: str) -> Conversion:
    """A deployment known only by its name, for `down -p NAME` run without the compose files.

    What it deployed is found in AWS: its services and revisions by their tags, and the rest under
    the names compose2ecs gives them by default (role, log group, namespace, security group).
    """
    from compose2ecs.model import DesiredState, LogGroupSpec, RoleSpec  # noqa: PLC0415
    from compose2ecs.translate import names  # noqa: PLC0415

    desired = DesiredState(project, "project", region, cluster=cluster)
    desired.tags = desired.owner.tags()
    desired.roles = [RoleSpec(names.execution_role(project), "/", {}, (), {})]
    desired.log_groups = [LogGroupSpec(names.log_group(project), region)]
    desired.namespace = names.namespace(project, cluster)
    desired.known_by_name = True
    return Conversion(None, desired)


# ---------------------------------------------------------------------------------------------
# Against AWS: the CLI builds the gateway (aws.BotoGateway) and hands it in.


class Deployment(NamedTuple):
    """A converted project, what AWS holds for it, and the plan between the two."""

    conversion: Conversion
    deployed: DeployedState
    plan: Plan


def plan(
    conversion: Conversion, gateway: Gateway, cluster: str, *, force_new_deployment: bool = False
) -> Deployment:
    """Read the deployed state (concurrently, inside the gateway), check it can work, and compare.

    Raises InputError (located in the files) when the account makes the deployment impossible.
    """
    from compose2ecs.plan import preflight_problems  # noqa: PLC0415 - deepdiff is not for `convert`
    from compose2ecs.resources import plan_changes  # noqa: PLC0415

    if cluster != conversion.desired.cluster:
        msg = f"converted for cluster {conversion.desired.cluster!r}, planned for {cluster!r}"
        raise ValueError(msg)
    deployed = gateway.read_state(conversion.desired, cluster)
    problems = preflight_problems(conversion.desired, deployed, cluster, conversion.params_file)
    if problems:
        if conversion.project is None:
            raise InputError(problems)
        raise InputError(locate_problems(problems, conversion.project, Reader()))
    changes = plan_changes(conversion.desired, deployed, cluster, force_new_deployment=force_new_deployment)
    return Deployment(conversion, deployed, changes)


def unsteady(deployment: Deployment) -> dict[str, dict[str, Any]]:
    """The project's services that are deployed but not steady (rolling out, or failed), by name."""
    from compose2ecs.apply import unsteady_services  # noqa: PLC0415 - not for `convert`

    names = [str(s["serviceName"]) for s in deployment.conversion.desired.services]
    found: dict[str, dict[str, Any]] = unsteady_services(names, deployment.deployed.services)
    return found


def teardown_state(
    desired: DesiredState, gateway: Gateway, cluster: str, *, remove_all: bool
) -> DeployedState:
    """What `down` must know: the services, or with `remove_all` everything the deployment owns.

    The references the files name (secrets, parameters) are not looked up: removing needs none.
    """
    if not remove_all:
        return services_state(desired, gateway, cluster)
    desired.references = []
    task_role = names.task_role(desired.project)
    if not any(role.name == task_role for role in desired.roles):
        # The files may no longer mount a volume, but an earlier `up` made the task role for one:
        # looked up too, so that its last user removes it (a role made by hand is kept).
        desired.roles.append(RoleSpec(task_role, "/", {}, (), {}))
    return gateway.read_state(desired, cluster)


def services_state(desired: DesiredState, gateway: Gateway, cluster: str) -> DeployedState:
    """Only the deployment's ECS services, those the files define and those tagged as its own."""
    return gateway.read_services(desired, cluster)


def ecs_service_names(desired: DesiredState, selectors: list[str]) -> dict[str, str]:
    """Compose service (or ECS service) name -> ECS service name, for `scale` and `logs` arguments."""
    by_compose: dict[str, str] = {}
    for service in desired.services:
        name = service["serviceName"]
        prefix = f"{desired.project}-"
        by_compose[name.removeprefix(prefix) if desired.layout == "service" else name] = name
        by_compose[name] = name
    unknown = [s for s in selectors if s not in by_compose]
    if unknown:
        known = ", ".join(sorted({k for k, v in by_compose.items() if k != v or desired.layout == "project"}))
        msg = f"no service named {', '.join(unknown)} in project {desired.project} (services: {known})"
        raise UsageError(msg)
    return {s: by_compose[s] for s in selectors}


class TaskRow(NamedTuple):
    service: str
    task: str
    container: str
    status: str
    health: str
    ports: str
    private_ip: str
    public_ip: str
    revision: str
    stopped_reason: str = ""  # a stopped task's: the container's exit code and reason, or the task's


def tasks(desired: DesiredState, gateway: Gateway, cluster: str, *, stopped: bool = False) -> list[TaskRow]:
    """One row per container of every running task of the project's services (and stopped ones).

    ECS keeps a stopped task for about an hour, with why it stopped.
    """
    rows: list[TaskRow] = []
    described: list[tuple[str, dict[str, Any]]] = []
    names = [str(service["serviceName"]) for service in desired.services]
    if desired.known_by_name:  # no files: the services tagged as the deployment's
        names = sorted(gateway.read_services(desired, cluster).orphans)
    for name in names:
        arns = gateway.list_task_arns(cluster, name, "RUNNING")
        if stopped:
            arns += gateway.list_task_arns(cluster, name, "STOPPED")
        described.extend((name, t) for t in (gateway.describe_tasks(cluster, arns) if arns else []))
    eni_ids = [
        detail["value"]
        for _, task in described
        for attachment in task.get("attachments", [])
        for detail in attachment.get("details", [])
        if detail.get("name") == "networkInterfaceId"
    ]
    public = gateway.public_ips(eni_ids) if eni_ids else {}
    for name, task in described:
        details = {
            d.get("name"): d.get("value") for a in task.get("attachments", []) for d in a.get("details", [])
        }
        ports_by_container = _container_ports(desired, task)
        rows.extend(
            TaskRow(
                service=name,
                task=resource_id(str(task.get("taskArn", ""))),
                container=str(container.get("name", "-")),
                status=str(container.get("lastStatus") or task.get("lastStatus") or "-"),
                health=str(container.get("healthStatus") or task.get("healthStatus") or "UNKNOWN"),
                ports=ports_by_container.get(str(container.get("name")), ""),
                private_ip=str(details.get("privateIPv4Address") or "-"),
                public_ip=public.get(str(details.get("networkInterfaceId")), "-"),
                revision=resource_id(str(task.get("taskDefinitionArn", ""))),
                stopped_reason=_stopped_reason(task, container),
            )
            for container in task.get("containers", []) or [{"name": "-"}]
        )
    return rows


def _stopped_reason(task: dict[str, Any], container: dict[str, Any]) -> str:
    if task.get("lastStatus") != "STOPPED":
        return ""
    parts = []
    if container.get("exitCode") is not None:
        parts.append(f"exit {container['exitCode']}")
    reason = container.get("reason") or task.get("stoppedReason")
    if reason:
        parts.append(str(reason))
    return ": ".join(parts)


def _container_ports(desired: DesiredState, task: dict[str, Any]) -> dict[str, str]:
    family = family_of(str(task.get("taskDefinitionArn", "")))
    for definition in desired.task_definitions:
        if definition["family"] == family:
            return {
                c["name"]: ", ".join(
                    f"{m['containerPort']}/{m['protocol']}" for m in c.get("portMappings", [])
                )
                for c in definition["containerDefinitions"]
            }
    return {}


class LogSource(NamedTuple):
    container: str
    group: str
    region: str
    stream_prefix: str  # `<awslogs-stream-prefix>/<container>/`, then the task id


def deployed_definitions(desired: DesiredState, gateway: Gateway, cluster: str) -> DesiredState:
    """With no files (`-p NAME` only): the task definitions the deployment's services run, for `logs`."""
    if not desired.known_by_name:
        return desired
    services = gateway.read_services(desired, cluster).orphans
    arns = sorted({str(s.get("taskDefinition")) for s in services.values() if s.get("taskDefinition")})
    found = [gateway.describe_task_definition(arn) for arn in arns]
    desired.task_definitions = [definition for definition in found if definition is not None]
    return desired


def one_off_service(
    desired: DesiredState, gateway: Gateway, cluster: str, container: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """For `run CONTAINER`: the deployed ECS service whose task holds it, and the revision it runs."""
    families = [
        str(d["family"])
        for d in desired.task_definitions
        if any(c["name"] == container for c in d["containerDefinitions"])
    ]
    if not families:
        known = sorted({c["name"] for d in desired.task_definitions for c in d["containerDefinitions"]})
        msg = f"no service named {container} in project {desired.project} (services: {', '.join(known)})"
        raise UsageError(msg)
    name = next(
        str(s["serviceName"]) for s in desired.services if family_of(str(s["taskDefinition"])) == families[0]
    )
    service = gateway.describe_service(cluster, name)
    if service is None or service.get("status") != "ACTIVE":
        msg = (
            f"{container} is not deployed in cluster {cluster} (no ECS service {name}): run `compose2ecs up` "
            "first"
        )
        raise UsageError(msg)
    definition = gateway.describe_task_definition(str(service["taskDefinition"]))
    if definition is None:
        msg = f"the revision service {name} runs ({service['taskDefinition']}) is gone"
        raise UsageError(msg)
    return service, definition


def log_sources(desired: DesiredState, selectors: list[str]) -> list[LogSource]:
    """Where each selected container logs (awslogs only; other drivers are reported as skipped)."""
    sources = []
    for definition in desired.task_definitions:
        for container in definition["containerDefinitions"]:
            if selectors and container["name"] not in selectors:
                continue
            log = container.get("logConfiguration") or {}
            options = log.get("options") or {}
            if log.get("logDriver") != "awslogs":
                continue
            sources.append(
                LogSource(
                    container["name"],
                    options["awslogs-group"],
                    options["awslogs-region"],
                    f"{options['awslogs-stream-prefix']}/{container['name']}/",
                )
            )
    containers = {c["name"] for d in desired.task_definitions for c in d["containerDefinitions"]}
    unknown = [s for s in selectors if s not in containers]
    if unknown:
        msg = f"no service named {', '.join(unknown)} (services: {', '.join(sorted(containers))})"
        raise UsageError(msg)
    return sources
