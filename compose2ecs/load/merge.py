"""Compose's rules for merging one compose file (or `extends` parent) into another.

A plain mapping merges key by key, a plain sequence appends and a scalar is replaced; a table of
per-path rules overrides that (command replaces, environment appends then deduplicates by name,
depends_on merges by service, and so on). After merging, `enforce_unicity` keeps one entry per
identity (port, mount target, variable name) with the last file winning, as Compose does.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from compose2ecs.errors import Path, format_path
from compose2ecs.load.short_syntax import parse_volume
from compose2ecs.values import go_sprint

Merger = Callable[[Any, Any, Path], Any]


class MergeError(Exception):
    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


def matches(path: Path, pattern: tuple[str, ...]) -> bool:
    if len(path) != len(pattern):
        return False
    return all(want in ("*", part) for part, want in zip(path, pattern, strict=True))


def to_sequence(value: Any) -> list[Any]:
    if isinstance(value, dict):
        items = [k if v is None else f"{k}={go_sprint(v)}" for k, v in value.items()]
        return sorted(items)
    if isinstance(value, list):
        return list(value)
    if value is None:
        return []
    return [value]


def to_mapping(value: Any, default: dict[str, Any] | None) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        return {str(item): copy.deepcopy(default) for item in value}
    return {}


def _merge_to_sequence(base: Any, over: Any, _path: Path) -> Any:
    return to_sequence(base) + to_sequence(over)


def _merge_extra_hosts(base: Any, over: Any, _path: Path) -> Any:
    right = to_sequence(base)
    return right + [item for item in to_sequence(over) if item not in right]


def _override(_base: Any, over: Any, _path: Path) -> Any:
    return over


def _merge_logging(base: Any, over: Any, path: Path) -> Any:
    if not isinstance(base, dict) or not isinstance(over, dict):
        return over
    if "driver" not in over or "driver" not in base or over["driver"] == base["driver"]:
        return merge_mappings(base, over, path)
    return over


def _merge_build(base: Any, over: Any, path: Path) -> Any:
    def as_mapping(value: Any) -> dict[str, Any]:
        if isinstance(value, str):
            return {"context": value}
        return value if isinstance(value, dict) else {}

    return merge_mappings(as_mapping(base), as_mapping(over), path)


_DEPENDS_DEFAULT = {"condition": "service_started", "required": True}


def _merge_depends_on(base: Any, over: Any, path: Path) -> Any:
    return merge_mappings(to_mapping(base, _DEPENDS_DEFAULT), to_mapping(over, _DEPENDS_DEFAULT), path)


def _merge_by_name(base: Any, over: Any, path: Path) -> Any:
    return merge_mappings(to_mapping(base, None), to_mapping(over, None), path)


def _merge_ulimit(base: Any, over: Any, path: Path) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        return merge_mappings(base, over, path)
    return over


def _merge_ipam_config(base: Any, over: Any, _path: Path) -> Any:
    """IPAM pools merge by subnet: an override file replaces the pool with the same subnet."""
    merged: list[Any] = list(base) if isinstance(base, list) else []
    for pool in over if isinstance(over, list) else []:
        subnet = pool.get("subnet") if isinstance(pool, dict) else None
        for index, existing in enumerate(merged):
            if isinstance(existing, dict) and subnet is not None and existing.get("subnet") == subnet:
                merged[index] = pool
                break
        else:
            merged.append(pool)
    return merged


_SPECIALS: list[tuple[tuple[str, ...], Merger]] = [
    (("networks", "*", "ipam", "config"), _merge_ipam_config),
    (("networks", "*", "labels"), _merge_to_sequence),
    (("volumes", "*", "labels"), _merge_to_sequence),
    (("services", "*", "annotations"), _merge_to_sequence),
    (("services", "*", "build"), _merge_build),
    (("services", "*", "build", "args"), _merge_to_sequence),
    (("services", "*", "build", "additional_contexts"), _merge_to_sequence),
    (("services", "*", "build", "extra_hosts"), _merge_extra_hosts),
    (("services", "*", "build", "labels"), _merge_to_sequence),
    (("services", "*", "command"), _override),
    (("services", "*", "depends_on"), _merge_depends_on),
    (("services", "*", "deploy", "labels"), _merge_to_sequence),
    (("services", "*", "dns"), _merge_to_sequence),
    (("services", "*", "dns_opt"), _merge_to_sequence),
    (("services", "*", "dns_search"), _merge_to_sequence),
    (("services", "*", "entrypoint"), _override),
    (("services", "*", "env_file"), _merge_to_sequence),
    (("services", "*", "label_file"), _merge_to_sequence),
    (("services", "*", "environment"), _merge_to_sequence),
    (("services", "*", "extra_hosts"), _merge_extra_hosts),
    (("services", "*", "healthcheck", "test"), _override),
    (("services", "*", "labels"), _merge_to_sequence),
    (("services", "*", "volumes", "*", "volume", "labels"), _merge_to_sequence),
    (("services", "*", "logging"), _merge_logging),
    (("services", "*", "models"), _merge_by_name),
    (("services", "*", "networks"), _merge_by_name),
    (("services", "*", "sysctls"), _merge_to_sequence),
    (("services", "*", "tmpfs"), _merge_to_sequence),
    (("services", "*", "ulimits", "*"), _merge_ulimit),
]
_SPECIALS_BY_DEPTH: dict[int, list[tuple[tuple[str, ...], Merger]]] = {}
for _pattern, _merger in _SPECIALS:
    _SPECIALS_BY_DEPTH.setdefault(len(_pattern), []).append((_pattern, _merger))


def merge_values(base: Any, over: Any, path: Path) -> Any:
    for pattern, merger in _SPECIALS_BY_DEPTH.get(len(path), ()):
        if matches(path, pattern):
            return merger(base, over, path)
    if isinstance(base, dict):
        if not isinstance(over, dict):
            if over is None:
                return base
            raise MergeError(
                f"cannot override {format_path(path)}: a mapping cannot be replaced by a {_kind(over)}", path
            )
        return merge_mappings(base, over, path)
    if isinstance(base, list):
        if not isinstance(over, list):
            if over is None:
                return base
            raise MergeError(
                f"cannot override {format_path(path)}: a list cannot be replaced by a {_kind(over)}", path
            )
        return base + over
    # An empty value (`image:`) in a later file keeps what earlier files set.
    return base if over is None else over


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    return "scalar"


def merge_mappings(base: dict[str, Any], over: dict[str, Any], path: Path) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if key not in merged or str(key).startswith("x-"):
            merged[key] = value
            continue
        merged[key] = merge_values(merged[key], value, (*path, key))
    return merged


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Merge an override document onto the model built so far (neither input is modified)."""
    return merge_mappings(base, over, ())


