"""apply_plan against the in-memory gateway: order, idempotency, interrupted runs, replacement, waiting."""

from __future__ import annotations

import pytest

from compose2ecs.apply import ApplyOptions, ApplyResult, apply_plan
from compose2ecs.errors import AwsError, UsageError
from compose2ecs.model import (
    CLUSTER_TAG,
    PROJECT_TAG,
    REGION_TAG,
    DesiredState,
    LogGroupSpec,
    Owner,
    PortRule,
)
from compose2ecs.model.deployed import Action, Plan, ResourceChange, ResourceKind
from compose2ecs.resources import plan_changes
from tests.fakes import (
    CLUSTER,
    EXECUTION_POLICY,
    EXECUTION_ROLE,
    PROJECT,
    TRUST_POLICY,
    FakeClock,
    InMemoryGateway,
    RecordingProgress,
    tutorial_project,
)

WEB, WORKER = f"{PROJECT}-web", f"{PROJECT}-worker"


def up(
    gateway: InMemoryGateway,
    desired: DesiredState,
    *,
    progress: RecordingProgress | None = None,
    clock: FakeClock | None = None,
    **options: object,
) -> ApplyResult:
    """What `compose2ecs up` does: read, plan, apply."""
    deployed = gateway.read_state(desired, CLUSTER)
    plan = plan_changes(desired, deployed, CLUSTER)
    clock = clock or FakeClock()
    return apply_plan(
        plan,
        desired,
        deployed,
        gateway,
        ApplyOptions(CLUSTER, **options),  # type: ignore[arg-type]
        progress or RecordingProgress(),
        clock=clock,
        sleep=clock.sleep,
    )


def apply_by_hand(
    gateway: InMemoryGateway,
    desired: DesiredState,
    changes: list[ResourceChange],
    *,
    progress: RecordingProgress | None = None,
    clock: FakeClock | None = None,
    **options: object,
) -> ApplyResult:
    """Apply a plan built in the test, against what the gateway holds now."""
    deployed = gateway.read_state(desired, CLUSTER)
    clock = clock or FakeClock()
    return apply_plan(
        Plan(PROJECT, CLUSTER, changes),
        desired,
        deployed,
        gateway,
        ApplyOptions(CLUSTER, **options),  # type: ignore[arg-type]
        progress or RecordingProgress(),
        clock=clock,
        sleep=clock.sleep,
    )


def service_change(action: Action, name: str = WEB, reason: str = "") -> ResourceChange:
    return ResourceChange(ResourceKind.SERVICE, name, action, reason=reason)


def no_changes(desired: DesiredState, *changes: ResourceChange) -> list[ResourceChange]:
    """A plan that says nothing changes for every resource of the project except `changes`."""
    base = [
        *(ResourceChange(ResourceKind.ROLE, r.name, Action.NO_CHANGE) for r in desired.roles),
        *(ResourceChange(ResourceKind.LOG_GROUP, g.name, Action.NO_CHANGE) for g in desired.log_groups),
        ResourceChange(ResourceKind.CLUSTER, CLUSTER, Action.NO_CHANGE),
        ResourceChange(ResourceKind.SECURITY_GROUP, PROJECT, Action.NO_CHANGE),
        *(
            ResourceChange(ResourceKind.TASK_DEFINITION, t["family"], Action.NO_CHANGE)
            for t in desired.task_definitions
        ),
        *(ResourceChange(ResourceKind.SERVICE, s["serviceName"], Action.NO_CHANGE) for s in desired.services),
    ]
    overridden = {(c.kind, c.name) for c in changes}
    return [c for c in base if (c.kind, c.name) not in overridden] + list(changes)


# Creating from scratch ------------------------------------------------------------------------


def test_up_makes_exactly_the_calls_the_plan_lists() -> None:
    gateway = InMemoryGateway()
    up(gateway, tutorial_project(retention=14))
    changed = tutorial_project(
        web_image="nginx:1.28", retention=30, tags={"team": "a"}, ingress=[PortRule(8443, "tcp")]
    )
    plan = plan_changes(changed, gateway.read_state(changed, CLUSTER), CLUSTER)
    gateway.calls.clear()

    result = up(gateway, changed)

    planned = [op.call for change in plan.resources for op in change.operations if op.is_call]
    # In plan order, but what the running tasks still use (a port rule) is removed after the rollout.
    late = {"revoke_ingress", "delete_target_group", "delete_load_balancer", "delete_security_group"}
    made = gateway.operations()
    assert [c for c in made if c not in late] == [c for c in planned if c not in late]
    assert sorted(made) == sorted(planned)
    assert made[-1] == "revoke_ingress"
    assert {"put_retention_policy", "register_task_definition", "update_service", "tag_resource"} <= set(
        planned
    )
    assert len(result.writes) == len(planned)
    assert all(change.operations for change in plan.resources if change.action is not Action.NO_CHANGE)


