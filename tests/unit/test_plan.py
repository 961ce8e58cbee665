"""plan_changes: desired requests vs what AWS (or moto) describes -> one action per resource.

The deployed dicts below are shaped like real describe_* answers: AWS fills defaults, reorders
lists, returns ARNs for names and adds read-only fields. The key property is that a project
applied as desired plans as in sync, against both AWS's and moto's echo.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from compose2ecs.model import DesiredState, LogGroupSpec, Owner, PortRule, RoleSpec, ecs_tags
from compose2ecs.model.deployed import (
    Action,
    DeployedState,
    FieldChange,
    LogGroupState,
    Plan,
    ResourceChange,
    ResourceKind,
    RoleState,
)
from compose2ecs.model.sensitive import looks_secret
from compose2ecs.plan.diff import diff_fields, set_changes
from compose2ecs.resources import plan_changes

ACCOUNT = "123456789012"
REGION = "eu-west-1"
CLUSTER = "shop"
TD_ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/shop-web"
EXEC_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
NAMESPACE_ARN = f"arn:aws:servicediscovery:{REGION}:{ACCOUNT}:namespace/ns-abc123"
TRUST: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "",
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
OWNER = Owner("shop", CLUSTER, REGION)
OWNER_TAGS = OWNER.tags()
PROJECT_TAGS = {**OWNER_TAGS, "team": "web"}


# ---------------------------------------------------------------------------------------------
# Desired: what translate builds.


def desired_task_definition() -> dict[str, Any]:
    return {
        "family": "shop-web",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "0.25 vCPU",
        "memory": "0.5GB",
        "executionRoleArn": "ecsTaskExecutionRole",
        "containerDefinitions": [
            {
                "name": "web",
                "image": "nginx:1.27",
                "portMappings": [{"containerPort": 80}],
                "environment": [
                    {"name": "DB_HOST", "value": "db"},
                    {"name": "DB_PASSWORD", "value": "hunter2"},
                    {"name": "A_FIRST", "value": "1"},
                ],
                "command": ["nginx", "-g", "daemon off;"],
                "healthCheck": {"command": ["CMD-SHELL", "curl -f http://localhost/"]},
                "dependsOn": [{"containerName": "cache", "condition": "START"}],
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {"awslogs-group": "/ecs/shop", "awslogs-region": REGION},
                },
            },
            {"name": "cache", "image": "redis:7", "essential": False},
        ],
    }


def desired_service(**overrides: Any) -> dict[str, Any]:
    service: dict[str, Any] = {
        "serviceName": "web",
        "taskDefinition": "shop-web",
        "desiredCount": 2,
        "launchType": "FARGATE",
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": ["subnet-b", "subnet-a"],
                "securityGroups": ["sg-1"],
                "assignPublicIp": "ENABLED",
            }
        },
        "propagateTags": "SERVICE",
    }
    service.update(overrides)
    return service


def desired_state(**overrides: Any) -> DesiredState:
    state = DesiredState(
        project="shop",
        layout="project",
        region=REGION,
        task_definitions=[desired_task_definition()],
        services=[desired_service()],
        roles=[
            RoleSpec(
                name="ecsTaskExecutionRole",
                path="/",
                trust_policy=copy.deepcopy(TRUST),
                managed_policy_arns=(EXEC_POLICY,),
                inline_policies={},
            )
        ],
        log_groups=[LogGroupSpec(name="/ecs/shop", region=REGION, retention_days=30)],
        tags=dict(PROJECT_TAGS),
        desired_count_explicit={"web": True},
        cluster=CLUSTER,
    )
    for key, value in overrides.items():
        setattr(state, key, value)
    return state


# ---------------------------------------------------------------------------------------------
# Deployed: what AWS answers after that was applied (revision 3 of the family).


def aws_task_definition(revision: int = 3) -> dict[str, Any]:
    """DescribeTaskDefinition as AWS answers: defaults filled, lists reordered, ARNs, read-only fields."""
    return {
        "taskDefinitionArn": f"{TD_ARN}:{revision}",
        "family": "shop-web",
        "revision": revision,
        "status": "ACTIVE",
        "taskRoleArn": None,
        "executionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole",
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "512",
        "requiresCompatibilities": ["FARGATE"],
        "compatibilities": ["EC2", "FARGATE"],
        "requiresAttributes": [{"name": "com.amazonaws.ecs.capability.logging-driver.awslogs"}],
        "registeredAt": dt.datetime(2025, 1, 2, tzinfo=dt.UTC),
        "registeredBy": f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/ci",
        "volumes": [],
        "placementConstraints": [],
        "containerDefinitions": [
            {
                "name": "cache",
                "image": "redis:7",
                "cpu": 0,
                "essential": False,
                "portMappings": [],
                "environment": [],
                "mountPoints": [],
                "volumesFrom": [],
                "systemControls": [],
            },
            {
                "name": "web",
                "image": "nginx:1.27",
                "cpu": 0,
                "essential": True,
                "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
                "environment": [
                    {"name": "A_FIRST", "value": "1"},
                    {"name": "DB_HOST", "value": "db"},
                    {"name": "DB_PASSWORD", "value": "hunter2"},
                ],
                "command": ["nginx", "-g", "daemon off;"],
                "mountPoints": [],
                "volumesFrom": [],
                "systemControls": [],
                "dependsOn": [{"containerName": "cache", "condition": "START"}],
                "healthCheck": {
                    "command": ["CMD-SHELL", "curl -f http://localhost/"],
                    "interval": 30,
                    "timeout": 5,
                    "retries": 3,
                },
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {"awslogs-region": REGION, "awslogs-group": "/ecs/shop"},
                    "secretOptions": [],
                },
            },
        ],
        "tags": [{"key": "team", "value": "web"}, *ecs_tags(OWNER_TAGS)],
    }


def moto_task_definition(revision: int = 3) -> dict[str, Any]:
    """moto 5.2.5's answer: no hostPort/protocol/healthCheck defaults, environment in request order."""
    td = aws_task_definition(revision)
    for key in ("requiresAttributes", "registeredAt", "registeredBy"):
        del td[key]
    web = td["containerDefinitions"][1]
    web["portMappings"] = [{"containerPort": 80}]
    web["healthCheck"] = {"command": ["CMD-SHELL", "curl -f http://localhost/"]}
    web["environment"] = desired_task_definition()["containerDefinitions"][0]["environment"]
    return td


