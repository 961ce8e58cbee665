"""The Gateway contract: what compose2ecs relies on, held by the fake and by BotoGateway alike.

Each test runs twice (tests/contract/conftest.py): on the in-memory fake and on BotoGateway
against the moto server over HTTP. What cannot be shown on moto (IAM propagation, the
service-linked role, client tokens) is in the Stubber tests; what only the emulator can show
(tasks starting, rollouts over time) is in tests/aws and tests/e2e.
"""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING, Any

import pytest

from compose2ecs.errors import AwsError
from compose2ecs.model import PROJECT_TAG, ecs_tags, tags_dict
from compose2ecs.model.deployed import DeployedState
from tests.aws.desired import EXEC_POLICY, INLINE, TRUST, Project
from tests.emulator import REGION

if TYPE_CHECKING:
    from compose2ecs.model import DesiredState
    from compose2ecs.resources.gateway import Gateway

HTTP_RULE = {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}


def deploy(gateway: Gateway, project: Project, desired: DesiredState) -> dict[str, Any]:
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


def wait_for(check: Any, timeout: float = 20.0) -> bool:
    """Poll `check` until it holds (the emulator's ECS moves on its own clock; the fake per call)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


# Reading ----------------------------------------------------------------------------------------


def test_read_state_of_an_empty_account_finds_nothing(gateway: Gateway, project: Project) -> None:
    state = gateway.read_state(project.desired(namespace=True), project.cluster)

    assert dataclasses.replace(state, network=DeployedState().network) == DeployedState()


def test_read_state_after_a_deploy_finds_every_resource_with_its_tags(
    gateway: Gateway, project: Project
) -> None:
    desired = project.desired(namespace=True)
    created = deploy(gateway, project, desired)

    state = gateway.read_state(desired, project.cluster)

    ecs_tag = {"key": PROJECT_TAG, "value": project.name}
    assert state.cluster is not None
    assert state.cluster["clusterName"] == project.cluster
    assert ecs_tag in state.cluster["tags"]
    assert set(state.services) == {"web"}
    assert state.services["web"]["serviceArn"] == created["serviceArn"]
    assert ecs_tag in state.services["web"]["tags"]
    latest = state.task_definitions[project.family]
    assert (latest["family"], latest["revision"], latest["status"]) == (project.family, 1, "ACTIVE")
    assert latest["containerDefinitions"][0]["image"] == "nginx:1.27"
    assert sorted(latest["tags"], key=str) == sorted(ecs_tags(project.tags), key=str)
    role = state.roles[project.role]
    assert role.role["AssumeRolePolicyDocument"] == TRUST
    assert tags_dict(role.role["Tags"]) == project.tags
    assert role.role["Arn"].endswith(f":role/{project.role}")
    assert role.attached_policy_arns == (EXEC_POLICY,)
    assert role.inline_policies == {"create-log-group": INLINE}
    group = state.log_groups[REGION, project.log_group]
    assert (group.name, group.region, group.retention_days, group.tags) == (
        project.log_group,
        REGION,
        7,
        project.tags,
    )
    assert group.arn.endswith(f":log-group:{project.log_group}")
    assert state.security_group is not None
    assert state.security_group["GroupName"] == f"{project.name}-sg"
    assert [p["FromPort"] for p in state.security_group["IpPermissions"]] == [80]
    assert state.namespace is not None
    assert state.namespace["Name"] == project.namespace
    assert state.tagged.services == {"web": created["serviceArn"]}
    assert state.tagged.task_definitions == {latest["taskDefinitionArn"]}


def test_a_registered_revision_reads_back_with_the_defaults_aws_fills_in(
    gateway: Gateway, project: Project
) -> None:
    registered = gateway.register_task_definition(project.task_definition())

    described = gateway.describe_task_definition(f"{project.family}:1")

    assert registered["taskDefinitionArn"].endswith(f":task-definition/{project.family}:1")
    assert "tags" not in registered
    assert described is not None
    (container,) = described["containerDefinitions"]
    assert container["portMappings"] == [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}]
    assert tags_dict(described["tags"]) == project.tags
    assert gateway.describe_task_definition(f"{project.family}-none") is None


def test_tagged_services_the_files_no_longer_name_are_read_as_orphans(
    gateway: Gateway, project: Project
) -> None:
    desired = project.desired(roles=False)
    deploy(gateway, project, desired)
    desired.services[0] = {**desired.services[0], "serviceName": "api"}

    state = gateway.read_services(desired, project.cluster)

    assert set(state.services) == set()
    assert set(state.orphans) == {"web"}
    assert state.orphans["web"]["status"] == "ACTIVE"


def test_a_deleted_service_drains_then_is_not_read_as_deployed(gateway: Gateway, project: Project) -> None:
    desired = project.desired(roles=False)
    deploy(gateway, project, desired)

    gateway.delete_service(project.cluster, "web")

    # ECS keeps a deleted service DRAINING while its tasks stop, then INACTIVE.
    assert (gateway.describe_service(project.cluster, "web") or {}).get("status") in {"DRAINING", "INACTIVE"}
    assert wait_for(
        lambda: (gateway.describe_service(project.cluster, "web") or {}).get("status") == "INACTIVE"
    )
    assert gateway.read_state(desired, project.cluster).services == {}


def test_a_missing_cluster_or_service_has_no_service_and_no_tasks(gateway: Gateway, project: Project) -> None:
    assert gateway.describe_service(project.cluster, "web") is None
    assert gateway.list_task_arns(project.cluster, "web") == []
    gateway.create_cluster(project.cluster, {})
    assert gateway.describe_service(project.cluster, "web") is None
    assert gateway.list_task_arns(project.cluster, "web", "STOPPED") == []


def test_task_definition_revisions_are_listed_per_family(gateway: Gateway, project: Project) -> None:
    first = gateway.register_task_definition(project.task_definition())
    second = gateway.register_task_definition(project.task_definition(image="nginx:1.28"))
    gateway.register_task_definition(project.task_definition(family=f"{project.family}-admin"))
    gateway.deregister_task_definition(first["taskDefinitionArn"])

    assert second["revision"] == 2
    assert gateway.list_task_definition_arns(project.family) == [second["taskDefinitionArn"]]
    assert gateway.list_task_definition_arns(project.family, "INACTIVE") == [first["taskDefinitionArn"]]


def test_the_default_vpc_has_subnets(gateway: Gateway) -> None:
    vpc_id, subnets = gateway.default_vpc_subnets()

    assert vpc_id.startswith("vpc-")
    assert subnets
    assert all(s.startswith("subnet-") for s in subnets)


# Writing ----------------------------------------------------------------------------------------


def test_role_writes_round_trip(gateway: Gateway, project: Project) -> None:
    arn = gateway.create_role(project.role, "/", TRUST, {})
    gateway.put_role_policy(project.role, "extra", INLINE)
    gateway.attach_role_policy(project.role, EXEC_POLICY)
    stricter = {**TRUST, "Statement": [{**TRUST["Statement"][0], "Condition": {"StringEquals": {"a": "b"}}}]}
    gateway.update_trust_policy(project.role, stricter)
    gateway.tag_role(project.role, {"compose2ecs:user:a": "p/c/r", "team": "x"})
    gateway.untag_role(project.role, ["team"])

    role = gateway.read_state(project.desired(), project.cluster).roles[project.role]
    assert arn.endswith(f":role/{project.role}")
    assert role.role["AssumeRolePolicyDocument"] == stricter
    assert tags_dict(role.role["Tags"]) == {"compose2ecs:user:a": "p/c/r"}
    assert role.inline_policies == {"extra": INLINE}

    gateway.detach_role_policy(project.role, EXEC_POLICY)
    gateway.delete_role_policy(project.role, "extra")
    gateway.delete_role(project.role)
    assert gateway.read_state(project.desired(), project.cluster).roles == {}


def test_a_role_with_policies_cannot_be_deleted(gateway: Gateway, project: Project) -> None:
    gateway.create_role(project.role, "/", TRUST, {})
    gateway.put_role_policy(project.role, "extra", INLINE)

    with pytest.raises(AwsError) as caught:
        gateway.delete_role(project.role)

    assert caught.value.code == "DeleteConflict"


def test_an_aws_error_names_the_call_the_resource_and_the_code(gateway: Gateway, project: Project) -> None:
    gateway.create_role(project.role, "/", TRUST, {})

    with pytest.raises(AwsError) as caught:
        gateway.create_role(project.role, "/", TRUST, {})

    error = caught.value
    assert (error.operation, error.resource, error.code) == (
        "iam:CreateRole",
        project.role,
        "EntityAlreadyExists",
    )


def test_log_group_retention_tags_and_deletion(gateway: Gateway, project: Project) -> None:
    desired = project.desired(roles=False)
    gateway.create_log_group(project.log_group, REGION, project.tags)
    gateway.put_retention_policy(project.log_group, REGION, 14)
    gateway.put_retention_policy(project.log_group, REGION, None)
    group = gateway.read_state(desired, project.cluster).log_groups[REGION, project.log_group]
    gateway.tag_log_group(group.arn, REGION, {"compose2ecs:user:b": "p/c/r"})
    gateway.untag_log_group(group.arn, REGION, [PROJECT_TAG])

    after = gateway.read_state(desired, project.cluster).log_groups[REGION, project.log_group]
    assert after.retention_days is None
    assert after.tags == {
        **{k: v for k, v in project.tags.items() if k != PROJECT_TAG},
        "compose2ecs:user:b": "p/c/r",
    }

    gateway.delete_log_group(project.log_group, REGION)
    assert gateway.read_state(desired, project.cluster).log_groups == {}


def test_ecs_tags_are_added_and_removed(gateway: Gateway, project: Project) -> None:
    desired = project.desired(roles=False)
    gateway.create_cluster(project.cluster, project.tags)
    cluster = gateway.read_state(desired, project.cluster).cluster
    assert cluster is not None

    gateway.tag_resource(cluster["clusterArn"], {"team": "web"})
    gateway.untag_resource(cluster["clusterArn"], list(project.tags))

    after = gateway.read_state(desired, project.cluster).cluster
    assert after is not None
    assert after["tags"] == [{"key": "team", "value": "web"}]


def test_a_created_cluster_has_the_capacity_providers_asked_for(gateway: Gateway, project: Project) -> None:
    gateway.create_cluster(project.cluster, project.tags, ("FARGATE", "FARGATE_SPOT"))

    cluster = gateway.describe_cluster(project.cluster)

    assert cluster is not None
    assert sorted(cluster["capacityProviders"]) == ["FARGATE", "FARGATE_SPOT"]
    assert cluster["activeServicesCount"] == 0
    assert tags_dict(cluster["tags"]) == project.tags
    gateway.delete_cluster(project.cluster)
    assert gateway.describe_cluster(project.cluster) is None


def test_service_updates_and_tags(gateway: Gateway, project: Project) -> None:
    desired = project.desired(roles=False)
    created = deploy(gateway, project, desired)

    gateway.update_service(
        {"cluster": project.cluster, "service": "web", "desiredCount": 2, "enableExecuteCommand": True}
    )
    gateway.tag_resource(created["serviceArn"], {"team": "web"})

    service = gateway.describe_service(project.cluster, "web")
    assert service is not None
    assert (service["desiredCount"], service["enableExecuteCommand"]) == (2, True)
    state = gateway.read_state(desired, project.cluster)
    assert tags_dict(state.services["web"]["tags"]) == {**project.tags, "team": "web"}


def test_namespaces_and_clusters_can_be_deleted(gateway: Gateway, project: Project) -> None:
    desired = project.desired(roles=False, namespace=True)
    gateway.create_cluster(project.cluster, {})
    arn = gateway.create_namespace(project.namespace, project.tags)
    namespace = gateway.read_state(desired, project.cluster).namespace
    assert namespace is not None
    assert namespace["Arn"] == arn
    assert tags_dict(namespace["Tags"]) == project.tags

    gateway.delete_namespace(namespace["Id"])
    gateway.delete_cluster(project.cluster)

    state = gateway.read_state(desired, project.cluster)
    assert (state.namespace, state.cluster) == (None, None)


def test_security_group_rules_can_be_revoked_and_the_group_deleted(
    gateway: Gateway, project: Project
) -> None:
    desired = project.desired(roles=False)
    vpc_id, _ = gateway.default_vpc_subnets()
    group_id = gateway.create_security_group(f"{project.name}-sg", vpc_id, "test", project.tags)
    gateway.authorize_ingress(group_id, [HTTP_RULE])
    gateway.revoke_ingress(group_id, [HTTP_RULE])

    group = gateway.read_state(desired, project.cluster).security_group
    assert group is not None
    assert group["IpPermissions"] == []
    assert tags_dict(group["Tags"]) == project.tags

    gateway.delete_security_group(group_id)
    assert gateway.read_state(desired, project.cluster).security_group is None


def test_the_lock_is_created_only_when_absent(gateway: Gateway, project: Project) -> None:
    name = f"/compose2ecs/lock/{project.name}/{project.cluster}"

    assert gateway.read_lock(name) is None
    assert gateway.create_lock(name, "holder-a") is True
    assert gateway.create_lock(name, "holder-b") is False
    assert gateway.read_lock(name) == "holder-a"
    gateway.delete_lock(name)
    gateway.delete_lock(name)  # already gone: nothing to do
    assert gateway.read_lock(name) is None


def test_a_standalone_task_runs_its_command_and_stops_with_the_exit_code(
    gateway: Gateway, project: Project
) -> None:
    desired = project.desired(roles=False)
    service = deploy(gateway, project, desired)
    request = {
        "cluster": project.cluster,
        "taskDefinition": service["taskDefinition"],
        "count": 1,
        "group": "run:web",
        "startedBy": "compose2ecs-run",
        "networkConfiguration": service["networkConfiguration"],
        "launchType": "FARGATE",
        "overrides": {"containerOverrides": [{"name": "web", "command": ["echo", "hello"]}]},
    }

    task = gateway.run_task(request)

    assert task["group"] == "run:web"
    assert task["lastStatus"] in {"PROVISIONING", "PENDING", "RUNNING"}
    arn = task["taskArn"]

    def stopped() -> bool:
        found = gateway.describe_tasks(project.cluster, [arn])
        return bool(found) and found[0]["lastStatus"] == "STOPPED"

    assert wait_for(stopped)
    (done,) = gateway.describe_tasks(project.cluster, [arn])
    assert [c["exitCode"] for c in done["containers"]] == [0]
    assert arn not in gateway.list_task_arns(project.cluster, "web")  # not one of the service's
    events, _ = gateway.filter_log_events(
        project.log_group, REGION, f"web/web/{arn.rsplit('/', 1)[-1]}", None, None
    )
    assert [e.message for e in events] == ["echo hello"]


# Load balancers ---------------------------------------------------------------------------------


def test_a_load_balancer_its_listener_and_target_group_are_found_by_their_tags_and_deleted(
    gateway: Gateway, project: Project
) -> None:
    from compose2ecs.model import HealthCheck, LoadBalancerSpec, TargetGroupSpec  # noqa: PLC0415

    desired = project.desired()
    vpc_id, subnets = gateway.default_vpc_subnets()
    lb_group = gateway.create_security_group(f"{project.name}-lb", vpc_id, "compose2ecs test", project.tags)
    spec = TargetGroupSpec(
        f"{project.name[:20]}-web", "web", "web", 80, "HTTP", HealthCheck("HTTP", "/", "200-399")
    )
    group = gateway.create_target_group(spec.request(vpc_id, project.tags))
    balancer = gateway.create_load_balancer(
        LoadBalancerSpec(f"{project.name[:24]}-alb", "application"), subnets, lb_group, project.tags
    )
    listener = gateway.create_listener(
        {
            "LoadBalancerArn": balancer["LoadBalancerArn"],
            "Protocol": "HTTP",
            "Port": 8080,
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}],
        }
    )
    gateway.modify_target_group_attributes(
        group["TargetGroupArn"], {"deregistration_delay.timeout_seconds": "30"}
    )

    state = gateway.read_state(desired, project.cluster)

    assert state.load_balancers[balancer["LoadBalancerName"]]["Tags"] == project.tags
    assert state.load_balancers[balancer["LoadBalancerName"]]["DNSName"] == balancer["DNSName"]
    assert state.target_groups[spec.name]["HealthCheckPath"] == "/"
    assert state.target_groups[spec.name]["Tags"] == project.tags
    [found] = state.listeners[balancer["LoadBalancerName"]]
    assert (found["ListenerArn"], found["Port"]) == (listener["ListenerArn"], 8080)
    with pytest.raises(AwsError) as in_use:
        gateway.delete_target_group(group["TargetGroupArn"])
    assert in_use.value.code == "ResourceInUse"

    gateway.delete_load_balancer(balancer["LoadBalancerArn"])  # its listeners go with it
    gateway.delete_target_group(group["TargetGroupArn"])
    gateway.delete_security_group(lb_group)
    after = gateway.read_state(desired, project.cluster)
    assert after.load_balancers == after.target_groups == {}
