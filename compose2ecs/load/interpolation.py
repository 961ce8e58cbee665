"""Variable interpolation in compose files, as Docker Compose v2.40.3 (compose-go v2.9.1) does it.

Pure functions over strings and plain YAML data (dicts, lists, scalars): no I/O, no environment
access, no logging. Variables are resolved through a caller-supplied `lookup` (``None`` = unset).

Two entry points:

* `substitute` expands one template string: ``$VAR``, ``${VAR}``, ``${VAR:-default}``,
  ``${VAR-default}``, ``${VAR:?message}``, ``${VAR?message}``, ``${VAR:+alternative}``,
  ``${VAR+alternative}``, nesting inside the operand, and ``$$`` for a literal ``$``.
* `interpolate_tree` walks a parsed compose document, substitutes every string value (mapping
  keys are left alone, as Compose does) and applies Compose's type casts (`TYPE_CASTS`): at those
  paths the substituted string becomes an ``int``, ``float`` or ``bool``.

Errors. `substitute` raises the first `InterpolationError` of the template (Compose stops at the
first one too). `interpolate_tree` keeps walking and raises one `InterpolationErrors` whose
``errors`` lists every failing value in document order, each with its ``path`` (list indexes are
ints). Compose itself reports only one of them, picked in random map order.

Each `InterpolationError` carries ``message`` (what went wrong, without the location), ``path``,
``hint`` and ``compose_message``: the exact text Compose prints, path included.

Warnings are returned, never printed: pass a list as ``missing`` to collect the name of every
unset variable that defaulted to "" (once per occurrence, as Compose warns once per occurrence;
render with `missing_variable_warning`), and a list as ``warnings`` to collect the YAML 1.1
boolean warnings of the casts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, Final, Self

Lookup = Callable[[str], str | None]
PathPart = str | int

# Go's regexp folds case with simple Unicode folding: under (?i), [a-z] also matches the Kelvin
# sign and the long s, and nothing else outside ASCII (Python's IGNORECASE would add dotted and
# dotless i). Spell the classes out instead of using a flag.
_NAME_START: Final = "_a-zA-Z\u017f\u212a"
_NAME_REST: Final = "_a-zA-Z0-9\u017f\u212a"
# Patterns are strings: the re module compiles and caches them on first use, not at start-up.
_PATTERN: Final = (
    rf"\$(?:(?P<escaped>\$)"
    rf"|(?P<named>[{_NAME_START}][{_NAME_REST}]*)"
    rf"|\{{(?:(?P<braced>[{_NAME_START}][{_NAME_REST}]*(?::?[-+?].*)?)\}}|(?P<invalid>)))"
)
_BRACED: Final = rf"(?s)([{_NAME_START}][{_NAME_REST}]*)(:?[-+?])?(.*)"

_ESCAPE_HINT: Final = "You may need to escape any $ with another $."


class InterpolationError(Exception):
    """One value Compose cannot interpolate.

    ``message`` says what is wrong (no location), ``path`` where it is (empty from `substitute`),
    ``hint`` how to fix it when Compose says so, and ``compose_message`` is Compose's exact text.
    """

    def __init__(self, message: str, path: tuple[PathPart, ...] = (), hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.hint = hint

    @property
    def compose_message(self) -> str:
        """What `docker compose config` prints for this error."""
        if not self.path:
            return self.message
        return f"error while interpolating {format_compose_path(self.path)}: {self.message}"

    def with_path(self, path: tuple[PathPart, ...]) -> Self:
        """Return a copy located at `path`."""
        # Not copy.copy: exceptions are rebuilt from their args, which our subclasses do not take.
        located = type(self).__new__(type(self))
        located.__dict__.update(self.__dict__)
        located.args = self.args
        located.path = path
        return located

    def __str__(self) -> str:
        return self.compose_message


class InvalidTemplateError(InterpolationError):
    """Malformed ``$`` syntax; ``template`` is the (sub)template Compose quotes."""

    def __init__(self, template: str = "", path: tuple[PathPart, ...] = ()) -> None:
        super().__init__("", path, _ESCAPE_HINT)
        self.template = template
        self._refresh()

    def _refresh(self) -> None:
        # Go's InvalidTemplateError.Error(); dotenv files surface exactly this text.
        self.message = f"Invalid template: {go_quote(self.template)}"
        self.args = (self.message,)

    def set_template(self, template: str) -> None:
        """Fill the template in once the enclosing string is known."""
        self.template = template
        self._refresh()

    @property
    def compose_message(self) -> str:
        """What `docker compose config` prints for this error."""
        if not self.path:
            return self.message
        where = format_compose_path(self.path)
        return f"invalid interpolation format for {where}.\n{_ESCAPE_HINT}\n{self.template}"


class MissingRequiredError(InterpolationError):
    """``${VAR?reason}`` / ``${VAR:?reason}`` with the variable unset (or empty)."""

    def __init__(self, variable: str, reason: str, path: tuple[PathPart, ...] = ()) -> None:
        text = f"required variable {variable} is missing a value"
        super().__init__(f"{text}: {reason}" if reason else text, path)
        self.variable = variable
        self.reason = reason


class CastError(InterpolationError):
    """The substituted string does not parse as the type Compose expects at that path."""

    def __init__(self, value: str, reason: str, path: tuple[PathPart, ...] = ()) -> None:
        super().__init__(f"failed to cast to expected type: {reason}", path)
        self.value = value
        self.reason = reason


class InterpolationErrors(Exception):  # noqa: N818 - a collection, not one error
    """Every error of one `interpolate_tree` call, in document order."""

    def __init__(self, errors: list[InterpolationError]) -> None:
        super().__init__("\n".join(e.compose_message for e in errors))
        self.errors = errors


def format_compose_path(path: Iterable[PathPart]) -> str:
    """Compose's spelling of a path in interpolation errors: list items are ``[]``."""
    return ".".join("[]" if isinstance(p, int) else p for p in path)


