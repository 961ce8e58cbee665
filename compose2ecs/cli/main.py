"""The command line: parse options, call the pipeline, render, and map errors to exit codes.

Exit codes (the same for every command): 0 ok / in sync, 1 differences (diff), 2 invalid input
or usage, 3 AWS or any other failure. `main` is the only place that turns exceptions into them.
"""

from __future__ import annotations

import inspect
import json
import os
import sys
from dataclasses import replace
from enum import StrEnum
from typing import Annotated, Any, NamedTuple, NoReturn

import typer

from compose2ecs.cli.options import VALUE_OPTIONS, Options, global_parameters, options_from, with_project
from compose2ecs.errors import Compose2EcsError, InputError, Problem, UsageError

EXIT_OK, EXIT_DIFF, EXIT_INPUT, EXIT_FAILURE = 0, 1, 2, 3

app = typer.Typer(
    name="compose2ecs",
    help="Run docker-compose apps on AWS Fargate.",
    epilog=(
        "ecs-cli users: `compose2ecs compose service up ...` and the other ecs-cli spellings work "
        "too (`compose2ecs compose --help`; docs/ecs-cli.md)."
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from compose2ecs import __version__  # noqa: PLC0415

        typer.echo(f"compose2ecs version {__version__}")
        raise typer.Exit(EXIT_OK)


def _root(ctx: typer.Context, **values: Any) -> None:
    """Run docker-compose apps on AWS Fargate.

    Give the compose options (-f, -p, --profile, --env-file, --project-directory) and the AWS
    options (--aws-profile, --region, --endpoint-url, --cluster) before the command, as with
    `docker compose`.
    """
    values.pop("version", None)
    ctx.obj = options_from(values)


_VERSION = inspect.Parameter(
    "version",
    inspect.Parameter.KEYWORD_ONLY,
    default=False,
    annotation=Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ],
)
_root.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [
        inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context),
        _VERSION,
        *global_parameters(),
    ]
)
_root.__annotations__ = {p.name: p.annotation for p in _root.__signature__.parameters.values()}  # type: ignore[attr-defined]
app.callback()(_root)


class OutputFormat(StrEnum):
    yaml = "yaml"
    json = "json"


def _project_options(opts: Options) -> Any:
    from compose2ecs.load import ProjectOptions  # noqa: PLC0415 - keep --help fast

    return ProjectOptions(
        files=list(opts.files),
        project_directory=opts.project_directory,
        project_name=opts.project_name,
        profiles=list(opts.profiles),
        env_files=list(opts.env_files),
        environ=dict(os.environ),
    )


@app.command()
@with_project(aws=False)
def config(
    opts: Options,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.yaml,
    services: Annotated[bool, typer.Option("--services", help="Print only the service names.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only validate; print nothing.")] = False,
) -> None:
    """Print the project as compose2ecs understood it (the shape of `docker compose config`)."""
    from compose2ecs.load import config_output, load_project  # noqa: PLC0415

    project = load_project(_project_options(opts))
    for warning in project.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if quiet:
        return
    if services:
        for name in project.model.get("services") or {}:
            typer.echo(name)
        return
    document = config_output(project, output_format.value)
    if output_format is OutputFormat.json:
        typer.echo(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False))
    else:
        import yaml  # noqa: PLC0415

        typer.echo(
            yaml.safe_dump(document, sort_keys=True, allow_unicode=True, default_flow_style=False), nl=False
        )


class ConvertOutput(StrEnum):
    text = "text"
    json = "json"
    yaml = "yaml"


class Layout(StrEnum):
    project = "project"
    service = "service"


EcsParamsOpt = Annotated[
    str | None,
    typer.Option("--ecs-params", help="ecs-params.yml to use (default: ./ecs-params.yml if present)."),
]
RolePolicyOpt = Annotated[
    str | None,
    typer.Option(
        "--role-policy",
        help="Trust policy of the execution role (default: ./task-execution-assume-role.json if present).",
    ),
]
LayoutOpt = Annotated[
    Layout | None,
    typer.Option(
        "--layout",
        help="project: one task and service for the project (ecs-cli); service: one per compose service. "
        "Default: ecs-params run_params.layout, else project.",
    ),
]


class _Files(NamedTuple):
    """The ecs-cli files and the layout: what, besides the compose files, shapes the conversion."""

    ecs_params: str | None = None
    role_policy: str | None = None
    layout: Layout | None = None
    strict: bool = False


StrictOpt = Annotated[
    bool,
    typer.Option("--strict", help="Refuse every approximation (exit 2), for an exact conversion or none."),
]


