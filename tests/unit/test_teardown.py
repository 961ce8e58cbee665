"""scale and down against the in-memory gateway: only the project's own resources are ever removed."""

from __future__ import annotations

import pytest

from compose2ecs.apply import ApplyOptions, ApplyResult, apply_plan, down, scale
from compose2ecs.errors import AwsError, UsageError
from compose2ecs.model import DesiredState, Owner
from compose2ecs.resources import plan_changes
from tests.fakes import (
    CLUSTER,
    EXECUTION_ROLE,
    PROJECT,
    TRUST_POLICY,
    FakeClock,
    InMemoryGateway,
    RecordingProgress,
    tutorial_project,
)

WEB, WORKER = f"{PROJECT}-web", f"{PROJECT}-worker"


def deploy(gateway: InMemoryGateway, desired: DesiredState) -> None:
    deployed = gateway.read_state(desired, CLUSTER)
    plan = plan_changes(desired, deployed, CLUSTER)
    apply_plan(plan, desired, deployed, gateway, ApplyOptions(CLUSTER), RecordingProgress())


def tear_down(
    gateway: InMemoryGateway,
    desired: DesiredState,
    *,
    remove_all: bool,
    progress: RecordingProgress | None = None,
    clock: FakeClock | None = None,
) -> ApplyResult:
    clock = clock or FakeClock()
    return down(
        desired,
        gateway.read_state(desired, CLUSTER),
        gateway,
        ApplyOptions(CLUSTER, poll_interval=2.0),
        progress or RecordingProgress(),
        remove_all=remove_all,
        clock=clock,
        sleep=clock.sleep,
    )


def scale_to(
    gateway: InMemoryGateway, counts: dict[str, int], *, progress: RecordingProgress | None = None
) -> ApplyResult:
    desired = tutorial_project()
    clock = FakeClock()
    return scale(
        desired,
        gateway.read_state(desired, CLUSTER),
        gateway,
        counts,
        ApplyOptions(CLUSTER),
        progress or RecordingProgress(),
        clock=clock,
        sleep=clock.sleep,
    )


# down -----------------------------------------------------------------------------------------


def test_down_deletes_the_services_and_waits_until_they_are_gone() -> None:
    gateway = InMemoryGateway(drain_polls=2)
    desired = tutorial_project()
    deploy(gateway, desired)
    progress = RecordingProgress()

    result = tear_down(gateway, desired, remove_all=False, progress=progress)

    assert result.writes == [f"delete_service {WEB}", f"delete_service {WORKER}"]
    assert {gateway.services[CLUSTER, name].data["status"] for name in (WEB, WORKER)} == {"INACTIVE"}
    assert f"service {WEB} is gone" in progress.steps
    assert [name for name, _, _ in progress.polls].count(WEB) == 1  # DRAINING once, then gone
    # Without --all everything else stays.
    assert EXECUTION_ROLE in gateway.roles
    assert gateway.clusters[CLUSTER]["status"] == "ACTIVE"


def test_down_all_removes_everything_the_project_created() -> None:
    gateway = InMemoryGateway()
    desired = tutorial_project()
    desired.namespace = PROJECT
    deploy(gateway, desired)
    gateway.calls.clear()

    tear_down(gateway, desired, remove_all=True)

    assert gateway.operations() == [
        "delete_service",
        "delete_service",
        "deregister_task_definition",
        "deregister_task_definition",
        "delete_log_group",
        "detach_role_policy",
        "delete_role_policy",
        "delete_role",
        "delete_security_group",
        "delete_namespace",
        "delete_cluster",
    ]
    # One read of the whole state; the cluster's service count is read again on its own.
    reads = [call[0] for call in gateway.calls if call[0] in {"read_state", "describe_cluster"}]
    assert reads == ["read_state", "describe_cluster"]
    assert gateway.roles == {}
    assert gateway.log_groups == {}
    assert gateway.security_groups == {}
    assert gateway.namespaces == {}
    assert gateway.clusters[CLUSTER]["status"] == "INACTIVE"
    assert {td["status"] for revisions in gateway.task_definitions.values() for td in revisions} == {
        "INACTIVE"
    }


