"""BotoGateway against a moto server over HTTP: what only the real gateway shows.

The calls it makes, the emulator's own clock, and the account around it (hand-made resources,
network interfaces, the default VPC). What the fake must do alike is in tests/contract.
"""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING

import boto3
import pytest

from compose2ecs.aws import AwsSettings, BotoGateway
from compose2ecs.errors import AwsError
from compose2ecs.model.deployed import DeployedState
from compose2ecs.resources.gateway import Gateway, LogEvent
from tests.contract.test_gateway_contract import deploy, wait_for
from tests.emulator import REGION

if TYPE_CHECKING:
    from tests.aws.desired import Project

HTTP_RULE = {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}


def test_boto_gateway_satisfies_the_gateway_protocol(gateway: BotoGateway) -> None:
    checked: Gateway = gateway  # mypy checks the structural match
    assert checked is gateway


def test_read_state_of_an_empty_account_finds_nothing(moto: str, project: Project) -> None:
    gateway = BotoGateway.from_settings(AwsSettings())

    state = gateway.read_state(project.desired(namespace=True), project.cluster)

    assert state.network.checked  # the preflight's read of the network
    assert dataclasses.replace(state, network=DeployedState().network) == DeployedState()


def test_a_hand_made_role_reads_back_without_the_project_tag(gateway: BotoGateway, project: Project) -> None:
    boto3.client("iam").create_role(
        RoleName=project.role, AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": []}'
    )

    state = gateway.read_state(project.desired(), project.cluster)

    role = state.roles[project.role]
    assert role.role["Tags"] == []
    assert role.role["AssumeRolePolicyDocument"] == {"Version": "2012-10-17", "Statement": []}
    assert role.attached_policy_arns == ()
    assert role.inline_policies == {}


def test_read_state_makes_one_call_per_resource(gateway: BotoGateway, project: Project) -> None:
    desired = project.desired(namespace=True)
    deploy(gateway, project, desired)
    gateway.clients.reset_calls()

    gateway.read_state(desired, project.cluster)

    assert gateway.calls == {
        "ecs:DescribeClusters": 1,
        "ecs:DescribeServices": 1,
        "ecs:DescribeTaskDefinition": 1,
        "iam:GetRole": 1,
        "iam:ListAttachedRolePolicies": 1,
        "iam:ListRolePolicies": 1,
        "iam:GetRolePolicy": 1,
        "logs:DescribeLogGroups": 1,
        "logs:ListTagsForResource": 1,
        "ec2:DescribeSecurityGroups": 1,
        "ec2:DescribeVpcs": 1,  # the preflight: a default VPC for the project network
        "servicediscovery:ListNamespaces": 1,
        "servicediscovery:ListTagsForResource": 1,
        "tagging:GetResources": 1,  # the deployment's own services and revisions, by their tags
        "application-autoscaling:DescribeScalableTargets": 1,  # the services' scaling, one call for up to 50
    }


def test_read_state_skips_the_security_group_when_services_name_their_network(
    gateway: BotoGateway, project: Project
) -> None:
    desired = project.desired(roles=False, namespace=True)
    desired.services[0]["networkConfiguration"] = {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}

    gateway.read_state(desired, project.cluster)

    assert "ec2:DescribeSecurityGroups" not in gateway.calls
    assert gateway.calls["servicediscovery:ListNamespaces"] == 1


def test_default_vpc_subnets_lists_the_default_subnets(gateway: BotoGateway) -> None:
    vpc_id, subnets = gateway.default_vpc_subnets()

    described = boto3.client("ec2").describe_subnets(SubnetIds=subnets)["Subnets"]
    assert vpc_id.startswith("vpc-")
    assert len(subnets) == 6  # moto's us-east-1a..f
    assert all(s["VpcId"] == vpc_id and s.get("DefaultForAz") for s in described)


def test_default_vpc_subnets_without_a_default_vpc_says_what_to_configure(aws_env: str) -> None:
    region = "eu-north-1"  # a region no other test uses: its default VPC is deleted here
    gateway = BotoGateway.from_settings(AwsSettings(region=region))
    ec2 = boto3.client("ec2", region_name=region)
    vpc_id, subnets = gateway.default_vpc_subnets()
    for subnet in subnets:
        ec2.delete_subnet(SubnetId=subnet)
    ec2.delete_vpc(VpcId=vpc_id)

    with pytest.raises(AwsError) as caught:
        gateway.default_vpc_subnets()

    assert "network_configuration" in caught.value.hint