def _with_ecs_cli_defaults(opts: Options) -> Options:
    """The cluster and region of ecs-cli's default cluster configuration, when nothing else names them."""
    from compose2ecs.load.ecs_cli_config import cluster_config  # noqa: PLC0415
    from compose2ecs.workflow import resolve_region  # noqa: PLC0415

    if opts.cluster is not None and opts.region is not None:
        return opts  # nothing left to fill in
    try:
        config = cluster_config(os.environ)
    except UsageError as error:
        # No --cluster-config named it: an old (INI) or unreadable file is passed over, not fatal.
        typer.echo(f"warning: ignoring ecs-cli's default configuration: {error}", err=True)
        return opts
    if not config:
        return opts
    if opts.cluster is None and config.get("cluster"):
        typer.echo(f"cluster {config['cluster']} (the default configuration of ~/.ecs/config)", err=True)
        opts = replace(opts, cluster=config["cluster"])
    if config.get("region") and resolve_region(opts.region, opts.aws_profile, os.environ) is None:
        opts = replace(opts, region=config["region"])
    return opts


def _convert(opts: Options, files: _Files, *, warn: bool = True) -> Any:
    """Load and translate; `warn`: print the conversion's warnings (the commands that convert do)."""
    from compose2ecs.workflow import ConvertOptions, convert  # noqa: PLC0415

    options = ConvertOptions(
        _project_options(opts),
        ecs_params=files.ecs_params,
        role_policy=files.role_policy,
        layout=files.layout.value if files.layout else None,
        region=opts.region,
        profile=opts.aws_profile,
        cluster=opts.cluster_name,
        strict=files.strict,
    )
    conversion = convert(options, dict(os.environ))
    for warning in conversion.warnings if warn else ():
        typer.echo(f"warning: {warning}", err=True)
    if warn and conversion.region_defaulted:
        typer.echo("warning: no AWS region set; using us-east-1 (set --region or AWS_REGION)", err=True)
    conversion.desired.problems = [_relative(p) for p in conversion.desired.problems]
    return conversion


@app.command()
@with_project(aws=True)
def convert(
    opts: Options,
    ecs_params: EcsParamsOpt = None,
    role_policy: RolePolicyOpt = None,
    layout: LayoutOpt = None,
    output: Annotated[
        ConvertOutput, typer.Option("--output", "-o", help="Output format.")
    ] = ConvertOutput.text,
    strict: StrictOpt = False,
) -> None:
    """Translate the project into the Fargate requests compose2ecs would send, and report every key."""
    conversion = _convert(_with_ecs_cli_defaults(opts), _Files(ecs_params, role_policy, layout, strict))
    desired = conversion.desired
    if output is ConvertOutput.text:
        from compose2ecs.cli.convert_render import print_conversion  # noqa: PLC0415

        print_conversion(desired)
    else:
        document = desired.as_json()
        if output is ConvertOutput.json:
            typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
        else:
            import yaml  # noqa: PLC0415

            typer.echo(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), nl=False)
    if conversion.errors:
        # Refusals also go to stderr, one `error: file:line:col: key: message` per line, exit 2.
        raise InputError(conversion.errors)


# ---------------------------------------------------------------------------------------------
# Commands that talk to AWS. Each converts first, so bad input is refused (exit 2) before any call.

LockTimeoutOpt = Annotated[
    float,
    typer.Option(
        "--lock-timeout",
        help="Seconds to wait while another run holds the deployment's lock (0: fail at once).",
    ),
]
TimeoutOpt = Annotated[
    float, typer.Option("--timeout", "--wait-timeout", help="Seconds to wait for steady services.")
]