def aws_service(revision: int = 3, **overrides: Any) -> dict[str, Any]:
    """DescribeServices entry as AWS answers, with include=TAGS."""
    network = {
        "awsvpcConfiguration": {
            "subnets": ["subnet-a", "subnet-b"],
            "securityGroups": ["sg-1"],
            "assignPublicIp": "ENABLED",
        }
    }
    entry: dict[str, Any] = {
        "serviceArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{CLUSTER}/web",
        "serviceName": "web",
        "clusterArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{CLUSTER}",
        "loadBalancers": [],
        "serviceRegistries": [],
        "status": "ACTIVE",
        "desiredCount": 2,
        "runningCount": 2,
        "pendingCount": 0,
        "launchType": "FARGATE",
        "platformVersion": "LATEST",
        "platformFamily": "Linux",
        "taskDefinition": f"{TD_ARN}:{revision}",
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": False, "rollback": False},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
            "alarms": {"alarmNames": [], "enable": False, "rollback": False},
        },
        "deployments": [
            {
                "id": "ecs-svc/1",
                "status": "PRIMARY",
                "taskDefinition": f"{TD_ARN}:{revision}",
                "networkConfiguration": network,
                "rolloutState": "COMPLETED",
            }
        ],
        "roleArn": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
        "events": [],
        "createdAt": dt.datetime(2025, 1, 2, tzinfo=dt.UTC),
        "placementConstraints": [],
        "placementStrategy": [],
        "networkConfiguration": network,
        "healthCheckGracePeriodSeconds": 0,
        "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": "ECS"},
        "enableECSManagedTags": False,
        "propagateTags": "SERVICE",
        "enableExecuteCommand": False,
        "availabilityZoneRebalancing": "ENABLED",
        "tags": [*ecs_tags(OWNER_TAGS), {"key": "team", "value": "web"}],
    }
    entry.update(overrides)
    return entry


def moto_service(revision: int = 3) -> dict[str, Any]:
    """moto 5.2.5 drops deploymentConfiguration, platformVersion, enableExecuteCommand and more."""
    entry = aws_service(revision)
    for key in (
        "deploymentConfiguration",
        "platformVersion",
        "roleArn",
        "healthCheckGracePeriodSeconds",
        "enableECSManagedTags",
        "enableExecuteCommand",
        "availabilityZoneRebalancing",
        "placementConstraints",
        "placementStrategy",
    ):
        del entry[key]
    return entry


