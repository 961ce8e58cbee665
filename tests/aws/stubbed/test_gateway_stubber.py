"""Exact call sequences and error mapping, with botocore's Stubber (requests validated against the API model).

Stubbed responses are consumed in order per client, so `read_state` runs with `max_workers=1` here:
its tasks then run in submission order.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any, cast

import pytest
from botocore.awsrequest import AWSResponse
from botocore.stub import ANY, Stubber

from compose2ecs.aws import BotoGateway, Clients
from compose2ecs.aws.session import client_config
from compose2ecs.errors import AwsError
from compose2ecs.model import DesiredState, Owner, RoleSpec, ecs_tags
from compose2ecs.resources.gateway import LogEvent
from tests.aws.desired import NOWHERE, TRUST, Project, offline_session

if TYPE_CHECKING:
    from collections.abc import Iterator


CLUSTER = "stub-cluster"
ACCOUNT = "123456789012"
WEB_2 = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/web:2"
NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}  # services naming a network: no SG lookup


def service_entry(name: str, status: str = "ACTIVE", task_definition: str = "") -> dict[str, Any]:
    return {
        "serviceName": name,
        "serviceArn": f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/{CLUSTER}/{name}",
        "status": status,
        "taskDefinition": task_definition or WEB_2,
        "desiredCount": 1,
        "runningCount": 1,
    }


def desired_with_services(names: list[str], *, roles: list[RoleSpec] | None = None) -> DesiredState:
    return DesiredState(
        project="stub",
        layout="service",
        region="us-east-1",
        services=[{"serviceName": n, "taskDefinition": n, "networkConfiguration": NETWORK} for n in names],
        roles=roles or [],
    )


def expect_subnets(ec2: Stubber) -> None:
    """The preflight's one read of the subnets ecs-params names."""
    subnets = NETWORK["awsvpcConfiguration"]["subnets"]
    ec2.add_response(
        "describe_subnets",
        {"Subnets": [{"SubnetId": s, "VpcId": "vpc-1"} for s in subnets]},
        {"Filters": [{"Name": "subnet-id", "Values": sorted(subnets)}]},
    )


def expect_tagged(tagging: Stubber, desired: DesiredState, arns: list[str] | None = None) -> None:
    """The one tagging API read of the deployment's own services, revisions, load balancers, target groups."""
    tagging.add_response(
        "get_resources",
        {"ResourceTagMappingList": [{"ResourceARN": arn} for arn in arns or []]},
        {
            "TagFilters": [{"Key": k, "Values": [v]} for k, v in desired.owner.tags().items()],
            "ResourceTypeFilters": [
                "ecs:service",
                "ecs:task-definition",
                "elasticloadbalancing:loadbalancer",
                "elasticloadbalancing:targetgroup",
                "ec2:security-group",
                "servicediscovery:service",
                "servicediscovery:namespace",
            ],
        },
    )


def expect_no_cluster(ecs: Stubber) -> None:
    ecs.add_response(
        "describe_clusters",
        {"clusters": [], "failures": [{"arn": CLUSTER, "reason": "MISSING"}]},
        {"clusters": [CLUSTER], "include": ["TAGS"]},
    )


def expect_latest_web(ecs: Stubber) -> None:
    ecs.add_response(
        "describe_task_definition",
        {"taskDefinition": {"family": "web", "revision": 2, "taskDefinitionArn": WEB_2}},
        {"taskDefinition": "web", "include": ["TAGS"]},
    )


def test_read_state_describes_services_in_batches_of_ten(
    gateway: BotoGateway, ecs: Stubber, ec2: Stubber, tagging: Stubber
) -> None:
    expect_subnets(ec2)
    names = [f"svc{i:02d}" for i in range(12)]
    expect_tagged(tagging, desired_with_services(names))
    expect_no_cluster(ecs)
    ecs.add_response(
        "describe_services",
        {"services": [service_entry(n) for n in names[:10]], "failures": []},
        {"cluster": CLUSTER, "services": names[:10], "include": ["TAGS"]},
    )
    ecs.add_response(
        "describe_services",
        {"services": [service_entry("svc10"), service_entry("svc11", status="INACTIVE")], "failures": []},
        {"cluster": CLUSTER, "services": names[10:], "include": ["TAGS"]},
    )

    expect_latest_web(ecs)
    desired = desired_with_services(names)
    desired.task_definitions = [{"family": "web", "containerDefinitions": []}]

    state = gateway.read_state(desired, CLUSTER)

    assert sorted(state.services) == names[:11]  # the INACTIVE one is gone
    assert gateway.calls == {
        "ecs:DescribeClusters": 1,
        "ecs:DescribeServices": 2,
        "ecs:DescribeTaskDefinition": 1,
        "ec2:DescribeSubnets": 1,
        "tagging:GetResources": 1,
        "application-autoscaling:DescribeScalableTargets": 1,  # 12 services: up to 50 per call
    }


