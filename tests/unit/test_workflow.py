"""The wiring helpers behind `scale`, `logs` and `ps` arguments, on hand-built desired states."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from compose2ecs.cli.main import _scale_arguments
from compose2ecs.errors import UsageError
from compose2ecs.model import DesiredState
from compose2ecs.workflow import ecs_service_names, log_sources, resolve_region

if TYPE_CHECKING:
    from pathlib import Path


def desired(layout: str) -> DesiredState:
    names = ["shop"] if layout == "project" else ["shop-web", "shop-worker"]
    state = DesiredState(project="shop", layout=layout, region="eu-west-1")
    state.services = [{"serviceName": n, "taskDefinition": n, "desiredCount": 1} for n in names]
    state.task_definitions = [
        {
            "family": "shop-web",
            "containerDefinitions": [
                {
                    "name": "web",
                    "image": "nginx",
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": "/ecs/shop",
                            "awslogs-region": "eu-west-1",
                            "awslogs-stream-prefix": "web",
                        },
                    },
                },
                {"name": "sidecar", "image": "envoy", "logConfiguration": {"logDriver": "splunk"}},
            ],
        }
    ]
    return state


def test_compose_service_names_map_to_ecs_services_in_the_service_layout() -> None:
    assert ecs_service_names(desired("service"), ["web", "shop-worker"]) == {
        "web": "shop-web",
        "shop-worker": "shop-worker",
    }


def test_an_unknown_service_is_a_usage_error_listing_the_known_ones() -> None:
    with pytest.raises(UsageError, match=r"no service named db in project shop \(services: web, worker\)"):
        ecs_service_names(desired("service"), ["db"])


def test_scale_arguments_are_a_count_or_service_counts() -> None:
    assert _scale_arguments(["2"]) == {None: 2}
    assert _scale_arguments(["web=3", "worker=0"]) == {"web": 3, "worker": 0}
    with pytest.raises(UsageError, match="SERVICE=N"):
        _scale_arguments(["web=many"])
    with pytest.raises(UsageError, match="not both"):
        _scale_arguments(["2", "web=3"])


def test_logs_read_each_awslogs_container_under_its_stream_prefix() -> None:
    sources = log_sources(desired("service"), [])
    assert [(s.container, s.group, s.region, s.stream_prefix) for s in sources] == [
        ("web", "/ecs/shop", "eu-west-1", "web/web/")
    ]
    with pytest.raises(UsageError, match="no service named db"):
        log_sources(desired("service"), ["db"])


def test_region_comes_from_flag_then_environment_then_profile(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("[profile prod]\nregion = ap-south-1\n[default]\nregion = eu-north-1\n")
    environ = {"AWS_CONFIG_FILE": str(config)}
    assert resolve_region("us-west-2", None, {**environ, "AWS_REGION": "eu-west-1"}) == "us-west-2"
    assert resolve_region(None, None, {**environ, "AWS_REGION": "eu-west-1"}) == "eu-west-1"
    assert resolve_region(None, "prod", environ) == "ap-south-1"
    assert resolve_region(None, None, environ) == "eu-north-1"
    assert resolve_region(None, None, {"AWS_CONFIG_FILE": str(tmp_path / "missing")}) is None
