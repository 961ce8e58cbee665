"""ecs-params.yml: ecs-cli's version-1 schema plus compose2ecs additions, validated strictly.

ecs-cli decoded this file non-strictly, so a misspelt key (`memory_limit`) was silently ignored
(ecs-cli issue #982). Here every unknown key, wrong type and bad value is an error, and all of
them are reported at once, each at the line and column of the key that holds it. Values come out
in the units ECS wants (CPU units, MiB, seconds); whether they suit Fargate is checked later.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from compose2ecs.errors import InputError, Location, Path, Problem
from compose2ecs.load.project import Reader, read_input
from compose2ecs.load.schema import suggestion
from compose2ecs.load.yamlfile import YamlError, deep_nesting, find_alias_cycle, go_scalar, load_plain, locate
from compose2ecs.model import (
    AutoscalingParams,
    AwsvpcParams,
    CapacityProviderItem,
    ContainerDependency,
    ContainerParams,
    DeploymentParams,
    DockerVolume,
    EcsParams,
    EfsVolume,
    FirelensParams,
    HealthCheckParams,
    HealthcheckParams,
    LoadBalancerParams,
    PlacementItem,
    PortParams,
    SecretRef,
    TargetGroupRef,
    VolumeParams,
)
from compose2ecs.values import go_sprint, parse_bytes, parse_duration

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

ECS_PARAMS_FILE = "ecs-params.yml"
CODE = "ecs-params"

LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
OS_FAMILIES = (
    "LINUX",
    "WINDOWS_SERVER_2019_FULL",
    "WINDOWS_SERVER_2019_CORE",
    "WINDOWS_SERVER_2016_FULL",
    "WINDOWS_SERVER_2004_CORE",
    "WINDOWS_SERVER_2022_CORE",
    "WINDOWS_SERVER_2022_FULL",
    "WINDOWS_SERVER_2025_CORE",
    "WINDOWS_SERVER_2025_FULL",
    "WINDOWS_SERVER_20H2_CORE",
)
_ARCHITECTURES = {"x86_64": "X86_64", "amd64": "X86_64", "arm64": "ARM64"}
_ENABLED_DISABLED = ("ENABLED", "DISABLED")
_MIB = 1 << 20
_SECOND_NS = 1_000_000_000
_MAX_TAGS = 50
_MAX_PORT = 65535
_DAY = 86400  # seconds
_MAX_TAG_KEY = 128
_MAX_TAG_VALUE = 256
_MAX_SUBNETS = 16
_MAX_SECURITY_GROUPS = 5
_ECHO_LIMIT = 60

# Strings, not compiled patterns: the re module compiles them on first use, not at start-up.
_CPU_VCPU = r"(?i)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*vcpu"
_MEMORY = r"(?i)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*(gb|gib|mb|mib)"
_CPU_FORMS = 'CPU units as an integer (256, "1024") or vCPUs ("1 vCPU", ".25 vcpu")'
_MEMORY_FORMS = 'MiB as an integer (512, "2048") or with a unit ("0.5GB", "2 GB", "512 MiB")'
_BYTE_FORMS = 'docker units: "512m", "1g", "0.5GB" (a bare number means bytes)'
_DURATION_FORMS = 'a Go duration ("30s", "1m30s", "500ms") or whole seconds (30)'

_TOP_KEYS = (
    "version",
    "task_definition",
    "run_params",
    "log_retention_days",
    "tags",
    "allow_broad_trust_policy",
)
_TASK_KEYS = (
    "ecs_network_mode",
    "task_role_arn",
    "task_execution_role",
    "task_size",
    "pid_mode",
    "ipc_mode",
    "services",
    "docker_volumes",
    "efs_volumes",
    "volumes",
    "placement_constraints",
    "os_family",
    "runtime_platform",
    "ephemeral_storage",
)
_CONTAINER_KEYS = (
    "essential",
    "cpu_shares",
    "mem_limit",
    "mem_reservation",
    "gpu",
    "init_process_enabled",
    "healthcheck",
    "secrets",
    "logging",
    "firelens_configuration",
    "repository_credentials",
    "depends_on",
    "secret_variables",
)
_HEALTHCHECK_KEYS = ("test", "command", "interval", "timeout", "start_period", "retries")
_RUN_KEYS = (
    "network_configuration",
    "task_placement",
    "service_discovery",
    "layout",
    "desired_count",
    "platform_version",
    "launch_type",
    "capacity_provider_strategy",
    "deployment",
    "enable_execute_command",
    "service_connect",
    "ports",
    "target_groups",
    "autoscaling",
    "load_balancer",
)
_AUTOSCALING_KEYS = (
    "min", "max", "cpu", "memory", "requests_per_target", "scale_in_cooldown", "scale_out_cooldown",
)  # fmt: skip
_MAX_TASKS = 5000  # ECS's limit of tasks per service
_TARGET_GROUP_KEYS = ("target_group_arn", "container_name", "container_port")
_PORT_KEYS = (
    "public",
    "load_balancer",
    "certificate_arn",
    "redirect_from",
    "stickiness",
    "health_check",
    "listener_arn",
    "hosts",
    "paths",
    "priority",
    "scheme",
)
_SCHEMES = ("internet-facing", "internal")
_RULE_KEYS = ("hosts", "paths", "priority")
# A listener rule's conditions may hold five values in all ("Quotas for your Application Load Balancers").
_MAX_RULE_VALUES = 5
_MAX_PRIORITY = 50000
_MAX_PATTERN = 128
_PORT_HEALTH_KEYS = ("path", "matcher", "interval", "timeout", "healthy_threshold", "unhealthy_threshold")


class _Expanded(str):
    """A string that held `$` references and was expanded.

    ecs-cli expanded the file before YAML parsing, so a plain `count: $N` was an int for N=3;
    readers of ints and booleans resolve these the same way.
    """

    __slots__ = ()


# ---------------------------------------------------------------------------------------------
# Interpolation


def _is_name_char(char: str) -> bool:
    return char == "_" or ("0" <= char <= "9") or ("a" <= char <= "z") or ("A" <= char <= "Z")


def _shell_name(rest: str) -> tuple[str, int]:
    """Go's os.getShellName: the name after `$` and how many characters it used."""
    special = "*#$@!?-0123456789"
    if rest[0] == "{":
        if len(rest) > 2 and rest[1] in special and rest[2] == "}":  # noqa: PLR2004 - "${x}" lengths
            return rest[1], 3
        close = rest.find("}", 1)
        if close == 1:
            return "", 2  # "${}": bad syntax, eaten
        if close < 0:
            return "", 1  # "${" never closed: bad syntax, "${" eaten
        return rest[1:close], close + 1
    if rest[0] in special:
        return rest[0], 1
    end = 0
    while end < len(rest) and _is_name_char(rest[end]):
        end += 1
    return rest[:end], end


