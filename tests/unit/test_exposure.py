"""A data store's published port is never opened to the internet unless ecs-params asks (issue 12, item 4)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from compose2ecs.load import ProjectOptions, load_project
from compose2ecs.load.role_policy import standard_trust_policy
from compose2ecs.model import EcsParams, PortParams, PortRule
from compose2ecs.translate import TranslateOptions, translate_project
from compose2ecs.translate.exposure import data_store, image_name

if TYPE_CHECKING:
    from pathlib import Path

    from compose2ecs.model import DesiredState

# flask-redis, as a new user tried it: the app and its Redis, both published.
COMPOSE = (
    "services:\n"
    "  web:\n    image: example/flask-app\n    ports: ['5000:5000']\n"
    "  redis:\n    image: redis:7-alpine\n    ports: ['6379:6379']\n"
)


def _translate(tmp_path: Path, params: EcsParams, layout: str) -> DesiredState:
    (tmp_path / "docker-compose.yml").write_text(COMPOSE, encoding="utf-8")
    project = load_project(ProjectOptions(cwd=str(tmp_path), environ={}))
    return translate_project(
        project.name, project.model, params, standard_trust_policy(), TranslateOptions("us-east-1", layout)
    )


@pytest.mark.parametrize(
    ("image", "name"),
    [
        ("postgres", "postgres"),
        ("docker.io/library/postgres:16@sha256:abc", "library/postgres"),
        ("localhost:5000/team/redis:7", "team/redis"),
        ("bitnami/mongodb:7.0", "bitnami/mongodb"),
    ],
)
def test_image_names_lose_registry_tag_and_digest(image: str, name: str) -> None:
    assert image_name(image) == name


@pytest.mark.parametrize(
    ("image", "port", "why"),
    [
        ("redis:7", 8080, "the redis image"),
        ("docker.io/library/postgres:16", 5432, "the postgres image"),
        ("mcr.microsoft.com/mssql/server:2022-latest", 1433, "the mssql/server image"),
        ("example/app", 27017, "MongoDB's port"),
        ("example/app", 8080, None),
        ("example/server", 8080, None),  # "server" is a data store only as mssql/server
    ],
)
def test_data_stores_are_known_by_image_or_by_port(image: str, port: int, why: str | None) -> None:
    assert data_store(image, port) == why


def test_redis_is_not_opened_to_the_internet_and_the_report_says_who_reaches_it(tmp_path: Path) -> None:
    desired = _translate(tmp_path, EcsParams(), "service")

    assert PortRule(5000, "tcp", source="lb") in desired.ingress  # through the load balancer only
    assert all(rule.source == "self" for rule in desired.ingress if rule.port == 6379)
    assert [li.port for li in desired.listeners] == [5000]
    [warning] = [p for p in desired.problems if p.code == "data-store-port"]
    assert warning.path == ("services", "redis", "ports", 0)
    assert "reach it as redis:6379 (Service Connect)" in warning.message
    assert "run_params.ports.6379.public: true" in warning.hint


def test_in_the_project_layout_the_report_points_at_localhost(tmp_path: Path) -> None:
    desired = _translate(tmp_path, EcsParams(), "project")

    assert desired.ingress == [PortRule(5000, "tcp", source="lb")]
    [warning] = [p for p in desired.problems if p.code == "data-store-port"]
    assert "localhost:6379" in warning.message


def test_ecs_params_can_open_a_data_store_on_purpose(tmp_path: Path) -> None:
    desired = _translate(tmp_path, EcsParams(ports={6379: PortParams(public=True)}), "project")

    assert desired.ingress == [PortRule(5000, "tcp", source="lb"), PortRule(6379, "tcp", source="lb")]
    assert [(li.port, li.protocol) for li in desired.listeners] == [(5000, "HTTP"), (6379, "TCP")]
    assert [lb.type for lb in desired.load_balancers] == ["application", "network"]
    assert not [p for p in desired.problems if p.code == "data-store-port"]
