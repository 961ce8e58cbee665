"""normalize.py: each rule makes AWS's echo of a request equal to the request, and nothing more."""

from __future__ import annotations

from typing import Any

import pytest

from compose2ecs.model import PortRule, tags_dict
from compose2ecs.plan.normalize import (
    clean,
    cpu_units,
    deployed_grants,
    desired_grants,
    grant_text,
    memory_mib,
    normalize_policy,
    normalize_service,
    normalize_task_definition,
    role_name,
    service_request_from_describe,
)


def task_definition(*containers: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"family": "f", "networkMode": "awsvpc", "containerDefinitions": list(containers), **fields}


def only_container(definition: dict[str, Any]) -> dict[str, Any]:
    [container] = normalize_task_definition(definition)["containerDefinitions"]
    assert isinstance(container, dict)
    return container


# ---------------------------------------------------------------------------------------------
# Units, names, tags, empties.


@pytest.mark.parametrize(
    ("given", "expected"),
    [("1 vCPU", "1024"), ("0.25 vcpu", "256"), ("2vCPU", "2048"), ("512", "512"), (1024, "1024"), ("x", "x")],
)
def test_cpu_is_compared_in_cpu_units(given: Any, expected: str) -> None:
    assert cpu_units(given) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("0.5GB", "512"),
        ("4GB", "4096"),
        ("2 gb", "2048"),
        ("512 MiB", "512"),
        ("1024", "1024"),
        (2048, "2048"),
    ],
)
def test_memory_is_compared_in_mib(given: Any, expected: str) -> None:
    assert memory_mib(given) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("arn:aws:iam::123456789012:role/ecsTaskExecutionRole", "ecsTaskExecutionRole"),
        ("arn:aws:iam::123456789012:role/service-role/app", "app"),
        ("ecsTaskExecutionRole", "ecsTaskExecutionRole"),
    ],
)
def test_roles_are_compared_by_name(given: str, expected: str) -> None:
    assert role_name(given) == expected


def test_tags_in_any_aws_shape_become_one_dict() -> None:
    assert tags_dict([{"key": "a", "value": "1"}]) == {"a": "1"}
    assert tags_dict([{"Key": "a", "Value": ""}]) == {"a": ""}
    assert tags_dict({"a": "1"}) == {"a": "1"}
    assert tags_dict(None) == {}


def test_clean_drops_empty_values_but_keeps_empty_strings_in_user_maps() -> None:
    given: dict[str, Any] = {
        "a": None,
        "b": [],
        "c": {},
        "d": "",
        "e": 0,
        "f": False,
        "dockerLabels": {"x": ""},
        "g": [{"h": []}],
    }

    assert clean(given) == {"e": 0, "f": False, "dockerLabels": {"x": ""}}


# ---------------------------------------------------------------------------------------------
# Task definitions.


def test_read_only_fields_are_dropped() -> None:
    described = task_definition(
        {"name": "web", "image": "nginx"},
        taskDefinitionArn="arn:aws:ecs:eu-west-1:1:task-definition/f:3",
        revision=3,
        status="ACTIVE",
        requiresAttributes=[{"name": "x"}],
        compatibilities=["EC2", "FARGATE"],
        registeredAt="2025-01-01",
        registeredBy="me",
        somethingAwsAddsLater=True,
    )

    assert normalize_task_definition(described) == normalize_task_definition(
        task_definition({"name": "web", "image": "nginx"})
    )


def test_container_defaults_aws_fills_in_are_filled_on_both_sides() -> None:
    container = only_container(task_definition({"name": "web", "image": "nginx"}))

    assert container["essential"] is True
    assert container["cpu"] == 0
    assert container["versionConsistency"] == "enabled"


def test_an_explicit_non_essential_container_stays_non_essential() -> None:
    assert (
        only_container(task_definition({"name": "w", "image": "i", "essential": False}))["essential"] is False
    )


def test_awsvpc_port_mappings_get_tcp_and_the_host_port_ecs_assigns() -> None:
    container = only_container(
        task_definition({"name": "w", "image": "i", "portMappings": [{"containerPort": 80}]})
    )

    assert container["portMappings"] == [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}]


def test_bridge_host_port_zero_means_dynamic_like_an_absent_one() -> None:
    definition = task_definition(
        {"name": "w", "image": "i", "portMappings": [{"containerPort": 80, "hostPort": 0}]},
        networkMode="bridge",
    )

    assert only_container(definition)["portMappings"] == [{"containerPort": 80, "protocol": "tcp"}]