def test_down_all_deregisters_every_active_revision_of_the_families() -> None:
    gateway = InMemoryGateway()
    deploy(gateway, tutorial_project())
    deploy(gateway, tutorial_project(web_image="nginx:1.28"))

    result = tear_down(gateway, tutorial_project(), remove_all=True)

    deregistered = [w.rsplit("/", 1)[-1] for w in result.writes if w.startswith("deregister")]
    assert deregistered == ["tutorial-web:1", "tutorial-web:2", "tutorial-worker:1"]


OWNER = Owner(PROJECT, CLUSTER, "us-east-1").label()


def test_down_all_keeps_a_hand_made_role_and_log_group() -> None:
    gateway = InMemoryGateway()
    gateway.create_role(EXECUTION_ROLE, "/", TRUST_POLICY, {"owner": "platform-team"})
    gateway.create_log_group("/ecs/tutorial", "us-east-1", {})
    desired = tutorial_project()
    deploy(gateway, desired)
    progress = RecordingProgress()

    result = tear_down(gateway, desired, remove_all=True, progress=progress)

    assert EXECUTION_ROLE in gateway.roles
    assert ("us-east-1", "/ecs/tutorial") in gateway.log_groups
    own = f"compose2ecs-{PROJECT}-{CLUSTER}-us-east-1"
    # Only the policy compose2ecs put on the role for this project goes.
    role_writes = [w for w in result.writes if EXECUTION_ROLE in w or "log_group" in w]
    assert role_writes == [f"delete_role_policy {EXECUTION_ROLE} {own}"]
    assert gateway.roles[EXECUTION_ROLE].inline == {}
    assert f"kept role {EXECUTION_ROLE}: not created by compose2ecs for {OWNER}" in progress.steps
    assert f"kept log group /ecs/tutorial: not created by compose2ecs for {OWNER}" in progress.steps
    assert gateway.clusters[CLUSTER]["status"] == "INACTIVE"  # the rest is ours and goes


def test_down_all_keeps_resources_tagged_for_another_project() -> None:
    gateway = InMemoryGateway()
    gateway.create_cluster(CLUSTER, {**Owner("someone-else", CLUSTER, "us-east-1").tags()})
    desired = tutorial_project()
    deploy(gateway, desired)
    progress = RecordingProgress()

    tear_down(gateway, desired, remove_all=True, progress=progress)

    assert gateway.clusters[CLUSTER]["status"] == "ACTIVE"
    assert f"kept cluster {CLUSTER}: not created by compose2ecs for {OWNER}" in progress.steps


def test_down_all_keeps_a_cluster_that_still_runs_other_services() -> None:
    gateway = InMemoryGateway()
    desired = tutorial_project()
    deploy(gateway, desired)
    other = gateway.services[CLUSTER, WEB].data
    gateway.create_service(
        {
            "serviceName": "not-ours",
            "cluster": CLUSTER,
            "taskDefinition": other["taskDefinition"],
            "desiredCount": 1,
            "networkConfiguration": other["networkConfiguration"],
        }
    )
    progress = RecordingProgress()

    result = tear_down(gateway, desired, remove_all=True, progress=progress)

    assert "delete_cluster" not in gateway.operations()
    assert f"delete_service {WEB}" in result.writes
    assert f"kept cluster {CLUSTER}: 1 other service(s) still run in it" in progress.steps
    assert gateway.services[CLUSTER, "not-ours"].data["status"] == "ACTIVE"


def test_down_retries_the_security_group_while_network_interfaces_release_it() -> None:
    gateway = InMemoryGateway()
    desired = tutorial_project()
    deploy(gateway, desired)
    gateway.security_group_busy = 2
    clock = FakeClock()

    tear_down(gateway, desired, remove_all=True, clock=clock)

    assert gateway.security_groups == {}
    assert gateway.operations().count("delete_security_group") == 3
    assert clock.slept[-2:] == [2.0, 2.0]