class PlanOutput(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


class _Target(NamedTuple):
    conversion: Any
    gateway: Any
    cluster: str


def _target(opts: Options, files: _Files, *, by_name: bool = False, warn: bool = True) -> _Target:
    """Convert, then make the gateway. With `by_name`, `-p NAME` and no compose file is enough.

    Only the commands that convert (`diff`, `up`) print the conversion's warnings; `ps`, `logs`,
    `scale` and `down` would repeat them on every run.
    """
    from compose2ecs.workflow import resolve_region  # noqa: PLC0415

    opts = _with_ecs_cli_defaults(opts)
    region = resolve_region(opts.region, opts.aws_profile, os.environ)
    if region is None:
        msg = "no AWS region: pass --region, set AWS_REGION, or set a region in your AWS profile"
        raise UsageError(msg)
    opts = replace(opts, region=region)
    cluster = opts.cluster_name
    try:
        conversion = _convert(opts, files, warn=warn)
    except InputError as error:
        codes = [p.code for p in error.problems]
        if not (by_name and opts.project_name and not opts.files and codes == ["no-compose-file"]):
            raise
        from compose2ecs.workflow import by_name as known_by_name  # noqa: PLC0415

        typer.echo(
            f"no compose file here: acting on what project {opts.project_name} deployed in cluster "
            f"{cluster}, found by its tags",
            err=True,
        )
        conversion = known_by_name(opts.project_name, region, cluster)
    if conversion.errors:
        raise InputError(conversion.errors)
    for problem in conversion.desired.problems if warn else ():
        if problem.severity == "warning":
            typer.echo(f"warning: [{problem.status}] {problem.render()}", err=True)
    from compose2ecs.aws import AwsSettings, BotoGateway, on_retry  # noqa: PLC0415 - boto3 only for AWS commands

    # A call being retried (no answer, throttled) is said at once, not after a silent minute.
    on_retry(lambda message: typer.echo(f"  {message}", err=True))
    gateway = BotoGateway.from_settings(AwsSettings(opts.aws_profile, region, opts.endpoint_url))
    return _Target(conversion, gateway, cluster)


def _locked(target: _Target, *, hold_for: float, wait_for: float) -> Any:
    """The deployment's lock (apply/lock.py), taken before anything is read for a write."""
    from compose2ecs.apply.lock import deployment_lock  # noqa: PLC0415

    return deployment_lock(
        target.gateway,
        target.conversion.desired.owner,
        hold_for=hold_for,
        wait_for=wait_for,
        notify=lambda message: typer.echo(message, err=True),
    )


def _console() -> Any:
    from rich.console import Console  # noqa: PLC0415

    # rich turns colour off by itself when stdout is not a terminal or NO_COLOR is set; in a pipe,
    # tables keep their full width instead of the 80 columns rich assumes.
    console = Console(highlight=False, soft_wrap=True)
    return console if console.is_terminal else Console(highlight=False, soft_wrap=True, width=400)


class _RichProgress:
    """Prints what apply does, and each service's counts and new events while it waits."""

    def __init__(self, console: Any) -> None:
        self.console = console
        self.last: dict[str, str] = {}

    def step(self, message: str) -> None:
        self.console.print(f"[green]✓[/green] {_escape(message)}")

    def service(self, name: str, service: dict[str, Any], new_events: list[dict[str, Any]]) -> None:
        for event in reversed(new_events):
            self.console.print(f"  [dim]{_escape(name)}: {_escape(str(event.get('message', '')))}[/dim]")
        deployments = service.get("deployments") or []
        primary: dict[str, Any] = next((d for d in deployments if d.get("status") == "PRIMARY"), {})
        status = (
            f"{service.get('runningCount', 0)}/{service.get('desiredCount', 0)} running, "
            f"{len(deployments)} deployment(s), rollout {primary.get('rolloutState', 'n/a')}"
        )
        if self.last.get(name) != status:
            self.last[name] = status
            self.console.print(f"  {_escape(name)}: {status}")


def _escape(text: str) -> str:
    from rich.markup import escape  # noqa: PLC0415

    return escape(text)


def _print_plan(deployment: Any, output: PlanOutput, *, show_values: bool) -> None:
    from compose2ecs.apply import rollout_summary  # noqa: PLC0415
    from compose2ecs.cli.plan_render import plan_json, plan_markdown, print_plan  # noqa: PLC0415
    from compose2ecs.workflow import unsteady  # noqa: PLC0415

    # Health is reported beside the plan: a service that needs no change may still be failing.
    notes = {name: rollout_summary(service) for name, service in unsteady(deployment).items()}
    if output is PlanOutput.json:
        document = plan_json(deployment.plan, show_values)
        document["unsteadyServices"] = notes
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
    elif output is PlanOutput.markdown:
        lines = "".join(f"\n- service `{name}` is not steady: {text}" for name, text in notes.items())
        typer.echo(plan_markdown(deployment.plan, show_values) + ("\n" + lines if lines else ""))
    else:
        print_plan(deployment.plan, _console(), show_values)
        for name, text in notes.items():
            _console().print(f"[yellow]service {_escape(name)} is not steady:[/yellow] {_escape(text)}")


def _settle(deployment: Any, gateway: Any, cluster: str, console: Any, *, wait: bool, timeout: float) -> None:
    """`up` with nothing to write: still wait for services that are not steady (exit 3 if they fail)."""
    from compose2ecs.apply import ApplyOptions, rollout_summary, settle_services  # noqa: PLC0415
    from compose2ecs.workflow import unsteady as find_unsteady  # noqa: PLC0415

    project = deployment.conversion.desired.project
    unsteady = find_unsteady(deployment)
    if not unsteady:
        console.print(f"{project} is in sync with cluster {cluster}: nothing to do.")
        return
    for name, service in unsteady.items():
        console.print(
            f"service {_escape(name)} needs no change but is not steady: {rollout_summary(service)}"
        )
    if not wait:
        console.print(f"{project} is in sync; not waiting for it to be steady (-d/--no-wait).")
        return
    options = ApplyOptions(cluster, wait=True, timeout=timeout)
    settle_services(unsteady, gateway, options, _RichProgress(console))
    console.print(f"[green]{project} is in sync and steady[/green] (no change needed).")


@app.command()
@with_project(aws=True)
def diff(
    opts: Options,
    ecs_params: EcsParamsOpt = None,
    role_policy: RolePolicyOpt = None,
    layout: LayoutOpt = None,
    output: Annotated[PlanOutput, typer.Option("--output", "-o", help="Output format.")] = PlanOutput.text,
    show_values: Annotated[
        bool, typer.Option("--show-values", help="Show values of secret-looking variables.")
    ] = False,
    strict: StrictOpt = False,
) -> None:
    """Show, field by field, what `up` would change. Exit 0 in sync, 1 differences."""
    from compose2ecs.workflow import plan  # noqa: PLC0415

    target = _target(opts, _Files(ecs_params, role_policy, layout, strict))
    deployment = plan(target.conversion, target.gateway, target.cluster)
    _print_plan(deployment, output, show_values=show_values)
    raise typer.Exit(EXIT_OK if deployment.plan.in_sync else EXIT_DIFF)


@app.command()
@with_project(aws=True)
def up(
    opts: Options,
    ecs_params: EcsParamsOpt = None,
    role_policy: RolePolicyOpt = None,
    layout: LayoutOpt = None,
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="Wait until the services are steady.")
    ] = True,
    detach: Annotated[
        bool, typer.Option("--detach", "-d", help="Do not wait for the services (same as --no-wait).")
    ] = False,
    timeout: TimeoutOpt = 900,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only show the plan (same as `diff`).")] = False,
    force_replace: Annotated[
        bool,
        typer.Option(
            "--force-replace", help="Allow deleting and recreating a service, or switching layouts."
        ),
    ] = False,
    remove_orphans: Annotated[
        bool,
        typer.Option(
            "--remove-orphans", help="Delete the project's services that the compose files no longer define."
        ),
    ] = False,
    force_new_deployment: Annotated[
        bool,
        typer.Option(
            "--force-new-deployment",
            "--force-deployment",
            help="Start a new deployment of every service even when nothing changed (a moved image tag).",
        ),
    ] = False,
    lock_timeout: LockTimeoutOpt = 300,
    strict: StrictOpt = False,
) -> None:
    """Create or update everything the project needs, then wait for steady services."""
    from compose2ecs.apply import ApplyOptions  # noqa: PLC0415
    from compose2ecs.workflow import plan  # noqa: PLC0415

    target = _target(opts, _Files(ecs_params, role_policy, layout, strict))
    if dry_run:
        deployment = plan(
            target.conversion, target.gateway, target.cluster, force_new_deployment=force_new_deployment
        )
        _print_plan(deployment, PlanOutput.text, show_values=False)
        raise typer.Exit(EXIT_OK if deployment.plan.in_sync else EXIT_DIFF)
    # In sync: nothing is written, so no lock is taken. Else the plan is made again under the
    # lock: another run may have changed the deployment meanwhile (then it may be in sync now).
    options = ApplyOptions(
        target.cluster,
        wait=wait and not detach,
        timeout=timeout,
        force_replace=force_replace,
        remove_orphans=remove_orphans,
        force_new_deployment=force_new_deployment,
    )
    if _settled_without_writes(target, options):
        return
    with _locked(target, hold_for=timeout, wait_for=lock_timeout):
        _up(target, options)