# --- unicity -----------------------------------------------------------------------------------


def _key_value_index(item: Any) -> str:
    if isinstance(item, str):
        return item.split("=", 1)[0]
    return go_sprint(item)


def _port_index(item: Any) -> str:
    if isinstance(item, dict):
        if "target" not in item:
            raise ValueError("is missing a target port (add target: the container port)")
        target = item["target"]
        published = item.get("published", "")
        host = item.get("host_ip", "0.0.0.0")  # noqa: S104 - an identity key, nothing binds here
        protocol = item.get("protocol", "tcp")
        return (
            f"{host}:{go_sprint(published) if published is not None else ''}:{go_sprint(target)}/{protocol}"
        )
    return go_sprint(item)


def _volume_index(item: Any) -> str:
    if isinstance(item, dict):
        if "target" not in item:
            raise ValueError("is missing a mount target (add target: the path in the container)")
        return str(item["target"])
    if isinstance(item, str):
        try:
            return str(parse_volume(item).get("target", ""))
        except ValueError:
            return item
    return go_sprint(item)


def _mount_index(default_dir: str) -> Callable[[Any], str]:
    def index(item: Any) -> str:
        if isinstance(item, str):
            return f"{default_dir}/{item}" if default_dir else item
        if isinstance(item, dict):
            target = item.get("target")
            if target:
                target = str(target)
                if default_dir and not target.startswith("/"):
                    return f"{default_dir}/{target}"
                return target
            source = str(item.get("source", ""))
            return f"{default_dir}/{source}" if default_dir else source
        return go_sprint(item)

    return index


def _env_file_index(item: Any) -> str:
    if isinstance(item, dict):
        return str(item.get("path", ""))
    return go_sprint(item)


def _device_index(item: Any) -> str:
    if isinstance(item, dict):
        return str(item.get("target") or item.get("source", ""))
    if isinstance(item, str):
        parts = item.split(":")
        return parts[1] if len(parts) > 1 else parts[0]
    return go_sprint(item)


_UNIQUE: list[tuple[tuple[str, ...], Callable[[Any], str]]] = [
    (("networks", "*", "labels"), _key_value_index),
    (("networks", "*", "ipam", "options"), _key_value_index),
    (("services", "*", "annotations"), _key_value_index),
    (("services", "*", "build", "args"), _key_value_index),
    (("services", "*", "build", "additional_contexts"), _key_value_index),
    (("services", "*", "build", "platforms"), _key_value_index),
    (("services", "*", "build", "tags"), _key_value_index),
    (("services", "*", "build", "labels"), _key_value_index),
    (("services", "*", "cap_add"), _key_value_index),
    (("services", "*", "cap_drop"), _key_value_index),
    (("services", "*", "devices"), _device_index),
    (("services", "*", "configs"), _mount_index("")),
    (("services", "*", "deploy", "labels"), _key_value_index),
    (("services", "*", "dns"), _key_value_index),
    (("services", "*", "dns_opt"), _key_value_index),
    (("services", "*", "dns_search"), _key_value_index),
    (("services", "*", "environment"), _key_value_index),
    (("services", "*", "env_file"), _env_file_index),
    (("services", "*", "expose"), _key_value_index),
    (("services", "*", "labels"), _key_value_index),
    (("services", "*", "links"), _key_value_index),
    (("services", "*", "networks", "*", "aliases"), _key_value_index),
    (("services", "*", "networks", "*", "link_local_ips"), _key_value_index),
    (("services", "*", "ports"), _port_index),
    (("services", "*", "profiles"), _key_value_index),
    (("services", "*", "secrets"), _mount_index("/run/secrets")),
    (("services", "*", "sysctls"), _key_value_index),
    (("services", "*", "tmpfs"), _key_value_index),
    (("services", "*", "volumes"), _volume_index),
]


def enforce_unicity(model: dict[str, Any]) -> dict[str, Any]:
    """One entry per identity in set-like lists; a later entry replaces an earlier one in place."""
    result: dict[str, Any] = _unique(model, ())
    return result


def _unique(value: Any, path: Path) -> Any:
    if isinstance(value, dict):
        return {key: _unique(item, (*path, key)) for key, item in value.items()}
    if isinstance(value, list):
        for pattern, indexer in _UNIQUE:
            if matches(path, pattern):
                out: list[Any] = []
                seen: dict[str, int] = {}
                for index, item in enumerate(value):
                    try:
                        key = indexer(item)
                    except ValueError as exc:
                        raise MergeError(str(exc), (*path, index)) from None
                    if key in seen:
                        out[seen[key]] = item
                    else:
                        seen[key] = len(out)
                        out.append(item)
                return out
    return value
