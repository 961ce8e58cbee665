"""Autoscaling from ecs-params run_params.autoscaling (issue 12, item 6), on the in-memory gateway."""

from __future__ import annotations

from typing import TYPE_CHECKING

from compose2ecs.model import AutoscalingParams, EcsParams
from compose2ecs.model.deployed import Action, ResourceKind
from compose2ecs.resources import plan_changes
from tests.fakes import CLUSTER, InMemoryGateway
from tests.unit.test_apply import up
from tests.unit.test_load_balancing import WEB, _desired, _down_all

if TYPE_CHECKING:
    from pathlib import Path

SCALING = AutoscalingParams(min=1, max=4, cpu=70, requests_per_target=500, scale_in_cooldown=300)


def test_each_service_gets_a_scalable_target_and_a_policy_per_target(tmp_path: Path) -> None:
    desired = _desired(tmp_path, WEB.format(ports="80:80"), EcsParams(autoscaling=SCALING))

    [spec] = desired.scaling
    assert (spec.service, spec.min, spec.max) == ("shop-web", 1, 4)
    cpu, requests = spec.policies
    assert (cpu.name, cpu.metric, cpu.target) == ("compose2ecs-cpu", "ECSServiceAverageCPUUtilization", 70.0)
    assert (requests.metric, requests.target_group) == (
        "ALBRequestCountPerTarget",
        desired.target_groups[0].name,
    )
    assert desired.desired_count_explicit["shop-web"] is False  # the scaler owns the count


def test_requests_per_target_needs_an_http_port(tmp_path: Path) -> None:
    desired = _desired(tmp_path, "services:\n  web:\n    image: nginx\n", EcsParams(autoscaling=SCALING))

    [problem] = [p for p in desired.problems if p.code == "autoscaling-requests"]
    assert problem.path == ("run_params", "autoscaling", "requests_per_target")
    assert [p.name for p in desired.scaling[0].policies] == ["compose2ecs-cpu"]


def test_the_starting_count_is_kept_within_min_and_max(tmp_path: Path) -> None:
    compose = WEB.format(ports="80:80") + "    deploy:\n      replicas: 9\n"
    desired = _desired(tmp_path, compose, EcsParams(autoscaling=SCALING))
    assert desired.services[0]["desiredCount"] == 4


def test_up_registers_the_target_and_policies_then_writes_nothing(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    desired = _desired(tmp_path, WEB.format(ports="80:80"), EcsParams(autoscaling=SCALING))

    up(gateway, desired)

    [target] = gateway.scalable_targets.values()
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 4)
    requests = target["Policies"]["compose2ecs-requests"]["TargetTrackingScalingPolicyConfiguration"]
    label = requests["PredefinedMetricSpecification"]["ResourceLabel"]
    assert label.startswith("app/")
    assert "/targetgroup/" in label
    assert requests["ScaleInCooldown"] == 300
    calls = gateway.operations()
    assert (
        calls.index("create_service")
        < calls.index("register_scalable_target")
        < calls.index("put_scaling_policy")
    )
    written = len(gateway.writes)
    up(gateway, desired)
    assert len(gateway.writes) == written


def test_a_changed_target_updates_the_policy_and_a_dropped_one_is_deleted(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    up(gateway, _desired(tmp_path, WEB.format(ports="80:80"), EcsParams(autoscaling=SCALING)))

    changed = AutoscalingParams(min=2, max=6, cpu=50, scale_in_cooldown=300)
    up(gateway, _desired(tmp_path, WEB.format(ports="80:80"), EcsParams(autoscaling=changed)))

    [target] = gateway.scalable_targets.values()
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 6)
    assert sorted(target["Policies"]) == ["compose2ecs-cpu"]
    assert (
        target["Policies"]["compose2ecs-cpu"]["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 50
    )


def test_autoscaling_the_files_no_longer_ask_for_is_removed_and_someone_elses_is_left(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    up(gateway, _desired(tmp_path, WEB.format(ports="80:80"), EcsParams(autoscaling=SCALING)))
    plain = _desired(tmp_path, WEB.format(ports="80:80"))

    plan = plan_changes(plain, gateway.read_state(plain, CLUSTER), CLUSTER)
    [change] = [c for c in plan.resources if c.kind is ResourceKind.SCALING]
    assert change.action is Action.DELETE
    up(gateway, plain)
    assert gateway.scalable_targets == {}

    # Registered by hand, with a policy of its own: not compose2ecs's to remove.
    rid = f"service/{CLUSTER}/shop-web"
    gateway.register_scalable_target(
        {
            "ServiceNamespace": "ecs",
            "ResourceId": rid,
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": 1,
            "MaxCapacity": 2,
        }
    )
    gateway.scalable_targets[rid]["Policies"]["theirs"] = {"PolicyName": "theirs"}
    up(gateway, plain)
    assert rid in gateway.scalable_targets
    _down_all(gateway, plain)
    assert rid in gateway.scalable_targets  # kept by down --all too


def test_down_removes_compose2ecss_autoscaling_before_the_service(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    desired = _desired(tmp_path, WEB.format(ports="80:80"), EcsParams(autoscaling=SCALING))
    up(gateway, desired)

    _down_all(gateway, desired)

    assert gateway.scalable_targets == {}
    calls = gateway.operations()
    assert calls.index("deregister_scalable_target") < calls.index("delete_service")


def test_scale_refuses_a_count_outside_the_autoscaling_bounds_before_any_write(tmp_path: Path) -> None:
    import pytest  # noqa: PLC0415

    from compose2ecs.apply import ApplyOptions, scale  # noqa: PLC0415
    from compose2ecs.errors import UsageError  # noqa: PLC0415
    from tests.fakes import FakeClock, RecordingProgress  # noqa: PLC0415

    gateway = InMemoryGateway()
    desired = _desired(tmp_path, WEB.format(ports="80:80"), EcsParams(autoscaling=SCALING))
    up(gateway, desired)
    written = len(gateway.writes)
    clock = FakeClock()

    def scale_to(count: int) -> None:
        deployed = gateway.read_services(desired, CLUSTER)
        options = ApplyOptions(CLUSTER, wait=False)
        scale(
            desired,
            deployed,
            gateway,
            {"shop-web": count},
            options,
            RecordingProgress(),
            clock=clock,
            sleep=clock.sleep,
        )

    with pytest.raises(UsageError, match="scales between 1 and 4 tasks"):
        scale_to(5)
    assert len(gateway.writes) == written
    scale_to(3)
    assert gateway.operations()[-1] == "update_service"