def missing_variable_warning(name: str) -> str:
    """Compose's warning for an unset variable that defaulted to an empty string."""
    return f"The {go_quote(name)} variable is not set. Defaulting to a blank string."


def go_quote(text: str) -> str:
    """Go's ``strconv.Quote`` (``%q``): Compose quotes names and values this way in messages."""
    if text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in {'"', "\\"}:
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        elif ch in _GO_CHAR_ESCAPES:
            out.append(_GO_CHAR_ESCAPES[ch])
        elif code < 0x20 or code == 0x7F:  # noqa: PLR2004 - Go's \x range
            out.append(f"\\x{code:02x}")
        elif 0xD800 <= code <= 0xDFFF:  # noqa: PLR2004 - not a valid rune: Go prints U+FFFD
            out.append("\\ufffd")
        elif code < 0x10000:  # noqa: PLR2004
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


_GO_CHAR_ESCAPES: Final = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}


# --------------------------------------------------------------------------- substitution


def substitute(template: str, lookup: Lookup, missing: list[str] | None = None) -> str:
    """Expand one template exactly like compose-go's ``template.Substitute``.

    Raises the first `InvalidTemplateError` / `MissingRequiredError` of the template. Names of
    unset variables that became "" are appended to `missing`, one entry per occurrence.
    """
    if "$" not in template:
        return template
    result, err = _expand(template, lookup, missing if missing is not None else [])
    if err is not None:
        raise err
    return result


def _expand(template: str, lookup: Lookup, missing: list[str]) -> tuple[str, InterpolationError | None]:
    # Like Go's ReplaceAllStringFunc: every match is replaced even after a failure (so warnings
    # keep flowing); the first error wins.
    first: InterpolationError | None = None
    parts: list[str] = []
    pos = 0
    for match in re.finditer(_PATTERN, template):
        parts.append(template[pos : match.start()])
        pos = match.end()
        value, err = _replace(match.group(0), lookup, missing)
        if err is not None:
            if isinstance(err, InvalidTemplateError) and not err.template:
                err.set_template(template)
            if first is None:
                first = err
        parts.append(value)
    if first is not None:
        return "", first
    parts.append(template[pos:])
    return "".join(parts), None


