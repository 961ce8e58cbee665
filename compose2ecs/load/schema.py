"""Check a compose model against the Compose Specification schema embedded in Docker Compose v2.40.3.

`compose-spec.json` next to this module is that schema, byte for byte. It is compiled on the first
call into closures; only the draft-07 keywords the file uses are implemented, and any other keyword
fails compilation, so a schema update cannot silently weaken the checks. Every problem is reported,
each with the path of the offending value and a short message saying what is expected instead.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from compose2ecs.errors import Path, Problem
from compose2ecs.load.yamlfile import Timestamp

__all__ = ["SchemaError", "compile_schema", "validate"]

_SCHEMA_FILE: Final = "compose-spec.json"

# A compiled (sub)schema: appends what is wrong with a value to the list it is given.
_Run = Callable[[Any, Path, list[Problem]], None]
# One keyword family of a schema; receives the value's JSON kind, computed once per value.
_Check = Callable[[Any, str, Path, list[Problem]], None]


class SchemaError(Exception):
    """The schema uses something this validator does not implement (raised while compiling it)."""


# ---------------------------------------------------------------------------------------------------
# Kinds of values. "integer" is a number with no fractional part, as draft-07 (and so Compose, which
# accepts `replicas: 1.0`) defines it; bool is not a number even though Python says it is an int.

_KIND_OF_TYPE: Final[dict[type, str]] = {
    str: "string",
    bool: "boolean",
    int: "integer",
    dict: "object",
    list: "array",
    type(None): "null",
}
_ALL_KINDS: Final = (
    "string",
    "boolean",
    "integer",
    "number",
    "object",
    "array",
    "null",
    "timestamp",
    "other",
)
_KINDS_OF_JSON_TYPE: Final[dict[str, frozenset[str]]] = {
    "string": frozenset({"string"}),
    "boolean": frozenset({"boolean"}),
    "integer": frozenset({"integer"}),
    "number": frozenset({"integer", "number"}),
    "object": frozenset({"object"}),
    "array": frozenset({"array"}),
    "null": frozenset({"null"}),
}


def _kind(value: Any) -> str:
    kind = _KIND_OF_TYPE.get(type(value))
    if kind is not None:
        return kind
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    return _unusual_kind(value)


def _unusual_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list | tuple):
        return "array"
    # go-yaml turns unquoted dates into time.Time, which Compose's schema check rejects wherever a
    # type is required ("invalid jsonType time.Time").
    if isinstance(value, Timestamp):
        return "timestamp"
    return "other"


# ---------------------------------------------------------------------------------------------------
# Wording.

_EXPECTED: Final[dict[str, str]] = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "null": "null",
    "object": "a mapping",
    "array": "a list",
}
_PLURAL: Final[dict[str, str]] = {
    "string": "strings",
    "integer": "integers",
    "number": "numbers",
    "boolean": "booleans",
    "object": "mappings",
    "array": "lists",
}
_ACTUAL: Final[dict[str, str]] = {
    "string": "a string",
    "boolean": "a boolean",
    "integer": "a number",
    "number": "a number",
    "object": "a mapping",
    "array": "a list",
    "null": "null",
    "timestamp": "a date (quote it to keep it a string)",
}
_SHOW_MAX: Final = 40


def _join(atoms: list[str]) -> str:
    unique = list(dict.fromkeys(atoms))
    if len(unique) <= 1:
        return unique[0] if unique else "nothing"
    return ", ".join(unique[:-1]) + " or " + unique[-1]


def _actual(value: Any, kind: str, accepted: frozenset[str] | None) -> str:
    if kind == "number" and accepted is not None and "integer" in accepted:
        return "a fractional number"
    if kind == "other":
        return f"a value of type {type(value).__name__}"
    return _ACTUAL[kind]


def _show(value: Any, kind: str) -> str:
    """Render a scalar briefly for a message; a container is named by its kind."""
    if kind == "string":
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= _SHOW_MAX else text[: _SHOW_MAX - 4] + '..."'
    if kind in ("integer", "number", "boolean", "null"):
        return json.dumps(value)
    return _actual(value, kind, None)


def _show_key(key: Any) -> str:
    return json.dumps(key) if isinstance(key, bool) or key is None else str(key)


def _type_problem(path: Path, label: str, value: Any, kind: str, accepted: frozenset[str] | None) -> Problem:
    return Problem(f"must be {label}, not {_actual(value, kind, accepted)}", path=path, code="schema.type")


def _number_text(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


# ---------------------------------------------------------------------------------------------------
# Formats: Compose registers exactly one custom checker, "duration" (Go's time.ParseDuration).

_DURATION_UNITS: Final[dict[str, int]] = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,  # micro sign
    "\u03bcs": 1_000,  # Greek mu
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
_DURATION_PART: Final = r"([0-9]*)(?:\.([0-9]*))?([^0-9.]*)"
_MAX_DURATION_NS: Final = 1 << 63


def _is_go_duration(text: str) -> bool:
    """Whether Go's time.ParseDuration accepts `text` ("1m30s", "-1.5h", "0"; not "", "10", "1 h")."""
    rest = text
    negative = rest[:1] == "-"
    if rest[:1] in ("-", "+"):
        rest = rest[1:]
    if rest == "0":
        return True
    if not rest:
        return False
    total, pos = 0, 0
    duration_part = re.compile(_DURATION_PART)  # cached by the re module after the first call
    while pos < len(rest):
        part = duration_part.match(rest, pos)
        if part is None:  # pragma: no cover - every group is optional, so the pattern always matches
            return False
        whole, fraction, unit = part.groups()
        scale = _DURATION_UNITS.get(unit)
        if (not whole and not fraction) or scale is None:
            return False
        total += int(whole or "0") * scale
        if fraction:
            total += int(fraction) * scale // 10 ** len(fraction)
        if total > _MAX_DURATION_NS:
            return False
        pos = part.end()
    return total <= (_MAX_DURATION_NS if negative else _MAX_DURATION_NS - 1)