def _settled_without_writes(target: _Target, options: Any) -> bool:
    """True when in sync (and settled); else checks what needs a flag, before the lock is taken."""
    from compose2ecs.apply import refuse_replacements  # noqa: PLC0415
    from compose2ecs.workflow import plan  # noqa: PLC0415

    deployment = plan(
        target.conversion, target.gateway, options.cluster, force_new_deployment=options.force_new_deployment
    )
    if not deployment.plan.in_sync:
        refuse_replacements(deployment.plan, options)
        return False
    console = _console()
    _settle(deployment, target.gateway, options.cluster, console, wait=options.wait, timeout=options.timeout)
    _print_urls(target.conversion.desired, deployment.deployed, console)
    return True


def _up(target: _Target, options: Any) -> None:
    from compose2ecs.apply import apply_plan  # noqa: PLC0415
    from compose2ecs.workflow import plan  # noqa: PLC0415

    cluster, wait = options.cluster, options.wait
    deployment = plan(
        target.conversion, target.gateway, cluster, force_new_deployment=options.force_new_deployment
    )
    console = _console()
    desired = target.conversion.desired
    if deployment.plan.in_sync:
        _settle(deployment, target.gateway, cluster, console, wait=wait, timeout=options.timeout)
        _print_urls(desired, deployment.deployed, console)
        return
    _print_plan(deployment, PlanOutput.text, show_values=False)
    result = apply_plan(
        deployment.plan, desired, deployment.deployed, target.gateway, options, _RichProgress(console)
    )
    if wait:
        console.print(
            f"[green]{desired.project} is deployed and steady[/green] ({len(result.writes)} changes)."
        )
    else:
        console.print(f"{desired.project}: {len(result.writes)} changes sent; not waiting (-d/--no-wait).")
    _print_urls(desired, deployment.deployed, console, result.load_balancers)