def test_port_mappings_sort_numerically() -> None:
    ports = [{"containerPort": 8080}, {"containerPort": 443}, {"containerPort": 80, "protocol": "udp"}]

    container = only_container(task_definition({"name": "w", "image": "i", "portMappings": ports}))

    assert [p["containerPort"] for p in container["portMappings"]] == [80, 443, 8080]


def test_health_check_defaults_and_a_zero_start_period_match_aws() -> None:
    check = {"command": ["CMD", "true"], "startPeriod": 0}

    container = only_container(task_definition({"name": "w", "image": "i", "healthCheck": check}))

    assert container["healthCheck"] == {
        "command": ["CMD", "true"],
        "interval": 30,
        "timeout": 5,
        "retries": 3,
    }


def test_set_like_lists_are_sorted_but_command_keeps_its_order() -> None:
    container = only_container(
        task_definition(
            {
                "name": "w",
                "image": "i",
                "command": ["z", "a"],
                "environment": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}],
                "secrets": [{"name": "Y", "valueFrom": "arn:y"}, {"name": "X", "valueFrom": "arn:x"}],
            }
        )
    )

    assert container["command"] == ["z", "a"]
    assert [e["name"] for e in container["environment"]] == ["A", "B"]
    assert [s["name"] for s in container["secrets"]] == ["X", "Y"]


def test_environment_entries_without_a_value_are_dropped_as_ecs_drops_them() -> None:
    environment = [{"name": "EMPTY", "value": ""}, {"name": "NONE"}, {"name": "SET", "value": "1"}]

    container = only_container(task_definition({"name": "w", "image": "i", "environment": environment}))

    assert container["environment"] == [{"name": "SET", "value": "1"}]


def test_mount_points_default_to_read_write() -> None:
    mounts = [{"sourceVolume": "data", "containerPath": "/data"}]

    container = only_container(task_definition({"name": "w", "image": "i", "mountPoints": mounts}))

    assert container["mountPoints"] == [{"sourceVolume": "data", "containerPath": "/data", "readOnly": False}]


def test_task_level_units_roles_and_tags_are_canonical() -> None:
    definition = task_definition(
        {"name": "w", "image": "i"},
        cpu="1 vCPU",
        memory="2GB",
        executionRoleArn="arn:aws:iam::1:role/ecsTaskExecutionRole",
        requiresCompatibilities=["FARGATE", "EC2"],
        tags=[{"key": "team", "value": "web"}],
    )

    out = normalize_task_definition(definition, {"compose2ecs:project": "shop", "team": "ignored"})

    assert out["cpu"] == "1024"
    assert out["memory"] == "2048"
    assert out["executionRoleArn"] == "ecsTaskExecutionRole"
    assert out["requiresCompatibilities"] == ["EC2", "FARGATE"]
    # The request's own tags win over the project-wide ones.
    assert out["tags"] == {"compose2ecs:project": "shop", "team": "web"}


def test_an_omitted_network_mode_is_bridge_as_aws_reads_it() -> None:
    definition = {"family": "f", "containerDefinitions": [{"name": "w", "image": "i"}]}

    assert normalize_task_definition(definition)["networkMode"] == "bridge"


def test_volume_echo_noise_is_removed() -> None:
    described = task_definition(
        {"name": "w", "image": "i"},
        volumes=[
            {"name": "b", "host": {}, "configuredAtLaunch": False},
            {"name": "a", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}},
        ],
        ephemeralStorage={"sizeInGiB": 20},
    )

    out = normalize_task_definition(described)

    assert out["volumes"] == [
        {
            "name": "a",
            "efsVolumeConfiguration": {
                "fileSystemId": "fs-1",
                "rootDirectory": "/",
                "transitEncryption": "DISABLED",
            },
        },
        {"name": "b"},
    ]
    assert "ephemeralStorage" not in out


# ---------------------------------------------------------------------------------------------
# Services.


def test_service_defaults_match_what_aws_returns_for_an_omitted_field() -> None:
    out = normalize_service({"serviceName": "web", "taskDefinition": "f", "desiredCount": 1})

    assert out["launchType"] == "FARGATE"
    assert out["platformVersion"] == "LATEST"
    assert out["schedulingStrategy"] == "REPLICA"
    assert out["deploymentController"] == {"type": "ECS"}
    assert out["propagateTags"] == "NONE"
    assert out["enableExecuteCommand"] is False
    assert out["deploymentConfiguration"]["maximumPercent"] == 200
    assert out["deploymentConfiguration"]["minimumHealthyPercent"] == 100
    assert out["deploymentConfiguration"]["deploymentCircuitBreaker"]["enable"] is False
    assert "serviceName" not in out
    assert "taskDefinition" not in out