def expand(text: str, environ: Mapping[str, str]) -> str:
    """Go's os.ExpandEnv: `$VAR` and `${VAR}` from environ, unset ones as "".

    Go's quirks are kept on purpose so that an ecs-cli file means the same thing: `$$` and `$1`
    look up the variables "$" and "1" (normally unset, so ""), `${A:-b}` looks up "A:-b" (no
    defaults), a `$` before anything else (or at the end) stays, and `${}` / an unclosed `${`
    are dropped. The one deliberate difference: ecs-cli expanded the whole file text before
    parsing it, we expand each parsed string value, so a value cannot change the YAML structure,
    keys are never expanded, and line numbers stay true.
    """
    if "$" not in text:
        return text
    out: list[str] = []
    start = 0
    index = 0
    while index < len(text):
        if text[index] == "$" and index + 1 < len(text):
            out.append(text[start:index])
            name, width = _shell_name(text[index + 1 :])
            if name:
                out.append(environ.get(name, ""))
            elif not width:
                out.append("$")
            index += width
            start = index + 1
        index += 1
    out.append(text[start:])
    return "".join(out)


def _interpolate(value: Any, environ: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        return {key: _interpolate(item, environ) for key, item in value.items()}
    if isinstance(value, list):
        return [_interpolate(item, environ) for item in value]
    if isinstance(value, str) and "$" in value:
        expanded = expand(value, environ)
        if expanded == value:
            return value
        # `key: $UNSET` was `key: ` for ecs-cli, i.e. null: the key counts as not set.
        return _Expanded(expanded) if expanded else None
    return value


# ---------------------------------------------------------------------------------------------
# Checking: every reader records its problems and returns None (or an empty value) on error.


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _echo(value: Any) -> str:
    """A short quoted copy of a user value for a message (only used for enum-like values)."""
    text = go_sprint(value) if not isinstance(value, str) else value
    if len(text) > _ECHO_LIMIT:
        text = text[: _ECHO_LIMIT - 3] + "..."
    return f'"{text}"'


def _closest(word: str, choices: Sequence[str]) -> str | None:
    # As the compose schema suggests keys, plus a case-insensitive second try (ecs-cli was lenient).
    matches = [found] if (found := suggestion(word, tuple(choices))) else []
    if not matches:
        import difflib  # noqa: PLC0415 - only a misspelt key needs it

        lowered = {choice.lower(): choice for choice in choices}
        matches = [lowered[m] for m in difflib.get_close_matches(word.lower(), list(lowered), n=1)]
    return matches[0] if matches else None


_YAML11_BOOLEANS = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "off", "Off", "OFF"), False),
}


def _resolved(value: Any) -> Any:
    """The value ecs-cli would have seen for a plain scalar that held `$` references."""
    return go_scalar(str(value)) if isinstance(value, _Expanded) else value


class _Checker:
    """Collects the problems of one ecs-params file, each located in its text."""

    __slots__ = ("filename", "problems", "text")

    def __init__(self, text: str, filename: str) -> None:
        self.text = text
        self.filename = filename
        self.problems: list[Problem] = []

    def error(self, path: Path, message: str, hint: str = "") -> None:
        found = locate(self.text, self.filename, path)
        location = found[0] if found else Location(self.filename)
        self.problems.append(Problem(message, location=location, path=path, code=CODE, hint=hint))

    def wrong_type(self, value: Any, path: Path, expected: str, hint: str = "") -> None:
        self.error(path, f"expected {expected}, got {_kind(value)}", hint)

    def mapping(self, value: Any, path: Path, keys: Sequence[str]) -> dict[str, Any]:
        """The known keys of the mapping at `path` ({} when absent); unknown keys are reported."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.wrong_type(value, path, "a mapping")
            return {}
        out: dict[str, Any] = {}
        for key, item in value.items():
            name = key if isinstance(key, str) else go_sprint(key)
            if name in keys:
                out[name] = item
                continue
            guess = _closest(name, keys)
            message = f'unknown key (did you mean "{guess}"?)' if guess else "unknown key"
            self.error((*path, name), message, "the keys allowed here are " + ", ".join(keys))
        return out

    def items(self, value: Any, path: Path) -> list[tuple[Path, Any]]:
        """(path, item) for each element of the list at `path` ([] when absent)."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.wrong_type(value, path, "a list")
            return []
        return [((*path, index), item) for index, item in enumerate(value)]

    def string(self, value: Any, path: Path, *, required: bool = False) -> str | None:
        if value is None:
            if required:
                self.error(path, "is required", f"add {path[-1]}: <value>")
            return None
        if isinstance(value, str):
            return str(value)
        hint = (
            "put the value in quotes"
            if isinstance(value, int | float) and not isinstance(value, bool)
            else ""
        )
        self.wrong_type(value, path, "a string", hint)
        return None

    def scalar_string(self, value: Any, path: Path) -> str | None:
        """A string, where YAML numbers and booleans are taken as the text they print as."""
        if isinstance(value, bool | int | float):
            return go_sprint(value)
        return self.string(value, path)

    def integer(self, value: Any, path: Path, low: int | None = None, high: int | None = None) -> int | None:
        value = _resolved(value)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            hint = "write the number without quotes" if isinstance(value, str) and value.isdigit() else ""
            self.wrong_type(value, path, "an integer", hint)
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            if high is None:
                bounds = f"at least {low}"
            elif low is None:
                bounds = f"at most {high}"
            else:
                bounds = f"between {low} and {high}"
            self.error(path, f"must be {bounds}, got {value}")
            return None
        return value

    def boolean(self, value: Any, path: Path) -> bool | None:
        value = _resolved(value)
        if value is None or isinstance(value, bool):
            return value
        # ecs-cli read this file with go-yaml v2, whose YAML 1.1 booleans include yes/no/on/off.
        if isinstance(value, str) and value in _YAML11_BOOLEANS:
            return _YAML11_BOOLEANS[value]
        self.wrong_type(value, path, "true or false", "use true or false")
        return None

    def choice(
        self,
        value: Any,
        path: Path,
        choices: Sequence[str],
        aliases: Mapping[str, str] | None = None,
        hint: str = "",
    ) -> str | None:
        """One of `choices`, matched case-insensitively and returned in its canonical spelling."""
        if value is None:
            return None
        if not isinstance(value, str):
            self.wrong_type(value, path, "one of " + ", ".join(choices))
            return None
        canonical = {choice.lower(): choice for choice in choices}
        canonical.update({alias.lower(): target for alias, target in (aliases or {}).items()})
        found = canonical.get(value.strip().lower())
        if found is not None:
            return found
        guess = _closest(value, choices)
        self.error(
            path,
            f"must be one of {', '.join(choices)}, got {_echo(value)}",
            f'did you mean "{guess}"?' if guess else hint,
        )
        return None

    def string_list(self, value: Any, path: Path) -> tuple[str, ...] | None:
        if value is None:
            return None
        if not isinstance(value, list):
            self.wrong_type(value, path, "a list of strings")
            return None
        out = [self.string(item, item_path, required=True) for item_path, item in self.items(value, path)]
        return tuple(item for item in out if item is not None)

    def string_map(self, value: Any, path: Path) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.wrong_type(value, path, "a mapping of strings")
            return {}
        out: dict[str, str] = {}
        for key, item in value.items():
            name = key if isinstance(key, str) else go_sprint(key)
            text = self.scalar_string(item, (*path, name)) if item is not None else None
            if item is None:
                self.wrong_type(item, (*path, name), "a string", 'write "" for an empty value')
            if text is not None:
                out[name] = text
        return out