def _print_urls(desired: Any, deployed: Any, console: Any, balancers: dict[str, Any] | None = None) -> None:
    """Where the app is reached: each published port's load balancer address (or rule's)."""
    from compose2ecs.apply import listener_urls  # noqa: PLC0415

    found = deployed.load_balancers if balancers is None else balancers
    for container, url in listener_urls(desired, found, deployed.foreign_listeners):
        console.print(f"  {_escape(container)}: {_escape(url)}")


class PsFormat(StrEnum):
    table = "table"
    json = "json"


_PS_COLUMNS = (
    "SERVICE",
    "TASK",
    "CONTAINER",
    "STATUS",
    "HEALTH",
    "PORTS",
    "PRIVATE IP",
    "PUBLIC IP",
    "REVISION",
)


@app.command()
@with_project(aws=True)
def ps(
    opts: Options,
    ecs_params: EcsParamsOpt = None,
    layout: LayoutOpt = None,
    output_format: Annotated[PsFormat, typer.Option("--format", help="Output format.")] = PsFormat.table,
    show_all: Annotated[
        bool, typer.Option("--all", "-a", help="Also the tasks that stopped lately, with why they stopped.")
    ] = False,
) -> None:
    """List the project's tasks: per container status, health, ports, IPs and revision."""
    from compose2ecs.workflow import tasks  # noqa: PLC0415

    target = _target(opts, _Files(ecs_params, None, layout), by_name=True, warn=False)
    rows = tasks(target.conversion.desired, target.gateway, target.cluster, stopped=show_all)
    if output_format is PsFormat.json:
        typer.echo(json.dumps([row._asdict() for row in rows], indent=2, ensure_ascii=False))
        return
    from rich.table import Table  # noqa: PLC0415

    columns = [*_PS_COLUMNS, "STOPPED BECAUSE"] if show_all else list(_PS_COLUMNS)
    table = Table(box=None, pad_edge=False)
    for column in columns:
        table.add_column(column)
    for row in rows:
        cells = list(row)[: len(_PS_COLUMNS)]
        table.add_row(*cells, *([row.stopped_reason or "-"] if show_all else []))
    console = _console()
    if rows:
        console.print(table)
    else:
        which = "tasks" if show_all else "running tasks"
        console.print(
            f"no {which} for project {target.conversion.desired.project} in cluster {target.cluster}"
        )
    desired = target.conversion.desired
    if desired.load_balancers or desired.listener_rules:
        from compose2ecs.model.deployed import DeployedState  # noqa: PLC0415

        found = DeployedState(
            load_balancers=target.gateway.describe_load_balancers([lb.name for lb in desired.load_balancers]),
            foreign_listeners=target.gateway.describe_listeners(
                sorted({rule.listener_arn for rule in desired.listener_rules})
            ),
        )
        _print_urls(desired, found, console)


@app.command()
@with_project(aws=True, short_file=False)
def logs(
    opts: Options,
    services: Annotated[list[str] | None, typer.Argument(help="Compose services (default: all).")] = None,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing new lines.")] = False,
    since: Annotated[
        str | None, typer.Option("--since", help="Only lines newer than this: 10m, 2h, or an RFC 3339 time.")
    ] = None,
    tail: Annotated[int | None, typer.Option("--tail", help="Only the last N lines per container.")] = None,
    timestamps: Annotated[
        bool, typer.Option("--timestamps", "-t", help="Show each line's time (RFC 3339, UTC).")
    ] = False,
    no_log_prefix: Annotated[
        bool, typer.Option("--no-log-prefix", help="Do not prefix lines with the container and task.")
    ] = False,
    ecs_params: EcsParamsOpt = None,
    layout: LayoutOpt = None,
) -> None:
    """Print the containers' CloudWatch logs, prefixed by container and task like `docker compose logs`."""
    from compose2ecs.cli.logs import LogFormat, print_logs  # noqa: PLC0415
    from compose2ecs.workflow import deployed_definitions, log_sources  # noqa: PLC0415

    target = _target(opts, _Files(ecs_params, None, layout), by_name=True, warn=False)
    desired = deployed_definitions(target.conversion.desired, target.gateway, target.cluster)
    sources = log_sources(desired, list(services or []))
    print_logs(
        target.gateway,
        sources,
        since=since,
        tail=tail,
        follow=follow,
        fmt=LogFormat(timestamps=timestamps, prefix=not no_log_prefix),
    )