def test_creates_a_new_project_in_dependency_order() -> None:
    gateway = InMemoryGateway()

    result = up(gateway, tutorial_project())

    assert gateway.operations() == [
        "create_role",
        "attach_role_policy",
        "put_role_policy",
        "create_log_group",
        "put_retention_policy",
        "create_cluster",
        "create_security_group",
        "authorize_ingress",
        "register_task_definition",
        "register_task_definition",
        "create_service",
        "create_service",
    ]
    assert result.writes[0] == f"create_role {EXECUTION_ROLE}"
    assert len(result.writes) == len(gateway.writes)
    assert result.task_definition_arns == {
        WEB: "arn:aws:ecs:us-east-1:123456789012:task-definition/tutorial-web:1",
        WORKER: "arn:aws:ecs:us-east-1:123456789012:task-definition/tutorial-worker:1",
    }


def test_new_resources_carry_the_project_tag() -> None:
    gateway = InMemoryGateway()

    up(gateway, tutorial_project(tags={"team": "checkout"}))

    owner = Owner(PROJECT, CLUSTER, "us-east-1")
    wanted = {PROJECT_TAG: PROJECT, CLUSTER_TAG: CLUSTER, REGION_TAG: "us-east-1", "team": "checkout"}
    # A role and a log group also count their users: the deployment that created them is the first.
    user = {owner.user_tag: owner.user_value}
    assert {t["Key"]: t["Value"] for t in gateway.roles[EXECUTION_ROLE].role["Tags"]} == {**wanted, **user}
    assert gateway.log_groups["us-east-1", "/ecs/tutorial"].tags == {**wanted, **user}
    assert gateway.cluster_tags[CLUSTER] == wanted
    assert gateway.services[CLUSTER, WEB].tags == wanted
    web_arn = gateway.services[CLUSTER, WEB].data["taskDefinition"]
    assert gateway.task_definition_tags[web_arn] == wanted


def test_task_definitions_get_the_arn_of_the_role_created_in_the_same_run() -> None:
    gateway = InMemoryGateway()

    up(gateway, tutorial_project())

    role_arn = gateway.roles[EXECUTION_ROLE].role["Arn"]
    assert role_arn.startswith("arn:aws:iam::")
    assert gateway.task_definitions[WEB][0]["executionRoleArn"] == role_arn


def test_services_without_a_network_get_the_default_vpc_and_the_project_security_group() -> None:
    gateway = InMemoryGateway(vpc=("vpc-1", ["subnet-b", "subnet-a"]))

    up(gateway, tutorial_project(ingress=[PortRule(80, "tcp"), PortRule(5000, "udp", to_port=5010)]))

    (group,) = gateway.security_groups.values()
    assert group["VpcId"] == "vpc-1"
    assert gateway.services[CLUSTER, WEB].data["networkConfiguration"] == {
        "awsvpcConfiguration": {
            "subnets": ["subnet-a", "subnet-b"],
            "securityGroups": [group["GroupId"]],
            "assignPublicIp": "ENABLED",
        }
    }
    opened = {
        (p["IpProtocol"], p["FromPort"], p["ToPort"], r["CidrIp"])
        for p in group["IpPermissions"]
        for r in p["IpRanges"]
    }
    opened |= {
        (p["IpProtocol"], p["FromPort"], p["ToPort"], r["CidrIpv6"])
        for p in group["IpPermissions"]
        for r in p["Ipv6Ranges"]
    }
    assert opened == {
        ("tcp", 80, 80, "0.0.0.0/0"),
        ("tcp", 80, 80, "::/0"),
        ("udp", 5000, 5010, "0.0.0.0/0"),
        ("udp", 5000, 5010, "::/0"),
    }