# ---------------------------------------------------------------------------------------------
# Units


def _cpu_units(check: _Checker, value: Any, path: Path) -> str | None:
    value = _resolved(value)
    if value is None:
        return None
    # Floats are exact here: vCPU and GB counts are short decimals times 1024.
    units: float | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        units = float(value)
    elif isinstance(value, str):
        text = value.strip()
        match = re.fullmatch(_CPU_VCPU, text)
        if text.isdigit():
            units = float(text)
        elif match:
            units = float(match.group(1)) * 1024
    if units is None:
        hint = f'write "{go_sprint(value)} vCPU" for vCPUs' if isinstance(value, float) else ""
        check.error(path, f"invalid CPU size {_echo(value)}: use {_CPU_FORMS}", hint)
        return None
    if not units.is_integer() or units <= 0:
        check.error(path, f"{_echo(value)} is not a positive whole number of CPU units (1 vCPU = 1024)")
        return None
    return str(int(units))


def _memory_mib(check: _Checker, value: Any, path: Path) -> str | None:
    value = _resolved(value)
    if value is None:
        return None
    mib: float | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        mib = float(value)
    elif isinstance(value, str):
        text = value.strip()
        match = re.fullmatch(_MEMORY, text)
        if text.isdigit():
            mib = float(text)
        elif match:
            factor = 1024 if match.group(2).lower().startswith("g") else 1
            mib = float(match.group(1)) * factor
    if mib is None:
        hint = f'write "{go_sprint(value)}GB" for gigabytes' if isinstance(value, float) else ""
        check.error(path, f"invalid memory size {_echo(value)}: use {_MEMORY_FORMS}", hint)
        return None
    if not mib.is_integer() or mib <= 0:
        check.error(path, f"{_echo(value)} is not a positive whole number of MiB")
        return None
    return str(int(mib))


def _container_mib(check: _Checker, value: Any, path: Path) -> int | None:
    """Docker byte units floored to MiB, as ecs-cli did; a bare number is bytes (ecs-cli #727)."""
    value = _resolved(value)
    if value is None:
        return None
    try:
        size = parse_bytes(value)
    except ValueError:
        check.error(path, f"invalid size {_echo(value)}: use {_BYTE_FORMS}")
        return None
    mib = size // _MIB
    if mib < 1:
        bare = str(value).strip()
        hint = f'write "{bare}m" for {bare} MiB' if bare.isdigit() and int(bare) > 0 else f"use {_BYTE_FORMS}"
        check.error(path, f"{size} bytes is less than 1 MiB: a bare number means bytes here", hint)
        return None
    return mib