def test_read_state_reads_only_the_latest_revision_even_when_a_service_runs_an_older_one(
    gateway: BotoGateway, ecs: Stubber, ec2: Stubber, tagging: Stubber
) -> None:
    expect_subnets(ec2)
    old_arn = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/web:1"
    desired = desired_with_services(["web", "api"])
    expect_tagged(tagging, desired, [old_arn.replace(":1", ":2")])
    desired.task_definitions = [{"family": "web", "containerDefinitions": []}]
    expect_no_cluster(ecs)
    ecs.add_response(
        "describe_services",
        {
            "services": [
                service_entry("web", task_definition=old_arn),
                service_entry("api", task_definition=old_arn),
            ]
        },
        {"cluster": CLUSTER, "services": ["web", "api"], "include": ["TAGS"]},
    )
    latest = {"family": "web", "revision": 2, "taskDefinitionArn": old_arn.replace(":1", ":2")}
    tags = [*ecs_tags(desired.owner.tags()), {"key": "k", "value": "v"}]
    ecs.add_response(
        "describe_task_definition",
        {"taskDefinition": latest, "tags": tags},
        {"taskDefinition": "web", "include": ["TAGS"]},
    )

    state = gateway.read_state(desired, CLUSTER)

    assert state.task_definitions["web"] == {**latest, "tags": tags}
    # The plan compares the service's revision with the latest by name; no more reads are needed
    # (a further call would find no stubbed answer and fail).
    assert state.services["web"]["taskDefinition"] == old_arn


def test_a_family_without_an_active_revision_is_absent(
    gateway: BotoGateway, ecs: Stubber, tagging: Stubber
) -> None:
    desired = desired_with_services([])
    expect_tagged(tagging, desired)
    desired.task_definitions = [{"family": "web", "containerDefinitions": []}]
    expect_no_cluster(ecs)
    ecs.add_client_error(
        "describe_task_definition", "ClientException", "Unable to describe task definition.", 400
    )

    assert gateway.read_state(desired, CLUSTER).task_definitions == {}


def test_a_missing_role_is_absent(
    gateway: BotoGateway, ecs: Stubber, iam: Stubber, ec2: Stubber, tagging: Stubber
) -> None:
    role = RoleSpec("stub-exec", "/", TRUST, (), {})
    expect_tagged(tagging, desired_with_services([]))
    expect_no_cluster(ecs)
    for operation in ("get_role", "list_attached_role_policies", "list_role_policies"):
        iam.add_client_error(operation, "NoSuchEntity", "The role with name stub-exec cannot be found.", 404)

    state = gateway.read_state(desired_with_services([], roles=[role]), CLUSTER)

    assert state.roles == {}


def test_a_url_encoded_trust_policy_is_decoded(
    gateway: BotoGateway, ecs: Stubber, iam: Stubber, ec2: Stubber, tagging: Stubber
) -> None:
    role = RoleSpec("stub-exec", "/", TRUST, (), {})
    expect_tagged(tagging, desired_with_services([]))
    expect_no_cluster(ecs)
    encoded = "%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22%3A%20%5B%5D%7D"
    iam.add_response(
        "get_role",
        {
            "Role": {
                "Path": "/",
                "RoleName": "stub-exec",
                "RoleId": "AROAEXAMPLEEXAMPLE1",
                "Arn": f"arn:aws:iam::{ACCOUNT}:role/stub-exec",
                "CreateDate": "2024-01-01T00:00:00Z",
                "AssumeRolePolicyDocument": encoded,
            }
        },
        {"RoleName": "stub-exec"},
    )
    iam.add_response("list_attached_role_policies", {"AttachedPolicies": []}, {"RoleName": "stub-exec"})
    iam.add_response("list_role_policies", {"PolicyNames": []}, {"RoleName": "stub-exec"})

    state = gateway.read_state(desired_with_services([], roles=[role]), CLUSTER)

    assert state.roles["stub-exec"].role["AssumeRolePolicyDocument"] == {
        "Version": "2012-10-17",
        "Statement": [],
    }
    assert state.roles["stub-exec"].role["Tags"] == []