def test_ports_open_to_the_project_itself_allow_only_its_own_security_group() -> None:
    gateway = InMemoryGateway()

    up(gateway, tutorial_project(ingress=[PortRule(6379, "tcp", source="self")]))

    (group,) = gateway.security_groups.values()
    assert group["IpPermissions"][0]["UserIdGroupPairs"] == [{"GroupId": group["GroupId"]}]
    assert group["IpPermissions"][0]["IpRanges"] == []


def test_services_that_bring_their_own_network_need_no_default_vpc() -> None:
    gateway = InMemoryGateway(vpc=None)
    desired = tutorial_project(ingress=[])
    network = {"awsvpcConfiguration": {"subnets": ["subnet-own"], "securityGroups": ["sg-own"]}}
    for service in desired.services:
        service["networkConfiguration"] = network

    up(gateway, desired)

    assert "create_security_group" not in gateway.operations()
    assert ("default_vpc_subnets",) not in gateway.calls
    assert gateway.services[CLUSTER, WEB].data["networkConfiguration"]["awsvpcConfiguration"]["subnets"] == [
        "subnet-own"
    ]


def test_creates_the_service_connect_namespace_before_the_services() -> None:
    gateway = InMemoryGateway()
    desired = tutorial_project()
    desired.namespace = PROJECT

    up(gateway, desired)

    operations = gateway.operations()
    assert operations.index("create_namespace") < operations.index("register_task_definition")
    assert [ns["Name"] for ns in gateway.namespaces.values()] == [PROJECT]


# Idempotency ------------------------------------------------------------------------------------


def test_a_project_that_was_just_applied_plans_in_sync_and_applies_with_zero_writes() -> None:
    gateway = InMemoryGateway()
    desired = tutorial_project(ingress=[])
    up(gateway, desired)
    writes_before = len(gateway.writes)

    deployed = gateway.read_state(desired, CLUSTER)
    plan = plan_changes(desired, deployed, CLUSTER)
    progress = RecordingProgress()
    result = apply_plan(plan, desired, deployed, gateway, ApplyOptions(CLUSTER), progress)

    assert plan.in_sync, [r for r in plan.resources if r.action is not Action.NO_CHANGE]
    assert result.writes == []
    assert len(gateway.writes) == writes_before
    assert progress.polls == []  # nothing was deployed, so nothing to wait for
    assert result.task_definition_arns[WEB].endswith("tutorial-web:1")


def test_a_plan_of_no_changes_writes_nothing_even_where_the_account_differs() -> None:
    gateway = InMemoryGateway()

    result = apply_by_hand(gateway, tutorial_project(), no_changes(tutorial_project()))

    assert result.writes == []
    assert gateway.writes == []


def test_the_second_up_after_a_change_writes_nothing() -> None:
    gateway = InMemoryGateway()
    up(gateway, tutorial_project(retention=14))
    changed = tutorial_project(retention=30, ingress=[PortRule(8443, "tcp")])
    assert up(gateway, changed).writes

    again = up(gateway, changed)

    assert again.writes == []


# Interrupted runs -------------------------------------------------------------------------------


def test_a_run_interrupted_at_registration_converges_when_run_again() -> None:
    gateway = InMemoryGateway()
    desired = tutorial_project(ingress=[])
    gateway.fail_on("register_task_definition", nth=2)

    with pytest.raises(AwsError, match="injected failure"):
        up(gateway, desired)
    second = up(gateway, desired)

    assert [w.split()[0] for w in second.writes] == [
        "register_task_definition",
        "create_service",
        "create_service",
    ]
    assert [td["revision"] for td in gateway.task_definitions[WEB]] == [1]
    assert [td["revision"] for td in gateway.task_definitions[WORKER]] == [1]
    assert gateway.operations().count("create_role") == 1
    assert gateway.operations().count("create_log_group") == 1
    assert plan_changes(desired, gateway.read_state(desired, CLUSTER), CLUSTER).in_sync


def test_a_role_left_half_configured_gets_its_policies_on_the_next_run() -> None:
    gateway = InMemoryGateway()
    desired = tutorial_project(ingress=[])
    gateway.fail_on("attach_role_policy")

    with pytest.raises(AwsError):
        up(gateway, desired)
    second = up(gateway, desired)

    assert second.writes[:2] == [
        f"attach_role_policy {EXECUTION_ROLE} {EXECUTION_POLICY}",
        f"put_role_policy {EXECUTION_ROLE} create-log-group",
    ]
    assert gateway.operations().count("create_role") == 1
    assert gateway.roles[EXECUTION_ROLE].attached == [EXECUTION_POLICY]