def _seconds(check: _Checker, value: Any, path: Path) -> int | None:
    """A Go duration or integer seconds, rounded up to whole seconds."""
    value = _resolved(value)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        nanos = value * _SECOND_NS
    elif isinstance(value, str) and value.strip().isdigit():
        nanos = int(value.strip()) * _SECOND_NS
    elif isinstance(value, str):
        try:
            nanos = parse_duration(value.strip())
        except ValueError as exc:
            check.error(path, f"{exc}: use {_DURATION_FORMS}")
            return None
    else:
        check.wrong_type(value, path, _DURATION_FORMS)
        return None
    if nanos < 0:
        check.error(path, f"must not be negative, got {_echo(value)}")
        return None
    return -(-nanos // _SECOND_NS)


# ---------------------------------------------------------------------------------------------
# task_definition


def _secret_refs(check: _Checker, value: Any, path: Path) -> tuple[SecretRef, ...]:
    refs = []
    for item_path, item in check.items(value, path):
        entry = check.mapping(item, item_path, ("value_from", "name"))
        if not isinstance(item, dict):
            continue
        name = check.string(entry.get("name"), (*item_path, "name"), required=True)
        value_from = check.string(entry.get("value_from"), (*item_path, "value_from"), required=True)
        if name is not None and value_from is not None:
            refs.append(SecretRef(name=name, value_from=value_from))
    return tuple(refs)


def _healthcheck(check: _Checker, value: Any, path: Path) -> HealthcheckParams | None:
    if value is None:
        return None
    entry = check.mapping(value, path, _HEALTHCHECK_KEYS)
    command: tuple[str, ...] | None = None
    if "test" in entry and "command" in entry:
        check.error((*path, "command"), "test and command are the same setting", "keep only one of them")
    key = "test" if "test" in entry else "command"
    raw = entry.get(key)
    if isinstance(raw, list):
        command = check.string_list(raw, (*path, key))
    elif raw is not None:
        text = check.string(raw, (*path, key))
        command = ("CMD-SHELL", text) if text is not None else None
    return HealthcheckParams(
        command=command,
        interval=_seconds(check, entry.get("interval"), (*path, "interval")),
        timeout=_seconds(check, entry.get("timeout"), (*path, "timeout")),
        retries=check.integer(entry.get("retries"), (*path, "retries"), low=0),
        start_period=_seconds(check, entry.get("start_period"), (*path, "start_period")),
    )


def _firelens(check: _Checker, value: Any, path: Path) -> FirelensParams | None:
    if value is None:
        return None
    entry = check.mapping(value, path, ("type", "options"))
    kind = check.choice(entry.get("type"), (*path, "type"), ("fluentd", "fluentbit"))
    options = check.string_map(entry.get("options"), (*path, "options"))
    if isinstance(value, dict) and entry.get("type") is None:
        check.error((*path, "type"), "is required", "add type: fluentbit (or fluentd)")
    return FirelensParams(type=kind, options=options) if kind else None


def _dependencies(check: _Checker, value: Any, path: Path) -> tuple[ContainerDependency, ...]:
    out = []
    for item_path, item in check.items(value, path):
        entry = check.mapping(item, item_path, ("container_name", "condition"))
        if not isinstance(item, dict):
            continue
        name = check.string(entry.get("container_name"), (*item_path, "container_name"), required=True)
        condition = check.choice(
            entry.get("condition"), (*item_path, "condition"), ("START", "COMPLETE", "SUCCESS", "HEALTHY")
        )
        if entry.get("condition") is None:
            check.error((*item_path, "condition"), "is required", "add condition: START")
        if name is not None and condition is not None:
            out.append(ContainerDependency(container_name=name, condition=condition))
    return tuple(out)


def _container(check: _Checker, value: Any, path: Path) -> ContainerParams:
    entry = check.mapping(value, path, _CONTAINER_KEYS)
    logging = check.mapping(entry.get("logging"), (*path, "logging"), ("secret_options",))
    credentials = check.mapping(
        entry.get("repository_credentials"), (*path, "repository_credentials"), ("credentials_parameter",)
    )
    return ContainerParams(
        essential=check.boolean(entry.get("essential"), (*path, "essential")),
        cpu_shares=check.integer(entry.get("cpu_shares"), (*path, "cpu_shares"), low=0),
        mem_limit=_container_mib(check, entry.get("mem_limit"), (*path, "mem_limit")),
        mem_reservation=_container_mib(check, entry.get("mem_reservation"), (*path, "mem_reservation")),
        gpu=check.scalar_string(_resolved(entry.get("gpu")), (*path, "gpu")),
        init_process_enabled=check.boolean(
            entry.get("init_process_enabled"), (*path, "init_process_enabled")
        ),
        healthcheck=_healthcheck(check, entry.get("healthcheck"), (*path, "healthcheck")),
        secrets=_secret_refs(check, entry.get("secrets"), (*path, "secrets")),
        log_secret_options=_secret_refs(
            check, logging.get("secret_options"), (*path, "logging", "secret_options")
        ),
        firelens=_firelens(check, entry.get("firelens_configuration"), (*path, "firelens_configuration")),
        repository_credentials=check.string(
            credentials.get("credentials_parameter"),
            (*path, "repository_credentials", "credentials_parameter"),
        ),
        depends_on=_dependencies(check, entry.get("depends_on"), (*path, "depends_on")),
        secret_variables=MappingProxyType(
            check.string_map(entry.get("secret_variables"), (*path, "secret_variables"))
        ),
    )


def _containers(check: _Checker, value: Any, path: Path) -> dict[str, ContainerParams]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        check.wrong_type(value, path, "a mapping of compose service names to settings")
        return {}
    containers = {}
    for key, item in value.items():
        name = key if isinstance(key, str) else go_sprint(key)
        containers[name] = _container(check, item, (*path, name))
    return containers


def _docker_volumes(check: _Checker, value: Any, path: Path) -> tuple[DockerVolume, ...]:
    keys = ("name", "scope", "autoprovision", "driver", "driver_opts", "labels")
    out = []
    for item_path, item in check.items(value, path):
        entry = check.mapping(item, item_path, keys)
        if not isinstance(item, dict):
            continue
        name = check.string(entry.get("name"), (*item_path, "name"), required=True)
        volume = DockerVolume(
            name=name or "",
            scope=check.choice(entry.get("scope"), (*item_path, "scope"), ("task", "shared")),
            autoprovision=check.boolean(entry.get("autoprovision"), (*item_path, "autoprovision")),
            driver=check.string(entry.get("driver"), (*item_path, "driver")),
            driver_opts=check.string_map(entry.get("driver_opts"), (*item_path, "driver_opts")),
            labels=check.string_map(entry.get("labels"), (*item_path, "labels")),
        )
        if name is not None:
            out.append(volume)
    return tuple(out)


def _efs_volume(check: _Checker, item: dict[str, Any], path: Path) -> EfsVolume | None:
    keys = (
        "name",
        "filesystem_id",
        "root_directory",
        "transit_encryption",
        "transit_encryption_port",
        "access_point",
        "iam",
    )
    entry = check.mapping(item, path, keys)
    name = check.string(entry.get("name"), (*path, "name"), required=True)
    filesystem_id = check.string(entry.get("filesystem_id"), (*path, "filesystem_id"), required=True)
    volume = EfsVolume(
        name=name or "",
        filesystem_id=filesystem_id or "",
        root_directory=check.string(entry.get("root_directory"), (*path, "root_directory")),
        transit_encryption=check.choice(
            entry.get("transit_encryption"), (*path, "transit_encryption"), _ENABLED_DISABLED
        ),
        transit_encryption_port=check.integer(
            entry.get("transit_encryption_port"), (*path, "transit_encryption_port"), low=1, high=65535
        ),
        access_point=check.string(entry.get("access_point"), (*path, "access_point")),
        iam=check.choice(entry.get("iam"), (*path, "iam"), _ENABLED_DISABLED),
    )
    needs_tls = volume.iam == "ENABLED" or volume.access_point is not None
    if needs_tls and entry.get("transit_encryption") is None:
        check.error(
            path,
            "iam: ENABLED and access_point need transit encryption",
            "add transit_encryption: ENABLED",
        )
    elif needs_tls and volume.transit_encryption == "DISABLED":
        check.error(
            (*path, "transit_encryption"),
            "must be ENABLED when iam is ENABLED or an access_point is set",
            "write transit_encryption: ENABLED",
        )
    if volume.access_point is not None and (volume.root_directory or "/") != "/":
        # The access point fixes the directory; ECS refuses any other rootDirectory.
        check.error(
            (*path, "root_directory"),
            "must be / or absent with an access_point",
            "set the directory on the access point and remove root_directory",
        )
    return volume if name is not None and filesystem_id is not None else None


def _efs_volumes(check: _Checker, value: Any, path: Path) -> tuple[EfsVolume, ...]:
    out = []
    for item_path, item in check.items(value, path):
        if not isinstance(item, dict):
            check.wrong_type(item, item_path, "a mapping")
            continue
        volume = _efs_volume(check, item, item_path)
        if volume is not None:
            out.append(volume)
    return tuple(out)


_POSIX_ID_MAX = 4294967295  # EFS's bound for an access point's uid and gid
_OCTAL = frozenset("01234567")


def _volume_choices(check: _Checker, value: Any, path: Path) -> Mapping[str, VolumeParams]:
    """`task_definition.volumes.<compose volume>`: storage (efs | task), uid, gid, permissions."""
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, dict):
        check.wrong_type(value, path, "a mapping of compose volume names to settings")
        return MappingProxyType({})
    out = {}
    for key, item in value.items():
        name = key if isinstance(key, str) else go_sprint(key)
        at = (*path, name)
        entry = check.mapping(item, at, ("storage", "uid", "gid", "permissions"))
        permissions = check.string(entry.get("permissions"), (*at, "permissions"))
        if permissions is not None and not (
            3 <= len(permissions) <= 4 and _OCTAL.issuperset(permissions)  # noqa: PLR2004 - EFS's rule
        ):
            check.error(
                (*at, "permissions"),
                f"{permissions!r} is not an octal mode of 3 or 4 digits",
                'write it quoted, e.g. permissions: "0755"',
            )
            permissions = None
        out[name] = VolumeParams(
            storage=check.choice(entry.get("storage"), (*at, "storage"), ("efs", "task")) or "efs",
            uid=check.integer(entry.get("uid"), (*at, "uid"), low=0, high=_POSIX_ID_MAX),
            gid=check.integer(entry.get("gid"), (*at, "gid"), low=0, high=_POSIX_ID_MAX),
            permissions=permissions,
            path=at,
        )
    return MappingProxyType(out)


def _placement(
    check: _Checker, value: Any, path: Path, second: str, types: Sequence[str] | None
) -> tuple[PlacementItem, ...]:
    """Placement constraints ({type, expression}) or strategies ({type, field})."""
    out = []
    for item_path, item in check.items(value, path):
        entry = check.mapping(item, item_path, ("type", second))
        if not isinstance(item, dict):
            continue
        kind_path = (*item_path, "type")
        if types is None:
            kind = check.string(entry.get("type"), kind_path, required=True)
        else:
            kind = check.choice(entry.get("type"), kind_path, types)
            if entry.get("type") is None:
                check.error(kind_path, "is required", f"add type: {types[0]}")
        extra = check.string(entry.get(second), (*item_path, second))
        if kind is not None:
            out.append(
                PlacementItem(type=kind, expression=extra)
                if second == "expression"
                else PlacementItem(type=kind, field=extra)
            )
    return tuple(out)


