"""Rules on an existing listener (issue 12, item 3): translate, preflight, plan and apply on the fake.

Every ELBv2 request the fake gets is checked against botocore's model (tests/fakes.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compose2ecs.model import AwsvpcParams, EcsParams, LoadBalancerSpec, PortParams
from compose2ecs.model.deployed import DeployedState, NetworkFacts
from compose2ecs.plan import preflight_problems
from compose2ecs.resources import plan_changes
from compose2ecs.resources.load_balancer import urls
from tests.fakes import CLUSTER, InMemoryGateway
from tests.unit.test_apply import up
from tests.unit.test_load_balancing import WEB, _desired, _down_all

if TYPE_CHECKING:
    from pathlib import Path

    from compose2ecs.model import DesiredState


def _theirs(gateway: InMemoryGateway) -> tuple[str, str]:
    """Their ALB (security group sg-theirs) with an HTTP listener on 80 and a rule at priority 1."""
    balancer = gateway.create_load_balancer(
        LoadBalancerSpec("shared", "application"), ["subnet-a", "subnet-b"], "sg-theirs", {"team": "platform"}
    )
    group = gateway.create_target_group(
        {"Name": "theirs", "Protocol": "HTTP", "Port": 80, "VpcId": "vpc-0default", "TargetType": "ip"}
    )["TargetGroupArn"]
    forward = [{"Type": "forward", "TargetGroupArn": group}]
    listener = gateway.create_listener(
        {
            "LoadBalancerArn": balancer["LoadBalancerArn"],
            "Protocol": "HTTP",
            "Port": 80,
            "DefaultActions": forward,
        }
    )["ListenerArn"]
    host: Any = {"Field": "host-header", "HostHeaderConfig": {"Values": ["other.example.com"]}}
    gateway.create_rule({"ListenerArn": listener, "Priority": 1, "Conditions": [host], "Actions": forward})
    return str(listener), str(group)


def _rule_params(listener: str, **port: Any) -> EcsParams:
    given = {"hosts": ("app.example.com",), "paths": ("/app/*",), **port}
    return EcsParams(ports={8080: PortParams(listener_arn=listener, **given)})


def _mine(gateway: InMemoryGateway, listener: str) -> list[dict[str, Any]]:
    return [
        r
        for r in gateway.rules.values()
        if r["ListenerArn"] == listener and "compose2ecs:project" in r["Tags"]
    ]


def test_a_listener_from_ecs_params_means_a_rule_and_no_load_balancer_of_the_projects(tmp_path: Path) -> None:
    desired = _desired(
        tmp_path,
        WEB.format(ports="8080:80"),
        _rule_params("arn:aws:elasticloadbalancing:us-east-1:1:listener/app/shared/1/2"),
    )

    assert desired.load_balancers == []
    assert desired.listeners == []
    [rule] = desired.listener_rules
    [group] = desired.target_groups
    assert (rule.target_group, rule.hosts, rule.paths) == (group.name, ("app.example.com",), ("/app/*",))
    assert (group.protocol, group.port) == ("HTTP", 80)
    # Their load balancer on the container port, and the project's own tasks (Service Connect).
    assert {r.source for r in desired.ingress} == {f"listener:{rule.listener_arn}", "self"}
    assert desired.services[0]["loadBalancers"] == [
        {"targetGroupArn": group.name, "containerName": "web", "containerPort": 80}
    ]


def test_two_rules_of_one_listener_with_one_priority_are_refused(tmp_path: Path) -> None:
    arn = "arn:aws:elasticloadbalancing:us-east-1:1:listener/app/shared/1/2"
    ports = {p: PortParams(listener_arn=arn, hosts=(f"{p}.example.com",), priority=10) for p in (8080, 8081)}
    compose = "services:\n  web:\n    image: nginx:1.27\n    ports: ['8080:80', '8081:81']\n"
    desired = _desired(tmp_path, compose, EcsParams(ports=ports))

    [problem] = [p for p in desired.problems if p.code == "listener-rule-priority"]
    assert problem.path == ("run_params", "ports", "8081", "priority")
    assert problem.status == "rejected"


def test_up_adds_the_rule_after_theirs_and_a_second_up_writes_nothing(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    listener, _ = _theirs(gateway)
    theirs_before = {arn: dict(r) for arn, r in gateway.rules.items()}
    desired = _desired(tmp_path, WEB.format(ports="8080:80"), _rule_params(listener))

    up(gateway, desired)

    [mine] = _mine(gateway, listener)
    assert mine["Priority"] == "2"
    order = gateway.operations()
    assert order.index("create_target_group") < order.index("create_rule") < order.index("create_service")
    assert len(gateway.load_balancers) == 1  # theirs only
    [tasks] = [g for g in gateway.security_groups.values() if g["GroupName"] == desired.security_group_name]
    assert [
        (p["FromPort"], [pair["GroupId"] for pair in p.get("UserIdGroupPairs", [])], p.get("IpRanges", []))
        for p in tasks["IpPermissions"]
    ] == [(80, sorted([tasks["GroupId"], "sg-theirs"]), [])]  # their group and the tasks: no CIDR
    written = len(gateway.writes)
    up(gateway, desired)
    assert len(gateway.writes) == written
    assert all(gateway.rules[arn] == rule for arn, rule in theirs_before.items())
    deployed = gateway.read_state(desired, CLUSTER)
    assert urls(desired, deployed.load_balancers, deployed.foreign_listeners) == [
        ("web", "http://app.example.com/app/")
    ]


def test_new_hosts_and_priority_change_the_rule_in_place(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    listener, _ = _theirs(gateway)
    up(gateway, _desired(tmp_path, WEB.format(ports="8080:80"), _rule_params(listener)))
    [before] = _mine(gateway, listener)
    changed = _desired(
        tmp_path, WEB.format(ports="8080:80"), _rule_params(listener, hosts=("www.example.com",), priority=40)
    )
    written = len(gateway.writes)

    up(gateway, changed)

    assert [c[0] for c in gateway.writes[written:]] == ["modify_rule", "set_rule_priorities"]
    [after] = _mine(gateway, listener)
    assert after["RuleArn"] == before["RuleArn"]
    assert (after["Priority"], after["Conditions"][0]["HostHeaderConfig"]["Values"]) == (
        "40",
        ["www.example.com"],
    )


def test_a_new_container_port_moves_the_rule_to_the_new_target_group(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    listener, _ = _theirs(gateway)
    up(gateway, _desired(tmp_path, WEB.format(ports="8080:80"), _rule_params(listener, priority=7)))
    [before] = _mine(gateway, listener)

    up(gateway, _desired(tmp_path, WEB.format(ports="8080:81"), _rule_params(listener, priority=7)))

    [after] = _mine(gateway, listener)
    assert after["RuleArn"] == before["RuleArn"]  # modified, not a second rule at a taken priority
    [group] = [
        g
        for g in gateway.target_groups.values()
        if g["TargetGroupArn"] == after["Actions"][0]["TargetGroupArn"]
    ]
    assert group["Port"] == 81
    assert len(gateway.target_groups) == 2  # theirs and the new one: the old one went after the rollout


def test_down_all_deletes_only_the_rule_of_its_own(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    listener, theirs = _theirs(gateway)
    desired = _desired(tmp_path, WEB.format(ports="8080:80"), _rule_params(listener))
    up(gateway, desired)

    _down_all(gateway, desired)

    assert [r["Priority"] for r in gateway.rules.values()] == ["1"]
    assert listener in gateway.listeners
    assert list(gateway.target_groups) == [theirs]
    assert len(gateway.load_balancers) == 1


def _preflight(desired: DesiredState, listener: dict[str, Any] | None) -> list[str]:
    deployed = DeployedState(
        network=NetworkFacts(checked=True, default_vpc="vpc-1"),
        foreign_listeners={} if listener is None else {desired.listener_rules[0].listener_arn: listener},
    )
    return [
        f"{p.code}: {p.message}" for p in preflight_problems(desired, deployed, CLUSTER, "ecs-params.yml")
    ]


ARN = "arn:aws:elasticloadbalancing:us-east-1:1:listener/app/shared/1/2"
ALB = {"Type": "application", "VpcId": "vpc-1", "SecurityGroups": ["sg-1"], "DNSName": "shared.elb"}


def test_the_listener_is_checked_before_any_write(tmp_path: Path) -> None:
    desired = _desired(tmp_path, WEB.format(ports="8080:80"), _rule_params(ARN, priority=5))
    good = {"ListenerArn": ARN, "Protocol": "HTTP", "Port": 80, "LoadBalancer": ALB, "Rules": []}

    assert _preflight(desired, good) == []
    assert _preflight(desired, None) == [
        f"listener-unusable: listener {ARN} does not exist in this account and region"
    ]
    [tcp] = _preflight(desired, {**good, "Protocol": "TCP", "LoadBalancer": {**ALB, "Type": "network"}})
    assert "on an Application Load Balancer" in tcp
    [vpc] = _preflight(desired, {**good, "LoadBalancer": {**ALB, "VpcId": "vpc-2"}})
    assert "is on a load balancer in vpc-2, the tasks in vpc-1" in vpc
    taken = {**good, "Rules": [{"RuleArn": "r", "Priority": "5", "Tags": {}}]}
    assert _preflight(desired, taken) == [
        "listener-rule-priority: priority 5 is taken by another rule of the listener"
    ]
    own = {"RuleArn": "r", "Priority": "5", "Tags": desired.owner.tags()}
    assert _preflight(desired, {**good, "Rules": [own]}) == []  # its own rule: kept at 5


def test_with_a_network_of_the_users_the_target_group_is_in_the_subnets_vpc(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    listener, _ = _theirs(gateway)
    params = _rule_params(listener)._replace(
        awsvpc=AwsvpcParams(subnets=("subnet-private",), security_groups=("sg-app",))
    )
    gateway.subnets = {"subnet-private": "vpc-app"}  # not the default VPC: the tasks' VPC it must be
    desired = _desired(tmp_path, WEB.format(ports="8080:80"), params)

    assert desired.ingress == []  # the user's security groups decide
    plan = plan_changes(desired, gateway.read_state(desired, CLUSTER), CLUSTER)
    assert "listener rule" in {str(c.kind) for c in plan.resources}
    up(gateway, desired)
    [mine] = _mine(gateway, listener)
    [group] = [
        g
        for g in gateway.target_groups.values()
        if g["TargetGroupArn"] == mine["Actions"][0]["TargetGroupArn"]
    ]
    assert group["VpcId"] == "vpc-app"


def _two(tmp_path: Path, listener: str, first: int, second: int) -> DesiredState:
    ports = {
        8080: PortParams(listener_arn=listener, hosts=("a.example.com",), priority=first),
        8081: PortParams(listener_arn=listener, hosts=("b.example.com",), priority=second),
    }
    compose = "services:\n  web:\n    image: nginx:1.27\n    ports: ['8080:80', '8081:81']\n"
    return _desired(tmp_path, compose, EcsParams(ports=ports))


def test_two_own_rules_swap_priorities_in_one_call(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    listener, _ = _theirs(gateway)
    up(gateway, _two(tmp_path, listener, 10, 20))
    written = len(gateway.writes)

    up(gateway, _two(tmp_path, listener, 20, 10))

    assert [c[0] for c in gateway.writes[written:]] == ["set_rule_priorities"]
    by_host = {
        r["Conditions"][0]["HostHeaderConfig"]["Values"][0]: r["Priority"] for r in _mine(gateway, listener)
    }
    assert by_host == {"a.example.com": "20", "b.example.com": "10"}


def test_a_rule_whose_port_and_hosts_change_at_the_same_priority_is_modified_in_place(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    listener, _ = _theirs(gateway)
    up(gateway, _desired(tmp_path, WEB.format(ports="8080:80"), _rule_params(listener, priority=10)))
    [before] = _mine(gateway, listener)
    changed = _rule_params(listener, hosts=("new.example.com",), priority=10)

    up(gateway, _desired(tmp_path, WEB.format(ports="8080:81"), changed))

    [after] = _mine(gateway, listener)
    assert (after["RuleArn"], after["Priority"]) == (before["RuleArn"], "10")
    assert after["Conditions"][0]["HostHeaderConfig"]["Values"] == ["new.example.com"]


def test_past_the_last_priority_a_new_rule_takes_the_lowest_free_number() -> None:
    from compose2ecs.resources.listener_rule import next_priority  # noqa: PLC0415

    listener = {
        "Rules": [{"Priority": "1"}, {"Priority": "3"}, {"Priority": "50000"}, {"Priority": "default"}]
    }
    assert next_priority(listener, set()) == 2
    assert next_priority(listener, {2}) == 4
    assert next_priority({"Rules": [{"Priority": "7"}]}, set()) == 8


def test_two_listeners_of_one_shared_load_balancer_share_the_target_group(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    listener, _ = _theirs(gateway)
    balancer = gateway.listeners[listener]["LoadBalancerArn"]
    forward = gateway.listeners[listener]["DefaultActions"]
    secure = gateway.create_listener(
        {"LoadBalancerArn": balancer, "Protocol": "HTTP", "Port": 8443, "DefaultActions": forward}
    )["ListenerArn"]
    ports = {
        8080: PortParams(listener_arn=listener, hosts=("app.example.com",)),
        8443: PortParams(listener_arn=secure, hosts=("app.example.com",)),
    }
    compose = "services:\n  web:\n    image: nginx:1.27\n    ports: ['8080:80', '8443:80']\n"
    desired = _desired(tmp_path, compose, EcsParams(ports=ports))

    assert not [p for p in desired.problems if p.status == "rejected"]
    [group] = desired.target_groups
    assert {r.target_group for r in desired.listener_rules} == {group.name}
    up(gateway, desired)
    written = len(gateway.writes)
    up(gateway, desired)
    assert len(gateway.writes) == written
    assert len(_mine(gateway, listener)) == len(_mine(gateway, secure)) == 1