def test_a_new_revision_whose_service_update_failed_reaches_the_service_on_the_next_run() -> None:
    gateway = InMemoryGateway()
    up(gateway, tutorial_project(ingress=[]))
    changed = tutorial_project(web_image="nginx:1.28", ingress=[])
    gateway.fail_on("update_service")

    with pytest.raises(AwsError):
        up(gateway, changed)
    second = up(gateway, changed)

    assert second.writes == [f"update_service {WEB}"]
    assert gateway.services[CLUSTER, WEB].data["taskDefinition"].endswith("tutorial-web:2")
    assert len(gateway.task_definitions[WEB]) == 2


# Updates ----------------------------------------------------------------------------------------


def test_a_new_image_registers_one_revision_and_moves_only_that_service() -> None:
    gateway = InMemoryGateway()
    up(gateway, tutorial_project(ingress=[]))

    result = up(gateway, tutorial_project(web_image="nginx:1.28", ingress=[]))

    assert result.writes == ["register_task_definition tutorial-web:2", f"update_service {WEB}"]
    assert result.task_definition_arns[WEB].endswith("tutorial-web:2")
    assert result.task_definition_arns[WORKER].endswith("tutorial-worker:1")
    assert gateway.services[CLUSTER, WEB].data["taskDefinition"].endswith("tutorial-web:2")


def test_an_update_keeps_a_task_count_the_user_did_not_set() -> None:
    gateway = InMemoryGateway()
    up(gateway, tutorial_project(ingress=[]))
    gateway.update_service({"service": WEB, "cluster": CLUSTER, "desiredCount": 3})  # autoscaling, say

    up(gateway, tutorial_project(web_image="nginx:1.28", ingress=[]))

    assert gateway.services[CLUSTER, WEB].data["desiredCount"] == 3


def test_an_update_sends_a_task_count_the_user_set() -> None:
    gateway = InMemoryGateway()
    up(gateway, tutorial_project(ingress=[]))
    gateway.update_service({"service": WEB, "cluster": CLUSTER, "desiredCount": 3})
    desired = tutorial_project(web_image="nginx:1.28", ingress=[])
    desired.desired_count_explicit[WEB] = True

    up(gateway, desired)

    assert gateway.services[CLUSTER, WEB].data["desiredCount"] == 1


def test_a_tag_change_tags_in_place_without_a_new_revision_or_deployment() -> None:
    gateway = InMemoryGateway()
    up(gateway, tutorial_project(ingress=[]))

    result = up(gateway, tutorial_project(tags={"team": "checkout"}, ingress=[]))

    assert {w.split()[0] for w in result.writes} == {"tag_resource"}
    assert len(gateway.task_definitions[WEB]) == 1
    assert gateway.services[CLUSTER, WEB].tags["team"] == "checkout"


def test_an_existing_role_gets_only_additions_and_is_never_tagged() -> None:
    gateway = InMemoryGateway()
    gateway.create_role(EXECUTION_ROLE, "/", {"Version": "2012-10-17", "Statement": []}, {})
    gateway.attach_role_policy(EXECUTION_ROLE, "arn:aws:iam::aws:policy/AdministratorAccess")
    gateway.put_role_policy(EXECUTION_ROLE, "old", {"Version": "2012-10-17", "Statement": []})
    gateway.calls.clear()
    own = "compose2ecs-tutorial-tutorial-us-east-1"

    result = up(gateway, tutorial_project(ingress=[]))

    role_writes = [w for w in result.writes if EXECUTION_ROLE in w]
    assert role_writes == [f"update_trust_policy {EXECUTION_ROLE}", f"put_role_policy {EXECUTION_ROLE} {own}"]
    role = gateway.roles[EXECUTION_ROLE]
    assert role.role["Tags"] == []
    assert role.role["AssumeRolePolicyDocument"]["Statement"] == TRUST_POLICY["Statement"]
    assert role.attached == ["arn:aws:iam::aws:policy/AdministratorAccess"]
    assert set(role.inline) == {"old", own}
    actions = {
        action
        for statement in role.inline[own]["Statement"]
        for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    }
    assert {"ecr:BatchGetImage", "logs:PutLogEvents", "logs:CreateLogGroup"} <= actions

    assert up(gateway, tutorial_project(ingress=[])).writes == []