def _first_brace_closing(text: str) -> int:
    # compose-go counts every "{" and then skips the character after it; "${A:-{}}x}" therefore
    # closes at the last brace. Kept as is: it decides what `rest` is.
    depth = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "}":
            depth -= 1
            if depth == 0:
                return i
        if ch == "{":
            depth += 1
            i += 1
        i += 1
    return -1


def _replace(substring: str, lookup: Lookup, missing: list[str]) -> tuple[str, InterpolationError | None]:
    # The regex is greedy up to the last "}" of the line; Compose cuts the match at the first
    # balanced brace and expands what follows (`rest`) as a template of its own.
    rest = ""
    closing = _first_brace_closing(substring)
    if closing > -1:
        rest = substring[closing + 1 :]
        substring = substring[: closing + 1]
    match = re.match(_PATTERN, substring)
    if match is None:  # pragma: no cover - substring always starts with "$" plus one more char
        return "", InvalidTemplateError()
    if match.group("escaped"):
        return "$", None
    name = match.group("named")
    if name:
        return _lookup_or_blank(name, lookup, missing), None
    braced = match.group("braced")
    if not braced:
        return "", InvalidTemplateError()
    parsed = re.fullmatch(_BRACED, braced)
    if parsed is None:  # pragma: no cover - guaranteed by _PATTERN
        return "", InvalidTemplateError()
    name, operator, operand = parsed.group(1), parsed.group(2), parsed.group(3)
    if operator is None:
        return _lookup_or_blank(name, lookup, missing), None
    value, err = _apply_operator(name, operator, operand, lookup, missing)
    if err is not None:
        return "", err
    nested, err = _expand(rest, lookup, missing) if "$" in rest else (rest, None)
    if err is not None:
        return "", err
    return value + nested, None


def _lookup_or_blank(name: str, lookup: Lookup, missing: list[str]) -> str:
    value = lookup(name)
    if value is None:
        missing.append(name)
        return ""
    return value


def _apply_operator(
    name: str, operator: str, operand: str, lookup: Lookup, missing: list[str]
) -> tuple[str, InterpolationError | None]:
    # compose-go expands the operand before looking at the variable, even when the operand
    # ends up unused: "${SET:-${UNSET?}}" fails and "${SET:-$UNSET}" warns.
    expanded, err = _expand(operand, lookup, missing) if "$" in operand else (operand, None)
    if err is not None:
        return "", err
    value = lookup(name)
    if operator == ":-":
        return (value or expanded), None
    if operator == "-":
        return (expanded if value is None else value), None
    if operator == ":+":
        return (expanded if value else ""), None
    if operator == "+":
        return (expanded if value is not None else ""), None
    if operator == ":?":
        if not value:
            return "", MissingRequiredError(name, expanded)
        return value, None
    # "?"
    if value is None:
        return "", MissingRequiredError(name, expanded)
    return value, None


# --------------------------------------------------------------------------- type casts


class _ParseError(Exception):
    """A Go strconv-style parse failure; the text is Go's error string."""


def _syntax(func: str, text: str) -> _ParseError:
    return _ParseError(f"strconv.{func}: parsing {go_quote(text)}: invalid syntax")


def _range(func: str, text: str) -> _ParseError:
    return _ParseError(f"strconv.{func}: parsing {go_quote(text)}: value out of range")


_INT: Final = r"[+-]?[0-9]+"
_INT64_MIN: Final = -(1 << 63)
_INT64_MAX: Final = (1 << 63) - 1
_UINT64_MAX: Final = (1 << 64) - 1