def deployed_state(task_definition: dict[str, Any], service: dict[str, Any]) -> DeployedState:
    return DeployedState(
        cluster={"clusterName": CLUSTER, "status": "ACTIVE"},
        services={"web": service},
        task_definitions={"shop-web": task_definition},
        roles={
            "ecsTaskExecutionRole": RoleState(
                role={
                    "RoleName": "ecsTaskExecutionRole",
                    "Path": "/",
                    "Arn": f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole",
                    # Created by compose2ecs for this project: managed in full.
                    "Tags": [{"Key": k, "Value": v} for k, v in OWNER_TAGS.items()]
                    + [{"Key": OWNER.user_tag, "Value": OWNER.user_value}],
                    # IAM keeps the document as sent except that an empty Sid disappears.
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": {
                            "Effect": "Allow",
                            "Principal": {"Service": ["ecs-tasks.amazonaws.com"]},
                            "Action": ["sts:AssumeRole"],
                        },
                    },
                },
                attached_policy_arns=(EXEC_POLICY,),
                inline_policies={},
            )
        },
        log_groups={
            (REGION, "/ecs/shop"): LogGroupState(name="/ecs/shop", region=REGION, retention_days=30, tags={})
        },
    )


def aws_deployed() -> DeployedState:
    return deployed_state(aws_task_definition(), aws_service())


def plan_for(desired: DesiredState, deployed: DeployedState) -> Plan:
    return plan_changes(desired, deployed, CLUSTER)


def resource(plan: Plan, kind: ResourceKind, name: str) -> ResourceChange:
    matches = [r for r in plan.resources if r.kind is kind and r.name == name]
    assert len(matches) == 1, plan.resources
    return matches[0]


def change(res: ResourceChange, path: str) -> FieldChange:
    matches = [c for c in res.changes if c.path == path]
    assert len(matches) == 1, res.changes
    return matches[0]


# ---------------------------------------------------------------------------------------------
# Whole plans.


def test_nothing_deployed_plans_a_create_for_every_resource_in_apply_order() -> None:
    desired = desired_state(
        services=[desired_service(networkConfiguration=None)],
        ingress=[PortRule(80, "tcp")],
        namespace="shop",
    )
    desired.services[0].pop("networkConfiguration")

    plan = plan_for(desired, DeployedState())

    assert [(r.kind, r.name, r.action) for r in plan.resources] == [
        (ResourceKind.ROLE, "ecsTaskExecutionRole", Action.CREATE),
        (ResourceKind.LOG_GROUP, "/ecs/shop", Action.CREATE),
        (ResourceKind.CLUSTER, CLUSTER, Action.CREATE),
        (ResourceKind.SECURITY_GROUP, "shop.shop", Action.CREATE),
        (ResourceKind.NAMESPACE, "shop", Action.CREATE),
        (ResourceKind.TASK_DEFINITION, "shop-web", Action.CREATE),
        (ResourceKind.SERVICE, "web", Action.CREATE),
    ]
    assert plan.project == "shop"
    assert plan.cluster == CLUSTER
    assert not plan.in_sync


@pytest.mark.parametrize(
    "deployed",
    [
        pytest.param(aws_deployed(), id="aws"),
        pytest.param(deployed_state(moto_task_definition(), moto_service()), id="moto"),
    ],
)
def test_an_applied_project_is_in_sync_whatever_defaults_aws_echoes(deployed: DeployedState) -> None:
    plan = plan_for(desired_state(), deployed)

    assert [r for r in plan.resources if r.action is not Action.NO_CHANGE] == []
    assert plan.in_sync


# ---------------------------------------------------------------------------------------------
# Task definitions.


def test_an_environment_change_registers_a_new_revision_and_updates_the_service() -> None:
    desired = desired_state()
    desired.task_definitions[0]["containerDefinitions"][0]["environment"][0]["value"] = "db2"

    plan = plan_for(desired, aws_deployed())

    td = resource(plan, ResourceKind.TASK_DEFINITION, "shop-web")
    assert td.action is Action.NEW_REVISION
    assert td.changes == (
        FieldChange("containerDefinitions[web].environment[DB_HOST]", "changed", "db", "db2"),
    )
    service = resource(plan, ResourceKind.SERVICE, "web")
    assert service.action is Action.UPDATE
    assert change(service, "taskDefinition") == FieldChange(
        "taskDefinition", "changed", "shop-web:3", "shop-web:4 (new)"
    )