def _os_family(check: _Checker, value: Any, path: Path) -> str | None:
    # ecs-cli's tutorial writes `os_family: Linux`; ECS wants the upper-case enum value.
    return check.choice(value, path, OS_FAMILIES)


def _runtime_platform(
    check: _Checker, value: Any, path: Path, os_family: str | None
) -> tuple[str | None, str | None]:
    entry = check.mapping(value, path, ("operating_system_family", "cpu_architecture"))
    family_path = (*path, "operating_system_family")
    family = _os_family(check, entry.get("operating_system_family"), family_path)
    architecture = check.choice(
        entry.get("cpu_architecture"), (*path, "cpu_architecture"), ("X86_64", "ARM64"), _ARCHITECTURES
    )
    if family and os_family and family != os_family:
        check.error(
            family_path,
            f"{family} contradicts task_definition.os_family {os_family}",
            "set the operating system in one place only",
        )
    return family or os_family, architecture


def _task_size(check: _Checker, value: Any, path: Path) -> dict[str, Any]:
    entry = check.mapping(value, path, ("cpu_limit", "mem_limit"))
    return {
        "cpu": _cpu_units(check, entry.get("cpu_limit"), (*path, "cpu_limit")),
        "memory": _memory_mib(check, entry.get("mem_limit"), (*path, "mem_limit")),
    }


def _task_definition(check: _Checker, value: Any) -> dict[str, Any]:
    path: Path = ("task_definition",)
    entry = check.mapping(value, path, _TASK_KEYS)
    os_family = _os_family(check, entry.get("os_family"), (*path, "os_family"))
    family, architecture = _runtime_platform(
        check, entry.get("runtime_platform"), (*path, "runtime_platform"), os_family
    )
    return {
        "network_mode": check.choice(
            entry.get("ecs_network_mode"), (*path, "ecs_network_mode"), ("none", "bridge", "host", "awsvpc")
        ),
        "task_role_arn": check.string(entry.get("task_role_arn"), (*path, "task_role_arn")),
        "task_execution_role": check.string(entry.get("task_execution_role"), (*path, "task_execution_role")),
        **_task_size(check, entry.get("task_size"), (*path, "task_size")),
        "pid_mode": check.choice(entry.get("pid_mode"), (*path, "pid_mode"), ("host", "task")),
        "ipc_mode": check.choice(entry.get("ipc_mode"), (*path, "ipc_mode"), ("host", "task", "none")),
        "services": _containers(check, entry.get("services"), (*path, "services")),
        "docker_volumes": _docker_volumes(check, entry.get("docker_volumes"), (*path, "docker_volumes")),
        "efs_volumes": _efs_volumes(check, entry.get("efs_volumes"), (*path, "efs_volumes")),
        "volumes": _volume_choices(check, entry.get("volumes"), (*path, "volumes")),
        "placement_constraints": _placement(
            check, entry.get("placement_constraints"), (*path, "placement_constraints"), "expression", None
        ),
        "os_family": family,
        "cpu_architecture": architecture,
        "ephemeral_storage": check.integer(
            entry.get("ephemeral_storage"), (*path, "ephemeral_storage"), low=21, high=200
        ),
    }


# ---------------------------------------------------------------------------------------------
# run_params


def _awsvpc(check: _Checker, value: Any, path: Path) -> AwsvpcParams | None:
    outer = check.mapping(value, path, ("awsvpc_configuration",))
    path = (*path, "awsvpc_configuration")
    if outer.get("awsvpc_configuration") is None:
        return None
    entry = check.mapping(
        outer["awsvpc_configuration"], path, ("subnets", "security_groups", "assign_public_ip")
    )
    subnets = check.string_list(entry.get("subnets"), (*path, "subnets"))
    if entry.get("subnets") == []:
        check.error((*path, "subnets"), "needs at least one subnet", "list a subnet ID: - subnet-0123abcd")
    if subnets is not None and len(subnets) > _MAX_SUBNETS:
        check.error((*path, "subnets"), f"at most {_MAX_SUBNETS} subnets are allowed, got {len(subnets)}")
    groups = check.string_list(entry.get("security_groups"), (*path, "security_groups"))
    if groups is not None and len(groups) > _MAX_SECURITY_GROUPS:
        check.error(
            (*path, "security_groups"),
            f"at most {_MAX_SECURITY_GROUPS} security groups are allowed, got {len(groups)}",
        )
    return AwsvpcParams(
        subnets=subnets or (),
        security_groups=groups or (),
        assign_public_ip=check.choice(
            entry.get("assign_public_ip"), (*path, "assign_public_ip"), _ENABLED_DISABLED
        ),
    )


def _sd_mapping(
    check: _Checker, value: Any, path: Path, fields: Mapping[str, Callable[[Any, Path], Any]]
) -> dict[str, Any] | None:
    if value is None:
        return None
    entry = check.mapping(value, path, tuple(fields))
    out: dict[str, Any] = {}
    for key, read in fields.items():
        item = read(entry.get(key), (*path, key))
        if item is not None:
            out[key] = item
    return out


def _service_discovery(check: _Checker, value: Any, path: Path) -> dict[str, Any] | None:
    def string(item: Any, at: Path) -> str | None:
        return check.string(item, at)

    def integer(item: Any, at: Path) -> int | None:
        return check.integer(item, at, low=0)

    def nested(fields: Mapping[str, Callable[[Any, Path], Any]]) -> Callable[[Any, Path], Any]:
        return lambda item, at: _sd_mapping(check, item, at, fields)

    def dns_type(item: Any, at: Path) -> str | None:
        return check.choice(item, at, ("A", "SRV"))

    return _sd_mapping(
        check,
        value,
        path,
        {
            "container_name": string,
            "container_port": lambda item, at: check.integer(item, at, low=1, high=65535),
            "private_dns_namespace": nested(
                {"id": string, "name": string, "vpc": string, "description": string}
            ),
            "public_dns_namespace": nested({"id": string, "name": string}),
            "service_discovery_service": nested(
                {
                    "name": string,
                    "description": string,
                    "dns_config": nested({"type": dns_type, "ttl": integer}),
                    "healthcheck_custom_config": nested({"failure_threshold": integer}),
                }
            ),
        },
    )


