"""ecs-cli's spellings and files, for teams moving from it without retyping their scripts.

`compose2ecs compose service up --cluster-config tutorial --ecs-profile tutorial-profile` runs
`compose2ecs up` with the cluster, region and credentials of those `ecs-cli configure` entries,
and says once, on stderr, how to spell it from now on. `~/.ecs/config` (its default cluster
configuration) also supplies the cluster and region when nothing else names them.

Standalone tasks (`compose up`, `compose start`) become a service here: compose2ecs keeps the
project running as an ECS service. What ecs-cli did that compose2ecs does another way (EC2,
deployment percentages, load balancer flags) is refused with where it goes instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from compose2ecs.errors import UsageError
from compose2ecs.load.ecs_cli_config import EcsProfile, cluster_config, ecs_profile

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

HELP = """\
Usage: compose2ecs compose [ECS-CLI FLAGS] [service] SUBCOMMAND [ARGS]...

  ecs-cli's `compose` commands, run as the matching compose2ecs command; each says once, on
  stderr, how to spell it from now on (docs/ecs-cli.md).

  compose service up | create | start     compose2ecs up
  compose service ps | list               compose2ecs ps -a
  compose service scale N                 compose2ecs scale N
  compose service stop                    compose2ecs scale 0
  compose service rm | delete | down      compose2ecs down
  compose up | create | start             compose2ecs up
  compose ps | scale N | stop | down      compose2ecs ps -a | scale N | down | down
  logs --task-id ID [--follow] [--since MINUTES]
                                          compose2ecs logs [-f] [--since Nm]

  Flags: --file/-f, --project-name/-p, --ecs-params, --cluster/-c, --region/-r, --aws-profile,
  --cluster-config NAME and --ecs-profile NAME (~/.ecs/config and ~/.ecs/credentials),
  --timeout MINUTES, --force-deployment; --create-log-groups and --launch-type FARGATE are
  accepted and need nothing.