def test_a_secret_looking_variable_is_flagged_sensitive_but_its_value_is_kept() -> None:
    desired = desired_state()
    desired.task_definitions[0]["containerDefinitions"][0]["environment"][1]["value"] = "hunter3"

    td = resource(plan_for(desired, aws_deployed()), ResourceKind.TASK_DEFINITION, "shop-web")

    assert td.changes == (
        FieldChange(
            "containerDefinitions[web].environment[DB_PASSWORD]",
            "changed",
            "hunter2",
            "hunter3",
            sensitive=True,
        ),
    )


def test_a_tags_only_difference_updates_the_task_definition_without_a_revision() -> None:
    desired = desired_state(tags={**PROJECT_TAGS, "team": "payments"})
    deployed = aws_deployed()
    deployed.services["web"]["tags"] = [*ecs_tags(OWNER_TAGS), {"key": "team", "value": "payments"}]

    plan = plan_for(desired, deployed)

    td = resource(plan, ResourceKind.TASK_DEFINITION, "shop-web")
    assert td.action is Action.UPDATE
    assert td.changes == (FieldChange("tags[team]", "changed", "web", "payments"),)
    assert resource(plan, ResourceKind.SERVICE, "web").action is Action.NO_CHANGE


def test_reordering_command_arguments_is_a_change_but_reordering_containers_is_not() -> None:
    desired = desired_state()
    containers = desired.task_definitions[0]["containerDefinitions"]
    containers.reverse()
    containers[1]["command"] = ["nginx", "daemon off;", "-g"]

    td = resource(plan_for(desired, aws_deployed()), ResourceKind.TASK_DEFINITION, "shop-web")

    assert td.action is Action.NEW_REVISION
    assert td.changes == (
        FieldChange(
            "containerDefinitions[web].command",
            "changed",
            ["nginx", "-g", "daemon off;"],
            ["nginx", "daemon off;", "-g"],
        ),
    )


def test_a_new_container_is_listed_field_by_field() -> None:
    desired = desired_state()
    desired.task_definitions[0]["containerDefinitions"].append(
        {"name": "worker", "image": "shop/worker:1", "environment": [{"name": "API_TOKEN", "value": "t0k"}]}
    )

    td = resource(plan_for(desired, aws_deployed()), ResourceKind.TASK_DEFINITION, "shop-web")

    assert td.action is Action.NEW_REVISION
    assert change(td, "containerDefinitions[worker].image") == FieldChange(
        "containerDefinitions[worker].image", "added", None, "shop/worker:1"
    )
    assert change(td, "containerDefinitions[worker].environment[API_TOKEN]").sensitive
    assert change(td, "containerDefinitions[worker].essential").after is True
    # The name is in the path already.
    assert "containerDefinitions[worker].name" not in {c.path for c in td.changes}


def test_a_task_cpu_change_compares_in_cpu_units() -> None:
    desired = desired_state()
    desired.task_definitions[0]["cpu"] = "0.5 vCPU"

    td = resource(plan_for(desired, aws_deployed()), ResourceKind.TASK_DEFINITION, "shop-web")

    assert td.changes == (FieldChange("cpu", "changed", "256", "512"),)


def test_a_family_whose_latest_revision_is_inactive_is_created() -> None:
    deployed = aws_deployed()
    deployed.task_definitions["shop-web"]["status"] = "INACTIVE"

    plan = plan_for(desired_state(), deployed)

    assert resource(plan, ResourceKind.TASK_DEFINITION, "shop-web").action is Action.CREATE
    assert change(resource(plan, ResourceKind.SERVICE, "web"), "taskDefinition").after == "shop-web (new)"


# ---------------------------------------------------------------------------------------------
# Services.


def test_a_desired_count_the_user_did_not_set_is_left_to_scale() -> None:
    desired = desired_state(desired_count_explicit={"web": False})
    deployed = aws_deployed()
    deployed.services["web"]["desiredCount"] = 5

    assert resource(plan_for(desired, deployed), ResourceKind.SERVICE, "web").action is Action.NO_CHANGE