def _go_int(text: str, func: str) -> int:
    # strconv.ParseInt(s, 10, 64) / strconv.Atoi: ASCII digits, one optional sign, no spaces,
    # no underscores. Go scans left to right, so "999…9x" is a range error if the overflow comes
    # before the bad character and a syntax error otherwise.
    if re.fullmatch(_INT, text):
        # More than 20 digits is out of int64's range whatever they are (and Python refuses to
        # convert thousands of digits at all).
        if len(text.lstrip("+-0")) > 20:  # noqa: PLR2004 - len(str(2**64))
            raise _range(func, text)
        number = int(text)
        if _INT64_MIN <= number <= _INT64_MAX:
            return number
        raise _range(func, text)
    digits = text[1:] if text[:1] in {"+", "-"} else text
    if not digits:
        raise _syntax(func, text)
    accumulated = 0
    for ch in digits:
        if not "0" <= ch <= "9":
            raise _syntax(func, text)
        accumulated = accumulated * 10 + ord(ch) - 48
        if accumulated > _UINT64_MAX:
            raise _range(func, text)
    raise _range(func, text)  # pragma: no cover - only reached for out-of-int64 values


def _to_int(text: str) -> int:
    return _go_int(text, "Atoi")


def _to_int64(text: str) -> int:
    return _go_int(text, "ParseInt")


# Go float literal, as strconv.ParseFloat reads it (underscores checked separately).
_DEC_FLOAT: Final = r"[+-]?(?=[0-9_]*\.?[0-9_]*[0-9])[0-9_]*\.?[0-9_]*(?:[eE][+-]?[0-9][0-9_]*)?"
_HEX_FLOAT: Final = (
    r"[+-]?0[xX](?=[0-9a-fA-F_]*\.?[0-9a-fA-F_]*[0-9a-fA-F])"
    r"[0-9a-fA-F_]*\.?[0-9a-fA-F_]*[pP][+-]?[0-9][0-9_]*"
)
_FLOAT32_OVERFLOW: Final = 2.0**128 - 2.0**103  # first value that rounds to +Inf in float32
_FLOAT32_MAX: Final = 3.4028234663852886e38


def _special_float(text: str) -> float | None:
    # strconv's special(): [+-]inf, [+-]infinity, nan (no sign), any case, nothing after.
    body = text[1:] if text[:1] in {"+", "-"} else text
    lowered = body.lower()
    if lowered in {"inf", "infinity"}:
        return float("-inf") if text[0] == "-" else float("inf")
    if lowered == "nan" and body is text:
        return float("nan")
    return None


def _underscores_ok(text: str) -> bool:
    # Go: an underscore must sit between digits (a base prefix counts as a digit).
    if text[:1] in {"+", "-"}:
        text = text[1:]
    saw = "^"
    i = 0
    hexadecimal = False
    if len(text) >= 2 and text[0] == "0" and text[1] in "xXbBoO":  # noqa: PLR2004
        i = 2
        saw = "0"
        hexadecimal = text[1] in "xX"
    for ch in text[i:]:
        if "0" <= ch <= "9" or (hexadecimal and ch in "abcdefABCDEF"):
            saw = "0"
            continue
        if ch == "_":
            if saw != "0":
                return False
            saw = "_"
            continue
        if saw == "_":
            return False
        saw = "!"
    return saw != "_"


def _go_float(text: str, bits: int) -> float:
    special = _special_float(text)
    if special is not None:
        return special
    hexadecimal = re.fullmatch(_HEX_FLOAT, text) is not None
    if not hexadecimal and re.fullmatch(_DEC_FLOAT, text) is None:
        raise _syntax("ParseFloat", text)
    clean = text
    if "_" in text:
        if not _underscores_ok(text):
            raise _syntax("ParseFloat", text)
        clean = text.replace("_", "")
    try:
        number = float.fromhex(clean) if hexadecimal else float(clean)
    except OverflowError:
        raise _range("ParseFloat", text) from None
    magnitude = abs(number)
    if magnitude == float("inf"):
        raise _range("ParseFloat", text)
    if bits == 32 and magnitude > _FLOAT32_MAX:  # noqa: PLR2004
        # Go rounds the literal straight to float32; decide exactly at the rounding boundary.
        from fractions import Fraction  # noqa: PLC0415 - only floats beyond float32's range need it

        exact = abs(Fraction(clean)) if not hexadecimal else Fraction(magnitude)
        if exact >= Fraction(_FLOAT32_OVERFLOW):
            raise _range("ParseFloat", text)
    return number