_FORMATS: Final[dict[str, Callable[[str], bool]]] = {"duration": _is_go_duration}
_FORMAT_EXAMPLES: Final[dict[str, str]] = {"duration": 'a duration such as "30s" or "1m30s"'}


# ---------------------------------------------------------------------------------------------------
# Regular expressions: the schema's are Go RE2 syntax, where "$" (outside a class) matches only at
# the very end; Python's "$" also matches before a final newline, so it becomes "\Z".


def _go_regex(pattern: str, where: str) -> re.Pattern[str]:
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            escaped = pattern[i : i + 2]
            out.append(r"\Z" if escaped == r"\z" else escaped)
            i += 2
            continue
        if in_class:
            if pattern.startswith("[:", i):
                raise SchemaError(f"{where}: POSIX character classes are not supported: {pattern!r}")
            in_class = char != "]"
        elif char == "[":
            in_class = True
            out.append(char)
            i += 1
            # A "]" right after "[" or "[^" is a literal in both dialects; copy it so it does not close.
            for literal in ("^", "]"):
                if pattern.startswith(literal, i):
                    out.append(literal)
                    i += 1
            continue
        elif char == "$":
            char = r"\Z"
        out.append(char)
        i += 1
    try:
        return re.compile("".join(out))
    except re.error as exc:
        raise SchemaError(f"{where}: pattern {pattern!r} does not compile: {exc}") from exc


# ---------------------------------------------------------------------------------------------------
# Uniqueness uses JSON equality: 1 == 1.0, but true != 1 and "1" != 1.

_TRUE_KEY: Final = ("boolean", True)
_FALSE_KEY: Final = ("boolean", False)


def _equality_key(value: Any) -> Any:
    kind = _kind(value)
    if kind in ("string", "integer", "number", "null"):
        return value
    if kind == "boolean":
        return _TRUE_KEY if value else _FALSE_KEY
    if kind == "object":
        return ("object", frozenset((key, _equality_key(item)) for key, item in value.items()))
    if kind == "array":
        return ("array", tuple(_equality_key(item) for item in value))
    return (kind, id(value))


# ---------------------------------------------------------------------------------------------------
# Compilation.

