"""Service names that will not resolve on Fargate are reported (issue 12, item 5)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from compose2ecs.load import ProjectOptions, load_project
from compose2ecs.load.role_policy import standard_trust_policy
from compose2ecs.model import EcsParams
from compose2ecs.translate import TranslateOptions, translate_project

if TYPE_CHECKING:
    from pathlib import Path

    from compose2ecs.errors import Problem

WORDPRESS = (
    "services:\n"
    "  wordpress:\n    image: wordpress:6\n    ports: ['80:80']\n"
    "    environment:\n"
    "      WORDPRESS_DB_HOST: db\n"  # line 6
    "      WORDPRESS_DB_USER: wordpress\n"
    "      ROLE: db\n"  # not a host variable: a bare `db` here is a word, not a host
    "      CACHE_URL: redis://:secret@cache:6379/0\n"  # line 9
    "    command: ['wait-for', 'db:3306', '--', 'apache2-foreground']\n"  # line 10
    "  db:\n    image: mysql:8\n"
    "  cache:\n    image: redis:7\n    expose: ['6379']\n"
)


def _problems(tmp_path: Path, layout: str, compose: str = WORDPRESS) -> list[Problem]:
    (tmp_path / "docker-compose.yml").write_text(compose, encoding="utf-8")
    project = load_project(ProjectOptions(cwd=str(tmp_path), environ={}))
    desired = translate_project(
        project.name,
        project.model,
        EcsParams(),
        standard_trust_policy(),
        TranslateOptions("us-east-1", layout),
    )
    return [p for p in desired.problems if p.code in {"service-name-in-one-task", "service-without-port"}]


def test_in_the_project_layout_each_host_that_names_a_service_is_reported(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "project")

    assert [p.path for p in problems] == [
        ("services", "wordpress", "environment", "WORDPRESS_DB_HOST"),
        ("services", "wordpress", "environment", "CACHE_URL"),
        ("services", "wordpress", "command"),
    ]
    assert problems[0].message.startswith("WORDPRESS_DB_HOST names service db as a host")
    assert "--layout service" in problems[0].hint
    assert "localhost" in problems[0].hint
    assert all("secret" not in p.message + p.hint for p in problems)  # values are never repeated


def test_in_the_service_layout_a_service_reached_by_name_without_a_port_is_reported(tmp_path: Path) -> None:
    [problem] = _problems(tmp_path, "service")

    assert problem.path == ("services", "db")
    assert problem.message.startswith("wordpress's WORDPRESS_DB_HOST, wordpress's command reach db by name")
    assert "expose: ['3306']" in problem.hint  # the port the command named


@pytest.mark.parametrize(
    "value",
    ["http://db", "postgres://user:pw@db:5432/app", "db:5432", "tcp://db:5432", "host=db:5432,other:1"],
)
def test_host_forms_are_found_in_any_variable(tmp_path: Path, value: str) -> None:
    compose = f"services:\n  app:\n    image: a\n    environment:\n      X: '{value}'\n  db:\n    image: b\n"
    assert len(_problems(tmp_path, "project", compose)) == 1


@pytest.mark.parametrize("value", ["db", "dbx:5432", "http://dbx", "the db is down", "mydb:1"])
def test_words_and_other_hosts_are_not_taken_for_a_service(tmp_path: Path, value: str) -> None:
    compose = (
        f"services:\n  app:\n    image: a\n    environment:\n      MODE: '{value}'\n  db:\n    image: b\n"
    )
    assert _problems(tmp_path, "project", compose) == []
