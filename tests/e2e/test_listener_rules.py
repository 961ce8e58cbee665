"""An existing load balancer's listener, given in ecs-params: compose2ecs adds only its own rule.

On the emulator (moto's ELBv2 over HTTP). The listener, its default action, the rule someone else
put there and the load balancer are theirs: used, never modified, and kept by `down --all`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3

from tests.e2e._helpers import project, unique
from tests.e2e.test_cli_grammar import compose2ecs
from tests.e2e.test_load_balancers import _groups, _sources
from tests.emulator import writes

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

    from tests.emulator import Emulator

COMPOSE = "services:\n  web:\n    image: nginx:1.27\n    ports: ['8080:80']\n"


class Theirs:
    """An ALB with its own security group, a listener on 80 forwarding to their target group, and
    a rule of theirs at priority 1: what a platform team shares between apps."""

    def __init__(self, name: str) -> None:
        ec2, elbv2 = boto3.client("ec2"), boto3.client("elbv2")
        vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
        subnets = [
            s["SubnetId"]
            for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
        ]
        self.group = ec2.create_security_group(GroupName=name, Description="theirs", VpcId=vpc)["GroupId"]
        self.target_group = elbv2.create_target_group(
            Name=name, Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip"
        )["TargetGroups"][0]["TargetGroupArn"]
        self.balancer = elbv2.create_load_balancer(
            Name=name, Subnets=subnets[:2], SecurityGroups=[self.group], Type="application"
        )["LoadBalancers"][0]
        forward: Any = [{"Type": "forward", "TargetGroupArn": self.target_group}]
        self.listener = elbv2.create_listener(
            LoadBalancerArn=self.balancer["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=forward
        )["Listeners"][0]["ListenerArn"]
        condition: Any = {"Field": "host-header", "HostHeaderConfig": {"Values": ["other.example.com"]}}
        self.rule = elbv2.create_rule(
            ListenerArn=self.listener, Priority=1, Conditions=[condition], Actions=forward
        )["Rules"][0]["RuleArn"]

    def rules(self) -> dict[str, dict[str, Any]]:
        found = boto3.client("elbv2").describe_rules(ListenerArn=self.listener)["Rules"]
        return {r["RuleArn"]: dict(r) for r in found if not r.get("IsDefault")}

    def listener_now(self) -> dict[str, Any]:
        elbv2 = boto3.client("elbv2")
        return dict(elbv2.describe_listeners(ListenerArns=[self.listener])["Listeners"][0])

    def remove(self) -> None:
        elbv2 = boto3.client("elbv2")
        elbv2.delete_load_balancer(LoadBalancerArn=self.balancer["LoadBalancerArn"])
        elbv2.delete_target_group(TargetGroupArn=self.target_group)


def _params(listener: str, extra: str = "", hosts: str = "[app.example.com]") -> str:
    return (
        "version: 1\nrun_params:\n  ports:\n    8080:\n"
        f"      listener_arn: {listener}\n      hosts: {hosts}\n      paths: ['/app/*']\n{extra}"
    )


def test_an_existing_listener_gets_only_its_rule_and_survives_down_all(
    emulator: Emulator, aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    theirs = Theirs(unique("shared"))
    listener_before = theirs.listener_now()
    root = project(
        tmp_path, monkeypatch, {"docker-compose.yml": COMPOSE, "ecs-params.yml": _params(theirs.listener)}
    )
    name, cluster = unique("rule"), unique("rule")
    before = ("-p", name, "--cluster", cluster)
    elbv2, ecs = boto3.client("elbv2"), boto3.client("ecs")

    up = compose2ecs(*before, "up", cwd=root)

    assert up.returncode == 0, up.stdout + up.stderr
    assert "web: http://app.example.com/app/" in up.stdout
    rules = theirs.rules()
    [mine] = [r for arn, r in rules.items() if arn != theirs.rule]
    assert mine["Priority"] == "2"  # after theirs, never in front of it
    assert {
        c["Field"]: (c.get("HostHeaderConfig") or c["PathPatternConfig"])["Values"]
        for c in mine["Conditions"]
    } == {
        "host-header": ["app.example.com"],
        "path-pattern": ["/app/*"],
    }
    [group] = elbv2.describe_target_groups(TargetGroupArns=[mine["Actions"][0]["TargetGroupArn"]])[
        "TargetGroups"
    ]
    assert (group["Port"], group["Protocol"], group["TargetType"]) == (80, "HTTP", "ip")
    tags = elbv2.describe_tags(ResourceArns=[mine["RuleArn"]])["TagDescriptions"][0]["Tags"]
    assert {"Key": "compose2ecs:project", "Value": name} in tags
    web = ecs.describe_services(cluster=cluster, services=[name])["services"][0]
    assert web["loadBalancers"] == [
        {"targetGroupArn": group["TargetGroupArn"], "containerName": "web", "containerPort": 80}
    ]
    # The tasks admit their load balancer's group on the container port, and nobody else.
    tasks = _groups([f"{name}.{cluster}"])[f"{name}.{cluster}"]
    assert _sources(tasks) == {80: {theirs.group}}
    # No load balancer of the project's own.
    assert not [
        lb
        for lb in elbv2.describe_load_balancers()["LoadBalancers"]
        if lb["LoadBalancerName"].startswith(name)
    ]
    assert theirs.listener_now() == listener_before
    assert rules[theirs.rule]["Priority"] == "1"

    emulator.calls(clear=True)
    assert compose2ecs(*before, "up", cwd=root).returncode == 0
    assert writes(emulator.calls()) == []

    # Other hosts: the same rule changes in place.
    (root / "ecs-params.yml").write_text(_params(theirs.listener, hosts="[app.example.com, www.example.com]"))
    diff = compose2ecs(*before, "diff", cwd=root)
    assert diff.returncode == 1, diff.stdout + diff.stderr
    assert "www.example.com" in diff.stdout
    emulator.calls(clear=True)
    assert compose2ecs(*before, "up", cwd=root).returncode == 0
    assert [c for c in writes(emulator.calls()) if c.startswith("elasticloadbalancing:")] == [
        "elasticloadbalancing:ModifyRule"
    ]
    assert set(theirs.rules()) == {theirs.rule, mine["RuleArn"]}

    down = compose2ecs(*before, "down", "--all", cwd=root)

    assert down.returncode == 0, down.stdout + down.stderr
    assert set(theirs.rules()) == {theirs.rule}  # theirs stays; ours is gone
    assert theirs.listener_now() == listener_before
    assert elbv2.describe_target_groups(TargetGroupArns=[theirs.target_group])["TargetGroups"]
    remaining = [
        tg for tg in elbv2.describe_target_groups()["TargetGroups"] if tg["TargetGroupName"].startswith(name)
    ]
    assert remaining == []
    theirs.remove()


def test_a_listener_ecs_params_no_longer_names_loses_the_rule_before_the_target_group(
    emulator: Emulator, aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    theirs = Theirs(unique("shared"))
    root = project(
        tmp_path, monkeypatch, {"docker-compose.yml": COMPOSE, "ecs-params.yml": _params(theirs.listener)}
    )
    before = ("-p", unique("rule"), "--cluster", unique("rule"))
    assert compose2ecs(*before, "up", cwd=root).returncode == 0
    (root / "ecs-params.yml").write_text("version: 1\n")

    moved = compose2ecs(*before, "up", cwd=root)

    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert set(theirs.rules()) == {theirs.rule}
    assert "deleted rule" in moved.stdout
    assert compose2ecs(*before, "down", "--all", cwd=root).returncode == 0
    theirs.remove()


def test_a_taken_priority_and_a_missing_listener_are_refused_before_any_write(
    emulator: Emulator, aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    theirs = Theirs(unique("shared"))
    gone = theirs.listener.rsplit("/", 1)[0] + "/0123456789abcdef"
    params = _params(theirs.listener, "      priority: 1\n") + (
        f"    9090:\n      listener_arn: {gone}\n      hosts: [b.example.com]\n"
    )
    compose = "services:\n  web:\n    image: nginx:1.27\n    ports: ['8080:80', '9090:81']\n"
    root = project(tmp_path, monkeypatch, {"docker-compose.yml": compose, "ecs-params.yml": params})
    emulator.calls(clear=True)

    refused = compose2ecs("-p", unique("rule"), "--cluster", unique("rule"), "up", cwd=root)

    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "ecs-params.yml:8" in refused.stderr  # priority: 1
    assert "priority 1 is taken by another rule" in refused.stderr
    assert "ecs-params.yml:10" in refused.stderr  # the 9090 listener_arn
    assert "does not exist" in refused.stderr
    assert writes(emulator.calls()) == []
    theirs.remove()


def test_a_rule_moved_to_another_listener_of_the_same_load_balancer_leaves_the_first(
    emulator: Emulator, aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    theirs = Theirs(unique("shared"))
    elbv2 = boto3.client("elbv2")
    forward: Any = [{"Type": "forward", "TargetGroupArn": theirs.target_group}]
    other = elbv2.create_listener(
        LoadBalancerArn=theirs.balancer["LoadBalancerArn"], Protocol="HTTP", Port=8081, DefaultActions=forward
    )["Listeners"][0]["ListenerArn"]
    root = project(
        tmp_path, monkeypatch, {"docker-compose.yml": COMPOSE, "ecs-params.yml": _params(theirs.listener)}
    )
    before = ("-p", unique("rule"), "--cluster", unique("rule"))
    assert compose2ecs(*before, "up", cwd=root).returncode == 0
    (root / "ecs-params.yml").write_text(_params(other))

    moved = compose2ecs(*before, "up", cwd=root)

    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert set(theirs.rules()) == {theirs.rule}  # the first listener has only theirs again
    on_other = [r for r in elbv2.describe_rules(ListenerArn=other)["Rules"] if not r["IsDefault"]]
    assert len(on_other) == 1
    assert compose2ecs(*before, "diff", cwd=root).returncode == 0
    assert compose2ecs(*before, "down", "--all", "--timeout", "60", cwd=root).returncode == 0
    assert [r for r in elbv2.describe_rules(ListenerArn=other)["Rules"] if not r["IsDefault"]] == []
    theirs.remove()