_KEYWORDS: Final = frozenset(
    {
        "$ref",
        "type",
        "enum",
        "pattern",
        "format",
        "minimum",
        "maximum",
        "properties",
        "patternProperties",
        "additionalProperties",
        "required",
        "items",
        "uniqueItems",
        "oneOf",
        "anyOf",
    }
)
# Keywords that never change a verdict.
_ANNOTATIONS: Final = frozenset(
    {"description", "title", "default", "deprecated", "examples", "$comment", "readOnly", "writeOnly"}
)
_ROOT_ONLY: Final = frozenset({"$schema", "$id", "definitions"})
_DRAFT_07: Final = frozenset(
    {
        "http://json-schema.org/draft-07/schema",
        "http://json-schema.org/draft-07/schema#",
        "https://json-schema.org/draft-07/schema",
        "https://json-schema.org/draft-07/schema#",
    }
)
_V1_SERVICE_KEYS: Final = ("image", "build")


class _Node:
    """A compiled schema.

    `accepts` is the set of kinds it can pass (None: any), used to pick a oneOf branch; `run` is None
    when the schema accepts everything.
    """

    __slots__ = ("accepts", "label", "run")

    def __init__(self, accepts: frozenset[str] | None, label: str, run: _Run | None) -> None:
        self.accepts = accepts
        self.label = label
        self.run = run


_ANYTHING: Final = _Node(None, "anything", None)


def _reject_everything(_value: Any, path: Path, out: list[Problem]) -> None:
    out.append(Problem("not allowed here", path=path, code="schema.not-allowed"))


_NOTHING: Final = _Node(frozenset(), "nothing", _reject_everything)


