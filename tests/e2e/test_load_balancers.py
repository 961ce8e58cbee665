"""Reach the app (issue 12): a load balancer in front of the published ports, on the emulator.

moto's ELBv2 answers over HTTP; the emulator's ECS attaches the service to the target group.
Each test uses a project and cluster of its own.
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

# A web app published on another port than it listens on, and its database, published too (for
# the developer's psql, in compose).
COMPOSE = (
    "services:\n"
    "  web:\n    image: nginx:1.27\n    ports: ['8080:80']\n"
    "    healthcheck:\n      test: ['CMD', 'curl', '-f', 'http://localhost/healthz']\n"
    "      start_period: 20s\n"
    "  db:\n    image: postgres:16\n    ports: ['5432:5432']\n"
)
PARAMS = "version: 1\nrun_params:\n  layout: service\n"


def _groups(names: list[str]) -> dict[str, dict[str, Any]]:
    found = boto3.client("ec2").describe_security_groups(Filters=[{"Name": "group-name", "Values": names}])
    return {g["GroupName"]: dict(g) for g in found["SecurityGroups"]}


def _sources(group: dict[str, Any]) -> dict[int, set[str]]:
    """port -> where it is open from (CIDRs and group ids)."""
    out: dict[int, set[str]] = {}
    for permission in group["IpPermissions"]:
        sources = {r["CidrIp"] for r in permission.get("IpRanges", [])}
        sources |= {r["CidrIpv6"] for r in permission.get("Ipv6Ranges", [])}
        sources |= {p["GroupId"] for p in permission.get("UserIdGroupPairs", [])}
        out.setdefault(int(permission["FromPort"]), set()).update(sources)
    return out


def test_a_published_port_gets_a_load_balancer_and_the_database_stays_private(
    emulator: Emulator, aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, monkeypatch, {"docker-compose.yml": COMPOSE, "ecs-params.yml": PARAMS})
    name, cluster = unique("lb"), unique("lb")
    before = ("-p", name, "--cluster", cluster)

    up = compose2ecs(*before, "up", cwd=root)

    assert up.returncode == 0, up.stdout + up.stderr
    elbv2 = boto3.client("elbv2")
    [balancer] = [
        lb
        for lb in elbv2.describe_load_balancers()["LoadBalancers"]
        if lb["LoadBalancerName"].startswith(name)
    ]
    assert balancer["Type"] == "application"
    assert balancer["Scheme"] == "internet-facing"
    [listener] = elbv2.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"]
    assert (listener["Port"], listener["Protocol"]) == (8080, "HTTP")
    [target] = elbv2.describe_target_groups(
        TargetGroupArns=[listener["DefaultActions"][0]["TargetGroupArn"]]
    )["TargetGroups"]
    assert (target["Port"], target["Protocol"], target["TargetType"]) == (80, "HTTP", "ip")
    assert target["HealthCheckPath"] == "/healthz"  # from the compose healthcheck
    ecs = boto3.client("ecs")
    web = ecs.describe_services(cluster=cluster, services=[f"{name}-web"])["services"][0]
    assert web["loadBalancers"] == [
        {"targetGroupArn": target["TargetGroupArn"], "containerName": "web", "containerPort": 80}
    ]
    assert web["healthCheckGracePeriodSeconds"] == 20  # from start_period
    groups = _groups([f"{name}.{cluster}", f"{name}.{cluster}.lb"])
    tasks, balancers = groups[f"{name}.{cluster}"], groups[f"{name}.{cluster}.lb"]
    assert balancer["SecurityGroups"] == [balancers["GroupId"]]
    assert _sources(balancers) == {8080: {"0.0.0.0/0"}}  # IPv4: the load balancer has no IPv6 address
    opened = _sources(tasks)
    assert opened[80] == {balancers["GroupId"], tasks["GroupId"]}  # the load balancer, the project's tasks
    assert opened[5432] == {tasks["GroupId"]}  # the database: the project's own tasks only
    world = {"0.0.0.0/0", "::/0"}
    assert not any(sources & world for sources in opened.values())
    assert f"web: http://{balancer['DNSName']}:8080" in up.stdout
    listed = compose2ecs(*before, "ps", cwd=root)
    assert listed.returncode == 0, listed.stderr
    assert f"web: http://{balancer['DNSName']}:8080" in listed.stdout

    emulator.calls(clear=True)
    again = compose2ecs(*before, "up", cwd=root)
    assert again.returncode == 0, again.stdout + again.stderr
    assert writes(emulator.calls()) == []
    assert f"web: http://{balancer['DNSName']}:8080" in again.stdout

    down = compose2ecs(*before, "down", "--all", cwd=root)
    assert down.returncode == 0, down.stdout + down.stderr
    left = [
        lb
        for lb in elbv2.describe_load_balancers()["LoadBalancers"]
        if lb["LoadBalancerName"].startswith(name)
    ]
    assert left == []
    assert not [
        tg for tg in elbv2.describe_target_groups()["TargetGroups"] if tg["TargetGroupName"].startswith(name)
    ]
    assert _groups([f"{name}.{cluster}", f"{name}.{cluster}.lb"]) == {}


def test_a_target_group_attached_by_hand_stays_attached(
    aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compose = "services:\n  web:\n    image: nginx:1.27\n    ports: ['80:80']\n"
    root = project(tmp_path, monkeypatch, {"docker-compose.yml": compose})
    name, cluster = unique("byhand"), unique("byhand")
    before = ("-p", name, "--cluster", cluster)
    assert compose2ecs(*before, "up", "-d", cwd=root).returncode == 0
    ec2, elbv2, ecs = boto3.client("ec2"), boto3.client("elbv2"), boto3.client("ecs")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    theirs = elbv2.create_target_group(
        Name=unique("theirs"), Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip"
    )["TargetGroups"][0]["TargetGroupArn"]
    service = ecs.describe_services(cluster=cluster, services=[name])["services"][0]
    attached: list[Any] = [
        *service["loadBalancers"],
        {"targetGroupArn": theirs, "containerName": "web", "containerPort": 80},
    ]
    ecs.update_service(cluster=cluster, service=name, loadBalancers=attached)

    planned = compose2ecs(*before, "diff", cwd=root)
    assert planned.returncode == 0, planned.stdout  # someone else's entry is no difference
    # A second port: a second target group of compose2ecs's, so UpdateService sends loadBalancers.
    (root / "docker-compose.yml").write_text(compose.replace("['80:80']", "['80:80', '8081:8081']"))
    moved = compose2ecs(*before, "up", cwd=root)

    assert moved.returncode == 0, moved.stdout + moved.stderr
    after = ecs.describe_services(cluster=cluster, services=[name])["services"][0]["loadBalancers"]
    assert len(after) == 3  # compose2ecs's two, and theirs
    assert theirs in {entry["targetGroupArn"] for entry in after}
    assert compose2ecs(*before, "down", "--all", cwd=root).returncode == 0
    assert elbv2.describe_target_groups(TargetGroupArns=[theirs])["TargetGroups"]  # never deleted
    elbv2.delete_target_group(TargetGroupArn=theirs)


def _their_target_group(name: str, *, with_listener: bool) -> tuple[str, str | None]:
    """A target group (and an ALB forwarding to it) made by someone else, outside compose2ecs."""
    ec2, elbv2 = boto3.client("ec2"), boto3.client("elbv2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    group = elbv2.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip")
    arn = group["TargetGroups"][0]["TargetGroupArn"]
    if not with_listener:
        return arn, None
    subnets = [
        s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
    ]
    balancer = elbv2.create_load_balancer(Name=name, Subnets=subnets[:2], Type="application")[
        "LoadBalancers"
    ][0]
    action: Any = {"Type": "forward", "TargetGroupArn": arn}
    elbv2.create_listener(
        LoadBalancerArn=balancer["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=[action]
    )
    return arn, str(balancer["LoadBalancerArn"])


def _reusing(arn: str) -> dict[str, str | bytes]:
    """A web service published on 80, and ecs-params attaching it to the target group `arn` too."""
    params = (
        "version: 1\nrun_params:\n  target_groups:\n"
        f"    - target_group_arn: {arn}\n      container_name: web\n      container_port: 80\n"
    )
    compose = "services:\n  web:\n    image: nginx:1.27\n    ports: ['80:80']\n"
    return {"docker-compose.yml": compose, "ecs-params.yml": params}


def test_an_existing_target_group_from_ecs_params_is_attached_and_survives_down_all(
    emulator: Emulator, aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    arn, balancer = _their_target_group(unique("theirs"), with_listener=True)
    root = project(tmp_path, monkeypatch, _reusing(arn))
    name, cluster = unique("reuse"), unique("reuse")
    before = ("-p", name, "--cluster", cluster)

    up = compose2ecs(*before, "up", cwd=root)

    assert up.returncode == 0, up.stdout + up.stderr
    ecs, elbv2 = boto3.client("ecs"), boto3.client("elbv2")
    attached = ecs.describe_services(cluster=cluster, services=[name])["services"][0]["loadBalancers"]
    assert {"targetGroupArn": arn, "containerName": "web", "containerPort": 80} in attached
    emulator.calls(clear=True)
    assert compose2ecs(*before, "up", cwd=root).returncode == 0
    assert writes(emulator.calls()) == []
    assert compose2ecs(*before, "down", "--all", cwd=root).returncode == 0
    assert elbv2.describe_target_groups(TargetGroupArns=[arn])["TargetGroups"]  # theirs: kept
    assert balancer is not None
    elbv2.delete_load_balancer(LoadBalancerArn=balancer)
    elbv2.delete_target_group(TargetGroupArn=arn)


def test_an_existing_target_group_without_a_listener_is_refused_before_any_write(
    emulator: Emulator, aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    arn, _ = _their_target_group(unique("lonely"), with_listener=False)
    root = project(tmp_path, monkeypatch, _reusing(arn))
    emulator.calls(clear=True)

    refused = compose2ecs("-p", unique("reuse"), "--cluster", unique("reuse"), "up", cwd=root)

    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "ecs-params.yml:4" in refused.stderr
    assert "has no load balancer" in refused.stderr
    assert writes(emulator.calls()) == []
    boto3.client("elbv2").delete_target_group(TargetGroupArn=arn)


def test_https_with_a_certificate_and_a_redirect_from_80(
    emulator: Emulator, aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    certificate = boto3.client("acm").request_certificate(DomainName=f"{unique('shop')}.example.com")[
        "CertificateArn"
    ]
    params = (
        "version: 1\nrun_params:\n  ports:\n    443:\n"
        f"      certificate_arn: {certificate}\n      redirect_from: 80\n"
    )
    compose = "services:\n  web:\n    image: nginx:1.27\n    ports: ['443:80']\n"
    root = project(tmp_path, monkeypatch, {"docker-compose.yml": compose, "ecs-params.yml": params})
    name, cluster = unique("https"), unique("https")
    before = ("-p", name, "--cluster", cluster)

    up = compose2ecs(*before, "up", cwd=root)

    assert up.returncode == 0, up.stdout + up.stderr
    elbv2 = boto3.client("elbv2")
    [balancer] = [
        lb
        for lb in elbv2.describe_load_balancers()["LoadBalancers"]
        if lb["LoadBalancerName"].startswith(name)
    ]
    listeners = {
        li["Port"]: li
        for li in elbv2.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"]
    }
    assert listeners[443]["Protocol"] == "HTTPS"
    assert listeners[443]["Certificates"] == [{"CertificateArn": certificate}]
    assert listeners[80]["DefaultActions"][0]["RedirectConfig"]["Protocol"] == "HTTPS"
    assert f"web: https://{balancer['DNSName']}" in up.stdout
    emulator.calls(clear=True)
    assert compose2ecs(*before, "up", cwd=root).returncode == 0
    assert writes(emulator.calls()) == []
    assert compose2ecs(*before, "down", "--all", cwd=root).returncode == 0


def test_a_certificate_that_does_not_exist_is_refused_before_any_write(
    emulator: Emulator, aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-000000000000"
    params = f"version: 1\nrun_params:\n  ports:\n    443:\n      certificate_arn: {missing}\n"
    compose = "services:\n  web:\n    image: nginx:1.27\n    ports: ['443:80']\n"
    root = project(tmp_path, monkeypatch, {"docker-compose.yml": compose, "ecs-params.yml": params})
    emulator.calls(clear=True)

    refused = compose2ecs("-p", unique("nocert"), "--cluster", unique("nocert"), "up", cwd=root)

    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "ecs-params.yml:5" in refused.stderr
    assert "ACM certificate" in refused.stderr
    assert writes(emulator.calls()) == []


def test_autoscaling_registers_target_tracking_and_scale_stays_within_its_bounds(
    emulator: Emulator, aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    params = (
        "version: 1\nrun_params:\n  autoscaling:\n    min: 1\n    max: 3\n    cpu: 60\n"
        "    requests_per_target: 800\n"
    )
    compose = "services:\n  web:\n    image: nginx:1.27\n    ports: ['80:80']\n"
    root = project(tmp_path, monkeypatch, {"docker-compose.yml": compose, "ecs-params.yml": params})
    name, cluster = unique("scale"), unique("scale")
    before = ("-p", name, "--cluster", cluster)

    up = compose2ecs(*before, "up", cwd=root)

    assert up.returncode == 0, up.stdout + up.stderr
    aas = boto3.client("application-autoscaling")
    rid = f"service/{cluster}/{name}"
    [target] = aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[rid])["ScalableTargets"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 3)
    policies = aas.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=rid)["ScalingPolicies"]
    assert sorted(p["PolicyName"] for p in policies) == ["compose2ecs-cpu", "compose2ecs-requests"]
    emulator.calls(clear=True)
    assert compose2ecs(*before, "up", cwd=root).returncode == 0
    assert writes(emulator.calls()) == []

    refused = compose2ecs(*before, "scale", "5", cwd=root)
    assert refused.returncode == 2
    assert "scales between 1 and 3 tasks" in refused.stderr
    assert compose2ecs(*before, "scale", "2", "--no-wait", cwd=root).returncode == 0

    assert compose2ecs(*before, "down", "--all", cwd=root).returncode == 0
    assert aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[rid])["ScalableTargets"] == []
