"""YAML as Docker Compose reads it (go-yaml v3 rules), with positions kept for error messages.

PyYAML implements YAML 1.1, where `yes`, `on`, `0:30` (sexagesimal) and friends are booleans or
numbers; Compose's Go parser resolves only the YAML 1.2 core forms plus legacy `0777` octals. We
keep PyYAML's fast C scanner and replace the resolution and construction of plain scalars.

Positions are not recorded while loading (that would slow the common, valid case); `locate`
re-composes a file's node tree on demand when a problem needs a line and column.
"""

from __future__ import annotations

import contextlib
import functools
import math
import re
import sys
from typing import TYPE_CHECKING, Any, NamedTuple

import yaml

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

from compose2ecs.errors import Location, Path, Problem, format_path

_BaseLoader: type[yaml.SafeLoader]
try:
    _BaseLoader = yaml.CSafeLoader  # type: ignore[assignment,unused-ignore]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader

_GO_TAG = "tag:compose2ecs:go-scalar"
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_TRUES = frozenset(("true", "True", "TRUE"))
_FALSES = frozenset(("false", "False", "FALSE"))
_FLOAT = r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?"
_SPECIAL_FLOATS = {
    ".nan": math.nan, ".NaN": math.nan, ".NAN": math.nan,
    ".inf": math.inf, ".Inf": math.inf, ".INF": math.inf,
    "+.inf": math.inf, "+.Inf": math.inf, "+.INF": math.inf,
    "-.inf": -math.inf, "-.Inf": -math.inf, "-.INF": -math.inf,
}  # fmt: skip
_INT64_MIN, _UINT64_MAX = -(2**63), 2**64 - 1


# go-yaml's timestamp forms (2006-1-2, 2006-1-2T15:4:5.999999999Z07:00, 2006-1-2 15:4:5.999999999).
_TIMESTAMP = (
    r"(\d{4})-(\d\d?)-(\d\d?)"
    r"(?:(?:[Tt](\d\d?):(\d\d?):(\d\d?)(?:[.,](\d+))?(Z|[+-]\d\d:\d\d))"
    r"|(?: (\d\d?):(\d\d?):(\d\d?)(?:[.,](\d+))?))?"
)
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class Timestamp:
    """An unquoted YAML date: Compose's YAML parser decodes it into a Go time.Time, not a string.

    Compose's schema check refuses one wherever a type is required; an extension prints it the way
    time.Time marshals (`text`, RFC 3339 with nanoseconds).
    """

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Timestamp) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Timestamp({self.text!r})"


def go_timestamp(text: str) -> Timestamp | None:
    """time.Parse with go-yaml's timestamp layouts, or None when `text` is not a timestamp."""
    match = re.fullmatch(_TIMESTAMP, text)
    if match is None:
        return None
    parts = match.groups()
    year, month, day = int(parts[0]), int(parts[1]), int(parts[2])
    clock = parts[3:6] if parts[3] is not None else parts[8:11]
    hour, minute, second = (int(part) for part in clock) if clock[0] is not None else (0, 0, 0)
    fraction = (parts[6] if parts[3] is not None else parts[11]) or ""
    zone = parts[7] or "Z"
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not 1 <= month <= 12 or not 1 <= day <= _DAYS_IN_MONTH[month - 1] - (month == 2 and not leap):  # noqa: PLR2004
        return None
    if hour > 23 or minute > 59 or second > 59:  # noqa: PLR2004
        return None
    if zone[1:] == "00:00":
        zone = "Z"
    fraction = fraction[:9].rstrip("0")
    return Timestamp(
        f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"
        + (f".{fraction}" if fraction else "")
        + zone
    )


class Reset:
    """Marks a `!reset` value: drop what earlier files set at this path."""

    __slots__ = ()


RESET = Reset()


class Override:
    """Wraps a `!override` value: replace what earlier files set instead of merging with it."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class Document(NamedTuple):
    """One YAML document of a compose file, plus the paths tagged `!reset` / `!override`."""

    data: Any
    reset_paths: Sequence[Path] = ()


class YamlError(Exception):
    """A file that is not valid YAML, or YAML that Compose refuses (duplicate keys)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.render())
        self.problem = problem


