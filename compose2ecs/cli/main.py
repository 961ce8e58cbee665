"""The command line: parse options, call the pipeline, render, and map errors to exit codes.

Exit codes (the same for every command): 0 ok / in sync, 1 differences (diff), 2 invalid input
or usage, 3 AWS or any other failure. `main` is the only place that turns exceptions into them.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import replace
from enum import StrEnum
from typing import Annotated, Any

import typer

from compose2ecs.errors import Compose2EcsError, InputError, Problem, UsageError

EXIT_OK, EXIT_DIFF, EXIT_INPUT, EXIT_FAILURE = 0, 1, 2, 3

app = typer.Typer(
    name="compose2ecs",
    help="Run docker-compose apps on AWS Fargate.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Run docker-compose apps on AWS Fargate."""


class OutputFormat(StrEnum):
    yaml = "yaml"
    json = "json"


FileOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--file", "-f", help="Compose file (repeatable). Default: compose.yaml & co., or COMPOSE_FILE."
    ),
]
ProjectNameOpt = Annotated[
    str | None,
    typer.Option("--project-name", "-p", help="Project name (default: name:, else the directory)."),
]
ProfileOpt = Annotated[
    list[str] | None, typer.Option("--profile", help="Enable a profile (repeatable; also COMPOSE_PROFILES).")
]
EnvFileOpt = Annotated[
    list[str] | None, typer.Option("--env-file", help="Environment file(s) to use instead of .env.")
]
ProjectDirOpt = Annotated[
    str | None, typer.Option("--project-directory", help="Project directory (default: the first file's).")
]


def _project_options(
    file: list[str] | None,
    project_name: str | None,
    profile: list[str] | None,
    env_file: list[str] | None,
    project_directory: str | None,
) -> Any:
    from compose2ecs.load import ProjectOptions  # noqa: PLC0415 - keep --help fast

    return ProjectOptions(
        files=list(file or []),
        project_directory=project_directory,
        project_name=project_name,
        profiles=list(profile or []),
        env_files=list(env_file or []),
        environ=dict(os.environ),
    )


@app.command()
def config(
    file: FileOpt = None,
    project_name: ProjectNameOpt = None,
    profile: ProfileOpt = None,
    env_file: EnvFileOpt = None,
    project_directory: ProjectDirOpt = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.yaml,
    services: Annotated[bool, typer.Option("--services", help="Print only the service names.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only validate; print nothing.")] = False,
) -> None:
    """Print the project as compose2ecs understood it (the shape of `docker compose config`)."""
    from compose2ecs.load import config_output, load_project  # noqa: PLC0415

    project = load_project(_project_options(file, project_name, profile, env_file, project_directory))
    for warning in project.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if quiet:
        return
    if services:
        for name in project.model.get("services") or {}:
            typer.echo(name)
        return
    document = config_output(project)
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
ComposeProfileOpt = Annotated[
    list[str] | None,
    typer.Option("--compose-profile", help="Enable a compose profile (repeatable; also COMPOSE_PROFILES)."),
]
RegionOpt = Annotated[
    str | None, typer.Option("--region", help="AWS region (default: AWS_REGION, the profile's).")
]
AwsProfileOpt = Annotated[
    str | None, typer.Option("--profile", help="AWS profile for credentials and region.")
]


def _convert(
    file: list[str] | None,
    project_name: str | None,
    compose_profile: list[str] | None,
    env_file: list[str] | None,
    project_directory: str | None,
    ecs_params: str | None,
    role_policy: str | None,
    layout: Layout | None,
    region: str | None,
    profile: str | None,
) -> Any:
    from compose2ecs.workflow import ConvertOptions, convert  # noqa: PLC0415

    options = ConvertOptions(
        _project_options(file, project_name, compose_profile, env_file, project_directory),
        ecs_params=ecs_params,
        role_policy=role_policy,
        layout=layout.value if layout else None,
        region=region,
        profile=profile,
    )
    conversion = convert(options, dict(os.environ))
    for warning in conversion.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if conversion.region_defaulted:
        typer.echo("warning: no AWS region set; using us-east-1 (set --region or AWS_REGION)", err=True)
    conversion.desired.problems = [_relative(p) for p in conversion.desired.problems]
    return conversion


@app.command()
def convert(
    file: FileOpt = None,
    project_name: ProjectNameOpt = None,
    ecs_params: EcsParamsOpt = None,
    role_policy: RolePolicyOpt = None,
    layout: LayoutOpt = None,
    output: Annotated[
        ConvertOutput, typer.Option("--output", "-o", help="Output format.")
    ] = ConvertOutput.text,
    compose_profile: ComposeProfileOpt = None,
    env_file: EnvFileOpt = None,
    project_directory: ProjectDirOpt = None,
    region: RegionOpt = None,
    profile: AwsProfileOpt = None,
) -> None:
    """Translate the project into the Fargate requests compose2ecs would send, and report every key."""
    conversion = _convert(
        file,
        project_name,
        compose_profile,
        env_file,
        project_directory,
        ecs_params,
        role_policy,
        layout,
        region,
        profile,
    )
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


def _relative(problem: Problem) -> Problem:
    """Show files under the current directory as relative paths, as users typed them."""
    location = problem.location
    if location is None or not os.path.isabs(location.file):  # noqa: PTH117 - str paths throughout
        return problem
    relative = os.path.relpath(location.file)
    if relative.startswith(".."):
        return problem
    return replace(problem, location=replace(location, file=relative))


def _render_input_error(error: InputError) -> None:
    for problem in error.problems:
        typer.echo(f"error: {_relative(problem).render()}", err=True)
    if len(error.problems) > 1:
        typer.echo(f"{len(error.problems)} problems found.", err=True)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app and map every error to its exit code."""
    try:
        # Typer/Click exit by themselves (SystemExit) on success and on usage errors (code 2).
        app(args=argv, prog_name="compose2ecs")
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
