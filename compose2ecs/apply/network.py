"""The project's own network when ecs-params names none: default VPC subnets and one security group."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

    from compose2ecs.model import PortRule

# One ingress grant, flattened so rule sets compare as sets:
# (protocol, from port, to port, which EC2 list it lives in, the CIDR / prefix list / group id).
Grant = tuple[str, int | None, int | None, str, str]

_SOURCE_KEYS = {
    "IpRanges": "CidrIp",
    "Ipv6Ranges": "CidrIpv6",
    "PrefixListIds": "PrefixListId",
    "UserIdGroupPairs": "GroupId",
}

# Published ports are meant to be reachable from anywhere, over IPv4 and IPv6 alike.
_WORLD = (("IpRanges", "0.0.0.0/0"), ("Ipv6Ranges", "::/0"))


def desired_grants(rules: Iterable[PortRule], group_id: str) -> set[Grant]:
    """The grants of each port rule: open to the world, or to the project's own tasks (`self`)."""
    grants: set[Grant] = set()
    for rule in rules:
        sources = (("UserIdGroupPairs", group_id),) if rule.source == "self" else _WORLD
        grants.update(
            (rule.protocol, rule.port, rule.to_port or rule.port, src, value) for src, value in sources
        )
    return grants


def deployed_grants(permissions: Iterable[dict[str, Any]]) -> set[Grant]:
    """The grants of a DescribeSecurityGroups `IpPermissions` list."""
    grants: set[Grant] = set()
    for permission in permissions:
        protocol = str(permission["IpProtocol"])
        low, high = permission.get("FromPort"), permission.get("ToPort")
        for source, key in _SOURCE_KEYS.items():
            grants.update(
                (protocol, low, high, source, str(entry[key])) for entry in permission.get(source, ())
            )
    return grants


def ip_permissions(grants: Iterable[Grant]) -> list[dict[str, Any]]:
    """Grants -> EC2 `IpPermissions`, one entry per protocol and port range."""
    grouped: dict[tuple[str, int | None, int | None], dict[str, list[dict[str, str]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for protocol, low, high, source, value in sorted(grants, key=_grant_order):
        grouped[protocol, low, high][source].append({_SOURCE_KEYS[source]: value})
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
