"""`compose2ecs config` on wrong input: exit code 2, every problem with its file, line and key."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from tests.cli._helpers import (
    Result,
    assert_input_error,
    assert_single_error,
    line_of,
    location_re,
    names_file,
    run,
    write,
)

if TYPE_CHECKING:
    from pathlib import Path

WEB = "services:\n  web:\n    image: nginx\n"


def config(capsys: pytest.CaptureFixture[str], root: Path, *extra: str) -> Result:
    return run(capsys, "config", "--project-directory", str(root), *extra)


# --- YAML syntax -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param("services:\n  web:\n    image: nginx\n   bad: 1\n", 4, id="bad-indentation"),
        pytest.param("services:\n  web:\n\timage: nginx\n", 3, id="tab-indentation"),
        pytest.param('services:\n  web:\n    image: "nginx\n', 4, id="unclosed-quote"),
        pytest.param("services:\n  web:\n    image: a: b\n", 3, id="colon-in-plain-value"),
    ],
)
def test_yaml_syntax_error_names_file_and_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, line: int
) -> None:
    write(tmp_path, {"compose.yaml": text})
    result = run(capsys, "config")
    assert_input_error(result)
    assert len(result.errors) == 1
    assert location_re("compose.yaml", line).search(result.errors[0]), result.err
    assert "YAML" in result.errors[0]


# --- unknown keys ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "key_path", "suggestion"),
    [
        pytest.param(WEB + "    prots: ['80']\n", 4, "services.web.prots", "ports", id="service-key"),
        pytest.param(WEB + "    restrat: always\n", 4, "services.web.restrat", "restart", id="restart"),
        pytest.param(WEB + "servics: {}\n", 4, "servics", "services", id="top-level"),
        pytest.param(
            WEB + "    volumes: [v:/v]\nvolumes:\n  v:\n    drvier: local\n",
            7,
            "volumes.v.drvier",
            "driver",
            id="volume-key",
        ),
    ],
)
def test_unknown_key_suggests_the_known_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, line: int, key_path: str, suggestion: str
) -> None:
    write(tmp_path, {"compose.yaml": text})
    result = run(capsys, "config")
    assert_input_error(result)
    [error] = result.errors
    assert location_re("compose.yaml", line).search(error), error
    assert f"{key_path}:" in error
    assert "unknown key" in error
    assert f'did you mean "{suggestion}"' in error


# --- wrong types -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tail", "line", "key_path"),
    [
        pytest.param("    tty: maybe\n", 4, "services.web.tty", id="bool"),
        pytest.param("    environment: 3\n", 4, "services.web.environment", id="env-number"),
        pytest.param("    ports: {a: 1}\n", 4, "services.web.ports", id="ports-mapping"),
        pytest.param("    deploy:\n      replicas: abc\n", 5, "services.web.deploy.replicas", id="replicas"),
        pytest.param("    command: {a: 1}\n", 4, "services.web.command", id="command-mapping"),
    ],
)
def test_wrong_type_names_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tail: str, line: int, key_path: str
) -> None:
    write(tmp_path, {"compose.yaml": WEB + tail})
    result = run(capsys, "config")
    assert_input_error(result)
    [error] = result.errors
    assert location_re("compose.yaml", line).search(error), error
    assert f"{key_path}:" in error


def test_image_must_be_a_string(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": "services:\n  web:\n    image: 3\n"})
    result = run(capsys, "config")
    assert_single_error(result, "compose.yaml", 3, "services.web.image:", "string")


# --- ports -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("port", "word"),
    [
        pytest.param("80/quic", "quic", id="unknown-protocol"),
        pytest.param("abc:80", "abc", id="non-numeric-host-port"),
        pytest.param("80:abc", "abc", id="non-numeric-container-port"),
    ],
)
def test_bad_short_port(capsys: pytest.CaptureFixture[str], tmp_path: Path, port: str, word: str) -> None:
    write(tmp_path, {"compose.yaml": WEB + f"    ports:\n      - '8080:8080'\n      - '{port}'\n"})
    result = run(capsys, "config")
    error = assert_single_error(result, "compose.yaml", 6, "services.web.ports[1]:")
    assert word in error


# --- interpolation -----------------------------------------------------------------------------


def test_unset_required_variable(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": "services:\n  web:\n    image: nginx:${TAG:?TAG must be set}\n"})
    result = run(capsys, "config")
    assert_single_error(result, "compose.yaml", 3, "services.web.image:", "TAG", "TAG must be set")


def test_required_variable_set_in_dotenv_is_fine(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "compose.yaml": "services:\n  web:\n    image: nginx:${TAG:?TAG must be set}\n",
            ".env": "TAG=1.27\n",
        },
    )
    result = run(capsys, "config", "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["services"]["web"]["image"] == "nginx:1.27"


# --- undefined references ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tail", "line", "key_path", "words"),
    [
        pytest.param(
            "    networks: [front]\n", 4, "services.web.networks.front", ("network", "front"), id="net"
        ),
        pytest.param(
            "    volumes: ['data:/data']\n", 4, "services.web.volumes[0]", ("volume", "data"), id="vol"
        ),
        pytest.param(
            "    secrets: [token]\n", 4, "services.web.secrets[0]", ("secret", "token"), id="secret"
        ),
        pytest.param(
            "    depends_on: [db]\n", 4, "services.web.depends_on.db", ("service", "db"), id="depends"
        ),
    ],
)
def test_undefined_reference(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    tail: str,
    line: int,
    key_path: str,
    words: tuple[str, ...],
) -> None:
    write(tmp_path, {"compose.yaml": WEB + tail})
    result = run(capsys, "config")
    assert_input_error(result)
    [error] = result.errors
    assert location_re("compose.yaml", line).search(error), error
    assert f"{key_path}:" in error
    assert "undefined" in error
    for word in words:
        assert word in error


def test_undefined_reference_in_override_points_at_override(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write(
        tmp_path, {"compose.yaml": WEB, "compose.override.yaml": "services:\n  web:\n    networks: [front]\n"}
    )
    result = run(capsys, "config")
    assert_single_error(result, "compose.override.yaml", 3, "services.web.networks.front:")


# --- whole-file problems -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("", id="empty"),
        pytest.param("# only a comment\n", id="comment-only"),
        pytest.param("\n\n   \n", id="blank-lines"),
    ],
)
def test_empty_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str | bytes) -> None:
    write(tmp_path, {"compose.yaml": content})
    result = run(capsys, "config")
    assert_input_error(result)
    [error] = result.errors
    assert names_file(error, "compose.yaml"), error
    assert "empty" in error


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(bytes(range(256)), id="all-bytes"),
        pytest.param(b"\x7fELF\x02\x01\x01\x00\x00\x00\xff\xfe", id="elf-header"),
        pytest.param(b"services:\n  web:\n    image: nginx\x00\n", id="nul-in-yaml"),
    ],
)
def test_binary_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str | bytes) -> None:
    write(tmp_path, {"compose.yaml": content})
    result = run(capsys, "config")
    assert_input_error(result)
    [error] = result.errors
    assert names_file(error, "compose.yaml"), error


@pytest.mark.parametrize("kind", ["list", "scalar"])
def test_top_level_must_be_a_mapping(capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str) -> None:
    write(tmp_path, {"compose.yaml": "- web\n- db\n" if kind == "list" else "hello\n"})
    result = run(capsys, "config")
    assert_input_error(result)
    [error] = result.errors
    assert names_file(error, "compose.yaml"), error
    assert "mapping" in error


# --- duplicate keys ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        pytest.param(WEB + "    image: httpd\n", 4, "image", id="service-key"),
        pytest.param(WEB + "  web:\n    image: httpd\n", 4, "web", id="service"),
        pytest.param(WEB + "services: {}\n", 4, "services", id="top-level"),
    ],
)
def test_duplicate_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, line: int, key: str
) -> None:
    write(tmp_path, {"compose.yaml": text})
    result = run(capsys, "config")
    assert_input_error(result)
    [error] = result.errors
    assert location_re("compose.yaml", line).search(error), error
    assert f'"{key}"' in error or f"'{key}'" in error
    assert "already" in error or "duplicate" in error


# --- extends -----------------------------------------------------------------------------------


def test_extends_cycle_in_one_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": "services:\n  a:\n    extends: b\n  b:\n    extends: a\n"})
    result = run(capsys, "config")
    assert_input_error(result)
    assert result.errors
    for error in result.errors:
        assert "cycle" in error
        assert location_re("compose.yaml").search(error), error
    assert any(location_re("compose.yaml", 3).search(e) and "services.a.extends" in e for e in result.errors)


def test_extends_cycle_across_two_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "compose.yaml": WEB + "  a:\n    extends: {file: other.yaml, service: b}\n",
            "other.yaml": "services:\n  b:\n    extends: {file: compose.yaml, service: a}\n",
        },
    )
    result = run(capsys, "config")
    assert_single_error(result, "compose.yaml", 5, "cycle", "services.a.extends", "other.yaml")


def test_extends_unknown_service(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": WEB + "  api:\n    extends: nope\n"})
    result = run(capsys, "config")
    assert_single_error(result, "compose.yaml", 5, "services.api.extends", "nope")


# --- environment files -------------------------------------------------------------------------


def test_missing_env_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": WEB + "    env_file:\n      - missing.env\n"})
    result = run(capsys, "config")
    assert_single_error(result, "compose.yaml", 5, "services.web.env_file[0]:", "missing.env")


def test_optional_missing_env_file_is_fine(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(
        tmp_path,
        {"compose.yaml": WEB + "    env_file:\n      - path: missing.env\n        required: false\n"},
    )
    result = run(capsys, "config", "-q")
    assert result.code == 0, result.err


def test_bad_env_file_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": WEB + "    env_file: app.env\n", "app.env": "A=1\nB C=2\n"})
    result = run(capsys, "config")
    assert_single_error(result, "app.env", 2)


def test_missing_env_file_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": WEB})
    result = run(capsys, "config", "--env-file", "prod.env")
    assert_input_error(result)
    [error] = result.errors
    assert names_file(error, "prod.env"), error
    assert "not found" in error


# --- -f ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["-f", "nope.yaml"], id="only"),
        pytest.param(["-f", "compose.yaml", "-f", "nope.yaml"], id="second"),
    ],
)
def test_missing_compose_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str]) -> None:
    write(tmp_path, {"compose.yaml": WEB})
    result = run(capsys, "config", *argv)
    assert_input_error(result)
    [error] = result.errors
    assert names_file(error, "nope.yaml"), error


def test_no_compose_file_found(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run(capsys, "config", "--project-directory", str(tmp_path / "empty"))
    assert_input_error(result)
    assert "compose.yaml" in result.errors[0]


# --- several problems at once ------------------------------------------------------------------


def test_every_problem_in_a_file_is_reported(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(
        tmp_path,
        {"compose.yaml": ("services:\n  web:\n    image: 3\n    prots: ['80']\n  db:\n    imag: postgres\n")},
    )
    result = run(capsys, "config")
    assert_input_error(result)
    assert len(result.errors) == 3, result.err
    assert sorted(line_of(e, "compose.yaml") or 0 for e in result.errors) == [3, 4, 6]


def test_every_undefined_reference_is_reported(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": WEB + "    networks: [front]\n    depends_on: [db]\n    secrets: [s]\n"})
    result = run(capsys, "config")
    assert_input_error(result)
    assert len(result.errors) == 3, result.err
    for error in result.errors:
        assert location_re("compose.yaml").search(error), error


def test_problems_in_two_files_are_reported_together(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write(
        tmp_path,
        {
            "compose.yaml": WEB + "    prots: ['80']\n",
            "compose.override.yaml": "services:\n  web:\n    restrat: always\n",
        },
    )
    result = run(capsys, "config")
    assert_input_error(result)
    assert len(result.errors) == 2, result.err
    assert location_re("compose.yaml", 4).search(result.err)
    assert location_re("compose.override.yaml", 3).search(result.err)


# --- usage -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["config", "--format", "xml"], id="bad-format"),
        pytest.param(["config", "--bogus"], id="unknown-option"),
        pytest.param(["config", "-f"], id="missing-value"),
    ],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str]) -> None:
    write(tmp_path, {"compose.yaml": WEB})
    result = run(capsys, *argv)
    assert result.code == 2
    assert "Traceback" not in result.err
    assert result.out == ""


# --- happy paths -------------------------------------------------------------------------------

PROJECT = (
    "services:\n"
    "  web:\n"
    "    image: nginx\n"
    "    ports: ['8080:80']\n"
    "  db:\n"
    "    image: postgres\n"
    "  debug:\n"
    "    image: busybox\n"
    "    profiles: [debug]\n"
)


def test_json_output_parses(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path / "shop", {"compose.yaml": PROJECT})
    result = run(capsys, "config", "-f", str(tmp_path / "shop" / "compose.yaml"), "--format", "json")
    assert result.code == 0, result.err
    model = json.loads(result.out)
    assert model["name"] == "shop"
    assert sorted(model["services"]) == ["db", "web"]
    assert model["services"]["web"]["ports"][0]["target"] == 80
    assert model["services"]["web"]["ports"][0]["published"] == "8080"


def test_yaml_output_is_the_default(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": PROJECT})
    result = run(capsys, "config")
    assert result.code == 0, result.err
    assert result.out.startswith("name: ")
    assert "\nservices:\n" in result.out


def test_services_lists_names(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": PROJECT})
    result = run(capsys, "config", "--services")
    assert result.code == 0, result.err
    assert sorted(result.out.split()) == ["db", "web"]


def test_quiet_prints_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": PROJECT})
    result = run(capsys, "config", "-q")
    assert result.code == 0, result.err
    assert result.out == ""
    assert "error" not in result.err


def test_quiet_still_validates(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": WEB + "    prots: ['80']\n"})
    result = run(capsys, "config", "-q")
    assert_input_error(result)
    assert result.out == ""


@pytest.mark.parametrize(
    ("argv", "env", "expected"),
    [
        pytest.param([], {}, ["db", "web"], id="none"),
        pytest.param(["--profile", "debug"], {}, ["db", "debug", "web"], id="flag"),
        pytest.param(["--profile", "other"], {}, ["db", "web"], id="other"),
        pytest.param([], {"COMPOSE_PROFILES": "debug"}, ["db", "debug", "web"], id="env"),
    ],
)
def test_profile_enables_services(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    env: dict[str, str],
    expected: list[str],
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    write(tmp_path, {"compose.yaml": PROJECT})
    result = run(capsys, "config", "--services", *argv)
    assert result.code == 0, result.err
    assert sorted(result.out.split()) == expected


def test_project_directory_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tmp_path / "app", {"compose.yaml": PROJECT})
    result = config(capsys, tmp_path / "app", "--services")
    assert result.code == 0
    assert sorted(result.out.split()) == ["db", "web"]
