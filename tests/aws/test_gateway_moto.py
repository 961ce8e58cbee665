"""BotoGateway against a moto server over HTTP: what it writes, it reads back in the documented shapes."""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from compose2ecs.apply.gateway import Gateway, LogEvent
from compose2ecs.aws import AwsSettings, BotoGateway
from compose2ecs.errors import AwsError
from compose2ecs.model import PROJECT_TAG, ecs_tags, tags_dict
from compose2ecs.model.deployed import DeployedState
from tests.aws.desired import EXEC_POLICY, INLINE, TRUST, Project
from tests.emulator import REGION

if TYPE_CHECKING:
    from compose2ecs.model import DesiredState

HTTP_RULE = {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}


def test_boto_gateway_satisfies_the_gateway_protocol(gateway: BotoGateway) -> None:
    checked: Gateway = gateway  # mypy checks the structural match
    assert checked is gateway


def test_read_state_of_an_empty_account_finds_nothing(moto: str, project: Project) -> None:
    gateway = BotoGateway.from_settings(AwsSettings())

    state = gateway.read_state(project.desired(namespace=True), project.cluster)

    assert state.network.checked  # the preflight's read of the network
    assert dataclasses.replace(state, network=DeployedState().network) == DeployedState()


def deploy(gateway: BotoGateway, project: Project, desired: DesiredState) -> dict[str, Any]:
    """What `apply` does for a first `up`, through the gateway only; returns the created service."""
    for role in desired.roles:
        gateway.create_role(role.name, role.path, role.trust_policy, project.tags)
        gateway.attach_role_policy(role.name, EXEC_POLICY)
        gateway.put_role_policy(role.name, "create-log-group", INLINE)
    gateway.create_log_group(project.log_group, REGION, project.tags)
    gateway.put_retention_policy(project.log_group, REGION, 7)
    gateway.create_cluster(project.cluster, project.tags)
    vpc_id, subnets = gateway.default_vpc_subnets()
    group_id = gateway.create_security_group(f"{project.name}-sg", vpc_id, "compose2ecs test", project.tags)
    gateway.authorize_ingress(group_id, [HTTP_RULE])
    if desired.namespace:
        gateway.create_namespace(desired.namespace, project.tags)
    registered = gateway.register_task_definition(desired.task_definitions[0])
    request = {
        **desired.services[0],
        "cluster": project.cluster,
        "taskDefinition": f"{registered['family']}:{registered['revision']}",
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": subnets,
                "securityGroups": [group_id],
                "assignPublicIp": "ENABLED",
            }
        },
    }
    return gateway.create_service(request)


def test_read_state_after_a_deploy_finds_every_resource_with_its_tags(
    gateway: BotoGateway, project: Project
) -> None:
    desired = project.desired(namespace=True)
    created = deploy(gateway, project, desired)

    state = gateway.read_state(desired, project.cluster)

    ecs_tag = {"key": PROJECT_TAG, "value": project.name}
    all_tags = ecs_tags(project.tags)
    assert state.cluster is not None
    assert state.cluster["clusterName"] == project.cluster
    assert ecs_tag in state.cluster["tags"]
    assert set(state.services) == {"web"}
    assert state.services["web"]["serviceArn"] == created["serviceArn"]
    assert ecs_tag in state.services["web"]["tags"]
    latest = state.task_definitions[project.family]
    assert (latest["family"], latest["revision"], latest["status"]) == (project.family, 1, "ACTIVE")
    assert latest["containerDefinitions"][0]["image"] == "nginx:1.27"
    assert sorted(latest["tags"], key=str) == sorted(all_tags, key=str)

    role = state.roles[project.role]
    assert role.role["AssumeRolePolicyDocument"] == TRUST
    assert tags_dict(role.role["Tags"]) == project.tags
    assert role.attached_policy_arns == (EXEC_POLICY,)
    assert role.inline_policies == {"create-log-group": INLINE}

    group = state.log_groups[REGION, project.log_group]
    assert (group.name, group.region, group.retention_days, group.tags) == (
        project.log_group,
        REGION,
        7,
        project.tags,
    )
    assert state.security_group is not None
    assert state.security_group["GroupName"] == f"{project.name}-sg"
    assert [p["FromPort"] for p in state.security_group["IpPermissions"]] == [80]
    assert state.namespace is not None
    assert state.namespace["Name"] == project.namespace


def test_a_deleted_service_drains_then_is_not_read_as_deployed(
    gateway: BotoGateway, project: Project
) -> None:
    desired = project.desired(roles=False)
    deploy(gateway, project, desired)
    gateway.delete_service(project.cluster, "web")

    # ECS keeps a deleted service DRAINING while its tasks stop, then INACTIVE.
    gone = wait_for(
        lambda: (gateway.describe_service(project.cluster, "web") or {}).get("status") == "INACTIVE"
    )

    assert gone
    assert gateway.read_state(desired, project.cluster).services == {}


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