def test_a_stopped_service_is_started_again_with_its_starting_count() -> None:
    # `scale 0` (ecs-cli's `service stop`), then `up`: as `docker compose up` after `stop`.
    desired = desired_state(desired_count_explicit={"web": False})
    deployed = aws_deployed()
    deployed.services["web"]["desiredCount"] = 0

    service = resource(plan_for(desired, deployed), ResourceKind.SERVICE, "web")

    assert service.changes == (FieldChange("desiredCount", "changed", 0, 2),)
    [update] = [op for op in service.operations if op.call == "update_service"]
    assert update.args[0]["desiredCount"] == 2


def test_an_explicit_desired_count_that_differs_updates_the_service() -> None:
    deployed = aws_deployed()
    deployed.services["web"]["desiredCount"] = 5

    service = resource(plan_for(desired_state(), deployed), ResourceKind.SERVICE, "web")

    assert service.action is Action.UPDATE
    assert service.changes == (FieldChange("desiredCount", "changed", 5, 2),)


def test_a_scheduling_strategy_change_replaces_the_service() -> None:
    desired = desired_state(services=[desired_service(schedulingStrategy="DAEMON")])

    service = resource(plan_for(desired, aws_deployed()), ResourceKind.SERVICE, "web")

    assert service.action is Action.REPLACE
    assert "schedulingStrategy" in service.reason
    assert change(service, "schedulingStrategy") == FieldChange(
        "schedulingStrategy", "changed", "REPLICA", "DAEMON"
    )