def test_a_family_whose_latest_is_another_clusters_is_compared_with_this_deployments_own_latest(
    gateway: BotoGateway, ecs: Stubber, ec2: Stubber, tagging: Stubber
) -> None:
    """Second round: this deployment's own latest revision, and its orphan services, described."""
    expect_subnets(ec2)
    desired = desired_with_services(["web"])
    desired.task_definitions = [{"family": "web", "containerDefinitions": []}]
    web_1, web_3 = WEB_2.replace(":2", ":1"), WEB_2.replace(":2", ":3")
    orphan_arn = f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/{CLUSTER}/old"
    elsewhere = f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/other-cluster/gone"
    expect_tagged(tagging, desired, [web_1, WEB_2, orphan_arn, elsewhere])
    expect_no_cluster(ecs)
    ecs.add_response(
        "describe_services",
        {"services": [service_entry("web")], "failures": []},
        {"cluster": CLUSTER, "services": ["web"], "include": ["TAGS"]},
    )
    staging = ecs_tags(Owner("stub", "staging", "us-east-1").tags())
    ecs.add_response(
        "describe_task_definition",
        {"taskDefinition": {"family": "web", "revision": 3, "taskDefinitionArn": web_3}, "tags": staging},
        {"taskDefinition": "web", "include": ["TAGS"]},
    )
    own = ecs_tags(desired.owner.tags())
    ecs.add_response(
        "describe_task_definition",
        {"taskDefinition": {"family": "web", "revision": 2, "taskDefinitionArn": WEB_2}, "tags": own},
        {"taskDefinition": WEB_2, "include": ["TAGS"]},
    )
    ecs.add_response(
        "describe_services",
        {"services": [service_entry("old")], "failures": []},
        {"cluster": CLUSTER, "services": ["old"], "include": ["TAGS"]},
    )

    state = gateway.read_state(desired, CLUSTER)

    assert state.task_definitions["web"]["revision"] == 2
    assert state.foreign_latest["web"]["revision"] == 3
    assert list(state.orphans) == ["old"]
    assert state.tagged.services == {"old": orphan_arn}  # only this cluster's


def test_access_denied_names_the_iam_action_in_the_hint(gateway: BotoGateway, ecs_once: Stubber) -> None:
    request = Project("stub").task_definition()
    ecs_once.add_client_error(
        "register_task_definition",
        "AccessDeniedException",
        "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: ecs:RegisterTaskDefinition",
        400,
        expected_params={**request, "tags": ANY},
    )

    with pytest.raises(AwsError) as caught:
        gateway.register_task_definition(request)

    error = caught.value
    assert (error.operation, error.code, error.resource) == (
        "ecs:RegisterTaskDefinition",
        "AccessDeniedException",
        "stub-web",
    )
    assert "ecs:RegisterTaskDefinition" in error.hint
    assert "IAM permissions compose2ecs needs" in error.hint


def test_a_missing_cluster_is_a_plain_error_and_has_no_tasks(gateway: BotoGateway, ecs: Stubber) -> None:
    ecs.add_client_error("describe_tasks", "ClusterNotFoundException", "Cluster not found.", 400)
    ecs.add_client_error("list_tasks", "ClusterNotFoundException", "Cluster not found.", 400)

    with pytest.raises(AwsError) as caught:
        gateway.describe_tasks(CLUSTER, ["0123abcd"])

    assert (caught.value.code, caught.value.hint) == ("ClusterNotFoundException", "")
    assert gateway.list_task_arns(CLUSTER, "web") == []  # `ps` before the first `up`


