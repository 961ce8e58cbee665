"""Short syntax to long syntax, applied after each file is merged (Compose's `transform` step).

Port strings become port mappings, volume strings become mounts, `depends_on` lists become
mappings with their default condition, and so on. Later files then merge onto one shape.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from compose2ecs.errors import Path
from compose2ecs.load.merge import matches
from compose2ecs.load.short_syntax import parse_device, parse_port, parse_volume
from compose2ecs.values import go_sprint


class CanonicalError(Exception):
    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


Transformer = Callable[[Any, Path], Any]


def _string_or_list(value: Any, _path: Path) -> Any:
    return [value] if isinstance(value, str) else value


def _dns(value: Any, _path: Path) -> Any:
    """Empty entries of dns are dropped (Compose's OmitEmpty), a single string becomes a list."""
    value = [value] if isinstance(value, str) else value
    return [v for v in value if v not in ("", None)] if isinstance(value, list) else value


def _file_mount(value: Any, _path: Path) -> Any:
    return {"source": value} if isinstance(value, str) else value


def _depends_on(value: Any, _path: Path) -> Any:
    if isinstance(value, list):
        return {str(name): {"condition": "service_started", "required": True} for name in value}
    if isinstance(value, dict):
        out = {}
        for name, spec in value.items():
            spec = dict(spec) if isinstance(spec, dict) else {}
            spec.setdefault("condition", "service_started")
            spec.setdefault("required", True)
            out[name] = spec
        return out
    return value


def _env_file(value: Any, _path: Path) -> Any:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        return value
    out = []
    for item in items:
        if isinstance(item, str):
            out.append({"path": item, "required": True})
        elif isinstance(item, dict):
            entry = dict(item)
            entry.setdefault("required", True)
            out.append(entry)
        else:
            out.append(item)
    return out


def _extends(value: Any, _path: Path) -> Any:
    return {"service": value} if isinstance(value, str) else value


def _service_networks(value: Any, _path: Path) -> Any:
    if isinstance(value, list):
        return {str(name): None for name in value}
    return value


def _parsed(parser: Callable[[str], Any]) -> Transformer:
    """A transformer that expands a short-syntax string with `parser` and leaves mappings alone."""

    def transform(value: Any, path: Path) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return parser(value)
        except ValueError as exc:
            raise CanonicalError(str(exc), path) from None

    return transform


def _ports(value: Any, path: Path) -> Any:
    if not isinstance(value, list):
        return value
    out: list[Any] = []
    for index, entry in enumerate(value):
        if isinstance(entry, bool) or not isinstance(entry, int | str | dict):
            raise CanonicalError(f"invalid port {entry!r}", (*path, index))
        if isinstance(entry, dict):
            entry = dict(entry)
            if isinstance(entry.get("published"), int) and not isinstance(entry.get("published"), bool):
                entry["published"] = str(entry["published"])
            out.append(entry)
            continue
        try:
            out.extend(parse_port(go_sprint(entry)))
        except ValueError as exc:
            raise CanonicalError(
                f'{exc} (write [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL], e.g. "8080:80")',
                (*path, index),
            ) from None
    return out


def _ssh(value: Any, path: Path) -> Any:
    """`id=path` and `default` entries become Compose's `{id: path}` mapping (`default` has no path)."""
    if not isinstance(value, list):
        return value
    keys: dict[str, Any] = {}
    for index, entry in enumerate(value):
        if not isinstance(entry, str):
            raise CanonicalError(f"invalid ssh key {entry!r}: write default or ID=PATH", (*path, index))
        key, equals, key_path = entry.partition("=")
        if not equals and key != "default":
            raise CanonicalError(
                f"invalid ssh key {entry!r}: write default or ID=PATH (a key or agent socket)",
                (*path, index),
            )
        keys[key] = key_path if equals else None
    return keys


def _build(value: Any, _path: Path) -> Any:
    return {"context": value} if isinstance(value, str) else value


def _maybe_external(value: Any, path: Path) -> Any:
    if value is None:
        return {}
    if not isinstance(value, dict):
        return value
    external = value.get("external")
    if isinstance(external, dict):
        resource = dict(value)
        resource["external"] = True
        if "name" in external:
            if "name" in value and value["name"] != external["name"]:
                raise CanonicalError("name and external.name conflict; only use name", path)
            resource["name"] = external["name"]
        return resource
    return value


def _include(value: Any, _path: Path) -> Any:
    if isinstance(value, str):
        return {"path": [value]}
    if isinstance(value, dict) and isinstance(value.get("path"), str):
        return {**value, "path": [value["path"]]}
    return value


_TRANSFORMS: list[tuple[tuple[str, ...], Transformer]] = [
    (("services", "*", "build"), _build),
    (("services", "*", "build", "secrets", "*"), _file_mount),
    (("services", "*", "build", "ssh"), _ssh),
    (("services", "*", "depends_on"), _depends_on),
    (("services", "*", "env_file"), _env_file),
    (("services", "*", "label_file"), _string_or_list),
    (("services", "*", "extends"), _extends),
    (("services", "*", "networks"), _service_networks),
    (("services", "*", "volumes", "*"), _parsed(parse_volume)),
    (("services", "*", "dns"), _dns),
    (("services", "*", "dns_search"), _string_or_list),
    (("services", "*", "tmpfs"), _string_or_list),
    (("services", "*", "devices", "*"), _parsed(parse_device)),
    (("services", "*", "secrets", "*"), _file_mount),
    (("services", "*", "configs", "*"), _file_mount),
    (("services", "*", "ports"), _ports),
    (("volumes", "*"), _maybe_external),
    (("networks", "*"), _maybe_external),
    (("secrets", "*"), _maybe_external),
    (("configs", "*"), _maybe_external),
    (("include", "*"), _include),
]
_DEPTHS = {len(pattern) for pattern, _ in _TRANSFORMS}
_MAX_DEPTH = max(_DEPTHS)


def _defaults(value: Any, path: Path) -> Any:
    """Defaults Compose fills on long-form entries (transform.SetDefaultValues)."""
    if not isinstance(value, dict):
        return value
    if matches(path, ("services", "*", "ports", "*")):
        value.setdefault("protocol", "tcp")
        value.setdefault("mode", "ingress")
    elif matches(path, ("services", "*", "secrets", "*")):
        value.setdefault("target", f"/run/secrets/{value.get('source', '')}")
    elif matches(path, ("services", "*", "build")):
        value.setdefault("context", ".")
    elif (
        (
            matches(path, ("services", "*", "deploy", "resources", "reservations", "devices", "*"))
            or matches(path, ("services", "*", "gpus", "*"))
        )
        and "count" not in value
        and "device_ids" not in value
    ):
        value["count"] = "all"
    return value


def canonical(model: dict[str, Any]) -> dict[str, Any]:
    """Rewrite every short syntax in the model into its long form (a new model is returned)."""
    result: dict[str, Any] = _walk(copy.deepcopy(model), ())
    return result


def _walk(value: Any, path: Path) -> Any:
    depth = len(path)
    if depth in _DEPTHS:
        for pattern, transform in _TRANSFORMS:
            if len(pattern) == depth and matches(path, pattern):
                value = transform(value, path)
                break
    if depth >= _MAX_DEPTH + 2:
        return value
    if isinstance(value, dict):
        for key in list(value):
            value[key] = _walk(value[key], (*path, key))
    elif isinstance(value, list) and depth >= 2:  # noqa: PLR2004 - only lists inside services etc.
        for index, item in enumerate(value):
            value[index] = _walk(item, (*path, index))
    return _defaults(value, path)
