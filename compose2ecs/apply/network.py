"""The project's own network when ecs-params names none: default VPC subnets and one security group."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from compose2ecs.plan.normalize import GRANT_SOURCES

if TYPE_CHECKING:
    from collections.abc import Iterable

    from compose2ecs.plan.normalize import Grant


def ip_permissions(grants: Iterable[Grant]) -> list[dict[str, Any]]:
    """Grants -> EC2 `IpPermissions`, one entry per protocol and port range."""
    grouped: dict[tuple[str, int | None, int | None], dict[str, list[dict[str, str]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for protocol, low, high, source, value in sorted(grants, key=_grant_order):
        grouped[protocol, low, high][source].append({GRANT_SOURCES[source]: value})
    permissions: list[dict[str, Any]] = []
    for (protocol, low, high), sources in grouped.items():
        permission: dict[str, Any] = {"IpProtocol": protocol}
        if low is not None:
            permission["FromPort"] = low
        if high is not None:
            permission["ToPort"] = high
        permission.update(sources)
        permissions.append(permission)
    return permissions


def _grant_order(grant: Grant) -> tuple[str, int, int, str, str]:
    protocol, low, high, source, value = grant
    return (protocol, -1 if low is None else low, -1 if high is None else high, source, value)


def awsvpc_configuration(subnets: list[str], group_id: str | None) -> dict[str, Any]:
    """The service `networkConfiguration` for the default VPC (public subnets, public registries)."""
    config: dict[str, Any] = {"subnets": sorted(subnets), "assignPublicIp": "ENABLED"}
    if group_id:
        config["securityGroups"] = [group_id]
    return {"awsvpcConfiguration": config}