class _Body:
    """The raw body botocore reads from an HTTP response."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data

    def read(self, *_: Any, **__: Any) -> bytes:
        return self.data


def test_throttling_that_persists_after_retries_says_so(isolated_env: pytest.MonkeyPatch) -> None:
    # Standard mode: the same retries as adaptive, without its client-side rate limiter's extra wait.
    config = client_config(max_attempts=1, retry_mode="standard")
    clients = Clients(offline_session(), endpoint_url=NOWHERE, config=config)
    gateway = BotoGateway(clients)
    attempts: list[str] = []

    def throttle(request: Any, **_: Any) -> AWSResponse:
        attempts.append(request.url)
        body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
        headers: Any = {"Content-Type": "application/x-amz-json-1.1"}
        return AWSResponse(request.url, 400, headers, _Body(body))

    # Answer before anything is sent, so botocore's real retry logic runs (a Stubber skips it).
    clients.ecs.meta.events.register("before-send.ecs.CreateCluster", cast("Any", throttle))
    started = time.monotonic()

    with pytest.raises(AwsError) as caught:
        gateway.create_cluster(CLUSTER, {})

    assert len(attempts) == 2
    assert time.monotonic() - started < 5
    assert caught.value.code == "ThrottlingException"
    assert "throttling" in caught.value.hint
    assert "after 1 retries" in caught.value.hint


def test_filter_log_events_asks_for_the_stream_prefix(gateway: BotoGateway) -> None:
    logs = gateway.clients.logs("us-east-1")
    with Stubber(logs) as stubber:
        stubber.add_response(
            "filter_log_events",
            {"events": [{"logStreamName": "web/web/t1", "timestamp": 5, "message": "hi"}], "nextToken": "n2"},
            {
                "logGroupName": "/ecs/shop",
                "logStreamNamePrefix": "web/web/",
                "startTime": 1,
                "nextToken": "a",
            },
        )
        events, following = gateway.filter_log_events("/ecs/shop", "us-east-1", "web/web/", 1, "a")
    assert events == [LogEvent("web/web/t1", 5, "hi")]
    assert following == "n2"


def test_execute_command_asks_for_an_interactive_session_and_returns_it(
    gateway: BotoGateway, ecs: Stubber
) -> None:
    session = {"sessionId": "ecs-execute-command-1", "streamUrl": "wss://ssmmessages", "tokenValue": "t0ken"}
    ecs.add_response(
        "execute_command",
        {"session": session, "interactive": True, "containerName": "web"},
        {
            "cluster": CLUSTER,
            "task": "0123abcd",
            "container": "web",
            "command": "ls -l /",
            "interactive": True,
        },
    )

    assert gateway.execute_command(CLUSTER, "0123abcd", "web", "ls -l /") == session


def test_execute_command_without_ecs_exec_is_an_aws_error_naming_the_task(
    gateway: BotoGateway, ecs: Stubber
) -> None:
    ecs.add_client_error(
        "execute_command",
        "InvalidParameterException",
        "The execute command failed because execute command was not enabled when the task was run",
    )

    with pytest.raises(AwsError) as caught:
        gateway.execute_command(CLUSTER, "0123abcd", "web", "/bin/sh")

    assert (caught.value.operation, caught.value.code) == ("ecs:ExecuteCommand", "InvalidParameterException")
    assert "0123abcd" in caught.value.resource


def _expect_tagged_elb(tagging: Stubber, desired: DesiredState, arns: list[str]) -> None:
    owner = [{"Key": k, "Value": v} for k, v in desired.owner.tags().items()]
    tagging.add_response(
        "get_resources",
        {"ResourceTagMappingList": [{"ResourceARN": arn, "Tags": owner} for arn in arns]},
        {
            "TagFilters": [{"Key": k, "Values": [v]} for k, v in desired.owner.tags().items()],
            "ResourceTypeFilters": [
                "ecs:service",
                "ecs:task-definition",
                "elasticloadbalancing:loadbalancer",
                "elasticloadbalancing:targetgroup",
                "ec2:security-group",
                "servicediscovery:service",
                "servicediscovery:namespace",
            ],
        },
    )


ELB = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}"
LB_ARN = f"{ELB}:loadbalancer/app/stub-1a2b3c-alb/50dc6c495c0c9188"
TG_ARN = f"{ELB}:targetgroup/stub-web-1/73e2d6bc24d8a067"
GONE_ARN = f"{ELB}:targetgroup/stub-web-0/0a0a0a0a0a0a0a0a"


def _with_load_balancer(desired: DesiredState) -> DesiredState:
    from compose2ecs.model import HealthCheck, LoadBalancerSpec, TargetGroupSpec  # noqa: PLC0415

    desired.load_balancers = [LoadBalancerSpec("stub-1a2b3c-alb", "application")]
    desired.target_groups = [
        TargetGroupSpec("stub-web-1", "web", "web", 80, "HTTP", HealthCheck("HTTP", "/"))
    ]
    return desired


def _expect_ecs(ecs: Stubber) -> None:
    expect_no_cluster(ecs)
    ecs.add_response(
        "describe_services",
        {"services": [], "failures": []},
        {"cluster": CLUSTER, "services": ["web"], "include": ["TAGS"]},
    )


def test_the_deployments_load_balancers_are_read_by_name_with_listeners_and_attributes(
    gateway: BotoGateway, ecs: Stubber, ec2: Stubber, tagging: Stubber, elbv2: Stubber
) -> None:
    expect_subnets(ec2)
    desired = _with_load_balancer(desired_with_services(["web"]))
    _expect_tagged_elb(tagging, desired, [LB_ARN, TG_ARN])
    _expect_ecs(ecs)
    balancer = {"LoadBalancerArn": LB_ARN, "LoadBalancerName": "stub-1a2b3c-alb", "DNSName": "stub.elb"}
    elbv2.add_response(
        "describe_load_balancers", {"LoadBalancers": [balancer]}, {"Names": ["stub-1a2b3c-alb"]}
    )
    group = {"TargetGroupArn": TG_ARN, "TargetGroupName": "stub-web-1", "Port": 80, "Protocol": "HTTP"}
    elbv2.add_response("describe_target_groups", {"TargetGroups": [group]}, {"Names": ["stub-web-1"]})
    listener = {"ListenerArn": f"{ELB}:listener/app/stub-1a2b3c-alb/1/2", "Port": 8080, "Protocol": "HTTP"}
    elbv2.add_response("describe_listeners", {"Listeners": [listener]}, {"LoadBalancerArn": LB_ARN})
    delay = {"Key": "deregistration_delay.timeout_seconds", "Value": "30"}
    elbv2.add_response(
        "describe_target_group_attributes", {"Attributes": [delay]}, {"TargetGroupArn": TG_ARN}
    )

    state = gateway.read_state(desired, CLUSTER)

    assert state.load_balancers["stub-1a2b3c-alb"]["Tags"] == desired.owner.tags()  # from the tagging answer
    assert state.target_groups["stub-web-1"]["Attributes"] == {"deregistration_delay.timeout_seconds": "30"}
    assert [li["Port"] for li in state.listeners["stub-1a2b3c-alb"]] == [8080]
    elb_calls = {k: v for k, v in gateway.calls.items() if k.startswith("elasticloadbalancing:")}
    assert elb_calls == {
        "elasticloadbalancing:DescribeLoadBalancers": 1,
        "elasticloadbalancing:DescribeTargetGroups": 1,
        "elasticloadbalancing:DescribeListeners": 1,
        "elasticloadbalancing:DescribeTargetGroupAttributes": 1,
    }


def test_a_deleted_target_group_still_in_the_tagging_index_is_skipped_and_a_new_balancer_gets_its_tags(
    gateway: BotoGateway, ecs: Stubber, ec2: Stubber, tagging: Stubber, elbv2: Stubber
) -> None:
    # The tagging index lags: it still lists a deleted group, and not yet the load balancer.
    expect_subnets(ec2)
    desired = _with_load_balancer(desired_with_services(["web"]))
    _expect_tagged_elb(tagging, desired, [TG_ARN, GONE_ARN])
    _expect_ecs(ecs)
    balancer = {"LoadBalancerArn": LB_ARN, "LoadBalancerName": "stub-1a2b3c-alb", "DNSName": "stub.elb"}
    elbv2.add_response(
        "describe_load_balancers", {"LoadBalancers": [balancer]}, {"Names": ["stub-1a2b3c-alb"]}
    )
    group = {"TargetGroupArn": TG_ARN, "TargetGroupName": "stub-web-1", "Port": 80, "Protocol": "HTTP"}
    elbv2.add_response("describe_target_groups", {"TargetGroups": [group]}, {"Names": ["stub-web-1"]})
    owner = [{"Key": k, "Value": v} for k, v in desired.owner.tags().items()]
    elbv2.add_response(
        "describe_tags",
        {"TagDescriptions": [{"ResourceArn": LB_ARN, "Tags": owner}]},
        {"ResourceArns": [LB_ARN]},
    )
    elbv2.add_client_error(
        "describe_target_groups",
        "TargetGroupNotFound",
        "One or more target groups not found",
        400,
        expected_params={"TargetGroupArns": [GONE_ARN]},
    )
    elbv2.add_response("describe_listeners", {"Listeners": []}, {"LoadBalancerArn": LB_ARN})
    elbv2.add_response("describe_target_group_attributes", {"Attributes": []}, {"TargetGroupArn": TG_ARN})

    state = gateway.read_state(desired, CLUSTER)

    assert list(state.target_groups) == ["stub-web-1"]
    assert state.load_balancers["stub-1a2b3c-alb"]["Tags"] == desired.owner.tags()


def test_stale_arns_in_a_batch_are_looked_up_one_by_one(gateway: BotoGateway, elbv2: Stubber) -> None:
    other = f"{ELB}:targetgroup/stub-web-2/1b1b1b1b1b1b1b1b"
    elbv2.add_client_error(
        "describe_target_groups",
        "TargetGroupNotFound",
        "not found",
        400,
        expected_params={"TargetGroupArns": [GONE_ARN, other]},
    )
    elbv2.add_client_error(
        "describe_target_groups",
        "TargetGroupNotFound",
        "not found",
        400,
        expected_params={"TargetGroupArns": [GONE_ARN]},
    )
    found = {"TargetGroupArn": other, "TargetGroupName": "stub-web-2"}
    elbv2.add_response("describe_target_groups", {"TargetGroups": [found]}, {"TargetGroupArns": [other]})

    from compose2ecs.aws.state import StateReader  # noqa: PLC0415

    entries = StateReader(gateway.clients, 1).elb_lookup("TargetGroups", "TargetGroupArns", [GONE_ARN, other])

    assert [e["TargetGroupName"] for e in entries] == ["stub-web-2"]


def test_cloud_map_resources_of_the_deployment_are_found_by_their_tags_alone(
    gateway: BotoGateway, ecs: Stubber, ec2: Stubber, tagging: Stubber
) -> None:
    """A removal stopped after the ECS update: nothing registers in them, the tags still say whose.

    moto's tagging API lists no Cloud Map resources, so this is shown here.
    """
    desired = desired_with_services(["web"])
    owner_tags = [{"Key": k, "Value": v} for k, v in desired.owner.tags().items()]
    service_arn = f"arn:aws:servicediscovery:us-east-1:{ACCOUNT}:service/srv-0000000000000001"
    namespace_arn = f"arn:aws:servicediscovery:us-east-1:{ACCOUNT}:namespace/ns-0000000000000001"
    expect_subnets(ec2)
    expect_tagged(tagging, desired, [service_arn, namespace_arn])
    expect_no_cluster(ecs)
    ecs.add_response(
        "describe_services",
        {"services": [service_entry("web")], "failures": []},
        {"cluster": CLUSTER, "services": ["web"], "include": ["TAGS"]},
    )
    with Stubber(gateway.clients.servicediscovery) as sd:
        sd.add_response(
            "get_service",
            {
                "Service": {
                    "Id": "srv-0000000000000001",
                    "Arn": service_arn,
                    "Name": "web",
                    "NamespaceId": "ns-0000000000000001",
                }
            },
            {"Id": "srv-0000000000000001"},
        )
        sd.add_response("list_tags_for_resource", {"Tags": owner_tags}, {"ResourceARN": service_arn})
        sd.add_response(
            "get_namespace",
            {
                "Namespace": {
                    "Id": "ns-0000000000000001",
                    "Arn": namespace_arn,
                    "Name": "corp.local",
                    "Type": "DNS_PRIVATE",
                }
            },
            {"Id": "ns-0000000000000001"},
        )
        sd.add_response("list_tags_for_resource", {"Tags": owner_tags}, {"ResourceARN": namespace_arn})
        sd.add_response(
            "list_services",
            {"Services": [{"Id": "srv-0000000000000001", "Arn": service_arn, "Name": "web"}]},
            {"Filters": [{"Name": "NAMESPACE_ID", "Values": ["ns-0000000000000001"], "Condition": "EQ"}]},
        )

        state = gateway.read_state(desired, CLUSTER)

        sd.assert_no_pending_responses()
    assert list(state.discovery["Services"]) == [service_arn]
    own = state.discovery["OwnNamespaces"]["ns-0000000000000001"]
    assert (own["Name"], own["Others"]) == ("corp.local", 0)


def _time_out_first_call(client: object, operation: str) -> list[str]:
    """The first `operation` call never gets its answer (ECS may have acted on it): a read timeout."""
    from botocore.exceptions import ReadTimeoutError  # noqa: PLC0415

    seen: list[str] = []

    def timeout(**_: object) -> None:
        seen.append(operation)
        if len(seen) == 1:
            raise ReadTimeoutError(endpoint_url="https://ecs.example")

    client.meta.events.register(f"provide-client-params.ecs.{operation}", timeout)  # type: ignore[attr-defined]
    return seen


def test_a_timed_out_registration_that_reached_ecs_is_found_not_registered_twice(
    gateway: BotoGateway, ecs: Stubber, ecs_once: Stubber
) -> None:
    request = Project("stub").task_definition()
    attempts = _time_out_first_call(gateway.clients.ecs_once, "RegisterTaskDefinition")
    # After the timeout the gateway reads the family's latest revision: the one the lost answer was for.
    registered = {
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/stub-web:7",
        "family": "stub-web",
        "revision": 7,
        "containerDefinitions": request["containerDefinitions"],
        "status": "ACTIVE",
    }
    import hashlib  # noqa: PLC0415
    import json  # noqa: PLC0415

    token = hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()[:32]
    ecs.add_response(
        "describe_task_definition",
        {"taskDefinition": registered, "tags": [{"key": "compose2ecs:request", "value": token}]},
        {"taskDefinition": "stub-web", "include": ["TAGS"]},
    )

    result = gateway.register_task_definition(request)

    assert result["revision"] == 7
    assert attempts == ["RegisterTaskDefinition"]  # one attempt: not registered again (the fixture
    # checks that the one read of the family was made)


def test_a_timed_out_registration_that_did_not_reach_ecs_is_made_once_more(
    gateway: BotoGateway, ecs: Stubber, ecs_once: Stubber, monkeypatch: pytest.MonkeyPatch
) -> None:
    from compose2ecs.aws import session  # noqa: PLC0415

    request = Project("stub").task_definition()
    attempts = _time_out_first_call(gateway.clients.ecs_once, "RegisterTaskDefinition")
    heard: list[str] = []
    session.on_retry(heard.append)
    monkeypatch.setattr(gateway, "_sleep", lambda _: None)
    ecs.add_response(
        "describe_task_definition",
        {
            "taskDefinition": {
                "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/stub-web:6",
                "family": "stub-web",
                "revision": 6,
                "status": "ACTIVE",
            },
            "tags": [],
        },
        {"taskDefinition": "stub-web", "include": ["TAGS"]},
    )
    arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/stub-web:7"
    ecs_once.add_response(
        "register_task_definition",
        {"taskDefinition": {"taskDefinitionArn": arn, "family": "stub-web", "revision": 7}},
        {**request, "tags": ANY},
    )
    try:
        result = gateway.register_task_definition(request)
    finally:
        session.on_retry(None)

    assert result["revision"] == 7
    assert attempts == ["RegisterTaskDefinition", "RegisterTaskDefinition"]
    assert heard == ["retrying ecs:RegisterTaskDefinition, attempt 2 of 4: no answer"]


def test_a_kept_secret_in_its_recovery_window_is_restored_not_refused(gateway: BotoGateway) -> None:
    import datetime as dt  # noqa: PLC0415

    name = "compose2ecs/shop/prod/db_password"
    arn = f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{name}-AbCdEf"
    tags = {"compose2ecs:project": "shop", "compose2ecs:cluster": "prod", "compose2ecs:region": "us-east-1"}
    with Stubber(gateway.clients.secretsmanager) as secrets:
        secrets.add_client_error(
            "create_secret",
            "InvalidRequestException",
            "You can't create this secret because a secret with this name is already scheduled for deletion.",
            400,
        )
        secrets.add_response(
            "describe_secret",
            {
                "ARN": arn,
                "Name": name,
                "DeletedDate": dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
                "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
            },
            {"SecretId": name},
        )
        secrets.add_response("restore_secret", {"ARN": arn, "Name": name}, {"SecretId": arn})
        secrets.add_response(
            "put_secret_value", {"ARN": arn, "Name": name}, {"SecretId": arn, "SecretString": "v"}
        )

        assert gateway.create_secret(name, "v", tags) == arn
        secrets.assert_no_pending_responses()