class _Compiler:
    def __init__(self, root: Mapping[str, Any]) -> None:
        if not isinstance(root, Mapping):
            raise SchemaError("the schema must be a JSON object")
        dialect = root.get("$schema")
        if dialect is not None and dialect not in _DRAFT_07:
            raise SchemaError(f"unsupported $schema {dialect!r}: only draft-07 is implemented")
        self._root = root
        self._refs: dict[str, _Node] = {}
        self._resolving: set[str] = set()
        self._lazy = False

    def compile_root(self, *, lazy: bool = False) -> _Node:
        """Compile the schema; `lazy` defers each $ref target until a value first reaches it.

        Eager compilation checks every definition, used or not, so an unknown keyword anywhere
        fails at once (the tests do this); the CLI compiles lazily because start-up time counts.
        """
        definitions = self._root.get("definitions", {})
        if not isinstance(definitions, Mapping):
            raise SchemaError("#/definitions must be an object")
        self._lazy = lazy
        if not lazy:
            for name in definitions:
                self._ref(f"#/definitions/{name}", "#/definitions")
        return self.node(self._root, "#", is_root=True)

    # -- references --------------------------------------------------------------------------------

    def _resolve(self, ref: str, where: str) -> Any:
        if not ref.startswith("#"):
            raise SchemaError(f"{where}: only local $ref are supported, not {ref!r}")
        target: Any = self._root
        for token in filter(None, ref[1:].split("/")):
            key = token.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, Mapping) or key not in target:
                raise SchemaError(f"{where}: $ref {ref!r} points nowhere")
            target = target[key]
        return target

    def _ref(self, ref: str, where: str) -> _Node:
        node = self._refs.get(ref)
        if node is not None:
            return node
        target = self._resolve(ref, where)
        if ref in self._resolving:
            # A recursive reference: defer to the node being built, found at call time.
            refs = self._refs

            def deferred(value: Any, path: Path, out: list[Problem]) -> None:
                run = refs[ref].run
                if run is not None:
                    run(value, path, out)

            return _Node(self._accepts(target, set()), _join(self._label(target, set())), deferred)
        if self._lazy:
            return self._lazy_ref(ref, target)
        self._resolving.add(ref)
        try:
            node = self.node(target, ref)
        finally:
            self._resolving.discard(ref)
        self._refs[ref] = node
        return node

    def _lazy_ref(self, ref: str, target: Any) -> _Node:
        compiled: list[_Run | None] = []

        def run_on_demand(value: Any, path: Path, out: list[Problem]) -> None:
            if not compiled:
                compiled.append(self.node(target, ref).run)
            run = compiled[0]
            if run is not None:
                run(value, path, out)

        node = _Node(self._accepts(target, set()), _join(self._label(target, set())), run_on_demand)
        self._refs[ref] = node
        return node

    # -- static facts about a raw schema: what kinds it accepts, how to name it --------------------

    def _types(self, schema: Mapping[str, Any], where: str) -> list[str]:
        declared = schema.get("type")
        if declared is None:
            return []
        names = [declared] if isinstance(declared, str) else declared
        if not isinstance(names, list) or not names or any(name not in _KINDS_OF_JSON_TYPE for name in names):
            raise SchemaError(f"{where}: unsupported type {declared!r}")
        return names

    def _accepts(self, schema: Any, seen: set[str]) -> frozenset[str] | None:
        if schema is True or not isinstance(schema, Mapping):
            return None if schema is True else frozenset()
        if "$ref" in schema:
            ref = schema["$ref"]
            if ref in seen:
                return None
            return self._accepts(self._resolve(ref, ref), seen | {ref})
        types = self._types(schema, "#")
        if types:
            return frozenset().union(*(_KINDS_OF_JSON_TYPE[name] for name in types))
        for combinator in ("oneOf", "anyOf"):
            if combinator in schema:
                branches = [self._accepts(branch, seen) for branch in schema[combinator]]
                if any(branch is None for branch in branches):
                    return None
                return frozenset().union(*(branch for branch in branches if branch is not None))
        return None

    def _label(self, schema: Any, seen: set[str]) -> list[str]:
        if not isinstance(schema, Mapping):
            return ["anything" if schema is True else "nothing"]
        if "$ref" in schema:
            ref = schema["$ref"]
            return ["anything"] if ref in seen else self._label(self._resolve(ref, ref), seen | {ref})
        if "enum" in schema:
            return [json.dumps(choice) for choice in schema["enum"]]
        types = self._types(schema, "#")
        if types:
            return [self._type_label(name, schema, seen) for name in types]
        for combinator in ("oneOf", "anyOf"):
            if combinator in schema:
                return [atom for branch in schema[combinator] for atom in self._label(branch, seen)]
        return ["anything"]

    def _type_label(self, name: str, schema: Mapping[str, Any], seen: set[str]) -> str:
        if name == "array" and isinstance(schema.get("items"), Mapping):
            item_kinds = self._accepts(schema["items"], seen)
            plural = [_PLURAL[t] for t in _PLURAL if _KINDS_OF_JSON_TYPE[t] == item_kinds]
            if len(plural) == 1:
                return f"a list of {plural[0]}"
        return _EXPECTED[name]

    # -- compiling ---------------------------------------------------------------------------------

    def node(self, schema: Any, where: str, *, is_root: bool = False) -> _Node:
        if schema is True:
            return _ANYTHING
        if schema is False:
            return _NOTHING
        if not isinstance(schema, Mapping):
            raise SchemaError(f"{where}: a schema must be an object or a boolean, not {schema!r}")
        unknown = set(schema) - _KEYWORDS - _ANNOTATIONS - (_ROOT_ONLY if is_root else set())
        if unknown:
            raise SchemaError(f"{where}: unsupported keyword(s) {', '.join(sorted(unknown))}")
        if "$ref" in schema:
            siblings = (set(schema) & _KEYWORDS) - {"$ref"}
            if siblings:
                # draft-07 ignores keywords next to $ref; refuse rather than guess what was meant.
                raise SchemaError(f"{where}: keyword(s) next to $ref: {', '.join(sorted(siblings))}")
            return self._ref(schema["$ref"], where)
        types = self._types(schema, where)
        accepts = self._accepts(schema, set())
        label = _join(self._label(schema, set()))
        checks = [
            check
            for check in (
                self._object_check(schema, where, is_root=is_root),
                self._array_check(schema, where),
                self._combinator_check(schema, where, "oneOf"),
                self._combinator_check(schema, where, "anyOf"),
                self._enum_check(schema, where),
                self._pattern_check(schema, where),
                self._bound_check(schema, where, "minimum"),
                self._bound_check(schema, where, "maximum"),
                self._format_check(schema, where),
            )
            if check is not None
        ]
        kinds = accepts if types else None
        if kinds is None and not checks:
            return _Node(accepts, label, None)
        return _Node(accepts, label, _make_run(kinds, label, checks))

    def _object_check(self, schema: Mapping[str, Any], where: str, *, is_root: bool) -> _Check | None:
        properties = schema.get("properties", {})
        patterns = schema.get("patternProperties", {})
        additional = schema.get("additionalProperties", True)
        required = schema.get("required", [])
        if not isinstance(properties, Mapping) or not isinstance(patterns, Mapping):
            raise SchemaError(f"{where}: properties and patternProperties must be objects")
        if not isinstance(required, list) or not all(isinstance(name, str) for name in required):
            raise SchemaError(f"{where}: required must be a list of strings")
        if not (properties or patterns or required or additional is not True):
            return None
        pattern_runs = [
            (_go_regex(text, where), self.node(sub, f"{where}/patternProperties/{text}").run)
            for text, sub in patterns.items()
        ]
        # patternProperties also apply to declared properties; for those the matches are known now.
        declared: dict[str, tuple[_Run, ...]] = {}
        for name, sub in properties.items():
            runs = [self.node(sub, f"{where}/properties/{name}").run]
            runs += [run for regex, run in pattern_runs if regex.search(name)]
            declared[name] = tuple(filter(None, runs))
        closed = additional is False
        additional_run = None if isinstance(additional, bool) else self.node(additional, where).run
        names = tuple(sorted(properties))
        pattern_texts = list(patterns)

        def check(value: Any, kind: str, path: Path, out: list[Problem]) -> None:
            if kind != "object":
                return
            for key, item in value.items():
                if not isinstance(key, str):
                    out.append(
                        Problem(
                            f"key must be a string, not {_actual(key, _kind(key), None)} (quote it)",
                            path=(*path, _show_key(key)),
                            code="schema.key",
                        )
                    )
                    continue
                runs = declared.get(key)
                if runs is not None:
                    for declared_run in runs:
                        declared_run(item, (*path, key), out)
                    continue
                matched = False
                for regex, run in pattern_runs:
                    if regex.search(key):
                        matched = True
                        if run is not None:
                            run(item, (*path, key), out)
                if matched:
                    continue
                if closed:
                    out.append(_unknown_key((*path, key), key, item, names, pattern_texts, is_root=is_root))
                elif additional_run is not None:
                    additional_run(item, (*path, key), out)
            out.extend(
                Problem(f'missing required key "{name}"', path=path, code="schema.required")
                for name in required
                if name not in value
            )

        return check

    def _array_check(self, schema: Mapping[str, Any], where: str) -> _Check | None:
        items = schema.get("items")
        unique = schema.get("uniqueItems", False)
        if not isinstance(unique, bool):
            raise SchemaError(f"{where}: uniqueItems must be a boolean")
        if items is not None and not isinstance(items, Mapping | bool):
            raise SchemaError(f"{where}: only a single schema is supported for items")
        item_run = None if items is None else self.node(items, f"{where}/items").run
        if item_run is None and not unique:
            return None

        def check(value: Any, kind: str, path: Path, out: list[Problem]) -> None:
            if kind != "array":
                return
            if item_run is not None:
                for index, item in enumerate(value):
                    item_run(item, (*path, index), out)
            if unique and len(value) > 1:
                seen: dict[Any, int] = {}
                for index, item in enumerate(value):
                    key = _equality_key(item)
                    first = seen.setdefault(key, index)
                    if first != index:
                        out.append(
                            Problem(f"duplicate of item [{first}]", path=(*path, index), code="schema.unique")
                        )

        return check

    def _combinator_check(self, schema: Mapping[str, Any], where: str, keyword: str) -> _Check | None:
        if keyword not in schema:
            return None
        raw = schema[keyword]
        if not isinstance(raw, list) or not raw:
            raise SchemaError(f"{where}: {keyword} must be a non-empty list")
        branches = [self.node(branch, f"{where}/{keyword}/{i}") for i, branch in enumerate(raw)]
        # Branches whose type cannot hold a value are skipped: their errors would only say "wrong type".
        candidates = {
            kind: tuple(branch.run for branch in branches if branch.accepts is None or kind in branch.accepts)
            for kind in _ALL_KINDS
        }
        accepted = self._accepts({keyword: raw}, set())
        label = _join(self._label({keyword: raw}, set()))
        exactly_one = keyword == "oneOf"

        def check(value: Any, kind: str, path: Path, out: list[Problem]) -> None:
            runs = candidates[kind]
            if not runs:
                out.append(_type_problem(path, label, value, kind, accepted))
            elif len(runs) == 1:
                run = runs[0]
                if run is not None:
                    run(value, path, out)
            else:
                _pick_branch(runs, value, path, out, exactly_one=exactly_one)

        return check

    def _enum_check(self, schema: Mapping[str, Any], where: str) -> _Check | None:
        if "enum" not in schema:
            return None
        choices = schema["enum"]
        if not isinstance(choices, list) or not choices:
            raise SchemaError(f"{where}: enum must be a non-empty list")
        allowed = frozenset(_equality_key(choice) for choice in choices)
        shown = ", ".join(json.dumps(choice) for choice in choices)
        expected = f"one of {shown}" if len(choices) > 1 else shown

        def check(value: Any, kind: str, path: Path, out: list[Problem]) -> None:
            if _equality_key(value) not in allowed:
                message = f"must be {expected}, not {_show(value, kind)}"
                out.append(Problem(message, path=path, code="schema.enum"))

        return check

    def _pattern_check(self, schema: Mapping[str, Any], where: str) -> _Check | None:
        if "pattern" not in schema:
            return None
        text = schema["pattern"]
        if not isinstance(text, str):
            raise SchemaError(f"{where}: pattern must be a string")
        regex = _go_regex(text, where)

        def check(value: Any, kind: str, path: Path, out: list[Problem]) -> None:
            if kind == "string" and not regex.search(value):
                message = f"must match the pattern {text}, not {_show(value, kind)}"
                out.append(Problem(message, path=path, code="schema.pattern"))

        return check

    def _bound_check(self, schema: Mapping[str, Any], where: str, keyword: str) -> _Check | None:
        if keyword not in schema:
            return None
        bound = schema[keyword]
        if isinstance(bound, bool) or not isinstance(bound, int | float):
            raise SchemaError(f"{where}: {keyword} must be a number")
        is_minimum = keyword == "minimum"
        wording = f"at least {_number_text(bound)}" if is_minimum else f"at most {_number_text(bound)}"
        code = f"schema.{keyword}"

        def check(value: Any, kind: str, path: Path, out: list[Problem]) -> None:
            if kind in ("integer", "number") and (value < bound if is_minimum else value > bound):
                out.append(Problem(f"must be {wording}, not {_show(value, kind)}", path=path, code=code))

        return check

    def _format_check(self, schema: Mapping[str, Any], where: str) -> _Check | None:
        if "format" not in schema:
            return None
        name = schema["format"]
        checker = _FORMATS.get(name)
        if checker is None:
            # Compose registers only these; another name would be checked (or not) by rules we lack.
            raise SchemaError(f"{where}: unsupported format {name!r}")
        expected = _FORMAT_EXAMPLES[name]

        def check(value: Any, kind: str, path: Path, out: list[Problem]) -> None:
            # Compose's checker fails anything but a string, whatever the schema's type says.
            if kind != "string" or not checker(value):
                message = f"must be {expected}, not {_show(value, kind)}"
                out.append(Problem(message, path=path, code="schema.format"))

        return check