def _to_float(text: str) -> float:
    return _go_float(text, 64)


def _to_float32(text: str) -> float:
    # The value is returned at float64 precision: Compose stores a float32 here, exactly as it
    # does for a literal `cpus: 0.5`, so the model layer applies the same float32 rounding to both.
    return _go_float(text, 32)


_TRUE_WORDS: Final = frozenset({"y", "yes", "on"})
_FALSE_WORDS: Final = frozenset({"n", "no", "off"})


def _to_bool(text: str, warnings: list[str]) -> bool:
    lowered = text.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    if lowered in _TRUE_WORDS:
        warnings.append(f"{go_quote(text)} for boolean is not supported by YAML 1.2, please use `true`")
        return True
    if lowered in _FALSE_WORDS:
        warnings.append(f"{go_quote(text)} for boolean is not supported by YAML 1.2, please use `false`")
        return False
    raise _ParseError(f"invalid boolean: {text}")


# compose-go v2.9.1 loader/interpolate.go, interpolateTypeCastMapping, checked path by path
# against the v2.40.3 binary ("*" = any key or list item, "[]" = any list item).
TYPE_CASTS: Final[dict[tuple[str, ...], str]] = {
    ("services", "*", "cpu_count"): "int64",
    ("services", "*", "cpu_percent"): "float",
    ("services", "*", "cpu_period"): "int64",
    ("services", "*", "cpu_quota"): "int64",
    ("services", "*", "cpu_rt_period"): "int64",
    ("services", "*", "cpu_rt_runtime"): "int64",
    ("services", "*", "cpus"): "float32",
    ("services", "*", "cpu_shares"): "int64",
    ("services", "*", "init"): "bool",
    ("services", "*", "deploy", "replicas"): "int",
    ("services", "*", "deploy", "update_config", "parallelism"): "int",
    ("services", "*", "deploy", "update_config", "max_failure_ratio"): "float",
    ("services", "*", "deploy", "rollback_config", "parallelism"): "int",
    ("services", "*", "deploy", "rollback_config", "max_failure_ratio"): "float",
    ("services", "*", "deploy", "restart_policy", "max_attempts"): "int",
    ("services", "*", "deploy", "placement", "max_replicas_per_node"): "int",
    ("services", "*", "healthcheck", "retries"): "int",
    ("services", "*", "healthcheck", "disable"): "bool",
    ("services", "*", "oom_kill_disable"): "bool",
    ("services", "*", "oom_score_adj"): "int64",
    ("services", "*", "pids_limit"): "int64",
    ("services", "*", "ports", "[]", "target"): "int",
    ("services", "*", "privileged"): "bool",
    ("services", "*", "read_only"): "bool",
    ("services", "*", "scale"): "int",
    ("services", "*", "stdin_open"): "bool",
    ("services", "*", "tty"): "bool",
    ("services", "*", "ulimits", "*"): "int",
    ("services", "*", "ulimits", "*", "hard"): "int",
    ("services", "*", "ulimits", "*", "soft"): "int",
    ("services", "*", "volumes", "[]", "read_only"): "bool",
    ("services", "*", "volumes", "[]", "volume", "nocopy"): "bool",
    ("networks", "*", "external"): "bool",
    ("networks", "*", "internal"): "bool",
    ("networks", "*", "attachable"): "bool",
    ("networks", "*", "enable_ipv4"): "bool",
    ("networks", "*", "enable_ipv6"): "bool",
    ("volumes", "*", "external"): "bool",
    ("secrets", "*", "external"): "bool",
    ("configs", "*", "external"): "bool",
}

_NUMBER_CASTS: Final[dict[str, Callable[[str], int | float]]] = {
    "int": _to_int,
    "int64": _to_int64,
    "float": _to_float,
    "float32": _to_float32,
}