def _capacity_providers(check: _Checker, value: Any, path: Path) -> tuple[CapacityProviderItem, ...]:
    out: list[CapacityProviderItem] = []
    with_base = 0
    for item_path, item in check.items(value, path):
        entry = check.mapping(item, item_path, ("capacity_provider", "weight", "base"))
        if not isinstance(item, dict):
            continue
        provider_path = (*item_path, "capacity_provider")
        provider = check.choice(entry.get("capacity_provider"), provider_path, ("FARGATE", "FARGATE_SPOT"))
        if entry.get("capacity_provider") is None:
            check.error(provider_path, "is required", "add capacity_provider: FARGATE (or FARGATE_SPOT)")
        weight = check.integer(entry.get("weight"), (*item_path, "weight"), low=0, high=1000)
        base = check.integer(entry.get("base"), (*item_path, "base"), low=0, high=100000)
        if entry.get("base") is not None:
            with_base += 1
            if with_base == 2:  # noqa: PLR2004 - report the second one, once
                check.error(
                    (*item_path, "base"),
                    "only one capacity provider may set base",
                    "remove base from all but one",
                )
        if provider is not None and any(item.capacity_provider == provider for item in out):
            check.error(provider_path, f"{provider} is listed twice", "list each capacity provider once")
        elif provider is not None:
            out.append(CapacityProviderItem(capacity_provider=provider, weight=weight, base=base))
    if out and not any(item.weight for item in out):
        check.error(
            path,
            "no capacity provider has a weight above 0: ECS cannot place any task",
            "give at least one capacity provider a weight, e.g. weight: 1",
        )
    return tuple(out)


def _deployment(check: _Checker, value: Any, path: Path) -> DeploymentParams | None:
    if value is None:
        return None
    keys = ("maximum_percent", "minimum_healthy_percent", "circuit_breaker", "rollback")
    entry = check.mapping(value, path, keys)
    return DeploymentParams(
        maximum_percent=check.integer(entry.get("maximum_percent"), (*path, "maximum_percent"), low=0),
        minimum_healthy_percent=check.integer(
            entry.get("minimum_healthy_percent"), (*path, "minimum_healthy_percent"), low=0, high=100
        ),
        circuit_breaker=check.boolean(entry.get("circuit_breaker"), (*path, "circuit_breaker")),
        rollback=check.boolean(entry.get("rollback"), (*path, "rollback")),
    )


def _run_params(check: _Checker, value: Any) -> dict[str, Any]:
    path: Path = ("run_params",)
    entry = check.mapping(value, path, _RUN_KEYS)
    placement = check.mapping(
        entry.get("task_placement"), (*path, "task_placement"), ("strategy", "constraints")
    )
    launch_type = check.choice(
        entry.get("launch_type"),
        (*path, "launch_type"),
        ("FARGATE",),
        hint="compose2ecs deploys to Fargate only; use capacity_provider_strategy for FARGATE_SPOT",
    )
    providers = _capacity_providers(
        check, entry.get("capacity_provider_strategy"), (*path, "capacity_provider_strategy")
    )
    if entry.get("launch_type") is not None and entry.get("capacity_provider_strategy") is not None:
        check.error(
            (*path, "capacity_provider_strategy"),
            "cannot be used together with launch_type",
            "keep one: without a strategy, FARGATE is the launch type",
        )
    return {
        "awsvpc": _awsvpc(check, entry.get("network_configuration"), (*path, "network_configuration")),
        "task_placement_strategy": _placement(
            check,
            placement.get("strategy"),
            (*path, "task_placement", "strategy"),
            "field",
            ("spread", "binpack", "random"),
        ),
        "task_placement_constraints": _placement(
            check,
            placement.get("constraints"),
            (*path, "task_placement", "constraints"),
            "expression",
            ("memberOf", "distinctInstance"),
        ),
        "service_discovery": _service_discovery(
            check, entry.get("service_discovery"), (*path, "service_discovery")
        ),
        "layout": check.choice(entry.get("layout"), (*path, "layout"), ("project", "service")),
        "desired_count": check.integer(
            entry.get("desired_count"), (*path, "desired_count"), low=0, high=5000
        ),
        "platform_version": check.scalar_string(
            _resolved(entry.get("platform_version")), (*path, "platform_version")
        ),
        "launch_type": launch_type,
        "capacity_providers": providers,
        "deployment": _deployment(check, entry.get("deployment"), (*path, "deployment")),
        "enable_execute_command": check.boolean(
            entry.get("enable_execute_command"), (*path, "enable_execute_command")
        ),
        "service_connect": check.boolean(entry.get("service_connect"), (*path, "service_connect")),
        "ports": _ports(check, entry.get("ports"), (*path, "ports")),
        "target_groups": _target_groups(check, entry.get("target_groups"), (*path, "target_groups")),
        "autoscaling": _autoscaling(check, entry.get("autoscaling"), (*path, "autoscaling")),
        "load_balancer": _load_balancer(check, entry.get("load_balancer"), (*path, "load_balancer")),
    }


def _load_balancer(check: _Checker, value: Any, path: Path) -> LoadBalancerParams | None:
    """`run_params.load_balancer`: the scheme and subnets of the project's own load balancers."""
    if value is None:
        return None
    entry = check.mapping(value, path, ("scheme", "subnets", "internal_subnets"))
    lists = {}
    for key in ("subnets", "internal_subnets"):
        found = check.string_list(entry.get(key), (*path, key)) or ()
        if entry.get(key) == []:
            check.error(
                (*path, key), "needs at least one subnet", "list subnet IDs, one per Availability Zone"
            )
        for index, subnet in enumerate(found):
            if not subnet.startswith("subnet-"):
                check.error((*path, key, index), f"{subnet!r} is not a subnet ID", "e.g. subnet-0123abcd")
        lists[key] = found
    return LoadBalancerParams(
        scheme=check.choice(entry.get("scheme"), (*path, "scheme"), _SCHEMES),
        subnets=lists["subnets"],
        internal_subnets=lists["internal_subnets"],
        path=path,
    )


def _autoscaling(check: _Checker, value: Any, path: Path) -> AutoscalingParams | None:
    """`run_params.autoscaling`: min, max and at least one target (cpu, memory, requests_per_target)."""
    if value is None:
        return None
    entry = check.mapping(value, path, _AUTOSCALING_KEYS)
    if not isinstance(value, dict):
        return None
    low = check.integer(entry.get("min"), (*path, "min"), low=0, high=_MAX_TASKS)
    high = check.integer(entry.get("max"), (*path, "max"), low=1, high=_MAX_TASKS)
    for key, found in (("min", low), ("max", high)):
        if found is None and entry.get(key) is None:
            check.error((*path, key), "is required", "give min and max, the task counts to scale between")
    if low is not None and high is not None and low > high:
        check.error((*path, "min"), f"min {low} is above max {high}", "make min at most max")
        return None
    percent = {k: check.integer(entry.get(k), (*path, k), low=1, high=100) for k in ("cpu", "memory")}
    requests = check.integer(entry.get("requests_per_target"), (*path, "requests_per_target"), low=1)
    cooldowns = {
        k: check.integer(entry.get(k), (*path, k), low=0, high=3600)
        for k in ("scale_in_cooldown", "scale_out_cooldown")
    }
    if not any(entry.get(k) is not None for k in ("cpu", "memory", "requests_per_target")):
        check.error(
            path, "names no target to track", "add cpu: 70 (percent), memory: 80 or requests_per_target: 1000"
        )
        return None
    if low is None or high is None:
        return None
    return AutoscalingParams(low, high, percent["cpu"], percent["memory"], requests, **cooldowns)


