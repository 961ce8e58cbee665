"""What `translate` builds that `convert --output json` does not print: ingress rules, role policies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from compose2ecs.load import ProjectOptions, load_project
from compose2ecs.load.role_policy import standard_trust_policy
from compose2ecs.model import EcsParams, PortRule
from compose2ecs.translate import TranslateOptions, translate_project

if TYPE_CHECKING:
    from pathlib import Path

    from compose2ecs.model import DesiredState


def translate(tmp_path: Path, compose: str, layout: str = "project") -> DesiredState:
    (tmp_path / "docker-compose.yml").write_text(compose, encoding="utf-8")
    project = load_project(ProjectOptions(cwd=str(tmp_path), environ={}))
    return translate_project(
        project.name,
        project.model,
        EcsParams(),
        standard_trust_policy(),
        TranslateOptions("us-east-1", layout),
    )


def test_a_port_published_on_loopback_is_not_opened_to_the_internet(tmp_path: Path) -> None:
    ports = (
        '["127.0.0.1:5432:5432", "[::1]:6379:6379", "::1:11211:11211", "0.0.0.0:80:80", "443:443", '
        '"127.0.0.1:8080:8080", "8080:8080"]'
    )
    desired = translate(tmp_path, f"services:\n  db:\n    image: postgres\n    ports: {ports}\n")
    assert desired.ingress == [PortRule(80, "tcp"), PortRule(443, "tcp"), PortRule(8080, "tcp")]
    [container] = desired.task_definitions[0]["containerDefinitions"]
    assert {m["containerPort"] for m in container["portMappings"]} == {5432, 6379, 11211, 80, 443, 8080}


def test_a_loopback_port_stays_reachable_from_the_other_services(tmp_path: Path) -> None:
    compose = (
        "services:\n  db:\n    image: postgres\n    ports: ['127.0.0.1:5432:5432']\n"
        "  web:\n    image: nginx\n    ports: ['80:80']\n"
    )
    desired = translate(tmp_path, compose, layout="service")
    assert PortRule(5432, "tcp") not in desired.ingress
    assert PortRule(5432, "tcp", source="self") in desired.ingress
    assert PortRule(80, "tcp") in desired.ingress
