"""What `translate` builds that `convert --output json` does not print: ingress rules, role policies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from compose2ecs.load import ProjectOptions, load_project
from compose2ecs.load.role_policy import standard_trust_policy
from compose2ecs.model import EcsParams, PortRule
from compose2ecs.translate import TranslateOptions, names, translate_project

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
    # Loopback ports of an image that is no data store: 5432 and 6379 stay closed for the loopback.
    ports = (
        '["127.0.0.1:5432:5432", "[::1]:6379:6379", "::1:11211:11211", "0.0.0.0:80:80", "443:443", '
        '"127.0.0.1:8080:8080", "8080:8080"]'
    )
    desired = translate(tmp_path, f"services:\n  app:\n    image: example/app\n    ports: {ports}\n")
    # Only the load balancers reach the tasks, on the ports published on all interfaces.
    assert desired.ingress == [
        PortRule(80, "tcp", source="lb"),
        PortRule(443, "tcp", source="lb"),
        PortRule(8080, "tcp", source="lb"),
    ]
    assert sorted(li.port for li in desired.listeners) == [80, 443, 8080]
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
    assert PortRule(80, "tcp", source="lb") in desired.ingress


def test_service_connect_names_are_unique_in_the_namespace_and_valid_for_ecs(tmp_path: Path) -> None:
    compose = (
        "services:\n  apiServer:\n    image: nginx\n    ports:\n      - {target: 80, name: http}\n"
        "  admin:\n    image: nginx\n    ports:\n      - {target: 8080, name: http}\n"
    )
    desired = translate(tmp_path, compose, layout="service")
    connected = [s for r in desired.services for s in r["serviceConnectConfiguration"]["services"]]
    assert connected == [
        {
            "portName": "http",
            "discoveryName": "apiserver-80",
            "clientAliases": [{"port": 80, "dnsName": "apiserver"}],
        },
        {
            "portName": "http",
            "discoveryName": "admin-8080",
            "clientAliases": [{"port": 8080, "dnsName": "admin"}],
        },
    ]
    assert not [p for p in desired.problems if p.severity == "error"]


def test_generated_names_stay_unique_and_valid_when_shortened(tmp_path: Path) -> None:
    compose = "services:\n" + "".join(
        f"  {'a' * 58}_{suffix}:\n    image: x\n    expose: ['80']\n" for suffix in ("one", "two")
    )
    desired = translate(tmp_path, compose, layout="service")
    connected = [s for r in desired.services for s in r["serviceConnectConfiguration"]["services"]]
    generated = {s["portName"] for s in connected} | {s["discoveryName"] for s in connected}
    assert len(generated) == 2, generated
    assert all(names.is_port_name(name) for name in generated), generated


def test_port_and_dns_name_rules() -> None:
    assert names.port_name("web", 80, "tcp") == "web-80"
    assert names.port_name("web", 53, "udp") == "web-53-udp"
    assert names.port_name("NGINX", 80, "tcp") == "nginx-80"
    assert names.port_name("-web", 80, "tcp") != names.port_name("web", 80, "tcp")
    assert names.is_port_name(names.port_name("-web", 80, "tcp"))
    assert [names.is_port_name(n) for n in ("http", "web_http-2", "Http", "-http", "a" * 65, "")] == [
        True,
        True,
        False,
        False,
        False,
        False,
    ]
    assert [
        names.is_dns_name(n) for n in ("web", "_web", "db.internal", "-web", "Web", "a" * 64, "a..b")
    ] == [
        True,
        True,
        True,
        False,
        False,
        False,
        False,
    ]


def test_the_log_group_a_container_creates_is_allowed_in_the_region_it_logs_to(tmp_path: Path) -> None:
    compose = (
        "services:\n  web:\n    image: nginx\n    logging:\n      driver: awslogs\n      options:\n"
        "        awslogs-group: /app/web\n        awslogs-region: eu-west-1\n"
        "        awslogs-create-group: 'true'\n"
        "  db:\n    image: postgres\n    logging:\n      driver: awslogs\n      options:\n"
        "        awslogs-group: /app/db\n        awslogs-create-group: 'true'\n"
    )
    desired = translate(tmp_path, compose)
    [statement] = desired.roles[0].inline_policies[desired.owner.policy_name]["Statement"]
    assert statement["Action"] == ["logs:CreateLogGroup"]
    assert statement["Resource"] == [
        "arn:aws:logs:eu-west-1:*:log-group:/app/web:*",
        "arn:aws:logs:us-east-1:*:log-group:/app/db:*",
    ]


def test_task_volume_names_keep_distinct_compose_volumes_apart() -> None:
    assert names.volume("data_1") == "data_1"
    dotted, dashed = names.volume("data.v1"), names.volume("data-v1")
    assert dashed == "data-v1"
    assert dotted.startswith("data-v1-")
    assert dotted != dashed
    assert names.is_ecs_name(dotted)
    assert names.is_ecs_name(names.volume("x" * 300 + ".y"))


def test_the_task_size_leaves_room_for_the_service_connect_proxy(tmp_path: Path) -> None:
    compose = (
        "services:\n  web:\n    image: nginx\n    expose: ['80']\n    deploy:\n      resources:\n"
        "        limits:\n          cpus: '0.25'\n          memory: 512M\n"
    )
    alone = translate(tmp_path, compose)
    connected = translate(tmp_path, compose, layout="service")

    [plain] = alone.task_definitions
    [with_proxy] = connected.task_definitions
    assert (plain["cpu"], plain["memory"]) == ("256", "512")
    # 256 CPU units and 64 MiB more, as AWS recommends: the next Fargate size up.
    assert (with_proxy["cpu"], with_proxy["memory"]) == ("512", "1024")
    [info] = [p for p in connected.problems if p.code == "task-size-chosen"]
    assert "the Service Connect proxy" in info.message


def test_one_project_in_two_clusters_gets_names_and_tags_of_its_own(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text("services:\n  web:\n    image: nginx\n", encoding="utf-8")
    project = load_project(ProjectOptions(cwd=str(tmp_path), environ={}))
    prod, staging = (
        translate_project(
            "shop",
            project.model,
            EcsParams(),
            standard_trust_policy(),
            TranslateOptions("us-east-1", "service", c),
        )
        for c in ("prod", "staging")
    )

    assert (prod.namespace, staging.namespace) == ("shop.prod", "shop.staging")
    assert (prod.security_group_name, staging.security_group_name) == ("shop.prod", "shop.staging")
    assert prod.tags["compose2ecs:cluster"] == "prod"
    assert staging.tags["compose2ecs:cluster"] == "staging"
    # The families and services keep ecs-cli's names: an ecs-cli deployment is found as it is.
    assert prod.task_definitions[0]["family"] == staging.task_definitions[0]["family"] == "shop-web"


def test_a_task_size_the_user_chose_is_never_refused_for_the_proxy(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  web:\n    image: nginx\n    expose: ['80']\n    mem_limit: 512m\n", encoding="utf-8"
    )
    project = load_project(ProjectOptions(cwd=str(tmp_path), environ={}))
    params = EcsParams(cpu="256", memory="512")
    desired = translate_project(
        project.name, project.model, params, standard_trust_policy(), TranslateOptions("us-east-1", "service")
    )

    assert [p for p in desired.problems if p.severity == "error"] == []
    [warning] = [p for p in desired.problems if p.code == "service-connect-room"]
    assert warning.severity == "warning"
    assert (desired.task_definitions[0]["cpu"], desired.task_definitions[0]["memory"]) == ("256", "512")
