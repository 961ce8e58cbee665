"""Configs and read-only bind mounts carried into the task (issue 13, item 2): read, translate, plan."""

from __future__ import annotations

import base64
import shlex
from typing import TYPE_CHECKING

from compose2ecs.load import ProjectOptions, load_project
from compose2ecs.load.host_files import MAX_FILE_BYTES, read_entry, read_host_files
from compose2ecs.load.role_policy import standard_trust_policy
from compose2ecs.model import EcsParams
from compose2ecs.translate import TranslateOptions, names, translate_project
from compose2ecs.translate.files import PARAMETER_CHARACTERS, parameters
from tests.fakes import CLUSTER, InMemoryGateway
from tests.unit.test_apply import up

if TYPE_CHECKING:
    from pathlib import Path

    from compose2ecs.model import DesiredState


def _desired(
    root: Path,
    compose: str,
    files: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
    params: EcsParams | None = None,
) -> DesiredState:
    root.mkdir(parents=True, exist_ok=True)
    (root / "docker-compose.yml").write_text(compose, encoding="utf-8")
    for name, text in (files or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    project = load_project(ProjectOptions(cwd=str(root), environ=env or {}, project_name="shop"))
    return translate_project(
        project.name,
        project.model,
        params or EcsParams(),
        standard_trust_policy(),
        TranslateOptions(
            "us-east-1",
            "project",
            CLUSTER,
            project.working_dir,
            read_host_files(project.model, project.working_dir),
            project.environment,
        ),
    )


def _codes(desired: DesiredState) -> dict[str, str]:
    return {p.code: p.message for p in desired.problems}


def _containers(desired: DesiredState) -> dict[str, dict[str, object]]:
    return {str(c["name"]): c for c in desired.task_definitions[0]["containerDefinitions"]}


VOLUME = names.volume("compose2ecs-files-web.files.0")  # the first files volume of service web
NGINX = "services:\n  web:\n    image: nginx:1.27\n    volumes: ['{mount}']\n"


def test_a_single_file_keeps_the_images_other_files_through_a_seed_container(tmp_path: Path) -> None:
    desired = _desired(
        tmp_path, NGINX.format(mount="./nginx.conf:/etc/nginx/nginx.conf:ro"), {"nginx.conf": "x"}
    )

    containers = _containers(desired)
    seed = containers["compose2ecs-seed-web"]
    assert seed["image"] == "nginx:1.27"
    assert "cp -a /etc/nginx/. /compose2ecs/" in str(seed["command"])
    assert containers["compose2ecs-files"]["dependsOn"] == [
        {"containerName": "compose2ecs-seed-web", "condition": "SUCCESS"}
    ]
    assert {
        "sourceVolume": VOLUME,
        "containerPath": "/etc/nginx",
        "readOnly": True,
    } in list(
        containers["web"]["mountPoints"]  # type: ignore[call-overload]
    )
    assert "host-file" in _codes(desired)


def test_a_whole_directory_replaces_the_images_directory_without_a_seed(tmp_path: Path) -> None:
    files = {"conf/prometheus.yml": "scrape_configs: []\n", "conf/rules/a.yml": "groups: []\n"}
    desired = _desired(tmp_path, NGINX.format(mount="./conf:/etc/prometheus:ro"), files)

    containers = _containers(desired)
    assert "compose2ecs-seed-web" not in containers
    script = str(containers["compose2ecs-files"]["command"]).replace("\\'", "'")
    assert f"mkdir -p /compose2ecs/{VOLUME}/rules" in script
    assert len(desired.file_parameters) == 2


def test_configs_from_content_and_environment_with_their_mode_and_owner(tmp_path: Path) -> None:
    compose = (
        "services:\n  web:\n    image: nginx\n    configs:\n"
        "      - {source: a, target: /etc/app/a.txt, mode: 0440, uid: '101', gid: '101'}\n"
        "      - {source: b, target: /etc/app/b.txt}\n"
        "configs:\n  a:\n    content: hello\n  b:\n    environment: GREETING\n"
    )
    desired = _desired(tmp_path, compose, env={"GREETING": "bonjour"})

    values = sorted(base64.b64decode(p.value).decode() for p in desired.file_parameters)
    assert values == ["bonjour", "hello"]
    script = str(_containers(desired)["compose2ecs-files"]["command"]).replace("\\'", "'")
    assert f"chown 101:101 /compose2ecs/{VOLUME}/a.txt" in script
    assert f"chmod 0440 /compose2ecs/{VOLUME}/a.txt" in script


def test_a_config_without_a_target_lands_under_slash_and_is_refused_with_the_fix(tmp_path: Path) -> None:
    compose = "services:\n  web:\n    image: nginx\n    configs: [a]\nconfigs:\n  a:\n    content: x\n"
    problem = next(p for p in _desired(tmp_path, compose).problems if p.code == "config-target")

    assert "target:" in problem.hint


def test_an_unset_variable_and_a_missing_file_are_refused(tmp_path: Path) -> None:
    compose = (
        "services:\n  web:\n    image: nginx\n    configs:\n"
        "      - {source: a, target: /etc/a}\n      - {source: b, target: /etc/b}\n"
        "configs:\n  a:\n    environment: NOPE\n  b:\n    file: ./gone.txt\n"
    )
    codes = _codes(_desired(tmp_path, compose))

    assert "NOPE" in codes["config-environment"]
    assert "no such file" in codes["host-file-missing"]


def test_files_outside_the_project_are_never_read(tmp_path: Path) -> None:
    outside = tmp_path / "home" / ".aws"
    outside.mkdir(parents=True)
    (outside / "credentials").write_text("aws_secret_access_key = planted", encoding="utf-8")
    compose = NGINX.format(mount=f"{outside}:/root/.aws:ro")
    desired = _desired(tmp_path / "app", compose)

    assert "outside the project directory" in _codes(desired)["fargate-bind-mount"]
    assert desired.file_parameters == []


def test_a_link_out_of_the_project_and_a_large_file_are_refused(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("planted", encoding="utf-8")
    root = tmp_path / "app"
    root.mkdir()
    (root / "link.conf").symlink_to(tmp_path / "secret")
    (root / "big.bin").write_bytes(b"x" * (MAX_FILE_BYTES + 1))

    assert read_entry(str(root / "link.conf"), str(root), contents=True).kind == "refused"
    big = read_entry(str(root / "big.bin"), str(root), contents=True)
    assert (big.kind, "KiB" in big.why) == ("refused", True)


def test_content_is_split_into_standard_tier_parameters_named_by_its_digest() -> None:
    content = bytes(range(256)) * 40  # binary, 10 KiB
    chunks = parameters(content, "/compose2ecs/files/p/c/")

    assert all(len(p.value) <= PARAMETER_CHARACTERS for p in chunks)
    assert base64.b64decode("".join(p.value for p in chunks)) == content
    assert len({p.name.rsplit("-", 1)[0] for p in chunks}) == 1
    assert parameters(content + b"!", "/p/")[0].name != chunks[0].name.replace(
        "/compose2ecs/files/p/c/", "/p/"
    )
    assert parameters(b"", "/p/") == []  # an empty file is written without one
    assert chunks[0].value not in repr(chunks[0])  # a file's bytes are never printed by accident


def test_up_stores_each_file_once_and_a_changed_file_replaces_its_parameter(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    compose = NGINX.format(mount="./nginx.conf:/etc/nginx/nginx.conf:ro")
    up(gateway, _desired(tmp_path, compose, {"nginx.conf": "one"}))
    [first] = gateway.file_parameters

    up(gateway, _desired(tmp_path, compose, {"nginx.conf": "two"}))

    [second] = gateway.file_parameters
    assert second != first
    assert base64.b64decode(gateway.file_parameters[second]) == b"two"
    operations = gateway.operations()
    assert operations.index("update_service") < operations.index("delete_parameters")


def test_quotes_dollars_and_spaces_in_paths_stay_inside_one_shell_word(tmp_path: Path) -> None:
    compose = (
        "services:\n  web:\n    image: nginx\n    configs:\n"
        '      - {source: a, target: "/etc/app/it\'s $$HOME b.txt"}\n'
        "configs:\n  a:\n    content: x\n"
    )
    desired = _desired(tmp_path, compose)

    script = str(_containers(desired)["compose2ecs-files"]["command"][0])  # type: ignore[index]
    writes = next(line for line in script.split("; ") if "base64 -d" in line)
    assert shlex.split(writes)[-1] == f"/compose2ecs/{VOLUME}/it's $HOME b.txt"


def test_two_services_named_web_and_web_0_never_share_a_files_volume(tmp_path: Path) -> None:
    compose = (
        "services:\n  web:\n    image: nginx\n    configs: [{source: a, target: /etc/app/a}]\n"
        "  web-0:\n    image: nginx\n    secrets: [s]\n"
        "configs:\n  a:\n    content: x\nsecrets:\n  s:\n    environment: S\n"
    )
    desired = _desired(tmp_path, compose, env={"S": "v"})

    volumes = [v["name"] for v in desired.task_definitions[0]["volumes"]]
    assert len(volumes) == len(set(volumes))


def test_a_file_target_directly_under_root_is_refused_and_the_others_still_arrive(tmp_path: Path) -> None:
    compose = (
        NGINX.format(mount="./init.sql:/init.sql:ro") + "    configs: [{source: a, target: /etc/app/a}]\n"
    )
    compose += "configs:\n  a:\n    content: x\n"
    desired = _desired(tmp_path, compose, {"init.sql": "select 1;"})

    problem = next(p for p in desired.problems if p.code == "config-target")
    assert problem.path == ("services", "web", "volumes", 0)
    assert "compose's default" not in problem.message
    mounts = [m["containerPath"] for m in _containers(desired)["web"]["mountPoints"]]  # type: ignore[attr-defined]
    assert mounts == ["/etc/app"]


def test_a_project_that_lives_under_etc_still_carries_its_own_files(tmp_path: Path) -> None:
    from compose2ecs.translate.container import Container, Context, _bind_mount  # noqa: PLC0415
    from compose2ecs.translate.report import Report  # noqa: PLC0415

    report, container = Report(), Container("web", {"name": "web"})
    entry = read_entry(str(tmp_path), str(tmp_path), contents=True)
    ctx = Context(
        "p",
        "us-east-1",
        {},
        "/etc/myapp",
        {"/etc/myapp/nginx.conf": entry._replace(kind="file", files={"": b"x"})},
    )
    volume = {
        "type": "bind",
        "source": "/etc/myapp/nginx.conf",
        "target": "/etc/nginx/nginx.conf",
        "read_only": True,
    }

    _bind_mount({}, volume, ("services", "web", "volumes", 0), report, ctx, container)

    assert [p.code for p in report.problems] == ["host-file"]
    assert [f.target for f in container.host_files] == ["/etc/nginx/nginx.conf"]
