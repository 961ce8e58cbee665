"""The global options' derived values (cli/options.py)."""

from __future__ import annotations

import pytest

from compose2ecs.cli.options import Options


@pytest.mark.parametrize(
    ("given", "name"),
    [
        (None, "default"),
        ("shop", "shop"),
        ("arn:aws:ecs:eu-west-1:111122223333:cluster/shop", "shop"),
        ("arn:aws-cn:ecs:cn-north-1:111122223333:cluster/shop-2", "shop-2"),
    ],
)
def test_a_cluster_arn_gives_the_cluster_name(given: str | None, name: str) -> None:
    assert Options(cluster=given).cluster_name == name