def _target_groups(check: _Checker, value: Any, path: Path) -> tuple[TargetGroupRef, ...]:
    """`run_params.target_groups`: existing target groups to attach, as ecs-cli's --target-groups."""
    out: list[TargetGroupRef] = []
    for item_path, item in check.items(value, path):
        entry = check.mapping(item, item_path, _TARGET_GROUP_KEYS)
        if not isinstance(item, dict):
            continue
        arn = check.scalar_string(_resolved(entry.get("target_group_arn")), (*item_path, "target_group_arn"))
        container = check.scalar_string(
            _resolved(entry.get("container_name")), (*item_path, "container_name")
        )
        port = check.integer(
            entry.get("container_port"), (*item_path, "container_port"), low=1, high=_MAX_PORT
        )
        for key, found in (
            ("target_group_arn", arn),
            ("container_name", container),
            ("container_port", port),
        ):
            if found is None and entry.get(key) is None:
                check.error(
                    (*item_path, key),
                    "is required",
                    "give target_group_arn, container_name and container_port",
                )
        if arn is not None and ":targetgroup/" not in arn:
            check.error(
                (*item_path, "target_group_arn"),
                f"{arn!r} is not a target group ARN",
                "copy it from the console or `aws elbv2 describe-target-groups`",
            )
            continue
        if arn and container and port:
            out.append(TargetGroupRef(arn, container, port, item_path))
    return tuple(out)


def _ports(check: _Checker, value: Any, path: Path) -> dict[int, PortParams]:
    """`run_params.ports`: per published port (a number, as compose publishes it), what to do with it."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        check.wrong_type(value, path, "a mapping of port numbers")
        return {}
    out: dict[int, PortParams] = {}
    for key, item in value.items():
        name = key if isinstance(key, str) else go_sprint(key)
        at: Path = (*path, name)
        number = key if isinstance(key, int) and not isinstance(key, bool) else None
        if number is None and isinstance(key, str) and key.isdigit():
            number = int(key)
        if number is None or not 1 <= number <= _MAX_PORT:
            check.error(at, f"{name!r} is not a port number", "write the published port, e.g. 6379:")
            continue
        entry = check.mapping(item, at, _PORT_KEYS)
        certificate = check.scalar_string(_resolved(entry.get("certificate_arn")), (*at, "certificate_arn"))
        if certificate is not None and not certificate.startswith("arn:"):
            check.error(
                (*at, "certificate_arn"), f"{certificate!r} is not an ARN", "give the ACM certificate's ARN"
            )
            certificate = None
        kind = check.choice(entry.get("load_balancer"), (*at, "load_balancer"), ("application", "network"))
        if certificate and kind == "network":
            check.error(
                (*at, "certificate_arn"),
                "an HTTPS listener is an Application Load Balancer's",
                "leave load_balancer out (or application) for a certificate",
            )
        redirect_from = check.integer(
            entry.get("redirect_from"), (*at, "redirect_from"), low=1, high=_MAX_PORT
        )
        listener, hosts, paths, priority = _rule(check, entry, at)
        if listener:
            for key, given in (
                ("scheme", entry.get("scheme")),
                ("load_balancer", kind),
                ("certificate_arn", certificate),
                ("redirect_from", redirect_from),
            ):
                if given is not None:
                    check.error(
                        (*at, key),
                        "is the listener's to say: with listener_arn the listener and its load balancer "
                        "are yours, and compose2ecs adds only a rule",
                        f"remove {key}, or remove listener_arn to get a load balancer of the project's own",
                    )
        out[number] = PortParams(
            public=check.boolean(entry.get("public"), (*at, "public")),
            load_balancer=kind,
            certificate_arn=certificate,
            redirect_from=redirect_from,
            stickiness=_stickiness(check, entry.get("stickiness"), (*at, "stickiness")),
            health_check=_port_health(check, entry.get("health_check"), (*at, "health_check")),
            listener_arn=listener,
            hosts=hosts,
            paths=paths,
            priority=priority,
            scheme=check.choice(entry.get("scheme"), (*at, "scheme"), _SCHEMES),
        )
    return out


def _rule(
    check: _Checker, entry: dict[str, Any], at: Path
) -> tuple[str | None, tuple[str, ...], tuple[str, ...], int | None]:
    """listener_arn with the rule's hosts, paths and priority: a rule on an existing ALB listener."""
    listener = check.scalar_string(_resolved(entry.get("listener_arn")), (*at, "listener_arn"))
    if listener is not None and ":listener/" not in listener:
        check.error(
            (*at, "listener_arn"),
            f"{listener!r} is not a listener ARN",
            "copy it from the console or `aws elbv2 describe-listeners --load-balancer-arn …`",
        )
        listener = None
    elif listener is not None and ":listener/app/" not in listener:
        check.error(
            (*at, "listener_arn"),
            "host and path rules are an Application Load Balancer's: this listener is not one",
            "give an Application Load Balancer's HTTP or HTTPS listener",
        )
        listener = None
    hosts = _patterns(check, entry.get("hosts"), (*at, "hosts"), host=True)
    paths = _patterns(check, entry.get("paths"), (*at, "paths"), host=False)
    priority = check.integer(entry.get("priority"), (*at, "priority"), low=1, high=_MAX_PRIORITY)
    given = [key for key in _RULE_KEYS if entry.get(key) is not None]
    if entry.get("listener_arn") is None and given:
        check.error(
            (*at, given[0]),
            "makes a rule on an existing listener, which listener_arn names",
            "add listener_arn, or remove " + ", ".join(given),
        )
    if listener and entry.get("hosts") is None and entry.get("paths") is None:
        check.error(
            at,
            "a rule on an existing listener needs hosts or paths to match: compose2ecs never changes "
            "the listener's default action",
            "add hosts: [app.example.com] or paths: [/app/*]",
        )
    if len(hosts) + len(paths) > _MAX_RULE_VALUES:
        check.error(
            (*at, "paths" if paths else "hosts"),
            f"a listener rule matches at most {_MAX_RULE_VALUES} hosts and paths in all, not "
            f"{len(hosts) + len(paths)}",
            "use wildcards (*.example.com, /api/*), or publish another port with a rule of its own",
        )
    return listener, hosts, paths, priority


def _patterns(check: _Checker, value: Any, path: Path, *, host: bool) -> tuple[str, ...]:
    """A string or a list of them: host names (wildcards * and ?) or paths starting with /."""
    value = _resolved(value)
    if isinstance(value, str):
        value = [value]
    found = check.string_list(value, path) or ()
    if value == []:
        check.error(path, "needs at least one value", "remove the key, or give one")
    if len(found) > _MAX_CONDITION_VALUES:
        check.error(
            path,
            f"a listener rule's condition matches at most {_MAX_CONDITION_VALUES} values, not {len(found)}",
            "use wildcards (*.example.com, /api/*), or publish another port with a rule of its own",
        )
    out = []
    for index, item in enumerate(found):
        at = (*path, index)
        if not item or len(item) > _MAX_PATTERN:
            check.error(at, f"must be 1 to {_MAX_PATTERN} characters", "")
        elif host and not _host_pattern(item):
            check.error(
                at,
                f"{item!r} is not a host name ELBv2 matches: A-Z, a-z, 0-9, - . * ? only, at least "
                "one dot, letters only after the last one",
                "write it as app.example.com or *.example.com",
            )
        elif not host and not item.startswith("/"):
            check.error(at, "must start with /", f"e.g. /{item}")
        elif not host and not all(c in _PATH_CHARACTERS for c in item):
            bad = "".join(sorted({c for c in item if c not in _PATH_CHARACTERS}))
            check.error(
                at,
                f"{item!r} has characters ELBv2 does not match in a path ({bad!r}): A-Z, a-z, 0-9 and "
                "_ - . $ / ~ \" ' @ : + & * ? only",
                "use * or ? in their place",
            )
        else:
            out.append(item)
    return tuple(out)