@app.command("run", context_settings={"allow_interspersed_args": False})
@with_project(aws=True)
def run_one_off(
    opts: Options,
    service: Annotated[str, typer.Argument(help="The compose service whose container runs.")],
    command: Annotated[
        list[str] | None, typer.Argument(help="The command (default: the service's own).")
    ] = None,
    env: Annotated[
        list[str] | None, typer.Option("--env", "-e", help="KEY=VALUE for the container (repeatable).")
    ] = None,
    detach: Annotated[
        bool, typer.Option("--detach", "-d", help="Start the task and print its id; do not wait.")
    ] = False,
    remove: Annotated[
        bool,
        typer.Option(
            "--rm", help="Accepted for docker compose habits: a stopped task leaves nothing to remove."
        ),
    ] = False,
    timeout: TimeoutOpt = 3600,
    ecs_params: EcsParamsOpt = None,
    layout: LayoutOpt = None,
) -> None:
    """Run a one-off task (a migration, a job) from a deployed service; exit with its exit code.

    The task runs the revision and network of the ECS service `up` deployed, with the command
    given; its lines are printed as they come. Options go before SERVICE, as in docker compose.
    """
    from compose2ecs.apply.run import run_task_request, wait_for_exit  # noqa: PLC0415
    from compose2ecs.cli.logs import TaskLogs  # noqa: PLC0415
    from compose2ecs.model import resource_id  # noqa: PLC0415
    from compose2ecs.workflow import log_sources, one_off_service  # noqa: PLC0415

    del remove  # ECS keeps a stopped task for about an hour, then forgets it; nothing else was made
    environment = {}
    for item in env or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--env {item!r}: write KEY=VALUE")
        environment[key] = value
    target = _target(opts, _Files(ecs_params, None, layout), warn=False)
    desired = target.conversion.desired
    deployed, definition = one_off_service(desired, target.gateway, target.cluster, service)
    # DescribeServices gives Service Connect per deployment; the primary one is what runs.
    primary = [d for d in deployed.get("deployments", []) if d.get("status") == "PRIMARY"]
    if any((d.get("serviceConnectConfiguration") or {}).get("enabled") for d in primary):
        typer.echo(
            "note: a one-off task does not resolve the other services' names: ECS gives Service "
            "Connect names only to a service's tasks (pass addresses with -e KEY=VALUE)",
            err=True,
        )
    request = run_task_request(
        deployed,
        service,
        command=command,
        environment=environment,
        owner=desired.owner,
        cluster=target.cluster,
    )
    task = target.gateway.run_task(request)
    task_id = resource_id(str(task["taskArn"]))
    typer.echo(f"started task {task_id} ({resource_id(str(task['taskDefinitionArn']))})", err=True)
    if detach:
        typer.echo(task_id)
        return
    desired.task_definitions = [definition]
    sources = log_sources(desired, [service])
    readers = [TaskLogs(target.gateway, source, task_id) for source in sources]

    def show(_: dict[str, Any]) -> None:
        for reader in readers:
            reader.poll()

    try:
        code = wait_for_exit(target.gateway, target.cluster, task, service, on_poll=show, timeout=timeout)
    except KeyboardInterrupt:
        # As `docker compose run` does on Ctrl-C: the one-off container goes with the command.
        target.gateway.stop_task(target.cluster, str(task["taskArn"]), "compose2ecs run: interrupted")
        typer.echo(f"interrupted: stopped task {task_id}", err=True)
        raise typer.Exit(130) from None
    show({})  # the last lines may arrive with the stop
    typer.echo(f"task {task_id} exited with code {code}", err=True)
    raise typer.Exit(code)


@app.command("exec", context_settings={"allow_interspersed_args": False})
@with_project(aws=True)
def exec_in_task(
    opts: Options,
    service: Annotated[str, typer.Argument(help="The compose service whose container to enter.")],
    command: Annotated[list[str] | None, typer.Argument(help="The command (default: /bin/sh).")] = None,
    ecs_params: EcsParamsOpt = None,
    layout: LayoutOpt = None,
) -> None:
    """Run a command in a running task's container (ECS Exec), interactively, like `docker compose exec`.

    Needs the Session Manager plugin and ECS Exec enabled on the service (`enable_execute_command`).
    """
    import shlex  # noqa: PLC0415

    from compose2ecs.cli import exec_session  # noqa: PLC0415
    from compose2ecs.workflow import one_off_service  # noqa: PLC0415

    plugin = exec_session.plugin_path()  # before any AWS call: nothing can work without it
    target = _target(opts, _Files(ecs_params, None, layout), warn=False)
    gateway, cluster = target.gateway, target.cluster
    deployed, _ = one_off_service(target.conversion.desired, gateway, cluster, service)
    exec_session.require_exec_enabled(deployed)
    arns = gateway.list_task_arns(cluster, str(deployed["serviceName"]))
    task_id, runtime_id = exec_session.running_task(
        gateway.describe_tasks(cluster, arns) if arns else [], service
    )
    session = gateway.execute_command(cluster, task_id, service, shlex.join(command or ["/bin/sh"]))
    arguments = exec_session.plugin_arguments(
        plugin,
        session,
        region=gateway.region,
        profile=opts.aws_profile,
        target=f"ecs:{cluster}_{task_id}_{runtime_id}",
        # As the AWS CLI does: the ECS client's endpoint, resolved by boto3 (partition, environment).
        endpoint_url=gateway.ecs_endpoint,
    )
    raise typer.Exit(exec_session.start(arguments))