"""

# compose-level flags that take a value -> the compose2ecs option (None: read here, not passed on)
_COMPOSE_VALUE_FLAGS = {
    "--file": "--file",
    "-f": "--file",
    "--project-name": "--project-name",
    "-p": "--project-name",
    "--ecs-params": "--ecs-params",
    "--cluster": "--cluster",
    "-c": "--cluster",
    "--region": "--region",
    "-r": "--region",
    "--aws-profile": "--aws-profile",
    "--cluster-config": None,
    "--ecs-profile": None,
}
_IGNORED_SWITCHES = {
    "--create-log-groups": "compose2ecs always creates the log groups the containers use",
    "--verbose": "",
    "--debug": "",
}
_REFUSED = {
    "--target-groups": "list them under run_params.target_groups in ecs-params.yml "
    "(target_group_arn, container_name, container_port)",
    "--target-group-arn": "list it under run_params.target_groups in ecs-params.yml",
    "--load-balancer-name": "classic load balancers are not supported",
    "--container-name": "give it as container_name under run_params.target_groups in ecs-params.yml",
    "--container-port": "give it as container_port under run_params.target_groups in ecs-params.yml",
    "--deployment-max-percent": "set run_params.deployment.maximum_percent in ecs-params.yml",
    "--deployment-min-healthy-percent": "set run_params.deployment.minimum_healthy_percent in ecs-params.yml",
    "--tags": "set them under `tags:` in ecs-params.yml (on everything compose2ecs creates)",
    "--task-role-arn": "set task_definition.task_role_arn in ecs-params.yml",
    "--registry-creds": "give private registry credentials as repository_credentials in ecs-params.yml",
}
# ecs-cli subcommand -> the compose2ecs command line it becomes
_SERVICE = {
    "up": ["up"],
    "create": ["up"],
    "start": ["up"],
    "ps": ["ps", "-a"],
    "list": ["ps", "-a"],
    "scale": ["scale"],
    "stop": ["scale", "0"],
    "rm": ["down"],
    "delete": ["down"],
    "down": ["down"],
}
_TASKS = {
    "up": ["up"],
    "create": ["up"],
    "start": ["up"],
    "ps": ["ps", "-a"],
    "list": ["ps", "-a"],
    "scale": ["scale"],
    "stop": ["down"],
    "down": ["down"],
}


class Translation(NamedTuple):
    argv: list[str]  # the compose2ecs command line
    hint: str  # the spelling to use from now on (credentials never in it)
    credentials: EcsProfile | None = None
    profile: str | None = None  # the --ecs-profile named, for the hint (never its keys)


class _Common:
    """What every ecs-cli command line carries the same way, wherever the flag is given.

    Files and names (passed on before the command), `--ecs-params` (an option of the command in
    compose2ecs), the cluster configuration and credentials profile (read here), switches that
    need nothing.
    """

    def __init__(self, command: str) -> None:
        self.command = command
        self.before: list[str] = []
        self.params: list[str] = []
        self.cluster_name: str | None = None
        self.profile_name: str | None = None

    def take(self, flag: str, value: str | None) -> bool:
        """Handle `flag` if it is a common one; False for the caller's own."""
        if flag in _COMPOSE_VALUE_FLAGS and value is None:
            raise UsageError(f"ecs-cli's {flag} needs a value")
        if flag == "--cluster-config":
            self.cluster_name = value
        elif flag == "--ecs-profile":
            self.profile_name = value
        elif flag == "--ecs-params":
            self.params.extend([flag, str(value)])
        elif flag in _COMPOSE_VALUE_FLAGS:
            self.before.extend(_passed(flag, value))
        elif flag not in _IGNORED_SWITCHES:
            return False
        return True

    def refuse(self, flag: str) -> UsageError:
        if flag in _REFUSED:
            return UsageError(f"ecs-cli's {flag} is not taken over: {_REFUSED[flag]}")
        return UsageError(
            f"ecs-cli's {flag} has no compose2ecs equivalent; see `compose2ecs {self.command} --help`"
        )

    def finished(self, environ: Mapping[str, str], command: list[str], given: Sequence[str]) -> Translation:
        """The translation, with the cluster and region of an explicit --cluster-config.

        As in ecs-cli, the flag wins over the environment (COMPOSE2ECS_CLUSTER, AWS_REGION), and
        options given on the command line win over it. The default configuration, named by no flag,
        is applied later and yields to the environment (cli.main._with_ecs_cli_defaults).
        """
        before = list(self.before)
        config = cluster_config(environ, self.cluster_name) if self.cluster_name else {}
        named = {*before, *(a.split("=", 1)[0] for a in given)}
        if not {"--cluster", "-c"} & named and config.get("cluster"):
            before.extend(["--cluster", config["cluster"]])
        if not {"--region", "-r"} & named and config.get("region"):
            before.extend(["--region", config["region"]])
        credentials = ecs_profile(environ, self.profile_name) if self.profile_name else None
        argv = [*before, *command]
        return Translation(argv, "compose2ecs " + " ".join(argv), credentials, self.profile_name)


def translate(args: list[str], environ: Mapping[str, str], given: Sequence[str] = ()) -> Translation | None:
    """An ecs-cli command line (`compose ...`, `logs --task-id ...`) as compose2ecs's; else None.

    `given`: what came before it on the command line (compose2ecs's own options), which wins.
    """
    if args[:1] == ["logs"] and any(a == "--task-id" or a.startswith("--task-id=") for a in args):
        return _logs(args[1:], environ, given)
    if not args or args[0] != "compose":
        return None
    rest = args[1:]
    compose_level = _Common("compose")
    index = 0
    while index < len(rest) and rest[index].startswith("-"):
        flag, value, index = _flag(rest, index)
        if not compose_level.take(flag, value):
            raise compose_level.refuse(flag)
    if index >= len(rest):
        raise UsageError("compose: name a subcommand, e.g. `compose service up`")
    service = rest[index] == "service"
    table = _SERVICE if service else _TASKS
    sub = rest[index + 1 : index + 2] if service else rest[index : index + 1]
    if not sub or sub[0] not in table:
        spelled = " ".join(rest[index : index + 2])
        raise UsageError(
            f"ecs-cli's `compose {spelled}` has no compose2ecs equivalent (known: {', '.join(sorted(table))})"
        )
    command = list(table[sub[0]])
    common = compose_level  # the same flags may come after the subcommand too
    common.command = command[0]
    after = _command_flags(rest[index + (2 if service else 1) :], command[0], common)
    return common.finished(environ, [*command, *common.params, *after], given)