def wait_for(check: Any, timeout: float = 20.0) -> bool:
    """Poll `check` until it holds (the emulator's ECS moves on its own clock)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


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


def test_describe_service_of_a_missing_cluster_or_service_is_none(
    gateway: BotoGateway, project: Project
) -> None:
    assert gateway.describe_service(project.cluster, "web") is None
    gateway.create_cluster(project.cluster, {})
    assert gateway.describe_service(project.cluster, "web") is None


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


def test_task_definition_revisions_are_listed_per_family(gateway: BotoGateway, project: Project) -> None:
    first = gateway.register_task_definition(project.task_definition())
    second = gateway.register_task_definition(project.task_definition(image="nginx:1.28"))
    gateway.register_task_definition(project.task_definition(family=f"{project.family}-admin"))
    gateway.deregister_task_definition(first["taskDefinitionArn"])

    assert gateway.list_task_definition_arns(project.family) == [second["taskDefinitionArn"]]
    assert gateway.list_task_definition_arns(project.family, "INACTIVE") == [first["taskDefinitionArn"]]


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


def test_role_writes_round_trip(gateway: BotoGateway, project: Project) -> None:
    arn = gateway.create_role(project.role, "/", TRUST, {})
    gateway.put_role_policy(project.role, "extra", INLINE)
    gateway.attach_role_policy(project.role, EXEC_POLICY)
    stricter = {**TRUST, "Statement": [{**TRUST["Statement"][0], "Condition": {"StringEquals": {"a": "b"}}}]}
    gateway.update_trust_policy(project.role, stricter)

    role = gateway.read_state(project.desired(), project.cluster).roles[project.role]
    assert arn.endswith(f":role/{project.role}")
    assert role.role["AssumeRolePolicyDocument"] == stricter

    gateway.detach_role_policy(project.role, EXEC_POLICY)
    gateway.delete_role_policy(project.role, "extra")
    gateway.delete_role(project.role)
    assert gateway.read_state(project.desired(), project.cluster).roles == {}


def test_log_group_retention_can_be_removed_and_the_group_deleted(
    gateway: BotoGateway, project: Project
) -> None:
    desired = project.desired(roles=False)
    gateway.create_log_group(project.log_group, REGION, project.tags)
    gateway.put_retention_policy(project.log_group, REGION, 14)
    gateway.put_retention_policy(project.log_group, REGION, None)

    assert (
        gateway.read_state(desired, project.cluster).log_groups[REGION, project.log_group].retention_days
        is None
    )

    gateway.delete_log_group(project.log_group, REGION)
    assert gateway.read_state(desired, project.cluster).log_groups == {}


def test_ecs_tags_are_added_and_removed(gateway: BotoGateway, project: Project) -> None:
    desired = project.desired(roles=False)
    gateway.create_cluster(project.cluster, project.tags)
    cluster = gateway.read_state(desired, project.cluster).cluster
    assert cluster is not None

    gateway.tag_resource(cluster["clusterArn"], {"team": "web"})
    gateway.untag_resource(cluster["clusterArn"], list(project.tags))

    after = gateway.read_state(desired, project.cluster).cluster
    assert after is not None
    assert after["tags"] == [{"key": "team", "value": "web"}]


def test_describe_cluster_reads_the_active_cluster_with_its_tags_and_counts(
    gateway: BotoGateway, project: Project
) -> None:
    assert gateway.describe_cluster(project.cluster) is None
    gateway.create_cluster(project.cluster, project.tags)
    cluster = gateway.describe_cluster(project.cluster)
    assert cluster is not None
    assert cluster["activeServicesCount"] == 0
    assert tags_dict(cluster["tags"]) == project.tags
    gateway.delete_cluster(project.cluster)
    assert gateway.describe_cluster(project.cluster) is None


def test_namespaces_and_clusters_can_be_deleted(moto: str, gateway: BotoGateway, project: Project) -> None:
    # An empty account: moto 5.2.5 ignores the NAME filter of ListNamespaces, which AWS applies.
    desired = project.desired(roles=False, namespace=True)
    gateway.create_cluster(project.cluster, {})
    arn = gateway.create_namespace(project.namespace, project.tags)
    namespace = gateway.read_state(desired, project.cluster).namespace
    assert namespace is not None
    assert namespace["Arn"] == arn

    gateway.delete_namespace(namespace["Id"])
    gateway.delete_cluster(project.cluster)

    state = gateway.read_state(desired, project.cluster)
    assert (state.namespace, state.cluster) == (None, None)


def test_security_group_rules_can_be_revoked_and_the_group_deleted(
    gateway: BotoGateway, project: Project
) -> None:
    desired = project.desired(roles=False)
    vpc_id, _ = gateway.default_vpc_subnets()
    group_id = gateway.create_security_group(f"{project.name}-sg", vpc_id, "test", project.tags)
    gateway.authorize_ingress(group_id, [HTTP_RULE])
    gateway.revoke_ingress(group_id, [HTTP_RULE])

    group = gateway.read_state(desired, project.cluster).security_group
    assert group is not None
    assert group["IpPermissions"] == []

    gateway.delete_security_group(group_id)
    assert gateway.read_state(desired, project.cluster).security_group is None


def test_an_aws_error_names_the_call_the_resource_and_the_code(
    gateway: BotoGateway, project: Project
) -> None:
    gateway.create_role(project.role, "/", TRUST, {})

    with pytest.raises(AwsError) as caught:
        gateway.create_role(project.role, "/", TRUST, {})

    error = caught.value
    assert (error.operation, error.resource, error.code) == (
        "iam:CreateRole",
        project.role,
        "EntityAlreadyExists",
    )


def test_an_explicit_endpoint_url_wins_over_the_environment(
    aws_env: str, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    gateway = BotoGateway.from_settings(AwsSettings(endpoint_url=aws_env))
    gateway.create_cluster(project.cluster, {})

    state = gateway.read_state(project.desired(roles=False), project.cluster)

    assert state.cluster is not None