@app.command()
@with_project(aws=True)
def scale(
    opts: Options,
    counts: Annotated[
        list[str], typer.Argument(help="N (project layout) or SERVICE=N ... (service layout).")
    ],
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="Wait until the services are steady.")
    ] = True,
    timeout: TimeoutOpt = 900,
    lock_timeout: LockTimeoutOpt = 300,
    ecs_params: EcsParamsOpt = None,
    layout: LayoutOpt = None,
) -> None:
    """Set how many tasks run: `scale 2`, or `scale web=3 worker=1` in the service layout."""
    from compose2ecs.apply import ApplyOptions  # noqa: PLC0415
    from compose2ecs.apply.teardown import scale as scale_services  # noqa: PLC0415
    from compose2ecs.workflow import ecs_service_names, services_state  # noqa: PLC0415

    requested = _scale_arguments(counts)
    target = _target(opts, _Files(ecs_params, None, layout), warn=False)
    desired = target.conversion.desired
    if None in requested:
        if len(desired.services) != 1:
            msg = "this project has several ECS services: name them, e.g. `scale web=2 worker=1`"
            raise UsageError(msg)
        by_name = {desired.services[0]["serviceName"]: requested[None]}
    else:
        names = ecs_service_names(desired, [k for k in requested if k is not None])
        by_name = {names[k]: v for k, v in requested.items() if k is not None}
    with _locked(target, hold_for=timeout, wait_for=lock_timeout):
        deployed = services_state(desired, target.gateway, target.cluster)
        console = _console()
        options = ApplyOptions(target.cluster, wait=wait, timeout=timeout)
        scale_services(desired, deployed, target.gateway, by_name, options, _RichProgress(console))


def _scale_arguments(counts: list[str]) -> dict[str | None, int]:
    requested: dict[str | None, int] = {}
    for item in counts:
        name, _, number = item.rpartition("=")
        if not number.isdigit():
            msg = f"cannot read {item!r}: write N, or SERVICE=N"
            raise UsageError(msg)
        requested[name or None] = int(number)
    if None in requested and len(requested) > 1:
        msg = "give either one count (N) or SERVICE=N pairs, not both"
        raise UsageError(msg)
    return requested


@app.command()
@with_project(aws=True)
def down(
    opts: Options,
    remove_all: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Also deregister the task definitions and delete the log groups, role, security group, "
            "namespace and cluster compose2ecs created (never anything it did not create).",
        ),
    ] = False,
    volumes: Annotated[
        bool,
        typer.Option(
            "--volumes",
            "-v",
            help="With --all, also delete the EFS file system holding the named volumes, and their data "
            "(as `docker compose down -v`).",
        ),
    ] = False,
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Wait until the services are gone.")] = True,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait.")] = 900,
    lock_timeout: LockTimeoutOpt = 300,
    ecs_params: EcsParamsOpt = None,
    role_policy: RolePolicyOpt = None,
    layout: LayoutOpt = None,
) -> None:
    """Delete the project's services (and with --all, everything compose2ecs created for it)."""
    if volumes and not remove_all:
        raise UsageError("--volumes deletes the volumes' data with the rest: give it with --all")
    from compose2ecs.apply import ApplyOptions  # noqa: PLC0415
    from compose2ecs.apply.teardown import down as tear_down  # noqa: PLC0415
    from compose2ecs.workflow import teardown_state  # noqa: PLC0415

    target = _target(opts, _Files(ecs_params, role_policy, layout), by_name=True, warn=False)
    desired, cluster = target.conversion.desired, target.cluster
    with _locked(target, hold_for=timeout, wait_for=lock_timeout):
        # A plain `down` deletes only services; `--all` needs to know everything the project owns.
        deployed = teardown_state(desired, target.gateway, cluster, remove_all=remove_all)
        console = _console()
        options = ApplyOptions(cluster, wait=wait, timeout=timeout)
        result = tear_down(
            desired,
            deployed,
            target.gateway,
            options,
            _RichProgress(console),
            remove_all=remove_all,
            volumes=volumes,
        )
    if result.writes:
        console.print(f"{desired.project}: removed ({len(result.writes)} changes).")
    else:
        console.print(f"{desired.project}: nothing to remove in cluster {cluster}.")


@app.command()
def version() -> None:
    """Print the version."""
    _version(value=True)


def _relative(problem: Problem) -> Problem:
    """Show files under the current directory as relative paths, as users typed them."""
    location = problem.location
    if location is None or not os.path.isabs(location.file):  # noqa: PTH117 - str paths throughout
        return problem
    relative = os.path.relpath(location.file)
    if relative.startswith(".."):
        return problem
    return problem._replace(location=location._replace(file=relative))