def _make_run(kinds: frozenset[str] | None, label: str, checks: list[_Check]) -> _Run:
    if kinds is None:

        def run_untyped(value: Any, path: Path, out: list[Problem]) -> None:
            kind = _kind(value)
            for check in checks:
                check(value, kind, path, out)

        return run_untyped
    if not checks:

        def run_type(value: Any, path: Path, out: list[Problem]) -> None:
            kind = _kind(value)
            if kind not in kinds:
                out.append(_type_problem(path, label, value, kind, kinds))

        return run_type

    def run(value: Any, path: Path, out: list[Problem]) -> None:
        kind = _kind(value)
        if kind not in kinds:
            # Other keywords would only restate the type mismatch.
            out.append(_type_problem(path, label, value, kind, kinds))
            return
        for check in checks:
            check(value, kind, path, out)

    return run


def _pick_branch(
    runs: tuple[_Run | None, ...], value: Any, path: Path, out: list[Problem], *, exactly_one: bool
) -> None:
    """Run every branch that could hold the value; if none passes, report the most specific one.

    That is the branch whose errors got deepest into the value, fewest problems breaking ties.
    """
    results: list[list[Problem]] = []
    for run in runs:
        found: list[Problem] = []
        if run is not None:
            run(value, path, found)
        results.append(found)
    passing = sum(1 for found in results if not found)
    if passing == 1 or (passing and not exactly_one):
        return
    if passing > 1:
        out.append(Problem("matches more than one of the allowed forms", path=path, code="schema.one-of"))
        return
    best: list[Problem] = max(results, key=_specificity)
    out.extend(best)


