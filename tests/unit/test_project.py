"""Project discovery, naming and environment precedence (load_project over real temp dirs)."""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING, Any

import pytest

from compose2ecs.errors import InputError
from compose2ecs.load import ProjectOptions, config_output, load_project

if TYPE_CHECKING:
    from pathlib import Path

ENV = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent-home"}


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _load(
    cwd: Path,
    environ: dict[str, str] | None = None,
    project_name: str | None = None,
    env_files: list[str] | None = None,
) -> dict[str, Any]:
    options = ProjectOptions(
        cwd=str(cwd), environ={**ENV, **(environ or {})}, project_name=project_name, env_files=env_files or []
    )
    return load_project(options).model


def test_finds_compose_file_and_its_override_in_a_parent_directory(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "My App/compose.yaml": "services:\n  web:\n    image: a\n",
            "My App/compose.override.yaml": "services:\n  web:\n    image: b\n",
            "My App/sub/dir/.keep": "",
        },
    )
    model = _load(tmp_path / "My App" / "sub" / "dir")
    assert model["services"]["web"]["image"] == "b"
    assert model["name"] == "myapp"


def test_compose_file_variable_lists_files(tmp_path: Path) -> None:
    _write(tmp_path, {"a.yml": "services:\n  x:\n    image: a\n", "b.yml": "services:\n  y:\n    image: b\n"})
    model = _load(tmp_path, environ={"COMPOSE_FILE": "a.yml:b.yml"})
    assert set(model["services"]) == {"x", "y"}


@pytest.mark.parametrize(
    ("flag", "environ", "expected"),
    [
        ("cli", {"COMPOSE_PROJECT_NAME": "env"}, "cli"),
        (None, {"COMPOSE_PROJECT_NAME": "env"}, "env"),
        (None, {}, "from-file"),
    ],
)
def test_project_name_precedence(
    tmp_path: Path, flag: str | None, environ: dict[str, str], expected: str
) -> None:
    _write(tmp_path, {"compose.yaml": "name: from-file\nservices:\n  x:\n    image: a\n"})
    assert _load(tmp_path, environ=environ, project_name=flag)["name"] == expected


def test_rejects_an_invalid_explicit_project_name(tmp_path: Path) -> None:
    _write(tmp_path, {"compose.yaml": "services:\n  x:\n    image: a\n"})
    with pytest.raises(InputError, match="invalid project name"):
        _load(tmp_path, project_name="Bad Name")


def test_process_environment_beats_dot_env(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            ".env": "TAG=from-dotenv\nOTHER=dotenv\n",
            "compose.yaml": "services:\n  x:\n    image: a:${TAG}-${OTHER}\n",
        },
    )
    assert _load(tmp_path, environ={"TAG": "from-shell"})["services"]["x"]["image"] == "a:from-shell-dotenv"


def test_env_file_option_replaces_dot_env(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            ".env": "TAG=dotenv\n",
            "prod.env": "TAG=prod\n",
            "compose.yaml": "services:\n  x:\n    image: a:${TAG}\n",
        },
    )
    assert _load(tmp_path, env_files=["prod.env"])["services"]["x"]["image"] == "a:prod"


def test_compose_profiles_variable_enables_profiles(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {"compose.yaml": "services:\n  x:\n    image: a\n  y:\n    image: b\n    profiles: [debug]\n"},
    )
    assert set(_load(tmp_path)["services"]) == {"x"}
    assert set(_load(tmp_path, environ={"COMPOSE_PROFILES": "debug"})["services"]) == {"x", "y"}


def test_no_compose_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no compose file found"):
        _load(tmp_path)


# --- what `config --format json` can print ------------------------------------------------------

SSH_PROJECT = (
    "services:\n"
    "  web:\n"
    "    image: a\n"
    "    build:\n"
    "      context: .\n"
    "      ssh:\n"
    "        - default\n"
    "        - deploy=./id_rsa\n"
)


def _project(tmp_path: Path, text: str) -> Any:
    _write(tmp_path, {"compose.yaml": text})
    return load_project(ProjectOptions(cwd=str(tmp_path), environ=ENV))


def test_ssh_key_with_a_path_cannot_be_printed_as_json(tmp_path: Path) -> None:
    project = _project(tmp_path, SSH_PROJECT)
    with pytest.raises(InputError) as exc:
        config_output(project, "json")
    [problem] = exc.value.problems
    assert problem.location is not None
    assert (problem.location.file, problem.location.line, problem.location.column) == (
        str(tmp_path / "compose.yaml"),
        8,
        11,
    )
    assert "cannot print an ssh key with a path" in problem.message
    assert "--format yaml" in problem.hint


def test_ssh_key_with_a_path_prints_as_yaml(tmp_path: Path) -> None:
    document = config_output(_project(tmp_path, SSH_PROJECT))
    assert document["services"]["web"]["build"]["ssh"] == [
        "default",
        {"id": "deploy", "path": str(tmp_path / "id_rsa")},
    ]


def test_ssh_mapping_located_at_its_key(tmp_path: Path) -> None:
    text = SSH_PROJECT.replace("        - default\n        - deploy=./id_rsa\n", "        deploy: ./id_rsa\n")
    with pytest.raises(InputError) as exc:
        config_output(_project(tmp_path, text), "json")
    [problem] = exc.value.problems
    assert problem.location is not None
    assert (problem.location.line, problem.location.column) == (7, 9)


@pytest.mark.parametrize("ssh", ["[default]", "{default: null, agent: null}"])
def test_ssh_keys_without_a_path_print_as_json(tmp_path: Path, ssh: str) -> None:
    text = f"services:\n  web:\n    image: a\n    build:\n      context: .\n      ssh: {ssh}\n"
    document = config_output(_project(tmp_path, text), "json")
    assert document["services"]["web"]["build"]["ssh"] == ssh.strip("[]{}").replace(": null", "").split(", ")


def test_infinite_number_cannot_be_printed_as_json(tmp_path: Path) -> None:
    project = _project(tmp_path, "services:\n  web:\n    image: a\n    cpus: .inf\nx-nan: .nan\n")
    with pytest.raises(InputError) as exc:
        config_output(project, "json")
    assert [(p.path, p.location.line if p.location else 0) for p in exc.value.problems] == [
        (("services", "web", "cpus"), 4),
        (("x-nan",), 5),
    ]
    assert config_output(project)["services"]["web"]["cpus"] == math.inf


def test_dollar_in_keys_is_escaped(tmp_path: Path) -> None:
    project = _project(tmp_path, "services:\n  web:\n    image: a\n    labels:\n      'price$$': x\n")
    assert config_output(project, "json")["services"]["web"]["labels"] == {"price$$$$": "x"}


def test_deep_nesting_loads_without_the_cli_and_leaves_the_recursion_limit_as_it_was(tmp_path: Path) -> None:
    limit = sys.getrecursionlimit()
    _write(
        tmp_path, {"compose.yaml": "x-deep: " + "[" * 900 + "]" * 900 + "\nservices:\n  web:\n    image: a\n"}
    )
    model = _load(tmp_path)
    depth, value = 0, model["x-deep"]
    while value:
        depth, value = depth + 1, value[0]
    assert depth == 899
    assert sys.getrecursionlimit() == limit