def _parse_go_int(text: str) -> int | None:
    """strconv.ParseInt(s, 0, 64) after go-yaml drops underscores: 0x, 0o, 0b and 0-octal prefixes."""
    plain = text.replace("_", "")
    body = plain.lstrip("+-")
    if not body:
        return None
    sign = -1 if plain.startswith("-") else 1
    lower = body.lower()
    try:
        if lower.startswith("0x"):
            value = int(body, 16)
        elif lower.startswith("0o"):
            value = int(body, 8)
        elif lower.startswith("0b"):
            value = int(body, 2)
        elif len(body) > 1 and body[0] == "0":
            value = int(body[1:], 8)
        elif body.isdigit():
            value = int(body)
        else:
            return None
    except ValueError:
        return None
    value *= sign
    if _INT64_MIN <= value <= _UINT64_MAX:
        return value
    return None


def go_scalar(text: str) -> Any:
    """The value go-yaml v3 gives a plain (unquoted, untagged) scalar decoded into interface{}."""
    if text in _NULLS:
        return None
    first = text[0]
    if first in "tTfF":
        if text in _TRUES:
            return True
        if text in _FALSES:
            return False
        return text
    if first in "+-.0123456789":
        if first.isdigit() and text[4:5] == "-":
            timestamp = go_timestamp(text)
            if timestamp is not None:
                return timestamp
        special = _SPECIAL_FLOATS.get(text)
        if special is not None:
            return special
        as_int = _parse_go_int(text)
        if as_int is not None:
            return as_int
        plain = text.replace("_", "")
        if re.fullmatch(_FLOAT, plain):
            number = float(plain)
            # Go's ParseFloat fails on overflow and the scalar stays a string ("65e1234" is a git sha).
            if not math.isinf(number):
                return number
    return text


class _ComposeLoader(_BaseLoader):  # type: ignore[misc,valid-type,unused-ignore]
    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and implicit[0]:
            # "<<" must stay the merge-key tag for PyYAML's merge handling to kick in.
            return "tag:yaml.org,2002:merge" if value == "<<" else _GO_TAG
        resolved: str = super().resolve(kind, value, implicit)
        return resolved

    def construct_go_scalar(self, node: yaml.ScalarNode) -> Any:
        return go_scalar(node.value)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, list | dict):
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a scalar", key_node.start_mark
                )
            if key in seen:
                first = seen[key].start_mark
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f'mapping key "{key}" already defined at line {first.line + 1}; remove one of them',
                    key_node.start_mark,
                )
            seen[key] = key_node
        self.flatten_mapping(node)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_timestamp(self, node: yaml.ScalarNode) -> Any:
        return go_timestamp(node.value) or node.value

    def construct_unknown_tag(self, node: yaml.Node) -> Any:
        # go-yaml ignores a tag it does not know: a scalar stays the string written, the rest as usual.
        if isinstance(node, yaml.MappingNode):
            return self.construct_mapping(node, deep=True)
        if isinstance(node, yaml.SequenceNode):
            return self.construct_sequence(node, deep=True)
        return node.value

    def construct_set(self, node: yaml.MappingNode) -> Any:
        return self.construct_mapping(node, deep=True)

    def construct_reset(self, _node: yaml.Node) -> Reset:
        return RESET

    def construct_override(self, node: yaml.Node) -> Override:
        if isinstance(node, yaml.MappingNode):
            return Override(self.construct_mapping(node, deep=True))
        if isinstance(node, yaml.SequenceNode):
            return Override(self.construct_sequence(node, deep=True))
        value = node.value
        return Override(go_scalar(value) if getattr(node, "style", None) is None and value else value)


_ComposeLoader.add_constructor(_GO_TAG, _ComposeLoader.construct_go_scalar)
_ComposeLoader.add_constructor("!reset", _ComposeLoader.construct_reset)
_ComposeLoader.add_constructor("!override", _ComposeLoader.construct_override)
_ComposeLoader.add_constructor("tag:yaml.org,2002:timestamp", _ComposeLoader.construct_timestamp)
_ComposeLoader.add_constructor("tag:yaml.org,2002:set", _ComposeLoader.construct_set)
_ComposeLoader.add_constructor(None, _ComposeLoader.construct_unknown_tag)
# go-yaml decodes !!binary scalars of a compose file as plain strings.
_ComposeLoader.add_constructor("tag:yaml.org,2002:binary", _ComposeLoader.construct_yaml_str)


