r"""Environment files (``.env``, ``--env-file``, ``env_file:``) parsed as compose-go v2.9.1 does.

Pure: takes the file's text (decoded as UTF-8), returns a dict; no I/O, no environment access.

What the format accepts, as Docker Compose v2.40.3 reads it:

* blank lines and ``#`` comment lines anywhere; a leading UTF-8 BOM (one) is skipped; CRLF works
  because trailing whitespace is trimmed and ``\r`` counts as a space.
* ``KEY=VALUE`` or ``KEY: VALUE``, optionally prefixed by ``export``; spaces around the separator
  are ignored. Keys are letters, digits (Unicode), ``_ . - [ ]``; a space inside a key is an
  error, a tab is kept.
* unquoted values end at the newline; `` #`` (space, hash) starts a comment; trailing
  whitespace is dropped.
* ``'single'`` values are literal, ``\'`` excepted; ``"double"`` values may span lines and
  understand ``\n \r \t \a \b \f \v \" \\ \$`` and ``\0NNN`` octal escapes.
* unquoted and double-quoted values are interpolated like compose files (``$VAR``, ``${VAR:-x}``,
  ``${VAR:?err}``, ...); a name is looked up in `lookup` first, then among the keys already
  parsed from this same file.
* a line holding only ``KEY`` (followed by a newline) copies KEY from `lookup`, or is skipped.

Quirks kept on purpose because Compose has them: a last line ``KEY`` without a newline, and
text after a closing quote on the same line, produce an entry with the empty key ``""``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from compose2ecs.load.interpolation import InterpolationError, go_quote, substitute

Lookup = Callable[[str], str | None]

# Go's unicode.IsSpace (what Compose trims with) differs from str.isspace: no \x1c-\x1f.
_UNICODE_SPACE: Final = (
    "\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
)
# The parser's own isSpace: horizontal blanks only, newline excluded.
_LINE_SPACE: Final = "\t\v\f\r \x85\xa0"
# Go's regexp \s (used by the `export` prefix test) is ASCII and has no \v.
_EXPORT_SPACE: Final = "\t\n\f\r "
_KEY_ASCII: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-[]")
_ESCAPE: Final = r"\\(?:[abcfnrtv$\"\\]|0[0-9]{0,3})"
_SIMPLE_ESCAPES: Final = {
    "\\a": "\a",
    "\\b": "\b",
    "\\f": "\f",
    "\\n": "\n",
    "\\r": "\r",
    "\\t": "\t",
    "\\v": "\v",
    '\\"': '"',
    "\\\\": "\\",
    "\\$": "$$",  # handed to interpolation, which turns "$$" into a literal "$"
}


class DotenvError(Exception):
    """An environment file Compose refuses.

    ``message`` is Compose's text (it embeds Compose's own ``line N:`` where Compose has one;
    for an unterminated quote that is the last line scanned). ``line`` (from 1) is where the
    failing statement starts.
    """

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def parse_dotenv(
    text: str, lookup: Lookup | None = None, *, missing: list[str] | None = None
) -> dict[str, str]:
    """Parse an environment file's text into ordered ``{key: value}``.

    `lookup` resolves variables in values and bare ``KEY`` lines (``None`` = unset); it wins
    over keys defined earlier in the same file, as in Compose. Unset variables that became ""
    are appended to `missing`, once per occurrence. Raises `DotenvError`.
    """
    return _Parser(lookup, missing if missing is not None else []).parse(text)


def _is_key_char(ch: str) -> bool:
    if ch in _KEY_ASCII:
        return True
    if ch < "\x80":
        return False
    import unicodedata  # noqa: PLC0415 - only non-ASCII keys need it

    category = unicodedata.category(ch)
    return category[0] in {"L", "N"}


def _unescape(match: re.Match[str]) -> str:
    escape = match.group(0)
    simple = _SIMPLE_ESCAPES.get(escape)
    if simple is not None:
        return simple
    if escape.startswith("\\0"):
        # Compose rewrites "\0NNN" to "\NNN" and keeps that rewrite when it is not a valid
        # three-digit octal escape ("\0" -> "\", "\012" -> "\12").
        octal = "\\" + escape[2:]
        digits = octal[1:]
        if len(digits) == 3 and all("0" <= d <= "7" for d in digits):  # noqa: PLR2004
            code = int(digits, 8)
            if code <= 0xFF:  # noqa: PLR2004
                return chr(code)
        return octal
    return escape  # "\c": in the pattern, but not an escape Go knows


class _Parser:
    __slots__ = ("line", "lookup", "missing", "out")

    def __init__(self, lookup: Lookup | None, missing: list[str]) -> None:
        self.lookup: Lookup = lookup if lookup is not None else _no_lookup
        self.missing = missing
        self.out: dict[str, str] = {}
        # Compose's line counter, reproduced exactly because its messages show it.
        self.line = 1

    def parse(self, text: str) -> dict[str, str]:
        rest = text.removeprefix("\ufeff")
        while True:
            rest = self._statement_start(rest)
            if not rest:
                return self.out
            rest = self._statement(rest)

    def _statement_start(self, src: str) -> str:
        while True:
            stripped = src.lstrip(_UNICODE_SPACE)
            self.line += src.count("\n", 0, len(src) - len(stripped))
            if not stripped.startswith("#"):
                return stripped
            newline = stripped.find("\n")
            if newline == -1:
                return ""
            src = stripped[newline:]

    def _statement(self, src: str) -> str:
        start_line = self.line
        if src.startswith("export") and src[6:7] != "" and src[6] in _EXPORT_SPACE:
            src = src[6:].lstrip(_LINE_SPACE)
        key, offset, inherited = self._key_end(src, start_line)
        if not src:
            raise DotenvError("zero length string", start_line)
        if inherited and " " not in key:
            self.line += 1
        key = key.rstrip(_UNICODE_SPACE)
        rest = src[offset:].lstrip(_LINE_SPACE)
        if " " in key:
            raise DotenvError(f"line {self.line}: key cannot contain a space", start_line)
        if inherited:
            value = self.lookup(key)
            if value is not None:
                self.out[key] = value
            return rest
        value, rest = self._value(rest, start_line)
        self.out[key] = value
        return rest

    def _key_end(self, src: str, start_line: int) -> tuple[str, int, bool]:
        for index, ch in enumerate(src):
            if ch in {"=", ":", "\n"}:
                return src[:index], index + 1, ch == "\n"
            if ch in _LINE_SPACE or _is_key_char(ch):
                continue
            name = go_quote(src.split("\n", 1)[0])
            raise DotenvError(
                f"line {self.line}: unexpected character {go_quote(ch)} in variable name {name}", start_line
            )
        # No separator before the end of the file: Compose reads the whole text as the value
        # of the empty key.
        return "", 0, False

    def _value(self, src: str, start_line: int) -> tuple[str, str]:
        quote = src[:1]
        if quote not in {'"', "'"}:
            value, _, rest = src.partition("\n")
            self.line += 1
            value = value.split(" #", 1)[0].rstrip(_UNICODE_SPACE)
            return self._expand(value, start_line), rest
        chars: list[str] = []
        escaped = False
        for index in range(1, len(src)):
            ch = src[index]
            if ch == "\n":
                self.line += 1
            if escaped:
                escaped = False
                # Only the escaped quote itself loses its backslash here.
                if ch != quote:
                    chars.append("\\")
                chars.append(ch)
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                value = "".join(chars)
                if quote == '"':
                    value = self._expand(re.sub(_ESCAPE, _unescape, value), start_line)
                return value, src[index + 1 :]
            else:
                chars.append(ch)
        first_line = src.split("\n", 1)[0]
        raise DotenvError(f"line {self.line}: unterminated quoted value {first_line}", start_line)

    def _expand(self, value: str, start_line: int) -> str:
        if "$" not in value:
            return value
        out = self.out
        lookup = self.lookup

        def resolve(name: str) -> str | None:
            found = lookup(name)
            return found if found is not None else out.get(name)

        try:
            return substitute(value, resolve, self.missing)
        except InterpolationError as exc:
            raise DotenvError(exc.message, start_line) from None


def _no_lookup(_name: str) -> str | None:
    return None


__all__ = ["DotenvError", "Lookup", "parse_dotenv"]
