"""A service writing to a persistent (EFS) volume never runs two copies at once (issue 13, item 1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from compose2ecs.model import DeploymentParams, EcsParams, EfsVolume, VolumeParams
from tests.unit.test_load_balancing import _desired

if TYPE_CHECKING:
    from pathlib import Path

DB = "services:\n  db:\n    image: postgres:16\n    volumes: ['{mount}']\nvolumes:\n  data: {{}}\n"
EFS = (EfsVolume("data", "fs-0123456789abcdef0"),)


def _deployment(tmp_path: Path, mount: str, params: EcsParams) -> dict[str, object]:
    desired = _desired(tmp_path, DB.format(mount=mount), params, layout="project")
    return dict(desired.services[0]["deploymentConfiguration"])


def test_a_service_writing_to_efs_stops_the_old_task_before_starting_the_new(tmp_path: Path) -> None:
    config = _deployment(tmp_path, "data:/var/lib/postgresql/data", EcsParams(efs_volumes=EFS))

    assert (config["maximumPercent"], config["minimumHealthyPercent"]) == (100, 0)


def test_read_only_efs_task_storage_and_explicit_settings_keep_the_rolling_deployment(tmp_path: Path) -> None:
    read_only = _deployment(tmp_path, "data:/srv:ro", EcsParams(efs_volumes=EFS))
    task_storage = _deployment(
        tmp_path, "data:/var/lib/postgresql/data", EcsParams(volumes={"data": VolumeParams(storage="task")})
    )
    explicit = _deployment(
        tmp_path,
        "data:/var/lib/postgresql/data",
        EcsParams(efs_volumes=EFS, deployment=DeploymentParams(maximum_percent=200)),
    )

    assert "maximumPercent" not in read_only
    assert "maximumPercent" not in task_storage
    assert (explicit["maximumPercent"], "minimumHealthyPercent" in explicit) == (200, False)
