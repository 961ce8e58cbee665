"""Findings of the crash hunt: each test asserts what Docker Compose v2.40.3 does.

Each test is a difference that was found and fixed (a regression test). A difference found
later and not fixed yet goes here as `pytest.mark.xfail(strict=True, reason=...)`, so that it
fails (XPASS) once fixed and the marker is removed.
What Compose does was checked with the reference binary
(`env -i PATH=/usr/bin:/bin HOME=/nonexistent-home docker-compose config`).
"""

from __future__ import annotations

import io
import json
import sys
from typing import TYPE_CHECKING

import pytest

from tests.cli._helpers import assert_input_error, assert_single_error, location_re, names_file, run, write

if TYPE_CHECKING:
    from pathlib import Path

WEB = "services:\n  web:\n    image: nginx\n"


# --- we reject what Compose accepts ------------------------------------------------------------


@pytest.mark.parametrize("content", ["", "# nothing to override yet\n"])
def test_empty_override_file_is_accepted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str
) -> None:
    write(tmp_path, {"compose.yaml": WEB, "compose.override.yaml": content})
    result = run(capsys, "config", "--services")
    assert result.code == 0, result.err
    assert result.out.split() == ["web"]


def test_empty_included_file_is_accepted(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": "include: [extra.yaml]\n" + WEB, "extra.yaml": ""})
    result = run(capsys, "config", "--services")
    assert result.code == 0, result.err
    assert result.out.split() == ["web"]


def test_dotenv_directory_is_ignored(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": WEB, ".env/bin/activate": "# venv\n"})
    result = run(capsys, "config", "-q")
    assert result.code == 0, result.err


@pytest.mark.parametrize(
    ("name", "expected"), [("MyApp", "myapp"), ("my.app", "myapp"), ("-My_App", "my_app")]
)
def test_name_key_is_normalised(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, expected: str
) -> None:
    write(tmp_path, {"compose.yaml": f"name: {name}\n" + WEB})
    result = run(capsys, "config", "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["name"] == expected


def test_compose_file_from_stdin(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(WEB))
    result = run(capsys, "config", "-f", "-", "--services")
    assert result.code == 0, result.err
    assert result.out.split() == ["web"]


@pytest.mark.parametrize("env_name", ["app.env", ".env"])
def test_latin1_env_file_is_accepted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, env_name: str
) -> None:
    write(tmp_path, {"compose.yaml": WEB + "    env_file: [{path: app.env, required: false}]\n"})
    write(tmp_path, {env_name: b"GREETING=caf\xe9\n"})
    result = run(capsys, "config", "-q")
    assert result.code == 0, result.err
    if env_name == "app.env":
        # Compose keeps the bytes; as JSON, the one that is not UTF-8 becomes U+FFFD.
        document = json.loads(run(capsys, "config", "--format", "json").out)
        assert document["services"]["web"]["environment"] == {"GREETING": "caf\ufffd"}


def test_utf16_compose_file_is_accepted(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": WEB.encode("utf-16")})
    result = run(capsys, "config", "--services")
    assert result.code == 0, result.err
    assert result.out.split() == ["web"]


def test_unknown_yaml_tag_is_ignored(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": WEB + "    ports: !foo ['80']\nx-a: !foo 12\nx-b: !!set {a}\n"})
    result = run(capsys, "config", "--format", "json")
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert document["services"]["web"]["ports"][0]["target"] == 80
    assert (document["x-a"], document["x-b"]) == ("12", {"a": None})


def test_null_image_in_override(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    override = "services:\n  web:\n    image:\n    ports:\n"
    write(tmp_path, {"compose.yaml": WEB + "    ports: ['80']\n", "compose.override.yaml": override})
    result = run(capsys, "config", "--format", "json")
    assert result.code == 0, result.err
    web = json.loads(result.out)["services"]["web"]
    assert (web["image"], len(web["ports"])) == ("nginx", 1)


@pytest.mark.parametrize(
    "include",
    [
        "include:\n",
        "include: [null]\n",
        "include:\n  - path: null\n",
        "include:\n  - path: []\n",
        "include: [{}]\n",
    ],
)
def test_empty_include_entries_are_skipped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, include: str
) -> None:
    write(tmp_path, {"compose.yaml": include + WEB})
    result = run(capsys, "config", "-q")
    assert result.code == 0, result.err


def test_deeply_nested_extension_value(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": "x-deep: " + "[" * 500 + "]" * 500 + "\n" + WEB})
    result = run(capsys, "config", "-q")
    assert result.code == 0, result.err


# --- crashes: exit 3 'unexpected failure' where Compose reports the input -----------------------


def test_extends_with_conflicting_types(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "compose.yaml": (
                "services:\n  base:\n    image: x\n    ports: ['80']\n"
                "  web:\n    extends: base\n    ports: {a: 1}\n"
            )
        },
    )
    result = run(capsys, "config")
    assert_input_error(result)
    assert location_re("compose.yaml").search(result.errors[0]), result.err
    assert "services.web.ports" in result.err


def test_extends_a_service_that_is_a_list(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": "services:\n  base: [1]\n  web:\n    image: x\n    extends: base\n"})
    result = run(capsys, "config")
    assert_input_error(result)
    assert location_re("compose.yaml").search(result.errors[0]), result.err


def test_extends_file_with_services_list(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "compose.yaml": "services:\n  web:\n    extends: {file: base.yaml, service: b}\n",
            "base.yaml": "services: [b]\n",
        },
    )
    result = run(capsys, "config")
    assert_input_error(result)
    assert names_file(result.errors[0], "base.yaml"), result.err


def test_extends_file_with_env_file_number(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "compose.yaml": "services:\n  web:\n    extends: {file: base.yaml, service: b}\n",
            "base.yaml": "services:\n  b:\n    image: x\n    env_file: 1\n",
        },
    )
    result = run(capsys, "config")
    assert_input_error(result)
    assert "env_file" in result.errors[0]


@pytest.mark.parametrize(
    ("entry", "key"),
    [("  - path: 3\n", "path"), ("  - path: extra.yaml\n    env_file: 3\n", "env_file")],
)
def test_include_entry_with_number(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, entry: str, key: str
) -> None:
    write(
        tmp_path,
        {"compose.yaml": "include:\n" + entry + WEB, "extra.yaml": "services:\n  a:\n    image: x\n"},
    )
    result = run(capsys, "config")
    assert_input_error(result)
    assert location_re("compose.yaml").search(result.errors[0]), result.err
    assert key in result.errors[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x-a: &a [*a]\n", "x-a[0]: cycle detected: node at path x-a[0] references node at path x-a"),
        ("x-a: &a {b: *a}\n", "x-a.b: cycle detected: node at path x-a.b references node at path x-a"),
    ],
)
def test_recursive_alias(capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path, {"compose.yaml": text + WEB})
    result = run(capsys, "config")
    assert_input_error(result)
    assert location_re("compose.yaml", 1).search(result.errors[0]), result.err
    assert result.errors[0].endswith(message), result.err


# --- wrong model or wrong location -------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "expected"), [("!reset []", []), ("!override ['81']", [81]), ("['81']", [80, 81])]
)
def test_reset_and_override_apply_to_extends(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tag: str, expected: list[int]
) -> None:
    write(
        tmp_path,
        {
            "compose.yaml": (
                "services:\n  base:\n    image: x\n    ports: ['80']\n"
                f"  web:\n    extends: base\n    ports: {tag}\n"
            )
        },
    )
    result = run(capsys, "config", "--format", "json")
    assert result.code == 0, result.err
    web = json.loads(result.out)["services"]["web"]
    assert [p["target"] for p in web.get("ports", [])] == expected


def test_problem_in_included_file_points_at_it(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "compose.yaml": "include: [extra.yaml]\n" + WEB,
            "extra.yaml": "services:\n  a:\n    image: x\n    networks: [front]\n",
        },
    )
    result = run(capsys, "config")
    assert_input_error(result)
    [error] = result.errors
    assert location_re("extra.yaml", 4).search(error), error