def test_switching_fargate_to_a_fargate_spot_strategy_is_an_update() -> None:
    strategy = [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
    service_request = desired_service(capacityProviderStrategy=strategy)
    del service_request["launchType"]

    service = resource(
        plan_for(desired_state(services=[service_request]), aws_deployed()), ResourceKind.SERVICE, "web"
    )

    assert service.action is Action.UPDATE
    assert change(service, "launchType").kind == "removed"
    assert change(service, "capacityProviderStrategy[FARGATE_SPOT].weight").after == 1


def test_a_service_on_the_ec2_launch_type_is_replaced_to_run_on_fargate() -> None:
    deployed = aws_deployed()
    deployed.services["web"]["launchType"] = "EC2"

    service = resource(plan_for(desired_state(), deployed), ResourceKind.SERVICE, "web")

    assert service.action is Action.REPLACE
    assert "launchType" in service.reason


def test_a_service_running_an_older_revision_moves_to_the_latest_when_it_matches() -> None:
    deployed = deployed_state(aws_task_definition(revision=3), aws_service(revision=2))

    plan = plan_for(desired_state(), deployed)

    assert resource(plan, ResourceKind.TASK_DEFINITION, "shop-web").action is Action.NO_CHANGE
    service = resource(plan, ResourceKind.SERVICE, "web")
    assert service.action is Action.UPDATE
    assert service.changes == (FieldChange("taskDefinition", "changed", "shop-web:2", "shop-web:3"),)


@pytest.mark.parametrize("status", ["INACTIVE", "DRAINING"])
def test_a_service_that_is_gone_or_going_is_created(status: str) -> None:
    deployed = aws_deployed()
    deployed.services["web"]["status"] = status

    assert resource(plan_for(desired_state(), deployed), ResourceKind.SERVICE, "web").action is Action.CREATE


def test_a_service_without_a_desired_network_ignores_the_deployed_one() -> None:
    service_request = desired_service()
    del service_request["networkConfiguration"]
    desired = desired_state(services=[service_request], ingress=[PortRule(80, "tcp")])
    deployed = aws_deployed()
    deployed.security_group = {
        "GroupName": "shop",
        "IpPermissions": [
            {
                "IpProtocol": "tcp",
                "FromPort": 80,
                "ToPort": 80,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
            }
        ],
    }

    plan = plan_for(desired, deployed)

    assert plan.in_sync, plan.resources


def test_a_deployment_setting_change_updates_the_service_with_its_path() -> None:
    desired = desired_state(services=[desired_service(deploymentConfiguration={"maximumPercent": 150})])

    service = resource(plan_for(desired, aws_deployed()), ResourceKind.SERVICE, "web")

    assert service.action is Action.UPDATE
    assert service.changes == (FieldChange("deploymentConfiguration.maximumPercent", "changed", 200, 150),)


def test_service_connect_namespace_is_compared_by_name_not_arn() -> None:
    connect = {"enabled": True, "namespace": "shop", "services": [{"portName": "http"}]}
    desired = desired_state(services=[desired_service(serviceConnectConfiguration=connect)], namespace="shop")
    deployed = aws_deployed()
    deployed.namespace = {"Id": "ns-abc123", "Arn": NAMESPACE_ARN, "Name": "shop", "Type": "HTTP"}
    # AWS returns Service Connect settings on the PRIMARY deployment, with the namespace ARN.
    deployed.services["web"]["deployments"][0]["serviceConnectConfiguration"] = {
        **connect,
        "namespace": NAMESPACE_ARN,
    }

    plan = plan_for(desired, deployed)

    assert resource(plan, ResourceKind.NAMESPACE, "shop").action is Action.NO_CHANGE
    assert plan.in_sync, plan.resources


# ---------------------------------------------------------------------------------------------
# Roles, log groups, security group.


def test_a_trust_policy_that_differs_updates_the_role() -> None:
    trust = copy.deepcopy(TRUST)
    trust["Statement"][0]["Principal"]["Service"] = ["ecs-tasks.amazonaws.com", "ecs.amazonaws.com"]
    desired = desired_state()
    desired.roles[0] = RoleSpec("ecsTaskExecutionRole", "/", trust, (EXEC_POLICY,), {})

    role = resource(plan_for(desired, aws_deployed()), ResourceKind.ROLE, "ecsTaskExecutionRole")

    assert role.action is Action.UPDATE
    assert role.reason == "trust policy"
    assert [c.path for c in role.changes] == ["assumeRolePolicyDocument.Statement"]


def test_managed_and_inline_policies_are_compared_as_sets_and_by_name() -> None:
    inline = {
        "read-secrets": {"Statement": [{"Effect": "Allow", "Action": "ssm:GetParameters", "Resource": "*"}]}
    }
    desired = desired_state()
    desired.roles[0] = RoleSpec(
        "ecsTaskExecutionRole", "/", TRUST, (EXEC_POLICY, "arn:aws:iam::aws:policy/X"), inline
    )

    role = resource(plan_for(desired, aws_deployed()), ResourceKind.ROLE, "ecsTaskExecutionRole")

    assert role.action is Action.UPDATE
    assert change(role, "managedPolicyArns") == FieldChange(
        "managedPolicyArns", "added", None, "arn:aws:iam::aws:policy/X"
    )
    assert change(role, "inlinePolicies[read-secrets].Statement").kind == "added"
    assert change(role, "inlinePolicies[read-secrets].Version").after == "2008-10-17"


def test_a_log_retention_change_updates_the_log_group() -> None:
    desired = desired_state(log_groups=[LogGroupSpec("/ecs/shop", REGION, retention_days=7)])

    group = resource(plan_for(desired, aws_deployed()), ResourceKind.LOG_GROUP, "/ecs/shop")

    assert group.action is Action.UPDATE
    assert group.changes == (FieldChange("retentionInDays", "changed", 30, 7),)


def test_a_log_group_in_another_region_is_created_and_named_with_its_region() -> None:
    desired = desired_state(log_groups=[LogGroupSpec("/ecs/shop", "us-east-1", retention_days=30)])

    group = resource(plan_for(desired, aws_deployed()), ResourceKind.LOG_GROUP, "/ecs/shop (us-east-1)")
    assert group.action is Action.CREATE


def test_groups_of_one_name_in_two_regions_are_two_resources() -> None:
    desired = desired_state(
        log_groups=[
            LogGroupSpec("/ecs/shop", REGION, retention_days=30),
            LogGroupSpec("/ecs/shop", "us-east-1", retention_days=30),
        ]
    )
    plan = plan_for(desired, aws_deployed())

    assert resource(plan, ResourceKind.LOG_GROUP, "/ecs/shop").action is Action.NO_CHANGE
    assert resource(plan, ResourceKind.LOG_GROUP, "/ecs/shop (us-east-1)").action is Action.CREATE


def test_security_group_rules_are_compared_as_a_set() -> None:
    service_request = desired_service()
    del service_request["networkConfiguration"]
    desired = desired_state(
        services=[service_request],
        ingress=[PortRule(443, "tcp"), PortRule(8000, "udp", 8010), PortRule(6379, "tcp", source="self")],
    )
    deployed = aws_deployed()
    deployed.security_group = {
        "GroupName": "shop",
        "GroupId": "sg-shop",
        "IpPermissions": [
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
            {
                "IpProtocol": "17",
                "FromPort": 8000,
                "ToPort": 8010,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
            },
            # The project's tasks reaching each other (Service Connect): the `self` rule.
            {
                "IpProtocol": "tcp",
                "FromPort": 6379,
                "ToPort": 6379,
                "UserIdGroupPairs": [{"GroupId": "sg-shop"}],
            },
        ],
    }

    group = resource(plan_for(desired, deployed), ResourceKind.SECURITY_GROUP, "shop.shop")

    assert group.action is Action.UPDATE
    assert group.changes == (
        FieldChange("ingress", "removed", "tcp 80 from 0.0.0.0/0", None),
        FieldChange("ingress", "added", None, "tcp 443 from 0.0.0.0/0"),
        FieldChange("ingress", "added", None, "tcp 443 from ::/0"),
    )


def test_no_security_group_is_planned_when_services_bring_their_own_network() -> None:
    plan = plan_for(desired_state(), DeployedState())

    assert ResourceKind.SECURITY_GROUP not in {r.kind for r in plan.resources}


# ---------------------------------------------------------------------------------------------
# diff.py on its own.


def test_diff_fields_names_keyed_items_and_treats_other_lists_as_one_value() -> None:
    before = {"tags": {"a": "1"}, "placementStrategy": [{"type": "spread"}], "mode": "x"}
    after = {"tags": {"a": "2", "b": ""}, "placementStrategy": [{"type": "binpack"}]}

    assert diff_fields(before, after) == [
        FieldChange("mode", "removed", "x", None),
        FieldChange("placementStrategy", "changed", [{"type": "spread"}], [{"type": "binpack"}]),
        FieldChange("tags[a]", "changed", "1", "2"),
        FieldChange("tags[b]", "added", None, ""),
    ]


def test_diff_fields_of_equal_dicts_is_empty() -> None:
    assert diff_fields({"a": [1, {"b": 2}]}, {"a": [1, {"b": 2}]}) == []


def test_a_list_with_repeated_keys_is_compared_as_one_value() -> None:
    before = {"environment": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]}
    after = {"environment": [{"name": "A", "value": "1"}]}

    assert diff_fields(before, after) == [
        FieldChange("environment", "changed", before["environment"], after["environment"])
    ]


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("DB_PASSWORD", True),
        ("api_key", True),
        ("GITHUB_TOKEN", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("SENTRY_DSN", True),
        ("DB_HOST", False),
        ("PORT", False),
        ("LOG_LEVEL", False),
    ],
)
def test_looks_secret_by_variable_name(name: str, secret: bool) -> None:
    assert looks_secret(name) is secret