def test_a_retention_change_is_applied_and_removing_it_means_never_expire() -> None:
    gateway = InMemoryGateway()
    up(gateway, tutorial_project(retention=7, ingress=[]))

    up(gateway, tutorial_project(retention=30, ingress=[]))
    assert gateway.log_groups["us-east-1", "/ecs/tutorial"].retention_days == 30
    up(gateway, tutorial_project(retention=None, ingress=[]))
    assert gateway.log_groups["us-east-1", "/ecs/tutorial"].retention_days is None


def test_a_group_of_the_same_name_in_another_region_is_created_too() -> None:
    gateway = InMemoryGateway()
    desired = tutorial_project(retention=7, ingress=[])
    desired.log_groups.append(LogGroupSpec(desired.log_groups[0].name, "eu-west-1", 7))
    up(gateway, desired)

    assert {key for key in gateway.log_groups if key[1] == "/ecs/tutorial"} == {
        ("us-east-1", "/ecs/tutorial"),
        ("eu-west-1", "/ecs/tutorial"),
    }
    assert up(gateway, desired).writes == []


def test_ingress_rules_are_opened_and_closed_to_match() -> None:
    gateway = InMemoryGateway()
    desired = tutorial_project(ingress=[PortRule(80, "tcp")])
    up(gateway, desired)
    desired.ingress = [PortRule(443, "tcp")]

    result = up(gateway, desired)

    assert [w.split()[0] for w in result.writes] == ["authorize_ingress", "revoke_ingress"]
    (group,) = gateway.security_groups.values()
    assert {p["FromPort"] for p in group["IpPermissions"]} == {443}


# Replacement ------------------------------------------------------------------------------------


def test_a_replacement_without_force_is_refused_before_any_write() -> None:
    gateway = InMemoryGateway()
    desired = tutorial_project()
    # Roles and the rest would be created first; the refusal must come before all of it.
    changes = [
        ResourceChange(ResourceKind.ROLE, EXECUTION_ROLE, Action.CREATE),
        service_change(Action.REPLACE, reason="launchType cannot be changed in place (EC2 -> FARGATE)"),
    ]

    with pytest.raises(UsageError, match=r"tutorial-web needs --force-replace because launchType"):
        apply_by_hand(gateway, desired, changes)

    assert gateway.writes == []


def test_a_forced_replacement_deletes_waits_until_gone_then_creates() -> None:
    gateway = InMemoryGateway(drain_polls=3)
    desired = tutorial_project(ingress=[])
    up(gateway, desired)
    gateway.calls.clear()
    progress, clock = RecordingProgress(), FakeClock()
    # A provider other than Fargate's: UpdateService cannot switch the launch type to it.
    web = next(s for s in desired.services if s["serviceName"] == WEB)
    web.pop("launchType", None)
    web["capacityProviderStrategy"] = [{"capacityProvider": "ec2-fleet", "weight": 1}]
    deployed = gateway.read_state(desired, CLUSTER)
    plan = plan_changes(desired, deployed, CLUSTER)
    assert [c.action for c in plan.resources if c.name == WEB and c.kind is ResourceKind.SERVICE] == [
        Action.REPLACE
    ]

    result = apply_plan(
        plan,
        desired,
        deployed,
        gateway,
        ApplyOptions(CLUSTER, force_replace=True),
        progress,
        clock=clock,
        sleep=clock.sleep,
    )

    assert result.writes == [f"delete_service {WEB}", f"create_service {WEB}"]
    calls = [call[0] for call in gateway.calls]
    between = calls[calls.index("delete_service") : calls.index("create_service")]
    assert between.count("describe_service") == 3
    assert f"service {WEB} is gone" in progress.steps
    assert gateway.services[CLUSTER, WEB].data["status"] == "ACTIVE"
    assert clock.slept  # it waited between polls


def test_up_after_a_down_that_did_not_wait_recreates_the_draining_service() -> None:
    gateway = InMemoryGateway(drain_polls=2)
    desired = tutorial_project(ingress=[])
    up(gateway, desired)
    gateway.delete_service(CLUSTER, WEB)
    gateway.calls.clear()

    result = up(gateway, desired)

    assert f"create_service {WEB}" in result.writes
    assert not [w for w in result.writes if w.startswith("update_service")]
    assert gateway.services[CLUSTER, WEB].data["status"] == "ACTIVE"