@pytest.mark.parametrize(
    ("gpus", "expected"),
    [
        ("all", [{"count": -1}]),
        ("[{driver: nvidia}]", [{"count": -1, "driver": "nvidia"}]),
        ("[{count: ALL}, {count: '3'}, {count: 0}]", [{"count": -1}, {"count": 3}, {}]),
        ("[{device_ids: ['0']}]", [{"device_ids": ["0"]}]),
    ],
)
def test_gpus_all(capsys: pytest.CaptureFixture[str], tmp_path: Path, gpus: str, expected: object) -> None:
    write(tmp_path, {"compose.yaml": WEB + f"    gpus: {gpus}\n"})
    result = run(capsys, "config", "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["services"]["web"]["gpus"] == expected


def test_device_reservation_defaults_to_all(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    devices = "[{capabilities: [gpu]}]"
    write(
        tmp_path,
        {
            "compose.yaml": WEB
            + f"    deploy:\n      resources:\n        reservations:\n          devices: {devices}\n"
        },
    )
    result = run(capsys, "config", "--format", "json")
    assert result.code == 0, result.err
    reservations = json.loads(result.out)["services"]["web"]["deploy"]["resources"]["reservations"]
    assert reservations["devices"] == [{"capabilities": ["gpu"], "count": -1}]


def test_device_count_must_be_all_or_a_number(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": WEB + "    gpus: [{count: x}]\n"})
    result = run(capsys, "config")
    assert_single_error(result, "compose.yaml", 4, "services.web.gpus[0].count", "'all' or a number")


def test_dollar_in_key_is_escaped(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": WEB + "    labels:\n      'price$': x\n"})
    result = run(capsys, "config", "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["services"]["web"]["labels"] == {"price$$": "x"}


def test_duplicate_key_names_key_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": WEB + "    image: httpd\n"})
    result = run(capsys, "config")
    assert_input_error(result)
    assert "services.web.image" in result.errors[0]


# --- we accept what Compose rejects ------------------------------------------------------------


def test_undefined_build_secret(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(
        tmp_path, {"compose.yaml": "services:\n  web:\n    build:\n      context: .\n      secrets: [npm]\n"}
    )
    result = run(capsys, "config")
    assert_input_error(result)
    assert location_re("compose.yaml", 5).search(result.errors[0]), result.err
    assert "npm" in result.errors[0]


def test_unquoted_date_in_extension_prints_as_go_time(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write(
        tmp_path, {"compose.yaml": WEB + "x-released: [2024-01-01, 2024-01-01 10:00:00.50, '2024-01-01']\n"}
    )
    result = run(capsys, "config", "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["x-released"] == [
        "2024-01-01T00:00:00Z",
        "2024-01-01T10:00:00.5Z",
        "2024-01-01",
    ]


@pytest.mark.parametrize(
    ("tail", "line"),
    [
        ("    environment:\n      RELEASE_DATE: 2024-01-01\n", 5),
        ("    labels:\n      built: 2024-01-01\n", 5),
        ("    command: [2024-01-01]\n", 4),
    ],
)
def test_unquoted_date_is_rejected(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tail: str, line: int
) -> None:
    write(tmp_path, {"compose.yaml": WEB + tail})
    result = run(capsys, "config")
    assert_input_error(result)
    assert location_re("compose.yaml", line).search(result.errors[0]), result.err


@pytest.mark.parametrize(
    "tail",
    [
        "    ports:\n      - published: 8080\n",
        "    volumes:\n      - type: bind\n        source: ./data\n",
    ],
)
def test_long_syntax_needs_target(capsys: pytest.CaptureFixture[str], tmp_path: Path, tail: str) -> None:
    write(tmp_path, {"compose.yaml": WEB + tail})
    result = run(capsys, "config")
    assert_input_error(result)
    assert location_re("compose.yaml", 5).search(result.errors[0]), result.err


def test_secret_needs_a_source(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": WEB + "    secrets: [s]\nsecrets:\n  s:\n    name: token\n"})
    result = run(capsys, "config")
    assert_input_error(result)
    assert location_re("compose.yaml").search(result.errors[0]), result.err
    assert "secrets.s" in result.errors[0]


@pytest.mark.parametrize(
    ("tail", "key_path", "words"),
    [
        ("    deploy:\n      replicas: -1\n", "services.web.deploy.replicas", ""),
        ("    scale: -1\n", "services.web.scale", ""),
        ("    healthcheck:\n      retries: -1\n", "services.web.healthcheck.retries", ""),
        # Unsigned fields: Compose's decoder says the value overflows.
        (
            "    deploy:\n      update_config:\n        parallelism: -1\n",
            "update_config.parallelism",
            "overflows",
        ),
        (
            "    deploy:\n      restart_policy:\n        max_attempts: -1\n",
            "restart_policy.max_attempts",
            "overflows",
        ),
        (
            "    deploy:\n      placement:\n        max_replicas_per_node: -1\n",
            "max_replicas_per_node",
            "overflows",
        ),
        ("    ports:\n      - target: -1\n", "ports[0].target", "overflows"),
    ],
)
def test_negative_counts_are_rejected(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tail: str, key_path: str, words: str
) -> None:
    write(tmp_path, {"compose.yaml": WEB + tail})
    result = run(capsys, "config")
    assert_input_error(result)
    assert key_path in result.errors[0]
    assert words in result.errors[0]


def test_empty_second_document(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": WEB + "---\n"})
    result = run(capsys, "config")
    assert_input_error(result)
    assert names_file(result.errors[0], "compose.yaml"), result.err


def test_infinite_float_is_rejected(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": WEB + "    cpus: .inf\n"})
    result = run(capsys, "config", "--format", "json")
    assert_single_error(result, "compose.yaml", 4, "cannot print an infinite or NaN number as JSON")
    assert "Infinity" not in result.out


def test_infinite_float_prints_as_yaml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": WEB + "    cpus: .inf\n"})
    result = run(capsys, "config")
    assert result.code == 0, result.err
    assert "cpus: .inf" in result.out


SSH_WITH_PATH = "    build:\n      context: .\n      ssh:\n        - default\n        - deploy=./id_rsa\n"


def test_ssh_key_with_path_is_refused_as_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # Compose v2.40.3: "json: error calling MarshalJSON for type types.SSHKey", exit 1.
    write(tmp_path, {"compose.yaml": WEB + SSH_WITH_PATH})
    result = run(capsys, "config", "--format", "json")
    assert_single_error(result, "compose.yaml", 8, "cannot print an ssh key with a path", "--format yaml")
    assert not result.out


@pytest.mark.parametrize("ssh", ["[agent]", "['']", "[3]"])
def test_ssh_key_needs_a_path_unless_default(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, ssh: str
) -> None:
    # Compose: 'invalid ssh key "agent"' (only `default` may go without `=PATH`).
    write(tmp_path, {"compose.yaml": WEB + f"    build:\n      context: .\n      ssh: {ssh}\n"})
    result = run(capsys, "config")
    assert_single_error(result, "compose.yaml", 6, "services.web.build.ssh")


def test_ssh_key_with_path_prints_as_yaml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": WEB + SSH_WITH_PATH})
    result = run(capsys, "config")
    assert result.code == 0, result.err
    assert "deploy" in result.out


@pytest.mark.parametrize(
    ("tail", "line", "fragment"),
    [
        (
            "secrets:\n  s:\n    file: ./a\n    environment: A\n",
            7,
            "file|environment attributes are mutually",
        ),
        ("configs:\n  c:\n    content: x\n    file: ./a\n", 6, "file|environment|content attributes are"),
        ("configs:\n  c: {}\n", 5, "one of file|environment|content must be set"),
        ("secrets:\n  s:\n    driver: vault\n", 5, "must declare either `file` or `environment`"),
    ],
)
def test_file_objects_need_one_source(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tail: str, line: int, fragment: str
) -> None:
    write(tmp_path, {"compose.yaml": WEB + tail})
    result = run(capsys, "config")
    assert_single_error(result, "compose.yaml", line, fragment)


def test_external_secret_needs_no_source(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": WEB + "    secrets: [s]\nsecrets:\n  s:\n    external: true\n"})
    result = run(capsys, "config", "-q")
    assert result.code == 0, result.err


def test_watch_path_must_not_be_blank(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    watch = "    develop:\n      watch:\n        - path: ''\n          action: sync\n          target: /x\n"
    write(tmp_path, {"compose.yaml": WEB + watch})
    result = run(capsys, "config")
    assert_single_error(result, "compose.yaml", 6, "develop.watch[0].path", "can't be blank")