def _render_input_error(error: InputError) -> None:
    for problem in error.problems:
        typer.echo(f"error: {_relative(problem).render()}", err=True)
    if len(error.problems) > 1:
        typer.echo(f"{len(error.problems)} problems found.", err=True)


def _app_for(args: list[str]) -> typer.Typer:
    """The app with only the command being run.

    Typer builds every command's options at each start, and one command is all a run needs
    (`--help` without a command still lists them all).
    """
    name = _command_name(args)
    chosen = [
        c
        for c in app.registered_commands
        if c.callback is not None and (c.name or c.callback.__name__) == name
    ]
    if not chosen:
        return app
    lean = typer.Typer(
        name="compose2ecs", add_completion=True, pretty_exceptions_enable=False, no_args_is_help=True
    )
    lean.registered_callback = app.registered_callback
    lean.registered_commands = chosen
    return lean


def _command_index(args: list[str]) -> int | None:
    """Where the command is: the first argument that is neither an option before it nor a value."""
    skip = False
    for index, arg in enumerate(args):
        if skip:
            skip = False
        elif arg in VALUE_OPTIONS:
            skip = True  # its value follows
        elif not arg.startswith("-"):
            return index
    return None


def _command_name(args: list[str]) -> str | None:
    index = _command_index(args)
    return None if index is None else args[index]


def _ecs_cli(args: list[str]) -> list[str]:
    """ecs-cli's `compose ...` spellings as compose2ecs's, said once on stderr (cli/ecs_cli.py)."""
    at = _command_index(args)
    if at is None or args[at] not in {"compose", "logs", "configure"}:
        return args
    from compose2ecs.cli.ecs_cli import translate  # noqa: PLC0415

    if args[at] == "configure":
        msg = (
            "ecs-cli's `configure` has no compose2ecs equivalent: compose2ecs reads the ~/.ecs/config "
            "and ~/.ecs/credentials it wrote; without them, give --cluster and --region before the "
            "command, and the credentials as an AWS profile (--aws-profile)"
        )
        raise UsageError(msg)
    if args[at] == "compose" and {"--help", "-h"} & set(args[at:]):
        from compose2ecs.cli.ecs_cli import HELP  # noqa: PLC0415

        typer.echo(HELP)
        raise SystemExit(EXIT_OK)
    translation = translate(args[at:], os.environ, args[:at])
    if translation is None:
        return args
    argv = [*args[:at], *translation.argv]
    hint = f"ecs-cli spelling: running `compose2ecs {' '.join(argv)}` (spell it so from now on"
    if translation.profile:
        # The new spelling alone would run with whatever credentials the AWS chain finds.
        hint += (
            f"; it uses the credentials of ecs-cli profile {translation.profile}: to keep them, make "
            f"them an AWS profile (`aws configure --profile {translation.profile}`) and add "
            f"`--aws-profile {translation.profile}`"
        )
    typer.echo(hint + ")", err=True)
    if translation.credentials is not None:
        # This run only, and first in boto3's chain; never printed.
        os.environ["AWS_ACCESS_KEY_ID"] = translation.credentials.access_key
        os.environ["AWS_SECRET_ACCESS_KEY"] = translation.credentials.secret_key
        if translation.credentials.session_token:
            os.environ["AWS_SESSION_TOKEN"] = translation.credentials.session_token
        else:
            os.environ.pop("AWS_SESSION_TOKEN", None)
    return argv


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app and map every error to its exit code."""
    # Loading raises the recursion limit for the 1000 levels of nesting libyaml reads (see
    # load.yamlfile.deep_nesting); translating and printing such a value recurse as deep.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    try:
        # Typer/Click exit by themselves (SystemExit) on success and on usage errors (code 2).
        args = _ecs_cli(sys.argv[1:] if argv is None else argv)
        _app_for(args)(args=args, prog_name="compose2ecs")
    except InputError as exc:
        _render_input_error(exc)
        sys.exit(EXIT_INPUT)
    except UsageError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_INPUT)
    except Compose2EcsError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_FAILURE)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the promise is: never a traceback
        typer.echo(f"error: unexpected failure: {type(exc).__name__}: {exc}", err=True)
        typer.echo("This is a bug in compose2ecs; please report it with the command you ran.", err=True)
        sys.exit(EXIT_FAILURE)
    sys.exit(EXIT_OK)


def run() -> NoReturn:
    """The console script: `main`, then exit without tearing the interpreter down.

    Freeing every imported module at exit takes ~10 ms, a tenth of a `convert` run, and nothing is
    left to clean up by then: output is flushed here and compose2ecs opens no other files for writing.
    """
    code: int | str | None = EXIT_OK
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    if isinstance(code, str):  # a message: sys.exit's convention is to print it and exit 1
        sys.stderr.write(code + "\n")
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # `compose2ecs ... | head`: the reader left; say nothing more
        code = code or 1
    os._exit(code or 0)