def _command_flags(tail: list[str], command: str, common: _Common) -> list[str]:
    """The subcommand's arguments and flags, as compose2ecs options after the command."""
    after: list[str] = []
    position = 0
    while position < len(tail):
        item = tail[position]
        if not item.startswith("-"):
            after.append(item)
            position += 1
            continue
        flag, value, position = _flag(tail, position)
        if value is None and flag in {"--timeout", "--launch-type"}:
            raise UsageError(f"ecs-cli's {flag} needs a value")
        if common.take(flag, value) or flag == "--desired-status":
            continue  # --desired-status: `ps -a` shows running and stopped tasks alike
        if flag == "--timeout":
            after.extend(_timeout(command, value))
        elif flag == "--launch-type":
            if (value or "").upper() != "FARGATE":
                raise UsageError(f"--launch-type {value}: compose2ecs deploys to Fargate only")
        elif flag in {"--force-deployment", "--force-update", "-u"}:
            if command != "up":
                raise UsageError(f"ecs-cli's {flag} goes with `service up`")
            after.append("--force-new-deployment")
        else:
            raise common.refuse(flag)
    return after


_LOGS_VALUE_FLAGS = frozenset(
    {
        "--task-id",
        "--task-def",
        "--since",
        "--container-name",
        "--filter-pattern",
        "--start-time",
        "--end-time",
    }
)


def _flag(items: list[str], index: int, own: frozenset[str] = frozenset()) -> tuple[str, str | None, int]:
    """(flag, its value or None, the next index): `--x=v`, `--x v` for value flags, or a switch."""
    item = items[index]
    if "=" in item and item.startswith("--"):
        flag, value = item.split("=", 1)
        return flag, value, index + 1
    takes_value = (
        item in _COMPOSE_VALUE_FLAGS
        or item in own
        or item in {"--timeout", "--launch-type", "--desired-status"}
        or item in _REFUSED
    )
    if takes_value and index + 1 < len(items):
        return item, items[index + 1], index + 2
    return item, None, index + 1


def _passed(flag: str, value: str | None) -> list[str]:
    option = _COMPOSE_VALUE_FLAGS[flag]
    if option is None or value is None:
        return []
    return [option, value]


def _timeout(command: str, minutes: str | None) -> list[str]:
    """ecs-cli's --timeout is in minutes; compose2ecs's in seconds."""
    try:
        value = float(minutes or "")
    except ValueError:
        raise UsageError(f"--timeout {minutes}: give the minutes to wait, as ecs-cli does") from None
    if command not in {"up", "scale", "down"}:
        return []
    if value == 0:
        return ["--no-wait"]  # ecs-cli: 0 returns at once
    return ["--timeout", f"{value * 60:g}"]


def _logs(args: list[str], environ: Mapping[str, str], given: Sequence[str] = ()) -> Translation:
    """`ecs-cli logs --task-id ID [--follow] [--since MINUTES] [--container-name C] [-t]`.

    compose2ecs prints every task's lines, each prefixed with its container and task id, so the
    task id is not needed (nor kept); `--since` is in minutes in ecs-cli.
    """
    common = _Common("logs")
    after: list[str] = []
    index = 0
    while index < len(args):
        flag, value, index = _flag(args, index, _LOGS_VALUE_FLAGS)
        if flag in {"--task-id", "--task-def"} or common.take(flag, value):
            continue
        if flag == "--follow":
            after.append("--follow")
        elif flag in {"--timestamps", "-t"}:
            after.append("--timestamps")
        elif flag == "--since":
            after.extend(["--since", f"{value}m"])
        elif flag == "--start-time":
            after.extend(["--since", str(value)])
        elif flag == "--container-name":
            after.append(str(value))
        else:
            raise common.refuse(flag)
    return common.finished(environ, ["logs", *common.params, *after], given)