def _strip_tags(value: Any, path: Path, paths: list[Path]) -> Any:
    """Remove `!reset` values and unwrap `!override`, remembering where each one was."""
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            if isinstance(item, Reset):
                paths.append((*path, key))
                continue
            if isinstance(item, Override):
                paths.append((*path, key))
                item = item.value
            out[key] = _strip_tags(item, (*path, key), paths)
        return out
    if isinstance(value, list):
        kept = []
        for index, item in enumerate(value):
            if isinstance(item, Reset):
                continue
            if isinstance(item, Override):
                item = item.value
            kept.append(_strip_tags(item, (*path, index), paths))
        return kept
    return value


def _has_tags(text: str) -> bool:
    return "!reset" in text or "!override" in text


def _yaml_problem(filename: str, exc: yaml.YAMLError, text: str) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"invalid YAML: {problem}"
    if context and "already defined" not in str(problem):
        message = f"invalid YAML: {context}, {problem}"
    location = Location(filename, mark.line + 1, mark.column + 1) if mark else Location(filename)
    path: Path = ()
    if mark is not None and "already defined" in str(problem):
        path = _key_path_at(text, mark.index) or ()
    return Problem(message, location=location, path=path, code="yaml")


def _key_path_at(text: str, index: int) -> Path | None:
    """The key path of the mapping key written at `index` (for a duplicate key: which one)."""
    roots = _compose(text) or ()

    def search(node: yaml.Node, path: Path, seen: set[int]) -> Path | None:
        if id(node) in seen:  # an alias to an enclosing node
            return None
        seen = seen | {id(node)}
        for part, key_node, child in _children(node):
            if isinstance(node, yaml.MappingNode) and key_node.start_mark.index == index:
                return (*path, part)
            found = search(child, (*path, part), seen)
            if found:
                return found
        return None

    for root in roots:
        found = search(root, (), set())
        if found:
            return found
    return None


def load_documents(text: str, filename: str) -> list[Document]:
    """Parse every YAML document of a compose file (Compose merges them in order)."""
    if "\x00" in text:
        raise YamlError(
            Problem(
                "is a binary file, not YAML; pass a compose file", location=Location(filename), code="yaml"
            )
        )
    try:
        raw_docs = list(yaml.load_all(text, Loader=_ComposeLoader))
    except yaml.YAMLError as exc:
        raise YamlError(_yaml_problem(filename, exc, text)) from exc
    docs = []
    tagged = _has_tags(text)
    for raw in raw_docs:
        paths: list[Path] = []
        data = _strip_tags(raw, (), paths) if tagged else raw
        docs.append(Document(data, paths))
    return docs


def load_plain(text: str, filename: str) -> Any:
    """A single YAML document (ecs-params.yml and friends) with the same scalar rules."""
    docs = load_documents(text, filename)
    return docs[0].data if docs else None


def _child(node: yaml.Node, key: str | int) -> tuple[yaml.Node, yaml.Node] | None:
    """(key node, value node) of a mapping key or list index, looking through `<<` merges."""
    if isinstance(node, yaml.SequenceNode):
        if isinstance(key, int) and 0 <= key < len(node.value):
            item = node.value[key]
            return item, item
        return None
    if not isinstance(node, yaml.MappingNode):
        return None
    merged: list[yaml.Node] = []
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            merged.extend(value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node])
        elif isinstance(key_node, yaml.ScalarNode) and key_node.value == str(key):
            return key_node, value_node
    for source in merged:
        found = _child(source, key)
        if found:
            return found
    return None


@contextlib.contextmanager
def deep_nesting() -> Iterator[None]:
    """Room for the 1000 levels of nesting libyaml reads.

    The stages walk values recursively, a few frames per level, and Python's default limit of
    1000 frames would refuse files Compose reads.
    """
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def compose_nodes(text: str) -> tuple[yaml.Node, ...] | None:
    """The node trees of a file's documents (None when it is not valid YAML), for `locate_nodes`."""
    try:
        return tuple(yaml.compose_all(text, Loader=_ComposeLoader))
    except yaml.YAMLError:
        return None