# ALB listener rules ("Host conditions", "Path conditions"): ASCII only, and a host name has a dot
# with only letters after the last one.
_HOST_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.*?")
_PATH_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.$/~\"'@:+&*?")
# "You can specify up to three match evaluations per condition" (and five per rule).
_MAX_CONDITION_VALUES = 3


def _host_pattern(item: str) -> bool:
    if not all(c in _HOST_CHARACTERS for c in item) or "." not in item:
        return False
    last = item.rsplit(".", 1)[1]
    return all(c.isalpha() or c in "*?" for c in last)


def _stickiness(check: _Checker, value: Any, path: Path) -> int | None:
    """Stickiness: `true` (a day, the load balancer's default), `false`, or seconds (1 s to 7 days)."""
    value = _resolved(value)
    if value is None:
        return None
    if isinstance(value, bool) or (isinstance(value, str) and value in _YAML11_BOOLEANS):
        on = value if isinstance(value, bool) else _YAML11_BOOLEANS[value]
        return _DAY if on else 0
    return check.integer(value, path, low=1, high=7 * _DAY)


def _port_health(check: _Checker, value: Any, path: Path) -> HealthCheckParams | None:
    if value is None:
        return None
    entry = check.mapping(value, path, _PORT_HEALTH_KEYS)
    health_path = check.scalar_string(_resolved(entry.get("path")), (*path, "path"))
    if health_path is not None and not health_path.startswith("/"):
        check.error((*path, "path"), "must start with /", f"e.g. /{health_path}")
    matcher = check.scalar_string(_resolved(entry.get("matcher")), (*path, "matcher"))
    return HealthCheckParams(
        path=health_path,
        matcher=matcher,
        interval=check.integer(entry.get("interval"), (*path, "interval"), low=5, high=300),
        timeout=check.integer(entry.get("timeout"), (*path, "timeout"), low=2, high=120),
        healthy_threshold=check.integer(
            entry.get("healthy_threshold"), (*path, "healthy_threshold"), low=2, high=10
        ),
        unhealthy_threshold=check.integer(
            entry.get("unhealthy_threshold"), (*path, "unhealthy_threshold"), low=2, high=10
        ),
    )


# ---------------------------------------------------------------------------------------------
# Top level


def _version(check: _Checker, value: Any) -> None:
    value = _resolved(value)
    if value is None or (not isinstance(value, bool) and value in (1, "1", "1.0")):
        return
    check.error(("version",), f"unsupported version {_echo(value)}", "write version: 1, or leave it out")


def _log_retention(check: _Checker, value: Any) -> int | None:
    days = check.integer(value, ("log_retention_days",))
    if days is not None and days not in LOG_RETENTION_DAYS:
        check.error(
            ("log_retention_days",),
            f"CloudWatch Logs does not keep logs for {days} days",
            "use one of " + ", ".join(map(str, LOG_RETENTION_DAYS)),
        )
        return None
    return days


def _tags(check: _Checker, value: Any) -> dict[str, str]:
    tags = check.string_map(value, ("tags",))
    if len(tags) > _MAX_TAGS:
        check.error(("tags",), f"at most {_MAX_TAGS} tags are allowed, got {len(tags)}")
    for key, text in tags.items():
        path: Path = ("tags", key)
        if not 1 <= len(key) <= _MAX_TAG_KEY:
            check.error(path, f"a tag key must be 1 to {_MAX_TAG_KEY} characters long")
        if len(text) > _MAX_TAG_VALUE:
            check.error(path, f"a tag value must be at most {_MAX_TAG_VALUE} characters long")
        if key.lower().startswith("aws:") or text.lower().startswith("aws:"):
            check.error(
                path, 'tag keys and values must not start with "aws:"', "that prefix is reserved for AWS"
            )
    return tags


def parse_ecs_params(text: str, filename: str, environ: Mapping[str, str]) -> EcsParams:
    """Validate and convert the text of an ecs-params.yml; raise InputError with every problem."""
    try:
        with deep_nesting():
            return _parse(text, filename, environ)
    except RecursionError:
        # A self-containing alias parses fine and only fails when the checks walk it.
        cycle = find_alias_cycle({filename: text}, [filename])
        problem = cycle or Problem(
            "the YAML nests too deeply (at most 1000 levels)", Location(filename), code=CODE
        )
        raise InputError([problem]) from None


def _parse(text: str, filename: str, environ: Mapping[str, str]) -> EcsParams:
    try:
        data = load_plain(text, filename)
    except YamlError as exc:
        raise InputError([exc.problem]) from None
    if data is None:
        return EcsParams(file=filename)
    check = _Checker(text, filename)
    if not isinstance(data, dict):
        check.wrong_type(
            data, (), "a mapping at the top level", "start with version: 1, then task_definition:"
        )
        raise InputError(check.problems)
    top = check.mapping(_interpolate(data, environ), (), _TOP_KEYS)
    _version(check, top.get("version"))
    fields = {
        **_task_definition(check, top.get("task_definition")),
        **_run_params(check, top.get("run_params")),
        "log_retention_days": _log_retention(check, top.get("log_retention_days")),
        "tags": _tags(check, top.get("tags")),
        "allow_broad_trust_policy": bool(
            check.boolean(top.get("allow_broad_trust_policy"), ("allow_broad_trust_policy",))
        ),
    }
    os_family = fields.get("os_family")
    if os_family not in {None, "LINUX"} and any(
        item.capacity_provider == "FARGATE_SPOT" for item in fields.get("capacity_providers", ())
    ):
        check.error(
            ("run_params", "capacity_provider_strategy"),
            f"FARGATE_SPOT runs Linux tasks only, not {os_family}",
            "use the FARGATE capacity provider for Windows tasks",
        )
    if check.problems:
        raise InputError(sorted(check.problems, key=_position))
    return EcsParams(file=filename, **fields)


def _position(problem: Problem) -> tuple[int, int]:
    location = problem.location
    return (location.line, location.column) if location else (0, 0)


def load_ecs_params(
    path: str | None, working_dir: str, environ: Mapping[str, str], reader: Reader | None = None
) -> EcsParams:
    """The given file, else `<working_dir>/ecs-params.yml` if it exists, else `EcsParams()`."""
    found = read_input(reader or Reader(), path, working_dir, ECS_PARAMS_FILE)
    return parse_ecs_params(found[1], found[0], environ) if found else EcsParams()