def _steady(gateway: BotoGateway, project: Project, count: int) -> bool:
    service = gateway.describe_service(project.cluster, "web") or {}
    deployments = service.get("deployments", [])
    return (
        (service.get("desiredCount"), service.get("runningCount"), service.get("pendingCount"))
        == (count, count, 0)
        and len(deployments) == 1
        and deployments[0]["rolloutState"] == "COMPLETED"
    )


def test_a_service_starts_its_tasks_and_scaling_adjusts_the_running_deployment(
    gateway: BotoGateway, project: Project
) -> None:
    deploy(gateway, project, project.desired(roles=False))
    assert wait_for(lambda: _steady(gateway, project, 1))
    first = gateway.describe_service(project.cluster, "web")
    assert first is not None

    gateway.update_service({"cluster": project.cluster, "service": "web", "desiredCount": 3})

    assert wait_for(lambda: _steady(gateway, project, 3))
    scaled = gateway.describe_service(project.cluster, "web")
    assert scaled is not None
    # A new desired count adjusts the deployment that runs; it does not start another one.
    assert scaled["deployments"][0]["id"] == first["deployments"][0]["id"]
    assert len(gateway.list_task_arns(project.cluster, "web")) == 3


def test_tasks_of_a_service_are_listed_and_described(gateway: BotoGateway, project: Project) -> None:
    deploy(gateway, project, project.desired(roles=False))
    # A standalone task in the same cluster is not one of the service's.
    one_off = project.task_definition(family=f"{project.name}-one")
    gateway.register_task_definition(one_off)
    service = gateway.describe_service(project.cluster, "web")
    assert service is not None
    boto3.client("ecs").run_task(
        cluster=project.cluster,
        taskDefinition=one_off["family"],
        launchType="FARGATE",
        networkConfiguration=service["networkConfiguration"],
    )

    arns = gateway.list_task_arns(project.cluster, "web")
    tasks = gateway.describe_tasks(project.cluster, arns)

    assert len(arns) == 1
    assert [t["taskArn"] for t in tasks] == arns
    assert tasks[0]["group"] == "service:web"
    assert tasks[0]["lastStatus"] in {"PROVISIONING", "PENDING", "RUNNING"}
    assert gateway.describe_tasks(project.cluster, []) == []


def test_public_ips_maps_interfaces_with_an_address_only(gateway: BotoGateway) -> None:
    ec2 = boto3.client("ec2")
    subnet = gateway.default_vpc_subnets()[1][0]
    with_ip = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    without_ip = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    allocation = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=allocation["AllocationId"], NetworkInterfaceId=with_ip)

    ips = gateway.public_ips([with_ip, without_ip, "eni-0123456789abcdef0"])

    assert ips == {with_ip: allocation["PublicIp"]}
    assert gateway.public_ips([]) == {}


def test_filter_log_events_reads_the_group(gateway: BotoGateway, project: Project) -> None:
    gateway.create_log_group(project.log_group, REGION, {})
    logs = boto3.client("logs")
    now = int(time.time() * 1000)
    for stream in ("web/web/task1",):
        logs.create_log_stream(logGroupName=project.log_group, logStreamName=stream)
        logs.put_log_events(
            logGroupName=project.log_group,
            logStreamName=stream,
            logEvents=[{"timestamp": now, "message": f"hello from {stream}"}],
        )

    events, token = gateway.filter_log_events(project.log_group, REGION, "web/", now - 1000, None)

    assert events == [LogEvent("web/web/task1", now, "hello from web/web/task1")]
    assert token is None


def test_an_explicit_endpoint_url_wins_over_the_environment(
    aws_env: str, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    gateway = BotoGateway.from_settings(AwsSettings(endpoint_url=aws_env))
    gateway.create_cluster(project.cluster, {})

    state = gateway.read_state(project.desired(roles=False), project.cluster)

    assert state.cluster is not None