# The loader locates its problems file by file; later stages compose each file once themselves.
_compose = functools.lru_cache(maxsize=8)(compose_nodes)


def find_alias_cycle(texts: Mapping[str, str], files: Sequence[str]) -> Problem | None:
    """An alias inside the node it names (`x: &a [*a]`): where, in Compose's words.

    PyYAML builds such self-containing values without complaint; only the recursion that walks
    them fails later, without a position, so this looks for the cycle in the node tree then.
    """
    for file in files:
        for root in _compose(texts.get(file) or "") or ():
            found = _cycle(root, (), {})
            if found is not None:
                node, path, target = found
                message = (
                    f"cycle detected: node at path {format_path(path)} references node at path "
                    f"{format_path(target)}"
                )
                mark = node.start_mark
                return Problem(message, Location(file, mark.line + 1, mark.column + 1), path, code="yaml")
    return None


def _children(node: yaml.Node) -> list[tuple[str | int, yaml.Node, yaml.Node]]:
    """(key or index, key node, child) of a mapping or sequence node; nothing for a scalar."""
    if isinstance(node, yaml.SequenceNode):
        return [(position, item, item) for position, item in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        return [
            (key.value if isinstance(key, yaml.ScalarNode) else "?", key, value) for key, value in node.value
        ]
    return []


def _cycle(node: yaml.Node, path: Path, open_nodes: dict[int, Path]) -> tuple[yaml.Node, Path, Path] | None:
    if id(node) in open_nodes:
        return node, path, open_nodes[id(node)]
    if not isinstance(node, yaml.SequenceNode | yaml.MappingNode):
        return None
    open_nodes[id(node)] = path
    for part, _key, child in _children(node):
        found = _cycle(child, (*path, part), open_nodes)
        if found is not None:
            return found
    del open_nodes[id(node)]
    return None


def locate_in_files(texts: Mapping[str, str | None], files: Sequence[str], path: Path) -> Location | None:
    """Where `path` of a merged model is written: the file that spells out most of it (the later on ties)."""
    best: tuple[int, Location] | None = None
    for file in files:
        text = texts.get(file)
        found = locate(text, file, path) if text is not None else None
        if found and (best is None or found[1] >= best[0]):
            best = (found[1], found[0])
    return best[1] if best else None


def locate(text: str, filename: str, path: Path) -> tuple[Location, int] | None:
    """Where `path` is written in the file: the deepest existing prefix and how many parts matched.

    The location is that of the key (for mappings) so messages point at what the user typed.
    """
    return locate_nodes(_compose(text), filename, path)


def locate_nodes(
    nodes: tuple[yaml.Node, ...] | None, filename: str, path: Path
) -> tuple[Location, int] | None:
    """`locate` in a file already composed with `compose_nodes`."""
    if nodes is None:
        return None
    best: tuple[Location, int] | None = None
    for root in nodes:
        node: yaml.Node = root
        mark = root.start_mark
        depth = 0
        for part in path:
            found = _child(node, part)
            if found is None:
                break
            key_node, node = found
            mark = key_node.start_mark
            depth += 1
        if best is None or depth > best[1]:
            best = (Location(filename, mark.line + 1, mark.column + 1), depth)
    return best


def locate_ssh_key(texts: Mapping[str, str | None], ssh_path: Path, key_id: str) -> Location | None:
    """Where the ssh key `key_id` is written under `ssh_path`: as `ID: PATH` or as `- ID=PATH`."""
    for file, text in reversed(list(texts.items())):
        found = locate(text, file, ssh_path) if text is not None else None
        if found is None or found[1] < len(ssh_path):
            continue
        for root in _compose(text) or ():
            node: yaml.Node | None = root
            for part in ssh_path:
                child = _child(node, part) if node is not None else None
                node = child[1] if child else None
            if isinstance(node, yaml.MappingNode):
                entry = _child(node, key_id)
                if entry:
                    return Location(file, entry[0].start_mark.line + 1, entry[0].start_mark.column + 1)
            elif isinstance(node, yaml.SequenceNode):
                for item in node.value:
                    if isinstance(item, yaml.ScalarNode) and item.value.partition("=")[0] == key_id:
                        return Location(file, item.start_mark.line + 1, item.start_mark.column + 1)
        return found[0]
    return None
