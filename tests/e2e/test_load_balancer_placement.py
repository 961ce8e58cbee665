"""Internal load balancers and subnets from ecs-params, on the emulator (moto's ELBv2 over HTTP).

`10.0.0.5:8080:80` publishes on one interface of the host: a private network's. It goes behind an
internal load balancer, next to the internet-facing one of the ports published everywhere; both go
in the subnets `run_params.load_balancer` names, and move in place when those change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3

from tests.e2e._helpers import project, unique
from tests.e2e.test_cli_grammar import compose2ecs
from tests.emulator import writes

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

    from tests.emulator import Emulator

COMPOSE = "services:\n  web:\n    image: nginx:1.27\n    ports: ['10.0.0.5:8080:80', '9090:80']\n"


def _default_subnets() -> list[str]:
    """One subnet per zone of the default VPC, in zone order."""
    ec2 = boto3.client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    found = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
    by_zone = {s["AvailabilityZone"]: s["SubnetId"] for s in sorted(found, key=lambda s: s["SubnetId"])}
    return [by_zone[zone] for zone in sorted(by_zone)]


def _params(subnets: list[str]) -> str:
    return f"version: 1\nrun_params:\n  load_balancer:\n    subnets: [{', '.join(subnets)}]\n"


def test_an_internal_load_balancer_in_the_subnets_ecs_params_names(
    emulator: Emulator, aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    subnets = _default_subnets()
    assert len(subnets) >= 3
    root = project(
        tmp_path, monkeypatch, {"docker-compose.yml": COMPOSE, "ecs-params.yml": _params(subnets[:2])}
    )
    name, cluster = unique("place"), unique("place")
    before = ("-p", name, "--cluster", cluster)
    elbv2 = boto3.client("elbv2")

    def mine() -> dict[str, dict[str, Any]]:
        return {
            lb["Scheme"]: dict(lb)
            for lb in elbv2.describe_load_balancers()["LoadBalancers"]
            if lb["LoadBalancerName"].startswith(name[:10])
        }

    def placed(lb: dict[str, Any]) -> list[str]:
        return sorted(str(z["SubnetId"]) for z in lb["AvailabilityZones"])

    up = compose2ecs(*before, "up", cwd=root)

    assert up.returncode == 0, up.stdout + up.stderr
    found = mine()
    assert set(found) == {"internal", "internet-facing"}
    assert str(found["internal"]["LoadBalancerName"]).endswith("-ialb")
    assert {scheme: placed(lb) for scheme, lb in found.items()} == {
        "internal": sorted(subnets[:2]),
        "internet-facing": sorted(subnets[:2]),
    }
    ports = {
        scheme: [
            li["Port"]
            for li in elbv2.describe_listeners(LoadBalancerArn=str(lb["LoadBalancerArn"]))["Listeners"]
        ]
        for scheme, lb in found.items()
    }
    assert ports == {"internal": [8080], "internet-facing": [9090]}
    emulator.calls(clear=True)
    assert compose2ecs(*before, "up", cwd=root).returncode == 0
    assert writes(emulator.calls()) == []

    # Another subnet: both load balancers move in place (SetSubnets), nothing else is written.
    (root / "ecs-params.yml").write_text(_params([subnets[0], subnets[2]]))
    diff = compose2ecs(*before, "diff", cwd=root)
    assert diff.returncode == 1, diff.stdout + diff.stderr
    assert "Subnets" in diff.stdout
    emulator.calls(clear=True)
    moved = compose2ecs(*before, "up", cwd=root)
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert [c for c in writes(emulator.calls()) if c.startswith("elasticloadbalancing:")] == [
        "elasticloadbalancing:SetSubnets",
        "elasticloadbalancing:SetSubnets",
    ]
    after = mine()
    assert {scheme: lb["LoadBalancerArn"] for scheme, lb in after.items()} == {
        scheme: lb["LoadBalancerArn"] for scheme, lb in found.items()
    }
    assert {placed(lb) == sorted([subnets[0], subnets[2]]) for lb in after.values()} == {True}

    down = compose2ecs(*before, "down", "--all", cwd=root)
    assert down.returncode == 0, down.stdout + down.stderr
    assert mine() == {}


def test_subnets_outside_the_tasks_vpc_are_refused_before_any_write(
    emulator: Emulator, aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ec2 = boto3.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    other = ec2.create_subnet(VpcId=vpc, CidrBlock="10.77.1.0/24", AvailabilityZone="us-east-1b")
    subnets = [_default_subnets()[0], other["Subnet"]["SubnetId"], "subnet-0000000000000dead"]
    root = project(tmp_path, monkeypatch, {"docker-compose.yml": COMPOSE, "ecs-params.yml": _params(subnets)})
    emulator.calls(clear=True)

    up = compose2ecs("-p", unique("place"), "--cluster", unique("place"), "up", cwd=root)

    assert up.returncode == 2, up.stdout + up.stderr
    assert "ecs-params.yml:4:" in up.stderr
    assert f"subnet {subnets[1]} is in {vpc}" in up.stderr
    assert "subnet subnet-0000000000000dead does not exist" in up.stderr
    assert writes(emulator.calls()) == []


def test_with_a_network_of_the_users_the_load_balancer_goes_in_its_public_subnets(
    emulator: Emulator, aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tasks in private subnets without a public IP, the load balancer in public ones (issue 12, item 4)."""
    ec2, elbv2, ecs = boto3.client("ec2"), boto3.client("elbv2"), boto3.client("ecs")
    vpc = ec2.create_vpc(CidrBlock="10.78.0.0/16")["Vpc"]["VpcId"]

    def subnet(cidr: str, zone: str) -> str:
        return str(ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"])

    private = subnet("10.78.1.0/24", "us-east-1a")
    public = [subnet("10.78.101.0/24", "us-east-1a"), subnet("10.78.102.0/24", "us-east-1b")]
    app = ec2.create_security_group(GroupName=unique("app"), Description="theirs", VpcId=vpc)["GroupId"]
    params = (
        "version: 1\nrun_params:\n  network_configuration:\n    awsvpc_configuration:\n"
        f"      subnets: [{private}]\n      security_groups: [{app}]\n      assign_public_ip: DISABLED\n"
        f"  load_balancer:\n    subnets: [{', '.join(public)}]\n"
    )
    compose = "services:\n  web:\n    image: nginx:1.27\n    ports: ['8080:80']\n"
    root = project(tmp_path, monkeypatch, {"docker-compose.yml": compose, "ecs-params.yml": params})
    name, cluster = unique("priv"), unique("priv")
    before = ("-p", name, "--cluster", cluster)

    up = compose2ecs(*before, "up", cwd=root)

    assert up.returncode == 0, up.stdout + up.stderr
    assert "web: http://" in up.stdout
    [lb] = [
        b
        for b in elbv2.describe_load_balancers()["LoadBalancers"]
        if b["LoadBalancerName"].startswith(name[:10])
    ]
    assert (lb["VpcId"], sorted(z["SubnetId"] for z in lb["AvailabilityZones"])) == (vpc, sorted(public))
    groups = {
        g["GroupName"]: g
        for g in ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"]
    }
    own, balancers = groups[f"{name}.{cluster}"], groups[f"{name}.{cluster}.lb"]
    assert lb["SecurityGroups"] == [balancers["GroupId"]]
    assert [
        (p["FromPort"], [pair["GroupId"] for pair in p["UserIdGroupPairs"]], p["IpRanges"])
        for p in own["IpPermissions"]
    ] == [(80, [balancers["GroupId"]], [])]
    web = ecs.describe_services(cluster=cluster, services=[name])["services"][0]
    awsvpc = web["networkConfiguration"]["awsvpcConfiguration"]
    assert (awsvpc["subnets"], sorted(awsvpc["securityGroups"]), awsvpc["assignPublicIp"]) == (
        [private],
        sorted([app, own["GroupId"]]),
        "DISABLED",
    )
    [target] = web["loadBalancers"]
    [group] = elbv2.describe_target_groups(TargetGroupArns=[target["targetGroupArn"]])["TargetGroups"]
    assert (group["VpcId"], group["Port"], target["containerPort"]) == (vpc, 80, 80)
    emulator.calls(clear=True)
    assert compose2ecs(*before, "up", cwd=root).returncode == 0
    assert writes(emulator.calls()) == []

    down = compose2ecs(*before, "down", "--all", cwd=root)

    assert down.returncode == 0, down.stdout + down.stderr
    left = {
        g["GroupId"]
        for g in ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"]
        if g["GroupName"] != "default"
    }
    assert left == {app}  # the user's group stays; the project's are gone
    assert not [b for b in elbv2.describe_load_balancers()["LoadBalancers"] if b["VpcId"] == vpc]
