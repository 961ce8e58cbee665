"""The options every command shares, with docker compose's grammar: given before the command.

`compose2ecs -f a.yml -f b.yml -p shop --profile debug up -d` reads as `docker compose` reads it:
`-f/--file`, `-p/--project-name`, `--project-directory`, `--profile` (a compose profile, never an
AWS profile) and `--env-file` come before the command, and so do the AWS options (`--aws-profile`,
ecs-cli's name for it, `--region`, `--endpoint-url`, `--cluster`). The same options after the
command still work (the spelling of earlier versions), except where docker compose gives the
letter another meaning there (`logs -f` follows); given in both places, the one after the command
wins. `with_project` adds them to a command and hands it one `Options` value.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Annotated, Any

import typer

from compose2ecs.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

DEFAULT_CLUSTER = "default"
_CONTEXT = "_compose2ecs_context"  # Typer passes the click context to a parameter of this type
AFTER_PANEL = "Also accepted after the command (deprecated there: give them before it)"


@dataclass(frozen=True)
class Options:
    """The project and the AWS account a command works on."""

    files: list[str] = field(default_factory=list)
    project_name: str | None = None
    project_directory: str | None = None
    profiles: list[str] = field(default_factory=list)  # compose profiles
    env_files: list[str] = field(default_factory=list)
    aws_profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    cluster: str | None = None  # None: not given (the default is applied by `cluster_name`)

    @property
    def cluster_name(self) -> str:
        """The cluster's name; an ARN (`arn:aws:ecs:…:cluster/NAME`) gives its NAME.

        Names go into tags, the lock and the ECS Exec target, which ECS spells with the short name.
        """
        given = self.cluster or DEFAULT_CLUSTER
        if given.startswith("arn:") and ":cluster/" in given:
            return given.rsplit("/", 1)[-1]
        return given


# name -> (type, option declarations, help). Shared by the root callback and the commands.
_PROJECT: dict[str, tuple[Any, tuple[str, ...], str]] = {
    "file": (
        list[str] | None,
        ("--file", "-f"),
        "Compose file (repeatable). Default: compose.yaml & co., or COMPOSE_FILE.",
    ),
    "project_name": (
        str | None,
        ("--project-name", "-p"),
        "Project name (default: name:, else the directory).",
    ),
    "project_directory": (
        str | None,
        ("--project-directory",),
        "Project directory (default: the first file's).",
    ),
    "profile": (
        list[str] | None,
        ("--profile",),
        "Enable a compose profile (repeatable; also COMPOSE_PROFILES).",
    ),
    "env_file": (list[str] | None, ("--env-file",), "Environment file(s) to use instead of .env."),
}
_AWS: dict[str, tuple[Any, tuple[str, ...], str]] = {
    "aws_profile": (
        str | None,
        ("--aws-profile",),
        "AWS profile for credentials and region (also AWS_PROFILE).",
    ),
    "region": (str | None, ("--region",), "AWS region (default: AWS_REGION, the profile's)."),
    "endpoint_url": (
        str | None,
        ("--endpoint-url",),
        "AWS endpoint (default: AWS_ENDPOINT_URL, else the real AWS).",
    ),
    "cluster": (
        str | None,
        ("--cluster",),
        f"ECS cluster (default: COMPOSE2ECS_CLUSTER, else {DEFAULT_CLUSTER}).",
    ),
}
# Before the command only: COMPOSE2ECS_CLUSTER fills the global option.
_ENVVARS = {"cluster": "COMPOSE2ECS_CLUSTER"}


def global_parameters() -> list[inspect.Parameter]:
    """The options of the root callback (before the command)."""
    out = []
    for name, (kind, decls, text) in {**_PROJECT, **_AWS}.items():
        info = typer.Option(*decls, help=text, envvar=_ENVVARS.get(name), show_envvar=False)
        out.append(
            inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[kind, info]
            )
        )
    return out


def options_from(values: dict[str, Any]) -> Options:
    return Options(
        files=list(values.get("file") or []),
        project_name=values.get("project_name"),
        project_directory=values.get("project_directory"),
        profiles=list(values.get("profile") or []),
        env_files=list(values.get("env_file") or []),
        aws_profile=values.get("aws_profile"),
        region=values.get("region"),
        endpoint_url=values.get("endpoint_url"),
        cluster=values.get("cluster"),
    )


def _after_parameters(*, aws: bool, short_file: bool) -> list[inspect.Parameter]:
    specs = dict(_PROJECT)
    if not short_file:
        kind, _, text = specs["file"]
        specs["file"] = (kind, ("--file",), text)
    if aws:
        specs.update(_AWS)
    out = []
    for name, (kind, decls, text) in specs.items():
        # After an AWS command, --profile is refused (it was the AWS profile once): not advertised.
        hidden = aws and name == "profile"
        info = typer.Option(*decls, help=text, rich_help_panel=AFTER_PANEL, hidden=hidden)
        out.append(
            inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[kind, info]
            )
        )
    # Earlier versions' name for a compose profile after the command, kept but not shown.
    legacy = typer.Option("--compose-profile", hidden=True)
    out.append(
        inspect.Parameter(
            "compose_profile",
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=Annotated[list[str] | None, legacy],
        )
    )
    return out


def merged(before: Options, after: dict[str, Any]) -> Options:
    """The options given before the command, overridden by those given after it."""
    given = {k: v for k, v in after.items() if v not in (None, [])}
    if given.get("compose_profile") and not given.get("profile"):
        given["profile"] = given["compose_profile"]
    local = options_from(given)
    changes = {
        name: getattr(local, name)
        for name in Options.__dataclass_fields__
        if getattr(local, name) not in (None, [])
    }
    return replace(before, **changes)


class _WithProject:
    """A command with the shared options added after its own, called with `opts: Options`.

    Its signature is built when Typer first asks for it: every command is decorated at import, and
    a run builds one command (cli.main._app_for), so the others cost nothing at start-up.
    """

    def __init__(self, command: Callable[..., Any], *, aws: bool, short_file: bool) -> None:
        self.command = command
        self.aws, self.short_file = aws, short_file
        self.__name__ = command.__name__
        self.__doc__ = command.__doc__
        self.__module__ = command.__module__
        self._signature: inspect.Signature | None = None
        self._names: list[str] = []

    @property
    def __signature__(self) -> inspect.Signature:
        if self._signature is None:
            signature = inspect.signature(self.command, eval_str=True)
            own = [p for p in signature.parameters.values() if p.name != "opts"]
            after = _after_parameters(aws=self.aws, short_file=self.short_file)
            self._names = [p.name for p in after]
            context = inspect.Parameter(_CONTEXT, inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)
            self._signature = signature.replace(parameters=[*own, *after, context])
        return self._signature

    @property
    def __annotations__(self) -> dict[str, Any]:  # type: ignore[override]
        return {p.name: p.annotation for p in self.__signature__.parameters.values()}

    def __call__(self, **kwargs: Any) -> Any:
        self.__signature__  # noqa: B018 - makes self._names
        local = {name: kwargs.pop(name, None) for name in self._names}
        if self.aws and local.get("profile"):
            # Earlier versions read `up --profile X` as the AWS profile: never switch it silently.
            msg = (
                "--profile after the command was the AWS profile in earlier versions: give the AWS "
                "profile as --aws-profile, and compose profiles before the command "
                f"(`compose2ecs --profile {local['profile'][0]} COMMAND ...`)"
            )
            raise UsageError(msg)
        root = kwargs.pop(_CONTEXT).find_root().obj
        before = root if isinstance(root, Options) else Options()
        return self.command(opts=merged(before, local), **kwargs)


def with_project(*, aws: bool, short_file: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give the command the shared options after its own, and call it with `opts: Options`."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        return _WithProject(command, aws=aws, short_file=short_file)

    return decorate


# The root callback's options that take a value: what `_app_for` skips to find the command.
VALUE_OPTIONS = frozenset(decl for _, decls, _ in {**_PROJECT, **_AWS}.values() for decl in decls)
