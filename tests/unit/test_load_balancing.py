"""Load balancers in front of the published ports (issue 12): plan and apply on the in-memory gateway.

Every ELBv2 request the fake gets is checked against botocore's model (tests/fakes.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from compose2ecs.apply import ApplyOptions, down
from compose2ecs.errors import AwsError
from compose2ecs.load import ProjectOptions, load_project
from compose2ecs.load.role_policy import standard_trust_policy
from compose2ecs.model import EcsParams, PortParams
from compose2ecs.model.deployed import Action, ResourceKind
from compose2ecs.plan import preflight_problems
from compose2ecs.resources import plan_changes
from compose2ecs.translate import TranslateOptions, names, translate_project
from tests.fakes import CLUSTER, FakeClock, InMemoryGateway, RecordingProgress
from tests.unit.test_apply import up

if TYPE_CHECKING:
    from pathlib import Path

    from compose2ecs.model import DesiredState

WEB = "services:\n  web:\n    image: nginx:1.27\n    ports: ['{ports}']\n"


def _desired(
    tmp_path: Path, compose: str, params: EcsParams | None = None, layout: str = "service"
) -> DesiredState:
    (tmp_path / "docker-compose.yml").write_text(compose, encoding="utf-8")
    project = load_project(ProjectOptions(cwd=str(tmp_path), environ={}, project_name="shop"))
    return translate_project(
        project.name,
        project.model,
        params or EcsParams(),
        standard_trust_policy(),
        TranslateOptions("us-east-1", layout, CLUSTER, project.working_dir),
    )


def _kinds(gateway: InMemoryGateway, desired: DesiredState) -> dict[ResourceKind, list[Action]]:
    plan = plan_changes(desired, gateway.read_state(desired, CLUSTER), CLUSTER)
    out: dict[ResourceKind, list[Action]] = {}
    for change in plan.resources:
        out.setdefault(change.kind, []).append(change.action)
    return out


def _down_all(gateway: InMemoryGateway, desired: DesiredState) -> None:
    clock = FakeClock()
    down(
        desired,
        gateway.read_state(desired, CLUSTER),
        gateway,
        ApplyOptions(CLUSTER),
        RecordingProgress(),
        remove_all=True,
        clock=clock,
        sleep=clock.sleep,
    )


# ---------------------------------------------------------------------------------------------
# Names and choices (translate).


@pytest.mark.parametrize(
    ("project", "cluster"),
    [("shop", "prod"), ("a" * 60, "b" * 60), ("internal-tools", "c"), ("my_app", "default")],
)
def test_elbv2_names_fit_its_rules(project: str, cluster: str) -> None:
    balancers = [names.load_balancer(project, cluster, kind) for kind in ("application", "network")]
    for name in (*balancers, names.target_group(project, cluster, "web_server", 8080, "HTTP")):
        assert 0 < len(name) <= 32
        assert set(name) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
        assert not name.startswith("-")
        assert not name.endswith("-")
    assert not any(name.startswith("internal-") for name in balancers)  # ELBv2 reserves it
    assert names.load_balancer(project, cluster, "application") != names.load_balancer(
        project, "x", "application"
    )


def test_a_port_that_changes_protocol_or_number_gets_a_new_target_group() -> None:
    base = names.target_group("shop", "prod", "web", 80, "HTTP")
    assert base != names.target_group("shop", "prod", "web", 8080, "HTTP")
    assert base != names.target_group("shop", "prod", "web", 80, "TCP")
    assert base == names.target_group("shop", "prod", "web", 80, "HTTP")


@pytest.mark.parametrize(
    ("ports", "extra", "kind", "protocol"),
    [
        ("8080:80", "", "application", "HTTP"),  # a web server's port
        ("1883:1883", "", "network", "TCP"),  # MQTT
        ("443:443", "", "network", "TCP"),  # TLS passes through
        (
            "7000:7000",
            "    healthcheck:\n      test: curl -f http://localhost:7000/up\n",
            "application",
            "HTTP",
        ),
    ],
)
def test_http_ports_go_behind_an_alb_and_the_rest_behind_an_nlb(
    tmp_path: Path, ports: str, extra: str, kind: str, protocol: str
) -> None:
    desired = _desired(tmp_path, WEB.format(ports=ports) + extra)

    [balancer] = desired.load_balancers
    [listener] = desired.listeners
    [group] = desired.target_groups
    assert balancer.type == kind
    published, target = map(int, ports.split(":"))
    assert (listener.port, listener.protocol) == (published, protocol)
    assert (group.port, group.protocol) == (target, protocol)  # the listener's protocol: they match
    assert desired.services[0]["loadBalancers"] == [
        {"targetGroupArn": group.name, "containerName": "web", "containerPort": group.port}
    ]


def test_app_protocol_and_ecs_params_choose_the_load_balancer(tmp_path: Path) -> None:
    compose = (
        "services:\n  web:\n    image: nginx\n    ports:\n"
        "      - {target: 80, published: 80, app_protocol: grpc}\n"
    )
    assert [lb.type for lb in _desired(tmp_path, compose).load_balancers] == ["network"]
    params = EcsParams(ports={8080: PortParams(load_balancer="network")})
    assert [lb.type for lb in _desired(tmp_path, WEB.format(ports="8080:80"), params).load_balancers] == [
        "network"
    ]


def test_the_health_check_path_and_grace_period_come_from_the_compose_healthcheck(tmp_path: Path) -> None:
    compose = WEB.format(ports="80:80") + (
        "    healthcheck:\n      test: ['CMD', 'wget', '-qO-', 'http://127.0.0.1:80/health?deep=1']\n"
        "      start_period: 45s\n"
    )
    desired = _desired(tmp_path, compose)

    [group] = desired.target_groups
    assert group.health.path == "/health?deep=1"
    assert desired.services[0]["healthCheckGracePeriodSeconds"] == 45


def test_with_a_network_of_the_users_there_is_no_load_balancer(tmp_path: Path) -> None:
    from compose2ecs.model import AwsvpcParams  # noqa: PLC0415

    params = EcsParams(awsvpc=AwsvpcParams(subnets=("subnet-1",)))
    desired = _desired(tmp_path, WEB.format(ports="80:80"), params)

    assert not desired.load_balancers
    assert not desired.listeners
    assert not desired.target_groups
    assert "loadBalancers" not in desired.services[0]


# ---------------------------------------------------------------------------------------------
# Lifecycle on the fake.


def test_up_creates_in_dependency_order_and_a_second_up_writes_nothing(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    desired = _desired(tmp_path, WEB.format(ports="8080:80"))

    up(gateway, desired)

    order = [call for call in gateway.operations() if call != "authorize_ingress"]
    creates = [c for c in order if c.startswith("create_")]
    assert creates.index("create_target_group") < creates.index("create_load_balancer")
    assert creates.index("create_load_balancer") < creates.index("create_listener")
    assert creates.index("create_listener") < creates.index("create_service")
    assert order.index("create_security_group") < order.index("create_load_balancer")
    [group] = gateway.target_groups.values()
    assert (
        gateway.target_group_attributes[group["TargetGroupArn"]]["deregistration_delay.timeout_seconds"]
        == "30"
    )
    written = len(gateway.writes)
    up(gateway, desired)
    assert len(gateway.writes) == written  # in sync: no write at all


def test_an_interrupted_up_converges_when_run_again(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    desired = _desired(tmp_path, WEB.format(ports="8080:80"))
    gateway.fail_on("create_listener")

    with pytest.raises(AwsError):
        up(gateway, desired)
    up(gateway, desired)

    assert len(gateway.load_balancers) == len(gateway.target_groups) == len(gateway.listeners) == 1
    assert all(actions == [Action.NO_CHANGE] * len(actions) for actions in _kinds(gateway, desired).values())


def test_a_new_container_port_moves_the_service_then_deletes_the_old_target_group(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    up(gateway, _desired(tmp_path, WEB.format(ports="8080:80")))
    [old] = gateway.target_groups

    desired = _desired(tmp_path, WEB.format(ports="8080:8000"))
    up(gateway, desired)

    assert old not in gateway.target_groups
    [new] = gateway.target_groups.values()
    [listener] = gateway.listeners.values()
    assert listener["DefaultActions"][0]["TargetGroupArn"] == new["TargetGroupArn"]
    calls = gateway.operations()
    assert calls.index("modify_listener") < calls.index("update_service") < calls.index("delete_target_group")


def test_a_port_no_longer_published_loses_its_listener_and_the_last_one_its_load_balancer(
    tmp_path: Path,
) -> None:
    gateway = InMemoryGateway()
    two = "services:\n  web:\n    image: nginx:1.27\n    ports: ['80:80', '8080:8080']\n"
    up(gateway, _desired(tmp_path, two))
    assert len(gateway.listeners) == 2

    up(gateway, _desired(tmp_path, WEB.format(ports="80:80")))
    assert [li["Port"] for li in gateway.listeners.values()] == [80]

    up(gateway, _desired(tmp_path, "services:\n  web:\n    image: nginx:1.27\n"))
    assert gateway.load_balancers == {}
    assert gateway.target_groups == {}
    [service] = [s for s in gateway.services.values() if s.data["status"] == "ACTIVE"]
    assert service.data["loadBalancers"] == []


def test_down_all_removes_the_load_balancers_and_keeps_what_someone_else_made(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    desired = _desired(tmp_path, WEB.format(ports="8080:80"))
    up(gateway, desired)
    theirs = gateway.create_target_group(
        {"Name": "theirs", "Protocol": "HTTP", "Port": 80, "VpcId": "vpc-0default", "TargetType": "ip"}
    )["TargetGroupArn"]

    _down_all(gateway, desired)

    assert gateway.load_balancers == {}
    assert list(gateway.target_groups) == [theirs]
    assert gateway.security_groups == {}


def test_an_alb_needs_two_availability_zones_before_any_write(tmp_path: Path) -> None:
    from compose2ecs.model.deployed import DeployedState, NetworkFacts  # noqa: PLC0415

    desired = _desired(tmp_path, WEB.format(ports="8080:80"))
    one_zone = DeployedState(
        network=NetworkFacts(
            checked=True,
            default_vpc="vpc-1",
            default_zones={"subnet-1": "us-east-1a", "subnet-2": "us-east-1a"},
        )
    )
    two_zones = DeployedState(
        network=NetworkFacts(
            checked=True,
            default_vpc="vpc-1",
            default_zones={"subnet-1": "us-east-1a", "subnet-2": "us-east-1b"},
        )
    )

    [problem] = preflight_problems(desired, one_zone, CLUSTER, None)
    assert problem.code == "alb-needs-two-zones"
    assert problem.path == ("services", "web", "ports", 0)
    assert "run_params.ports.8080.load_balancer: network" in problem.hint
    assert preflight_problems(desired, two_zones, CLUSTER, None) == []


def test_two_services_cannot_share_a_listener_port(tmp_path: Path) -> None:
    compose = (
        "services:\n  a:\n    image: nginx\n    ports: ['80']\n  b:\n    image: nginx\n    ports: ['80']\n"
    )
    desired = _desired(tmp_path, compose)

    [problem] = [p for p in desired.problems if p.code == "published-port-taken"]
    assert problem.path == ("services", "b", "ports", 0)
    assert "published by a too" in problem.message
    assert [li.port for li in desired.listeners] == [80]


def test_more_than_five_target_groups_for_one_service_is_refused(tmp_path: Path) -> None:
    desired = _desired(tmp_path, WEB.format(ports="30000-30005:30000-30005"))

    [problem] = [p for p in desired.problems if p.code == "too-many-target-groups"]
    assert problem.severity == "error"
    assert "at most 5" in problem.message


def test_a_healthcheck_over_https_means_tls_that_passes_through(tmp_path: Path) -> None:
    compose = (
        WEB.format(ports="8443:8443") + "    healthcheck:\n      test: curl -kf https://localhost:8443/\n"
    )
    [balancer] = _desired(tmp_path, compose).load_balancers
    assert balancer.type == "network"


def test_a_run_stopped_before_the_deregistration_delay_was_set_sets_it_next_time(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    desired = _desired(tmp_path, WEB.format(ports="8080:80"))
    gateway.fail_on("modify_target_group_attributes")

    with pytest.raises(AwsError):
        up(gateway, desired)
    [arn] = gateway.target_groups
    assert gateway.target_group_attributes[arn]["deregistration_delay.timeout_seconds"] == "300"
    up(gateway, desired)

    assert gateway.target_group_attributes[arn]["deregistration_delay.timeout_seconds"] == "30"
    assert all(actions == [Action.NO_CHANGE] * len(actions) for actions in _kinds(gateway, desired).values())


def test_rules_the_running_tasks_use_are_revoked_after_the_rollout(tmp_path: Path) -> None:
    # A deployment whose task group opened 80 to the world (before load balancers), moving behind one.
    gateway = InMemoryGateway()
    desired = _desired(tmp_path, WEB.format(ports="80:80"))
    up(gateway, desired)
    [tasks] = [g for g in gateway.security_groups.values() if g["GroupName"] == desired.security_group_name]
    gateway.authorize_ingress(
        tasks["GroupId"],
        [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    gateway.calls.clear()
    desired = _desired(tmp_path, WEB.format(ports="80:8000"))  # and a new container port

    up(gateway, desired)

    calls = gateway.operations()
    assert calls.index("update_service") < calls.index("revoke_ingress")
    assert calls.index("update_service") < calls.index("delete_target_group")


def test_the_load_balancers_group_goes_with_the_last_published_port(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    up(gateway, _desired(tmp_path, WEB.format(ports="80:80")))
    assert len(gateway.security_groups) == 2

    up(gateway, _desired(tmp_path, "services:\n  web:\n    image: nginx:1.27\n"))

    assert [g["GroupName"] for g in gateway.security_groups.values()] == ["shop.tutorial"]
    calls = gateway.operations()
    assert calls.index("delete_load_balancer") < calls.index("delete_security_group")


# ---------------------------------------------------------------------------------------------
# Existing target groups (ecs-params run_params.target_groups, ecs-cli's --target-groups).


def _reused(tmp_path: Path, port: int = 80, container: str = "web") -> DesiredState:
    from compose2ecs.model import TargetGroupRef  # noqa: PLC0415

    ref = TargetGroupRef(THEIRS, container, port, ("run_params", "target_groups", 0))
    return _desired(tmp_path, WEB.format(ports="8080:80"), EcsParams(target_groups=(ref,)))


THEIRS = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/theirs/0123456789abcdef"


def test_an_existing_target_group_is_attached_next_to_compose2ecss_own(tmp_path: Path) -> None:
    desired = _reused(tmp_path)

    entries = desired.services[0]["loadBalancers"]
    assert {"targetGroupArn": THEIRS, "containerName": "web", "containerPort": 80} in entries
    assert len(entries) == 2


@pytest.mark.parametrize(
    ("port", "container", "words"), [(81, "web", "no container port 81"), (80, "db", "no service named db")]
)
def test_an_existing_target_group_must_name_a_container_and_port_of_the_project(
    tmp_path: Path, port: int, container: str, words: str
) -> None:
    desired = _reused(tmp_path, port, container)

    [problem] = [p for p in desired.problems if p.code.startswith("target-group-")]
    assert words in problem.message
    assert problem.path[:3] == ("run_params", "target_groups", 0)


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        (None, "does not exist"),
        ({"TargetType": "instance", "VpcId": "vpc-1", "LoadBalancerArns": ["lb"]}, "target type instance"),
        (
            {"TargetType": "ip", "VpcId": "vpc-2", "LoadBalancerArns": ["lb"]},
            "is in vpc-2, the tasks in vpc-1",
        ),
        ({"TargetType": "ip", "VpcId": "vpc-1", "LoadBalancerArns": []}, "has no load balancer"),
    ],
)
def test_an_existing_target_group_is_checked_before_any_write(
    tmp_path: Path, entry: dict[str, object] | None, words: str
) -> None:
    from compose2ecs.model.deployed import DeployedState, NetworkFacts  # noqa: PLC0415

    desired = _reused(tmp_path)
    deployed = DeployedState(
        network=NetworkFacts(checked=True, default_vpc="vpc-1"),
        reused_target_groups={} if entry is None else {THEIRS: {"TargetGroupArn": THEIRS, **entry}},
    )

    [problem] = preflight_problems(desired, deployed, CLUSTER, "ecs-params.yml")
    assert problem.code == "target-group-unusable"
    assert words in problem.message
    assert problem.path == ("run_params", "target_groups", 0, "target_group_arn")


def test_an_existing_target_group_is_attached_never_changed_and_survives_down_all(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    theirs = gateway.create_target_group(
        {"Name": "theirs", "Protocol": "HTTP", "Port": 80, "VpcId": "vpc-0default", "TargetType": "ip"}
    )["TargetGroupArn"]
    from compose2ecs.model import TargetGroupRef  # noqa: PLC0415

    ref = TargetGroupRef(theirs, "web", 80, ("run_params", "target_groups", 0))
    desired = _desired(tmp_path, WEB.format(ports="8080:80"), EcsParams(target_groups=(ref,)))
    up(gateway, desired)
    [service] = [s for s in gateway.services.values() if s.data["status"] == "ACTIVE"]
    assert theirs in {item["targetGroupArn"] for item in service.data["loadBalancers"]}
    written = len(gateway.writes)
    up(gateway, desired)
    assert len(gateway.writes) == written
    assert not [c for c in gateway.writes if theirs in c and c[0] != "create_target_group"]

    _down_all(gateway, desired)
    assert list(gateway.target_groups) == [theirs]


# ---------------------------------------------------------------------------------------------
# HTTPS, redirect, stickiness and health-check settings (ecs-params run_params.ports.<port>).

CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/5f1c0a1e-0000-4000-8000-000000000001"


def test_a_certificate_makes_the_listener_https_and_redirect_from_adds_a_redirect(tmp_path: Path) -> None:
    params = EcsParams(ports={443: PortParams(certificate_arn=CERTIFICATE, redirect_from=80)})
    desired = _desired(tmp_path, WEB.format(ports="443:80"), params)

    https, redirect = desired.listeners
    assert (https.port, https.protocol, https.certificate) == (443, "HTTPS", CERTIFICATE)
    assert (redirect.port, redirect.protocol, redirect.redirect_to) == (80, "HTTP", 443)
    assert redirect.default_actions("") == [
        {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}
    ]
    [group] = desired.target_groups
    assert (group.protocol, group.port) == ("HTTP", 80)  # TLS ends at the load balancer
    assert [(r.kind, r.value) for r in desired.references] == [("certificate", CERTIFICATE)]


def test_a_certificate_of_another_region_is_refused(tmp_path: Path) -> None:
    other = CERTIFICATE.replace("us-east-1", "eu-west-1")
    desired = _desired(
        tmp_path, WEB.format(ports="443:80"), EcsParams(ports={443: PortParams(certificate_arn=other)})
    )
    [problem] = [p for p in desired.problems if p.code == "certificate-region"]
    assert problem.path == ("run_params", "ports", "443", "certificate_arn")


def test_https_and_its_redirect_are_created_and_a_second_up_writes_nothing(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    params = EcsParams(
        ports={443: PortParams(certificate_arn=CERTIFICATE, redirect_from=80, stickiness=3600)}
    )
    desired = _desired(tmp_path, WEB.format(ports="443:80"), params)

    up(gateway, desired)

    by_port = {li["Port"]: li for li in gateway.listeners.values()}
    assert by_port[443]["Certificates"] == [{"CertificateArn": CERTIFICATE}]
    assert by_port[443]["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert by_port[80]["DefaultActions"][0]["Type"] == "redirect"
    [arn] = gateway.target_groups
    assert gateway.target_group_attributes[arn]["stickiness.lb_cookie.duration_seconds"] == "3600"
    [balancers] = [g for g in gateway.security_groups.values() if g["GroupName"].endswith(".lb")]
    assert sorted(p["FromPort"] for p in balancers["IpPermissions"]) == [80, 443]
    written = len(gateway.writes)
    up(gateway, desired)
    assert len(gateway.writes) == written


def test_health_check_settings_from_ecs_params_override_the_defaults(tmp_path: Path) -> None:
    from compose2ecs.model import HealthCheckParams  # noqa: PLC0415

    health = HealthCheckParams(path="/ready", matcher="200", interval=10, healthy_threshold=3)
    desired = _desired(
        tmp_path, WEB.format(ports="80:80"), EcsParams(ports={80: PortParams(health_check=health)})
    )

    [group] = desired.target_groups
    assert (group.health.path, group.health.matcher, group.health.interval) == ("/ready", "200", 10)
    assert (group.health.healthy, group.health.unhealthy, group.health.timeout) == (3, 3, 5)


def test_a_load_balancer_takes_one_subnet_per_zone() -> None:
    from compose2ecs.resources.load_balancer import one_per_zone  # noqa: PLC0415

    zones = {"subnet-a1": "a", "subnet-a2": "a", "subnet-b1": "b"}
    assert one_per_zone(["subnet-a1", "subnet-a2", "subnet-b1"], zones) == ["subnet-a1", "subnet-b1"]
    assert one_per_zone(["subnet-x", "subnet-y"], {}) == ["subnet-x", "subnet-y"]
