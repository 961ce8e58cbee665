"""ecs-cli's service discovery on the emulator (moto's Cloud Map and ECS, over HTTP).

`run_params.service_discovery` as ecs-cli's docs write it: the tasks are registered in a Cloud Map
service of a private DNS namespace, created when missing, used as it is when ecs-cli made it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3

from tests.e2e._helpers import project, unique
from tests.e2e.test_cli_grammar import compose2ecs
from tests.emulator import writes

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

    from tests.emulator import Emulator

COMPOSE = "services:\n  web:\n    image: nginx:1.27\n    ports: ['80:80']\n"


def _params(namespace: str, name: str) -> str:
    return (
        "version: 1\nrun_params:\n  service_discovery:\n"
        f"    private_dns_namespace:\n      name: {namespace}\n"
        f"    service_discovery_service:\n      name: {name}\n"
        "      dns_config:\n        type: A\n        ttl: 60\n"
    )


def _namespaces(name: str) -> list[dict[str, Any]]:
    found = boto3.client("servicediscovery").list_namespaces()["Namespaces"]
    return [dict(ns) for ns in found if ns["Name"] == name]


def _registries(cluster: str, service: str) -> list[Any]:
    [entry] = boto3.client("ecs").describe_services(cluster=cluster, services=[service])["services"]
    return list(entry.get("serviceRegistries") or [])


def test_service_discovery_creates_the_namespace_and_service_and_down_all_removes_them(
    emulator: Emulator, aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    namespace, name, cluster = f"{unique('corp')}.local", unique("sd"), unique("sd")
    root = project(
        tmp_path, monkeypatch, {"docker-compose.yml": COMPOSE, "ecs-params.yml": _params(namespace, "web")}
    )
    before = ("-p", name, "--cluster", cluster)
    sd = boto3.client("servicediscovery")

    up = compose2ecs(*before, "up", cwd=root)

    assert up.returncode == 0, up.stdout + up.stderr
    [created] = _namespaces(namespace)
    assert created["Type"] == "DNS_PRIVATE"
    [service] = [
        s
        for s in sd.list_services(Filters=[{"Name": "NAMESPACE_ID", "Values": [created["Id"]]}])["Services"]
        if s["Name"] == "web"
    ]
    assert service["DnsConfig"]["DnsRecords"] == [{"Type": "A", "TTL": 60}]
    assert [r["registryArn"] for r in _registries(cluster, name)] == [service["Arn"]]
    emulator.calls(clear=True)
    assert compose2ecs(*before, "up", cwd=root).returncode == 0
    assert writes(emulator.calls()) == []

    down = compose2ecs(*before, "down", "--all", cwd=root)

    assert down.returncode == 0, down.stdout + down.stderr
    assert _namespaces(namespace) == []
    assert not [s for s in sd.list_services()["Services"] if s["Arn"] == service["Arn"]]


def test_ecs_clis_namespace_and_service_are_used_as_they_are(
    emulator: Emulator, aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sd, ec2 = boto3.client("servicediscovery"), boto3.client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    namespace = f"{unique('legacy')}.local"
    operation = sd.create_private_dns_namespace(Name=namespace, Vpc=vpc)["OperationId"]
    namespace_id = sd.get_operation(OperationId=operation)["Operation"]["Targets"]["NAMESPACE"]
    theirs = sd.create_service(
        Name="web",
        NamespaceId=namespace_id,
        DnsConfig={"RoutingPolicy": "MULTIVALUE", "DnsRecords": [{"Type": "A", "TTL": 60}]},
        HealthCheckCustomConfig={"FailureThreshold": 1},
    )["Service"]
    root = project(
        tmp_path, monkeypatch, {"docker-compose.yml": COMPOSE, "ecs-params.yml": _params(namespace, "web")}
    )
    name, cluster = unique("sd"), unique("sd")
    before = ("-p", name, "--cluster", cluster)
    emulator.calls(clear=True)

    up = compose2ecs(*before, "up", cwd=root)

    assert up.returncode == 0, up.stdout + up.stderr
    assert not [c for c in writes(emulator.calls()) if c.startswith("servicediscovery:")]
    assert [r["registryArn"] for r in _registries(cluster, name)] == [theirs["Arn"]]
    down = compose2ecs(*before, "down", "--all", cwd=root)
    assert down.returncode == 0, down.stdout + down.stderr
    assert sd.get_service(Id=theirs["Id"])["Service"]["Name"] == "web"  # kept
    assert [ns["Id"] for ns in _namespaces(namespace)] == [namespace_id]