class _Node:
    """One level of the cast table as a trie, so the walk never re-matches whole paths."""

    __slots__ = ("cast", "children")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.cast: str | None = None


def _build_trie() -> _Node:
    root = _Node()
    for pattern, cast in TYPE_CASTS.items():
        node = root
        for part in pattern:
            node = node.children.setdefault(part, _Node())
        node.cast = cast
    return root


_ROOT: Final = _build_trie()
_NO_NODES: Final[tuple[_Node, ...]] = ()


def _step(nodes: tuple[_Node, ...], part: str) -> tuple[_Node, ...]:
    # Compose's Path.Matches: "*" matches any key and any list item; other parts match equal
    # strings, list items being the part "[]".
    if not nodes:
        return _NO_NODES
    found: list[_Node] = []
    for node in nodes:
        exact = node.children.get(part)
        if exact is not None:
            found.append(exact)
        if part != "*":
            wildcard = node.children.get("*")
            if wildcard is not None:
                found.append(wildcard)
    return tuple(found)


def _cast_of(nodes: tuple[_Node, ...]) -> str | None:
    for node in nodes:
        if node.cast is not None:
            return node.cast
    return None


# --------------------------------------------------------------------------- tree walk


def _key_part(key: object) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


class _Walk:
    __slots__ = ("errors", "lookup", "missing", "warnings")

    def __init__(self, lookup: Lookup, missing: list[str], warnings: list[str]) -> None:
        self.lookup = lookup
        self.missing = missing
        self.warnings = warnings
        self.errors: list[InterpolationError] = []

    def value(self, value: Any, path: tuple[PathPart, ...], nodes: tuple[_Node, ...]) -> Any:
        if isinstance(value, str):
            return self.string(value, path, nodes)
        if isinstance(value, dict):
            return {
                key: self.value(item, (*path, _key_part(key)), _step(nodes, _key_part(key)))
                for key, item in value.items()
            }
        if isinstance(value, list):
            item_nodes = _step(nodes, "[]")
            return [self.value(item, (*path, index), item_nodes) for index, item in enumerate(value)]
        return value

    def string(self, text: str, path: tuple[PathPart, ...], nodes: tuple[_Node, ...]) -> Any:
        if "$" in text:
            result, err = _expand(text, self.lookup, self.missing)
            if err is not None:
                self.errors.append(err.with_path(path))
                return text
            text = result
        cast = _cast_of(nodes) if nodes else None
        if cast is None:
            return text
        try:
            if cast == "bool":
                return _to_bool(text, self.warnings)
            return _NUMBER_CASTS[cast](text)
        except _ParseError as exc:
            self.errors.append(CastError(text, str(exc), path))
            return text


def interpolate_tree(
    value: Any,
    lookup: Lookup,
    path: tuple[PathPart, ...] = (),
    *,
    missing: list[str] | None = None,
    warnings: list[str] | None = None,
) -> Any:
    """Interpolate every string of a compose document and apply Compose's type casts.

    `path` locates `value` in the whole document (it decides which casts apply and prefixes
    error paths). Returns a new structure; the input is not modified. Raises
    `InterpolationErrors` with every failure when any value fails.
    """
    nodes: tuple[_Node, ...] = (_ROOT,)
    for part in path:
        nodes = _step(nodes, "[]" if isinstance(part, int) else part)
    walk = _Walk(lookup, missing if missing is not None else [], warnings if warnings is not None else [])
    result = walk.value(value, path, nodes)
    if walk.errors:
        raise InterpolationErrors(walk.errors)
    return result


__all__ = [
    "TYPE_CASTS",
    "CastError",
    "InterpolationError",
    "InterpolationErrors",
    "InvalidTemplateError",
    "Lookup",
    "MissingRequiredError",
    "PathPart",
    "format_compose_path",
    "go_quote",
    "interpolate_tree",
    "missing_variable_warning",
    "substitute",
]