def test_other_kinds_cannot_be_replaced() -> None:
    gateway = InMemoryGateway()
    change = ResourceChange(ResourceKind.NAMESPACE, PROJECT, Action.REPLACE, reason="its type differs")

    with pytest.raises(UsageError, match="only replaces services"):
        apply_by_hand(gateway, tutorial_project(), [change], force_replace=True)
    assert gateway.writes == []


# Waiting ----------------------------------------------------------------------------------------


def test_waits_for_each_deployed_service_and_reports_each_event_once() -> None:
    gateway = InMemoryGateway()
    gateway.script_rollout(WEB, ["IN_PROGRESS", "IN_PROGRESS", "COMPLETED"])
    progress, clock = RecordingProgress(), FakeClock()

    up(gateway, tutorial_project(ingress=[]), progress=progress, clock=clock, poll_interval=5.0)

    web_polls = [poll for poll in progress.polls if poll[0] == WEB]
    assert len(web_polls) == 3
    assert clock.slept == [5.0, 5.0]
    messages = progress.event_messages
    assert len(messages) == len(set(messages))
    assert f"(service {WEB}) has reached a steady state." in messages
    assert progress.steps[-1] == f"service {WEB} is steady"


def test_only_events_that_follow_the_update_are_reported() -> None:
    gateway = InMemoryGateway()
    up(gateway, tutorial_project(ingress=[]))
    old_events = {e["id"] for e in gateway.services[CLUSTER, WEB].data["events"]}
    progress = RecordingProgress()

    up(gateway, tutorial_project(web_image="nginx:1.28", ingress=[]), progress=progress)

    reported = [event["id"] for _, _, events in progress.polls for event in events]
    assert reported
    assert not old_events & set(reported)


def test_a_failed_rollout_fails_with_the_stopped_tasks_reasons() -> None:
    gateway = InMemoryGateway()
    gateway.script_rollout(
        WEB, ["IN_PROGRESS", "FAILED"], stopped_reason="Essential container in task exited", exit_code=137
    )

    with pytest.raises(AwsError) as caught:
        up(gateway, tutorial_project(ingress=[]))

    error = caught.value
    assert error.resource == WEB
    assert "failed" in error.message
    assert "Essential container in task exited" in error.message
    assert "web: exit code 137" in error.message


def test_a_circuit_breaker_rollback_fails_even_though_the_service_looks_steady() -> None:
    gateway = InMemoryGateway()
    up(gateway, tutorial_project(ingress=[]))
    gateway.script_rollout(
        WEB, ["IN_PROGRESS", "ROLLED_BACK"], container_reason="CannotPullContainerError: not found"
    )

    with pytest.raises(AwsError) as caught:
        up(gateway, tutorial_project(web_image="nginx:does-not-exist", ingress=[]))

    assert (
        "rolled service tutorial-web back to tutorial-web:1 (deployed tutorial-web:2)" in caught.value.message
    )
    assert "CannotPullContainerError: not found" in caught.value.message


def test_a_rollback_event_alone_fails_the_wait() -> None:
    gateway = InMemoryGateway()
    up(gateway, tutorial_project(ingress=[]))
    gateway.script_rollout(WEB, ["IN_PROGRESS", "EVENT (deployment ecs-svc/1) deployment rolled back."])

    with pytest.raises(AwsError, match=r"was rolled back: .*deployment rolled back"):
        up(gateway, tutorial_project(web_image="nginx:1.28", ingress=[]))


def test_a_deployment_that_never_settles_times_out_through_the_injected_clock() -> None:
    gateway = InMemoryGateway()
    gateway.script_rollout(WEB, ["IN_PROGRESS"] * 1000)
    clock = FakeClock()

    with pytest.raises(AwsError) as caught:
        up(gateway, tutorial_project(ingress=[]), clock=clock, timeout=60.0, poll_interval=10.0)

    assert caught.value.code == "Timeout"
    assert f"service {WEB} did not reach a steady state within 60 s; it is still deploying" in str(
        caught.value
    )
    assert clock.now == 60.0
    assert sum(clock.slept) == 60.0


def test_no_wait_returns_right_after_the_writes() -> None:
    gateway = InMemoryGateway()
    gateway.script_rollout(WEB, ["IN_PROGRESS"] * 10)
    progress = RecordingProgress()

    result = up(gateway, tutorial_project(ingress=[]), progress=progress, wait=False)

    assert f"create_service {WEB}" in result.writes
    assert progress.polls == []
    assert ("describe_service", CLUSTER, WEB) not in gateway.calls