def test_daemon_services_default_to_100_and_0_percent() -> None:
    out = normalize_service({"serviceName": "web", "schedulingStrategy": "DAEMON"})

    assert out["deploymentConfiguration"]["maximumPercent"] == 100
    assert out["deploymentConfiguration"]["minimumHealthyPercent"] == 0


def test_a_capacity_provider_strategy_replaces_the_default_launch_type() -> None:
    out = normalize_service({"capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT"}]})

    assert "launchType" not in out
    assert out["capacityProviderStrategy"] == [{"capacityProvider": "FARGATE_SPOT", "base": 0, "weight": 0}]


def test_network_sets_are_sorted_and_public_ip_defaults_to_disabled() -> None:
    request = {
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["s-2", "s-1"], "securityGroups": ["g"]}}
    }

    assert normalize_service(request)["networkConfiguration"] == {
        "awsvpcConfiguration": {
            "subnets": ["s-1", "s-2"],
            "securityGroups": ["g"],
            "assignPublicIp": "DISABLED",
        }
    }


def test_a_disabled_alarm_block_is_the_same_as_none() -> None:
    request = {"deploymentConfiguration": {"alarms": {"alarmNames": [], "enable": False, "rollback": False}}}

    assert "alarms" not in normalize_service(request)["deploymentConfiguration"]


def test_describe_projection_reads_role_and_service_connect_as_they_were_sent() -> None:
    entry = {
        "serviceName": "web",
        "status": "ACTIVE",
        "runningCount": 1,
        "roleArn": "arn:aws:iam::1:role/r",
        "deployments": [
            {"status": "ACTIVE", "serviceConnectConfiguration": {"enabled": False}},
            {"status": "PRIMARY", "serviceConnectConfiguration": {"enabled": True, "namespace": "arn:ns"}},
        ],
        "tags": [{"key": "a", "value": "1"}],
    }

    request = service_request_from_describe(entry, {"arn:ns": "shop"})

    assert request == {
        "role": "arn:aws:iam::1:role/r",
        "serviceConnectConfiguration": {"enabled": True, "namespace": "shop"},
        "tags": [{"key": "a", "value": "1"}],
    }


# ---------------------------------------------------------------------------------------------
# Policies and security group rules.


def test_equivalent_trust_policies_normalise_equal() -> None:
    as_sent = {
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
    as_read = {
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Allow",
            "Principal": {"Service": ["ecs-tasks.amazonaws.com"]},
            "Action": ["sts:AssumeRole"],
        },
    }

    assert normalize_policy(as_sent) == normalize_policy(as_read)


def test_statement_order_does_not_matter_but_content_does() -> None:
    first = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    second = {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}

    assert normalize_policy({"Statement": [first, second]}) == normalize_policy(
        {"Statement": [second, first]}
    )
    assert normalize_policy({"Statement": [first]}) != normalize_policy({"Statement": [second]})


def test_a_policy_without_version_reads_as_the_2008_language() -> None:
    assert normalize_policy({"Statement": []})["Version"] == "2008-10-17"


def test_ingress_rules_read_the_same_from_ports_and_from_ec2() -> None:
    world = {"IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}
    permissions = [
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, **world},
        {"IpProtocol": "17", "FromPort": 8000, "ToPort": 8010, **world},
    ]

    # Protocol numbers read back as names, so plan and apply see the same grants.
    assert deployed_grants(permissions) == desired_grants(
        [PortRule(80, "tcp"), PortRule(8000, "udp", 8010)], "sg-1"
    )
    assert {grant_text(g, "sg-1") for g in desired_grants([PortRule(8000, "udp", 8010)], "sg-1")} == {
        "udp 8000-8010 from 0.0.0.0/0",
        "udp 8000-8010 from ::/0",
    }
    self_rule = desired_grants([PortRule(6379, "tcp", source="self")], "sg-1")
    assert {grant_text(g, "sg-1") for g in self_rule} == {"tcp 6379 from self"}


def test_ingress_from_other_groups_and_all_traffic_is_named() -> None:
    permissions = [{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-1"}], "IpRanges": []}]

    assert {grant_text(g, "sg-2") for g in deployed_grants(permissions)} == {"all from sg-1"}