def test_down_gives_up_on_a_security_group_still_in_use_after_the_timeout() -> None:
    gateway = InMemoryGateway()
    desired = tutorial_project()
    deploy(gateway, desired)
    gateway.security_group_busy = 10_000

    with pytest.raises(AwsError) as caught:
        tear_down(gateway, desired, remove_all=True)
    assert caught.value.code == "DependencyViolation"


def test_a_second_down_finds_nothing_and_writes_nothing() -> None:
    gateway = InMemoryGateway()
    gateway.create_role(EXECUTION_ROLE, "/", TRUST_POLICY, {})  # hand-made: kept both times
    desired = tutorial_project()
    deploy(gateway, desired)
    tear_down(gateway, desired, remove_all=True)
    writes_before = len(gateway.writes)

    result = tear_down(gateway, desired, remove_all=True)

    assert result.writes == []
    assert len(gateway.writes) == writes_before


def test_down_of_a_project_never_deployed_writes_nothing() -> None:
    gateway = InMemoryGateway()

    result = tear_down(gateway, tutorial_project(), remove_all=True)

    assert result.writes == []
    assert gateway.writes == []


# scale ----------------------------------------------------------------------------------------


def test_scale_sets_the_task_count_and_waits_until_it_runs() -> None:
    gateway = InMemoryGateway()
    deploy(gateway, tutorial_project())
    gateway.script_rollout(WEB, ["IN_PROGRESS", "COMPLETED"])
    progress = RecordingProgress()

    result = scale_to(gateway, {WEB: 3}, progress=progress)

    assert result.writes == [f"update_service {WEB}"]
    assert result.task_definition_arns == {WEB: gateway.services[CLUSTER, WEB].data["taskDefinition"]}
    service = gateway.services[CLUSTER, WEB].data
    assert (service["desiredCount"], service["runningCount"]) == (3, 3)
    assert len(gateway.list_task_arns(CLUSTER, WEB)) == 3
    assert [name for name, _, _ in progress.polls] == [WEB, WEB]
    assert gateway.services[CLUSTER, WORKER].data["desiredCount"] == 1


def test_scale_of_a_service_that_does_not_exist_is_refused_before_any_write() -> None:
    gateway = InMemoryGateway()
    deploy(gateway, tutorial_project())
    gateway.calls.clear()

    with pytest.raises(UsageError, match="no running service tutorial-nope"):
        scale_to(gateway, {WEB: 2, "tutorial-nope": 1})
    assert gateway.writes == []


def test_scale_to_a_negative_count_is_refused() -> None:
    gateway = InMemoryGateway()
    deploy(gateway, tutorial_project())
    gateway.calls.clear()

    with pytest.raises(UsageError, match="negative"):
        scale_to(gateway, {WEB: -1})
    assert gateway.writes == []


def test_scale_refuses_another_projects_service_of_the_same_name() -> None:
    gateway = InMemoryGateway()
    desired = tutorial_project()
    deploy(gateway, desired)
    web = gateway.services[CLUSTER, WEB]
    web.tags.update(Owner("tutorial-web", CLUSTER, "us-east-1").tags())  # now another project's

    with pytest.raises(UsageError, match="another project's service"):
        scale_to(gateway, {WEB: 0})

    assert not [c for c in gateway.calls if c[0] == "update_service"]


def test_a_log_group_made_before_users_were_counted_is_never_deleted() -> None:
    gateway = InMemoryGateway()
    desired = tutorial_project()
    deploy(gateway, desired)
    group = gateway.log_groups["us-east-1", "/ecs/tutorial"]
    for key in [k for k in group.tags if k != "compose2ecs:project"]:
        del group.tags[key]  # as an earlier compose2ecs tagged it: the project alone
    progress = RecordingProgress()

    tear_down(gateway, desired, remove_all=True, progress=progress)

    assert ("us-east-1", "/ecs/tutorial") in gateway.log_groups
    assert any(
        s.startswith("kept log group /ecs/tutorial: created before users were counted")
        for s in progress.steps
    )