def test_a_plan_for_another_cluster_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="cluster"):
        apply_plan(
            Plan(PROJECT, "other", []),
            tutorial_project(),
            InMemoryGateway().read_state(tutorial_project(), CLUSTER),
            InMemoryGateway(),
            ApplyOptions(CLUSTER),
            RecordingProgress(),
        )


def test_tags_only_service_changes_do_not_start_a_deployment() -> None:
    gateway = InMemoryGateway()
    up(gateway, tutorial_project(ingress=[]))
    desired = tutorial_project(ingress=[])
    for request in desired.services:
        request["tags"] = [{"key": "team", "value": "a"}]

    result = up(gateway, desired)

    assert [w.split()[0] for w in result.writes] == ["tag_resource", "tag_resource"]
    assert len(gateway.services[CLUSTER, WEB].data["deployments"]) == 1


def test_a_new_revision_reaches_its_service() -> None:
    gateway = InMemoryGateway()
    up(gateway, tutorial_project(ingress=[]))
    desired = tutorial_project(web_image="nginx:1.28", ingress=[])

    result = up(gateway, desired)

    assert result.writes == ["register_task_definition tutorial-web:2", f"update_service {WEB}"]
    assert gateway.services[CLUSTER, WEB].data["taskDefinition"].endswith("tutorial-web:2")


def test_when_a_client_is_new_every_client_waits_for_the_servers_started_before_it() -> None:
    gateway = InMemoryGateway()
    desired = tutorial_project(ingress=[])
    desired.namespace = PROJECT
    web, worker = (next(s for s in desired.services if s["serviceName"] == n) for n in (WEB, WORKER))
    web["serviceConnectConfiguration"] = {
        "enabled": True,
        "namespace": PROJECT,
        "services": [{"portName": "web", "clientAliases": [{"port": 80}]}],
    }
    worker["serviceConnectConfiguration"] = {"enabled": True, "namespace": PROJECT}
    up(gateway, desired)
    changed = tutorial_project(web_image="nginx:1.28", ingress=[])
    changed.namespace = PROJECT
    for request in changed.services:
        request["serviceConnectConfiguration"] = next(
            s for s in desired.services if s["serviceName"] == request["serviceName"]
        )["serviceConnectConfiguration"]
    worker_request = next(s for s in changed.services if s["serviceName"] == WORKER)
    worker_request["enableExecuteCommand"] = True  # the existing client changes too
    changed.services.append({**worker_request, "serviceName": f"{PROJECT}-api"})  # a new client

    plan = plan_changes(changed, gateway.read_state(changed, CLUSTER), CLUSTER)

    steps = [
        (change.name, op.call)
        for change in plan.resources
        if change.kind is ResourceKind.SERVICE
        for op in change.operations
    ]
    assert steps[:3] == [(WEB, "update_service"), (WORKER, "wait_for_servers"), (WORKER, "update_service")]
    assert (f"{PROJECT}-api", "create_service") in steps


def test_force_new_deployment_redeploys_services_that_need_no_change() -> None:
    gateway = InMemoryGateway()
    desired = tutorial_project(ingress=[])
    up(gateway, desired)
    deployed = gateway.read_state(desired, CLUSTER)

    forced = plan_changes(desired, deployed, CLUSTER, force_new_deployment=True)
    before = {key: stored.data["deployments"][0]["id"] for key, stored in gateway.services.items()}
    gateway.calls.clear()
    result = apply_plan(
        forced, desired, deployed, gateway, ApplyOptions(CLUSTER), RecordingProgress(), sleep=lambda _: None
    )

    assert plan_changes(desired, deployed, CLUSTER).in_sync
    services = [c for c in forced.resources if c.kind is ResourceKind.SERVICE]
    assert {c.action for c in services} == {Action.UPDATE}
    assert all("--force-new-deployment" in c.reason for c in services)
    assert result.writes == [f"update_service {WEB}", f"update_service {WORKER}"]
    assert gateway.operations() == ["update_service", "update_service"]  # the same revision, no new one
    after = {key: stored.data["deployments"][0]["id"] for key, stored in gateway.services.items()}
    assert all(after[key] != before[key] for key in before)  # each service rolled out again