def _specificity(found: list[Problem]) -> tuple[int, int]:
    return max(len(problem.path) for problem in found), -len(found)


@functools.lru_cache(maxsize=256)
def suggestion(key: str, names: tuple[str, ...]) -> str:
    # difflib costs ~0.1 ms a call; the same typo tends to repeat across services.
    import difflib  # noqa: PLC0415 - only a misspelt key needs it

    close = difflib.get_close_matches(key, names, n=1)
    return close[0] if close else ""


def _unknown_key(
    path: Path, key: str, value: Any, names: tuple[str, ...], patterns: list[str], *, is_root: bool
) -> Problem:
    hint = ""
    if key == "":
        message = "empty key"
    elif names:
        close = suggestion(key, names)
        message = f'unknown key (did you mean "{close}"?)' if close else "unknown key"
        if is_root and not close and isinstance(value, Mapping) and any(k in value for k in _V1_SERVICE_KEYS):
            hint = 'services go under the top-level "services" key'
    elif patterns:
        message = f"invalid key: must match {' or '.join(patterns)}"
    else:
        message = "no keys are allowed here"
    return Problem(message, path=path, code="schema.unknown-key", hint=hint)


# ---------------------------------------------------------------------------------------------------
# Public API.


def compile_schema(schema: Mapping[str, Any], *, lazy: bool = False) -> Callable[[Any], list[Problem]]:
    """Compile a draft-07 schema (the subset the Compose schema uses) into a validating function.

    Raises SchemaError for any keyword, type, format or $ref this module does not implement
    (with `lazy`, only once a value reaches the offending part).
    """
    root = _Compiler(schema).compile_root(lazy=lazy)
    run = root.run

    def validate_instance(instance: Any) -> list[Problem]:
        problems: list[Problem] = []
        if run is not None:
            run(instance, (), problems)
        return problems

    return validate_instance


@functools.cache
def _compose_validator() -> Callable[[Any], list[Problem]]:
    # os.path, not pathlib: importing pathlib costs ~2 ms at every start-up.
    schema_path = os.path.join(os.path.dirname(__file__), _SCHEMA_FILE)  # noqa: PTH118, PTH120
    with open(schema_path, encoding="utf-8") as handle:  # noqa: PTH123
        text = handle.read()
    return compile_schema(json.loads(text), lazy=True)


def validate(model: dict[str, Any]) -> list[Problem]:
    """Every way `model` breaks the Compose Specification schema of Docker Compose v2.40.3.

    `model` is one compose file's content as plain dicts, lists and scalars, after interpolation.
    Each Problem has `path` set (an unknown key's path ends with the key) and no location.
    """
    return _compose_validator()(model)