def test_a_url_with_a_password_is_sensitive_whatever_its_name() -> None:
    [changed] = diff_fields(
        {"environment": [{"name": "DB_URL", "value": "postgres://app:old@db/app"}]},
        {"environment": [{"name": "DB_URL", "value": "postgres://app:new@db/app"}]},
    )

    assert changed.sensitive


def test_set_changes_lists_removed_then_added_members() -> None:
    assert set_changes("ingress", {"a", "b"}, {"b", "c"}) == [
        FieldChange("ingress", "removed", "a", None),
        FieldChange("ingress", "added", None, "c"),
    ]


def test_an_old_format_service_arn_is_not_compared_by_tags_it_cannot_carry() -> None:
    """A service ecs-cli made before ECS's long ARN format: TagResource refuses it, so no tag diff."""
    deployed = aws_deployed()
    deployed.services["web"]["serviceArn"] = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/web"
    deployed.services["web"]["tags"] = []

    plan = plan_for(desired_state(), deployed)

    assert resource(plan, ResourceKind.SERVICE, "web").action is Action.NO_CHANGE
    deployed.services["web"]["serviceArn"] = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{CLUSTER}/web"
    assert resource(plan_for(desired_state(), deployed), ResourceKind.SERVICE, "web").action is Action.UPDATE
