"""Two normalised request dicts -> the `FieldChange`s between them, with paths people can read.

A thin layer over deepdiff. Before comparing, lists whose items have a natural key (containers by
name, environment by name, ...) become dicts keyed by it, so a path reads
`containerDefinitions[web].environment[DB_HOST]` rather than `containerDefinitions[0]...[3]`, and
inserting one item does not shift every index after it. Every other list is compared as one value
(`command` changed from [...] to [...]): its order matters and element-wise paths help no one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from deepdiff import DeepDiff

from compose2ecs.model.deployed import FieldChange
from compose2ecs.model.sensitive import looks_secret, secret_shaped

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

_Key = Callable[[dict[str, Any]], Any]


def _port_key(item: dict[str, Any]) -> Any:
    port = item.get("containerPort", item.get("containerPortRange"))
    return None if port is None else f"{port}/{item.get('protocol', 'tcp')}"


def _load_balancer_key(item: dict[str, Any]) -> Any:
    target = item.get("targetGroupArn") or item.get("loadBalancerName")
    return f"{target} {item.get('containerName')}:{item.get('containerPort')}"


# List field name -> how to key its items: by one of their fields, or by a function of them.
KEYED_LISTS: dict[str, str | _Key] = {
    "containerDefinitions": "name",
    "environment": "name",
    "secrets": "name",
    "secretOptions": "name",
    "properties": "name",
    "ulimits": "name",
    "volumes": "name",
    "mountPoints": "containerPath",
    "volumesFrom": "sourceContainer",
    "systemControls": "namespace",
    "dependsOn": "containerName",
    "extraHosts": "hostname",
    "portMappings": _port_key,
    "capacityProviderStrategy": "capacityProvider",
    "services": "portName",  # serviceConnectConfiguration.services
    "clientAliases": "port",
    "volumeConfigurations": "name",
    "vpcLatticeConfigurations": "portName",
    "loadBalancers": _load_balancer_key,
    "serviceRegistries": "registryArn",
}

# Keyed lists whose items are name/value pairs: the value alone is shown under the name.
_VALUE_OF = {
    "environment": "value",
    "secrets": "valueFrom",
    "secretOptions": "valueFrom",
    "properties": "value",
}

# Dicts whose keys are user data rather than field names: their keys are shown in brackets.
KEYED_MAPS = frozenset({"tags", "dockerLabels", "options", "driverOpts", "labels", "inlinePolicies"})

# Where a key names a variable whose value may be a secret.
_SECRET_HOLDERS = frozenset({"environment", "options", "dockerLabels", "driverOpts"})

_ABSENT = object()


def diff_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[FieldChange]:
    """The field changes that turn normalised `before` (deployed) into `after` (desired)."""
    old, new = _keyed_pair(dict(before), dict(after))
    tree = DeepDiff(old, new, view="tree")
    paths: dict[tuple[Any, ...], None] = {}
    for levels in tree.values():
        for level in levels:
            paths[_up_to_list(level.path(output_format="list"))] = None
    changes: list[FieldChange] = []
    for path in paths:
        b, a = _lookup(old, path), _lookup(new, path)
        if b is _ABSENT or a is _ABSENT:
            # A whole block added or removed: one change per leaf, so a secret inside it is flagged.
            kind, value = ("added", a) if b is _ABSENT else ("removed", b)
            for leaf_path, leaf in _leaves(path, value):
                changes.append(_change(leaf_path, kind, leaf))
        else:
            changes.append(_field_change(path, "changed", b, a))
    return sorted(changes, key=lambda c: c.path)


def set_changes(path: str, before: Iterable[str], after: Iterable[str]) -> list[FieldChange]:
    """Members added to or removed from a set-valued field, one change per member."""
    old, new = set(before), set(after)
    removed = [FieldChange(path, "removed", before=item) for item in sorted(old - new)]
    added = [FieldChange(path, "added", after=item) for item in sorted(new - old)]
    return removed + added


def _change(path: tuple[Any, ...], kind: str, value: Any) -> FieldChange:
    if kind == "added":
        return _field_change(path, kind, None, value)
    return _field_change(path, kind, value, None)


def _field_change(path: tuple[Any, ...], kind: str, before: Any, after: Any) -> FieldChange:
    return FieldChange(
        path=format_path(path),
        kind=kind,
        before=before,
        after=after,
        sensitive=_sensitive(path, before) or _sensitive(path, after),
    )


def _sensitive(path: tuple[Any, ...], value: Any) -> bool:
    if len(path) >= 2 and path[-2] in _SECRET_HOLDERS and looks_secret(str(path[-1])):  # noqa: PLR2004
        return True
    if value is None:
        return False
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return secret_shaped(text)


def format_path(path: Iterable[Any]) -> str:
    """`("containerDefinitions", "web", "image")` -> `containerDefinitions[web].image`."""
    out = ""
    bracket = False
    for part in path:
        if bracket or isinstance(part, int):
            out += f"[{part}]"
            bracket = False
        else:
            out += f".{part}" if out else str(part)
            bracket = part in KEYED_LISTS or part in KEYED_MAPS
    return out


def _keyed(value: Any, field: str | None = None) -> Any:
    """One side alone: keyed lists -> dicts by key (recursively)."""
    if isinstance(value, dict):
        return {k: _keyed(v, k) for k, v in value.items()}
    if isinstance(value, list):
        keyed = _key_list(value, field)
        if keyed is None:
            return value
        keyed = _collapse(keyed, _collapse_field(field, list(keyed.values())))
        return {name: _keyed(item) for name, item in keyed.items()}
    return value


def _keyed_pair(old: Any, new: Any, field: str | None = None) -> tuple[Any, Any]:
    """Both sides keyed alike, so a list keyed on one side is never compared with a list on the other."""
    if isinstance(old, dict) and isinstance(new, dict):
        return _pair_dicts(old, new, names=False)
    if isinstance(old, list) and isinstance(new, list):
        old_keyed, new_keyed = _key_list(old, field), _key_list(new, field)
        if old_keyed is None or new_keyed is None:
            return old, new  # compared as one value
        collapse = _collapse_field(field, [*old_keyed.values(), *new_keyed.values()])
        return _pair_dicts(_collapse(old_keyed, collapse), _collapse(new_keyed, collapse), names=True)
    return (old if old is _ABSENT else _keyed(old, field)), (new if new is _ABSENT else _keyed(new, field))


def _pair_dicts(old: dict[str, Any], new: dict[str, Any], *, names: bool) -> tuple[Any, Any]:
    old_out: dict[str, Any] = {}
    new_out: dict[str, Any] = {}
    for key in [*old, *(k for k in new if k not in old)]:
        # Under item names (`containerDefinitions[web]`) a key is not a field name.
        a, b = _keyed_pair(old.get(key, _ABSENT), new.get(key, _ABSENT), None if names else key)
        if a is not _ABSENT:
            old_out[key] = a
        if b is not _ABSENT:
            new_out[key] = b
    return old_out, new_out


def _key_list(items: list[Any], field: str | None) -> dict[str, Any] | None:
    key = KEYED_LISTS.get(field or "")
    if key is None or not all(isinstance(i, dict) for i in items):
        return None
    keys = [i.get(key) if isinstance(key, str) else key(i) for i in items]
    if None in keys or len(set(map(str, keys))) != len(keys):
        return None
    if isinstance(key, str):
        # The key moves into the path (`containerDefinitions[web]`), so it is not repeated inside.
        items = [{k: v for k, v in i.items() if k != key} for i in items]
    return {str(k): i for k, i in zip(keys, items, strict=True)}


def _collapse_field(field: str | None, items: list[dict[str, Any]]) -> str | None:
    value_field = _VALUE_OF.get(field or "")
    if value_field and all(set(i) <= {value_field} for i in items):
        return value_field
    return None


def _collapse(keyed: dict[str, Any], value_field: str | None) -> dict[str, Any]:
    # Name/value pairs show as `environment[NAME]: value`.
    return {k: v.get(value_field) for k, v in keyed.items()} if value_field else keyed


def _up_to_list(path: list[Any]) -> tuple[Any, ...]:
    # A change inside a list is reported on the list as a whole.
    for index, part in enumerate(path):
        if isinstance(part, int):
            return tuple(path[:index])
    return tuple(path)


def _lookup(root: Any, path: tuple[Any, ...]) -> Any:
    node = root
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return _ABSENT
        node = node[part]
    return node


def _leaves(path: tuple[Any, ...], value: Any) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict) and value:
        for key, child in value.items():
            yield from _leaves((*path, key), child)
    else:
        yield path, value
