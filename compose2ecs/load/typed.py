"""The canonical project shape: the loaded model decoded the way Compose decodes it into its Go types.

`docker compose config --format json` prints Go structs, so the shape follows their rules: fields
tagged omitempty vanish when zero, pointer fields appear whenever set (even `false`), nested
structs are always printed (`"ipam": {}`), and a handful of fields are never omitted
(`"command": null`). Each struct is described by a table of field decoders below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from compose2ecs.load.yamlfile import Timestamp
from compose2ecs.values import format_duration, go_sprint, parse_bytes, parse_duration


class DecodeError(Exception):
    def __init__(self, message: str, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


class _Missing:
    __slots__ = ()


MISSING: Any = _Missing()
Decoder = Callable[[Any, tuple[str | int, ...]], Any]

# How an absent or zero value is printed: OMIT (omitempty), PTR (omitted only when absent),
# ALWAYS (printed, null when absent), STRUCT (printed, {} when absent).
OMIT, PTR, ALWAYS, STRUCT = "omit", "ptr", "always", "struct"


class F(NamedTuple):
    """How one Go struct field is decoded, and when it is printed."""

    decode: Decoder
    mode: str = OMIT


def _is_zero(value: Any) -> bool:
    return value is None or value is False or value == 0 or value in ("", [], {})


def string(value: Any, path: tuple[str | int, ...]) -> Any:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        raise DecodeError(f"must be a string, not a {'mapping' if isinstance(value, dict) else 'list'}", path)
    return value if isinstance(value, str) else go_sprint(value)


def integer(value: Any, path: tuple[str | int, ...]) -> Any:
    if isinstance(value, bool):
        raise DecodeError("must be an integer, not a boolean", path)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        # Compose truncates: `cpu_shares: 102.4` is 102.
        return int(value)
    if isinstance(value, str):
        try:
            return int(value, 10)
        except ValueError:
            pass
    raise DecodeError(f"must be an integer, not {value!r}", path)


def number(value: Any, path: tuple[str | int, ...]) -> Any:
    if isinstance(value, bool):
        raise DecodeError("must be a number, not a boolean", path)
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            parsed = float(value)
        except ValueError:
            pass
        else:
            return int(parsed) if parsed.is_integer() else parsed
    raise DecodeError(f"must be a number, not {value!r}", path)


def boolean(value: Any, path: tuple[str | int, ...]) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "t", "f"):
        return value.lower() in ("true", "1", "t")
    raise DecodeError(f"must be a boolean (true or false), not {value!r}", path)


def duration(value: Any, path: tuple[str | int, ...]) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return format_duration(value * 1_000_000_000)
    try:
        return format_duration(parse_duration(str(value)))
    except ValueError as exc:
        raise DecodeError(f"{exc} (write a duration such as 30s, 1m30s or 500ms)", path) from None


def unit_bytes(value: Any, path: tuple[str | int, ...]) -> Any:
    try:
        return str(parse_bytes(value))
    except ValueError as exc:
        raise DecodeError(f"{exc} (write a size such as 512m, 1g or 1048576)", path) from None


def passthrough(value: Any, _path: tuple[str | int, ...]) -> Any:
    return value


def string_list(value: Any, path: tuple[str | int, ...]) -> Any:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise DecodeError("must be a list of strings", path)
    return [string(item, (*path, index)) for index, item in enumerate(value)]


def shell_command(value: Any, path: tuple[str | int, ...]) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        import shlex  # noqa: PLC0415 - only string commands need it

        try:
            return shlex.split(value)
        except ValueError as exc:
            raise DecodeError(f"cannot split the command into words: {exc}", path) from None
    return string_list(value, path)


def mapping(value: Any, path: tuple[str | int, ...]) -> Any:
    """Labels, sysctls, annotations: a list of KEY=VALUE or a mapping, values as strings."""
    if isinstance(value, dict):
        return {str(k): "" if v is None else string(v, (*path, str(k))) for k, v in value.items()}
    if isinstance(value, list):
        out: dict[str, Any] = {}
        for item in value:
            key, _, val = go_sprint(item).partition("=")
            out[key] = val
        return out
    raise DecodeError("must be a mapping or a list of KEY=VALUE strings", path)


def mapping_with_equals(value: Any, path: tuple[str | int, ...]) -> Any:
    """Environment and build args: like mapping, but a bare KEY stays unset (null)."""
    if isinstance(value, dict):
        return {str(k): None if v is None else string(v, (*path, str(k))) for k, v in value.items()}
    if isinstance(value, list):
        out: dict[str, Any] = {}
        for item in value:
            key, sep, val = go_sprint(item).partition("=")
            out[key] = val if sep else None
        return out
    raise DecodeError("must be a mapping or a list of KEY=VALUE strings", path)


def hosts_list(value: Any, path: tuple[str | int, ...]) -> Any:
    """extra_hosts prints as sorted HOST=IP strings; `host:ip` and mappings are accepted."""
    entries: list[str] = []
    if isinstance(value, dict):
        for host, ips in value.items():
            entries.extend(f"{host}={string(ip, path)}" for ip in (ips if isinstance(ips, list) else [ips]))
    elif isinstance(value, list):
        for item in value:
            text = go_sprint(item)
            if "=" in text:
                entries.append(text)
            else:
                host, sep, ip = text.partition(":")
                if not sep:
                    raise DecodeError(f"invalid additional host {text!r}: write HOST=IP or HOST:IP", path)
                entries.append(f"{host}={ip}")
    else:
        raise DecodeError("must be a list of HOST=IP strings or a mapping", path)
    return entries


def list_of(decoder: Decoder) -> Decoder:
    def decode(value: Any, path: tuple[str | int, ...]) -> Any:
        if not isinstance(value, list):
            raise DecodeError("must be a list", path)
        return [decoder(item, (*path, index)) for index, item in enumerate(value)]

    return decode


def map_of(decoder: Decoder, *, keep_null: bool = False) -> Decoder:
    def decode(value: Any, path: tuple[str | int, ...]) -> Any:
        if isinstance(value, list):
            value = dict.fromkeys(value)
        if not isinstance(value, dict):
            raise DecodeError("must be a mapping", path)
        return {
            str(k): (None if v is None and keep_null else decoder(v, (*path, str(k))))
            for k, v in value.items()
        }

    return decode


def struct(fields: dict[str, F], *, extensions: bool = False) -> Decoder:
    def decode(value: Any, path: tuple[str | int, ...]) -> Any:
        if value is None:
            value = {}
        if not isinstance(value, dict):
            raise DecodeError("must be a mapping", path)
        out: dict[str, Any] = {}
        for key, spec in fields.items():
            raw = value.get(key, MISSING)
            if raw is MISSING:
                if spec.mode == ALWAYS:
                    out[key] = None
                elif spec.mode == STRUCT:
                    out[key] = spec.decode({}, (*path, key))
                continue
            decoded = spec.decode(raw, (*path, key))
            if spec.mode == OMIT and _is_zero(decoded):
                continue
            out[key] = decoded
        if extensions:
            for key, item in value.items():
                if isinstance(key, str) and key.startswith("x-"):
                    out[key] = _nil_empty_lists(item)
        return out

    return decode


def file_mode(value: Any, path: tuple[str | int, ...]) -> Any:
    """os.FileMode prints in octal with a leading zero: mode 0440 (288) -> "0440"."""
    if isinstance(value, str):
        try:
            value = int(value, 8)
        except ValueError:
            raise DecodeError(f"invalid file mode {value!r}: write it in octal, e.g. 0440", path) from None
    return "0" + format(integer(value, path), "o") if value else "0"


def _provider_options(value: Any, path: tuple[str | int, ...]) -> Any:
    """Provider options are lists of strings; a single value becomes a one-item list."""
    if not isinstance(value, dict):
        raise DecodeError("must be a mapping", path)
    return {
        str(k): [go_sprint(i) for i in v] if isinstance(v, list) else [go_sprint(v)] for k, v in value.items()
    }


def _nil_empty_lists(value: Any) -> Any:
    """Compose rebuilds lists after merging and an empty one comes out as a Go nil slice: null."""
    if isinstance(value, dict):
        return {k: _nil_empty_lists(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nil_empty_lists(v) for v in value] if value else None
    if isinstance(value, Timestamp):
        return value.text
    return value


def _ssh_keys(value: Any, path: tuple[str | int, ...]) -> Any:
    """types.SSHConfig: a list of keys; one without a path prints as its id.

    A key with a path stays `{"id", "path"}`: Compose cannot print it as JSON (see `config_output`).
    """
    if not isinstance(value, dict):
        raise DecodeError("must be a mapping of ssh key ids to paths", path)
    return [
        str(key) if key_path is None else {"id": str(key), "path": string(key_path, (*path, key))}
        for key, key_path in value.items()
    ]


def _ulimit(value: Any, path: tuple[str | int, ...]) -> Any:
    if isinstance(value, dict):
        return {k: integer(v, (*path, k)) for k, v in value.items() if k in ("soft", "hard")}
    return integer(value, path)


def _healthcheck_test(value: Any, path: tuple[str | int, ...]) -> Any:
    if isinstance(value, str):
        return ["CMD-SHELL", value]
    return string_list(value, path)


def _unsigned(go_type: str) -> Decoder:
    """A Go uint field: mapstructure refuses a negative number ("-1 overflows uint")."""

    def decode(value: Any, path: tuple[str | int, ...]) -> Any:
        number = integer(value, path)
        if number < 0:
            raise DecodeError(
                f"cannot parse value as '{go_type}': {number} overflows uint (use 0 or more)", path
            )
        return number

    return decode


def _count(value: Any, path: tuple[str | int, ...]) -> Any:
    number = integer(value, path)
    if number < 0:
        raise DecodeError("must be greater than or equal to 0", path)
    return number


_S, _I, _N, _B = F(string), F(integer), F(number), F(boolean)
_BP, _IP = F(boolean, PTR), F(integer, PTR)
_U64P, _COUNT = F(_unsigned("uint64"), PTR), F(_count, PTR)
_LIST, _MAP = F(string_list), F(mapping)

healthcheck = struct(
    {
        "test": F(_healthcheck_test),
        "timeout": F(duration, PTR),
        "interval": F(duration, PTR),
        "retries": _U64P,
        "start_period": F(duration, PTR),
        "start_interval": F(duration, PTR),
        "disable": _B,
    }
)


def _device_count(value: Any, path: tuple[str | int, ...]) -> Any:
    """types.DeviceCount: "all" is -1, a numeric string its number."""
    if isinstance(value, str):
        if value.lower() == "all":
            return -1
        try:
            return int(value, 10)
        except ValueError:
            raise DecodeError(
                f"invalid value {value!r}, the only value allowed is 'all' or a number", path
            ) from None
    return integer(value, path)


_device_request_fields = struct(
    {
        "capabilities": _LIST,
        "driver": _S,
        "count": F(_device_count),
        "device_ids": _LIST,
        "options": _MAP,
    }
)


def _device_request(value: Any, path: tuple[str | int, ...]) -> Any:
    # Compose's defaults: a request that names neither a count nor devices asks for all of them.
    if isinstance(value, dict) and "count" not in value and "device_ids" not in value:
        value = {**value, "count": "all"}
    return _device_request_fields(value, path)


_device_requests = list_of(_device_request)


def _gpus(value: Any, path: tuple[str | int, ...]) -> Any:
    if value == "all":
        return [{"count": -1}]
    return _device_requests(value, path)


_resource = struct(
    {
        "cpus": F(number),
        "memory": F(unit_bytes),
        "pids": _I,
        "devices": F(_device_requests),
        "generic_resources": F(passthrough),
    }
)

_update = struct(
    {
        "parallelism": _U64P,
        "delay": F(duration),
        "failure_action": _S,
        "monitor": F(duration),
        "max_failure_ratio": F(number),
        "order": _S,
    }
)

deploy = struct(
    {
        "mode": _S,
        "replicas": _COUNT,
        "labels": _MAP,
        "update_config": F(_update, PTR),
        "rollback_config": F(_update, PTR),
        "resources": F(struct({"limits": F(_resource, PTR), "reservations": F(_resource, PTR)}), STRUCT),
        "restart_policy": F(
            struct(
                {
                    "condition": _S,
                    "delay": F(duration, PTR),
                    "max_attempts": _U64P,
                    "window": F(duration, PTR),
                }
            ),
            PTR,
        ),
        "placement": F(
            struct(
                {
                    "constraints": _LIST,
                    "preferences": F(passthrough),
                    "max_replicas_per_node": F(_unsigned("uint64")),
                }
            ),
            STRUCT,
        ),
        "endpoint_mode": _S,
    }
)

_file_mount = struct(
    {
        "source": _S,
        "target": _S,
        "uid": _S,
        "gid": _S,
        "mode": F(file_mode, PTR),
    }
)

_hook = struct(
    {
        "command": F(shell_command, ALWAYS),
        "user": _S,
        "privileged": _B,
        "working_dir": _S,
        "environment": F(mapping_with_equals),
    }
)

_develop = struct(
    {
        "watch": F(
            list_of(
                struct(
                    {
                        "path": _S,
                        "action": _S,
                        "target": _S,
                        "exec": F(_hook, STRUCT),
                        "ignore": _LIST,
                        "include": _LIST,
                        "initial_sync": _B,
                    }
                )
            )
        )
    }
)

build = struct(
    {
        "context": _S,
        "dockerfile": _S,
        "dockerfile_inline": _S,
        "entitlements": _LIST,
        "args": F(mapping_with_equals),
        "ssh": F(_ssh_keys),
        "labels": _MAP,
        "cache_from": _LIST,
        "cache_to": _LIST,
        "no_cache": _B,
        "additional_contexts": _MAP,
        "pull": _B,
        "extra_hosts": F(hosts_list),
        "isolation": _S,
        "network": _S,
        "target": _S,
        "secrets": F(list_of(_file_mount)),
        "tags": _LIST,
        "ulimits": F(map_of(_ulimit)),
        "platforms": _LIST,
        "privileged": _B,
        "shm_size": F(unit_bytes),
        "provenance": F(passthrough),
        "sbom": F(passthrough),
    }
)

_volume_mount = struct(
    {
        "type": _S,
        "source": _S,
        "target": _S,
        "read_only": _B,
        "consistency": _S,
        "bind": F(
            struct(
                {
                    "propagation": _S,
                    "create_host_path": _B,
                    "selinux": _S,
                    "recursive": _S,
                }
            ),
            PTR,
        ),
        "volume": F(struct({"nocopy": _B, "subpath": _S, "labels": _MAP}), PTR),
        "tmpfs": F(struct({"size": F(unit_bytes), "mode": F(passthrough)}), PTR),
        "image": F(struct({"subpath": _S}), PTR),
    }
)

_port = struct(
    {
        "name": _S,
        "mode": _S,
        "host_ip": _S,
        "target": F(_unsigned("uint32")),
        "published": _S,
        "protocol": _S,
        "app_protocol": _S,
    }
)

_service_network = struct(
    {
        "aliases": _LIST,
        "driver_opts": _MAP,
        "gw_priority": _I,
        "interface_name": _S,
        "ipv4_address": _S,
        "ipv6_address": _S,
        "link_local_ips": _LIST,
        "mac_address": _S,
        "priority": _I,
    }
)

_logging = struct({"driver": _S, "options": F(map_of(string))})

service = struct(
    {
        "profiles": _LIST,
        "annotations": _MAP,
        "attach": _BP,
        "build": F(build, PTR),
        "develop": F(_develop, PTR),
        "blkio_config": F(passthrough, PTR),
        "cap_add": _LIST,
        "cap_drop": _LIST,
        "cgroup_parent": _S,
        "cgroup": _S,
        "cpu_count": _I,
        "cpu_percent": _N,
        "cpu_period": _I,
        "cpu_quota": _I,
        "cpu_rt_period": _I,
        "cpu_rt_runtime": _I,
        "cpus": _N,
        "cpuset": _S,
        "cpu_shares": _I,
        "command": F(shell_command, ALWAYS),
        "configs": F(list_of(_file_mount)),
        "container_name": _S,
        "credential_spec": F(passthrough, PTR),
        "depends_on": F(map_of(struct({"condition": _S, "restart": _B, "required": F(boolean, PTR)}))),
        "deploy": F(deploy, PTR),
        "device_cgroup_rules": _LIST,
        "devices": F(list_of(struct({"source": _S, "target": _S, "permissions": _S}))),
        "dns": _LIST,
        "dns_opt": _LIST,
        "dns_search": _LIST,
        "dockerfile": _S,
        "domainname": _S,
        "entrypoint": F(shell_command, ALWAYS),
        "provider": F(struct({"type": _S, "options": F(_provider_options)}), PTR),
        "environment": F(mapping_with_equals),
        "env_file": F(passthrough),
        "expose": _LIST,
        "extends": F(passthrough, PTR),
        "external_links": _LIST,
        "extra_hosts": F(hosts_list),
        "group_add": _LIST,
        "gpus": F(_gpus),
        "hostname": _S,
        "healthcheck": F(healthcheck, PTR),
        "image": _S,
        "init": _BP,
        "ipc": _S,
        "isolation": _S,
        "labels": _MAP,
        "label_file": _LIST,
        "links": _LIST,
        "logging": F(_logging, PTR),
        "log_driver": _S,
        "log_opt": F(map_of(string)),
        "mem_limit": F(unit_bytes),
        "mem_reservation": F(unit_bytes),
        "memswap_limit": F(unit_bytes),
        "mem_swappiness": F(unit_bytes),
        "mac_address": _S,
        "models": F(map_of(struct({"endpoint_var": _S, "model_var": _S}), keep_null=True)),
        "net": _S,
        "network_mode": _S,
        "networks": F(map_of(_service_network, keep_null=True)),
        "oom_kill_disable": _B,
        "oom_score_adj": _I,
        "pid": _S,
        "pids_limit": _I,
        "platform": _S,
        "ports": F(list_of(_port)),
        "post_start": F(list_of(_hook)),
        "pre_stop": F(list_of(_hook)),
        "privileged": _B,
        "pull_policy": _S,
        "pull_refresh_after": _S,
        "read_only": _B,
        "restart": _S,
        "runtime": _S,
        "scale": _COUNT,
        "secrets": F(list_of(_file_mount)),
        "security_opt": _LIST,
        "shm_size": F(unit_bytes),
        "stdin_open": _B,
        "stop_grace_period": F(duration, PTR),
        "stop_signal": _S,
        "storage_opt": F(map_of(string)),
        "sysctls": _MAP,
        "tmpfs": _LIST,
        "tty": _B,
        "ulimits": F(map_of(_ulimit)),
        "use_api_socket": _B,
        "user": _S,
        "uts": _S,
        "userns_mode": _S,
        "volume_driver": _S,
        "volumes": F(list_of(_volume_mount)),
        "volumes_from": _LIST,
        "working_dir": _S,
    }
)

network = struct(
    {
        "name": _S,
        "driver": _S,
        "driver_opts": F(map_of(string)),
        "ipam": F(
            struct({"driver": _S, "config": F(passthrough), "options": F(map_of(string))}),
            STRUCT,
        ),
        "external": _B,
        "internal": _B,
        "attachable": _B,
        "labels": _MAP,
        "enable_ipv4": _BP,
        "enable_ipv6": _BP,
    }
)

volume = struct(
    {
        "name": _S,
        "driver": _S,
        "driver_opts": F(map_of(string)),
        "external": _B,
        "labels": _MAP,
    }
)

file_object = struct(
    {
        "name": _S,
        "file": _S,
        "environment": _S,
        "content": _S,
        "external": _B,
        "labels": _MAP,
        "driver": _S,
        "driver_opts": F(map_of(string)),
        "template_driver": _S,
    }
)

project = struct(
    {
        "name": _S,
        "services": F(map_of(service), ALWAYS),
        "networks": F(map_of(network)),
        "volumes": F(map_of(volume)),
        "secrets": F(map_of(file_object)),
        "configs": F(map_of(file_object)),
    },
    # Compose prints x- extensions of the project only; those of services, networks... are dropped.
    extensions=True,
)


def to_canonical(model_dict: dict[str, Any]) -> dict[str, Any]:
    """Decode the normalised model into the exact shape `docker compose config --format json` prints."""
    result: dict[str, Any] = project(model_dict, ())
    if result.get("services") is None:
        result["services"] = {}
    return result
