"""ecs-cli's service discovery (`run_params.service_discovery`) as Cloud Map DNS names (issue 12, item 5).

Translate, preflight, plan and apply on the fake; every Cloud Map request the fake gets is checked
against botocore's model (tests/fakes.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compose2ecs.model import EcsParams
from compose2ecs.plan import preflight_problems
from tests.fakes import CLUSTER, InMemoryGateway
from tests.unit.test_apply import up
from tests.unit.test_load_balancing import _desired, _down_all

if TYPE_CHECKING:
    from pathlib import Path

    from compose2ecs.model import DesiredState

WEB = "services:\n  web:\n    image: nginx:1.27\n    ports: ['80:80']\n"
TWO = WEB + "  worker:\n    image: busybox\n    expose: ['9000']\n"


def _params(record: str = "A", ttl: int = 60, **extra: Any) -> EcsParams:
    """As ecs-cli's docs write it."""
    return EcsParams(
        service_discovery={
            "private_dns_namespace": {"name": "corp.local", "vpc": "vpc-0default"},
            "service_discovery_service": {"name": "shop", "dns_config": {"type": record, "ttl": ttl}},
            **extra,
        }
    )


def _codes(desired: DesiredState, code: str = "service-discovery") -> list[tuple[str, str]]:
    return [(p.status, p.message) for p in desired.problems if p.code == code]


def test_service_discovery_registers_the_tasks_in_a_cloud_map_service(tmp_path: Path) -> None:
    desired = _desired(tmp_path, WEB, _params(), layout="project")

    spec = desired.discovery
    assert spec is not None
    assert (spec.service, spec.name, spec.namespace, spec.record_type, spec.ttl) == (
        "shop",
        "shop",
        "corp.local",
        "A",
        60,
    )
    # An A record holds an address: the registry names neither container nor port.
    assert desired.services[0]["serviceRegistries"] == [{"registryArn": spec.placeholder}]
    [(status, message)] = _codes(desired)
    assert status == "mapped"
    assert "registered as shop.corp.local (A records, TTL 60 s)" in message


def test_an_srv_record_points_at_the_first_port_or_the_one_given(tmp_path: Path) -> None:
    desired = _desired(tmp_path, WEB, _params("SRV"), layout="project")
    assert desired.services[0]["serviceRegistries"] == [
        {"registryArn": "cloudmap:corp.local/shop", "containerName": "web", "containerPort": 80}
    ]
    missing = _desired(tmp_path, WEB, _params("SRV", container_port=8080), layout="project")
    assert missing.discovery is None
    [(status, message)] = _codes(missing)
    assert (status, "no container of the service has port 8080" in message) == ("rejected", True)


def test_with_several_ecs_services_container_name_says_which_registers(tmp_path: Path) -> None:
    unnamed = _desired(tmp_path, TWO, _params(), layout="service")
    assert unnamed.discovery is None
    assert [s for s, _ in _codes(unnamed)] == ["rejected"]

    named = _desired(tmp_path, TWO, _params(container_name="worker"), layout="service")

    assert named.discovery is not None
    assert named.discovery.service == "shop-worker"
    registered = {s["serviceName"]: s.get("serviceRegistries") for s in named.services}
    assert registered == {"shop-web": None, "shop-worker": [{"registryArn": "cloudmap:corp.local/shop"}]}


def test_a_public_namespace_is_ignored_and_said_so(tmp_path: Path) -> None:
    params = EcsParams(service_discovery={"public_dns_namespace": {"name": "example.com"}})
    desired = _desired(tmp_path, WEB, params, layout="project")

    assert desired.discovery is None
    [(status, message)] = _codes(desired)
    assert status == "ignored"
    assert "would publish the tasks' private addresses" in message


def _registries(gateway: InMemoryGateway) -> list[Any]:
    return [
        s.data.get("serviceRegistries") for s in gateway.services.values() if s.data["status"] == "ACTIVE"
    ]


def test_up_creates_the_namespace_and_service_and_a_second_up_writes_nothing(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    desired = _desired(tmp_path, WEB, _params(), layout="project")

    up(gateway, desired)

    [namespace] = [ns for ns in gateway.namespaces.values() if ns["Type"] == "DNS_PRIVATE"]
    assert (namespace["Name"], namespace["Vpc"]) == ("corp.local", "vpc-0default")
    [service] = gateway.discovery_services.values()
    assert (service["Name"], service["NamespaceId"], service["DnsConfig"]["DnsRecords"]) == (
        "shop",
        namespace["Id"],
        [{"Type": "A", "TTL": 60}],
    )
    assert _registries(gateway) == [[{"registryArn": service["Arn"]}]]
    order = gateway.operations()
    assert (
        order.index("create_dns_namespace")
        < order.index("create_discovery_service")
        < order.index("create_service")
    )
    written = len(gateway.writes)
    up(gateway, desired)
    assert len(gateway.writes) == written

    up(gateway, _desired(tmp_path, WEB, _params(ttl=10), layout="project"))

    assert [c[0] for c in gateway.writes[written:]] == ["update_discovery_service"]
    assert service["DnsConfig"]["DnsRecords"] == [{"Type": "A", "TTL": 10}]


def _ecs_cli_made(gateway: InMemoryGateway) -> str:
    """What ecs-cli's CloudFormation stacks left: a namespace and a service, with no tags of ours."""
    namespace = gateway.create_dns_namespace("corp.local", "vpc-0default", {"made-by": "ecs-cli"})
    return gateway.create_discovery_service(
        {
            "Name": "shop",
            "NamespaceId": namespace,
            "DnsConfig": {"RoutingPolicy": "MULTIVALUE", "DnsRecords": [{"Type": "A", "TTL": 60}]},
            "HealthCheckCustomConfig": {"FailureThreshold": 1},
        }
    )


def test_ecs_clis_namespace_and_service_are_used_and_survive_down_all(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    theirs = _ecs_cli_made(gateway)
    desired = _desired(tmp_path, WEB, _params(), layout="project")
    before = len(gateway.writes)

    up(gateway, desired)

    assert "create_discovery_service" not in [c[0] for c in gateway.writes[before:]]
    assert "create_dns_namespace" not in [c[0] for c in gateway.writes[before:]]
    assert _registries(gateway) == [[{"registryArn": theirs}]]  # the same name resolves as before
    _down_all(gateway, desired)
    assert list(gateway.discovery_services) == [theirs]
    assert [ns["Name"] for ns in gateway.namespaces.values()] == ["corp.local"]


def test_dropping_service_discovery_deregisters_then_deletes_its_own(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    up(gateway, _desired(tmp_path, WEB, _params(), layout="project"))
    plain = _desired(tmp_path, WEB, EcsParams(), layout="project")
    before = len(gateway.writes)

    up(gateway, plain)

    calls = [c[0] for c in gateway.writes[before:]]
    assert calls == ["update_service", "delete_discovery_service", "delete_namespace"]
    assert _registries(gateway) == [[]]
    assert gateway.discovery_services == {}
    assert not [ns for ns in gateway.namespaces.values() if ns["Type"] == "DNS_PRIVATE"]
    written = len(gateway.writes)
    up(gateway, plain)
    assert len(gateway.writes) == written


def test_down_all_deletes_its_own_service_and_namespace(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    desired = _desired(tmp_path, WEB, _params(), layout="project")
    up(gateway, desired)

    _down_all(gateway, desired)

    assert gateway.discovery_services == {}
    assert not [ns for ns in gateway.namespaces.values() if ns["Type"] == "DNS_PRIVATE"]


def _preflight(gateway: InMemoryGateway, desired: DesiredState) -> list[str]:
    deployed = gateway.read_state(desired, CLUSTER)
    return [
        f"{p.code}: {p.message}" for p in preflight_problems(desired, deployed, CLUSTER, "ecs-params.yml")
    ]


def test_what_cloud_map_would_refuse_is_refused_before_any_write(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    by_id = EcsParams(service_discovery={"private_dns_namespace": {"id": "ns-0000000000000001"}})
    assert _preflight(gateway, _desired(tmp_path, WEB, by_id, layout="project")) == [
        "discovery-namespace: namespace ns-0000000000000001 does not exist in this account and region"
    ]
    gateway.create_namespace("corp.local", {})  # an HTTP namespace (Service Connect's kind)
    [http] = _preflight(gateway, _desired(tmp_path, WEB, _params(), layout="project"))
    assert http.startswith("discovery-namespace: namespace corp.local is a HTTP namespace")
    gateway.namespaces.clear()
    _ecs_cli_made(gateway)
    [record] = _preflight(gateway, _desired(tmp_path, WEB, _params("SRV"), layout="project"))
    assert (
        record
        == "discovery-record-type: Cloud Map service shop has A records, and a record's type cannot change"
    )
    assert _preflight(gateway, _desired(tmp_path, WEB, _params(), layout="project")) == []


def test_a_renamed_namespace_is_created_and_the_old_own_one_deleted(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    up(gateway, _desired(tmp_path, WEB, _params(), layout="project"))
    renamed = EcsParams(
        service_discovery={
            "private_dns_namespace": {"name": "other.local"},
            "service_discovery_service": {"name": "shop", "dns_config": {"type": "A", "ttl": 60}},
        }
    )

    up(gateway, _desired(tmp_path, WEB, renamed, layout="project"))

    assert [ns["Name"] for ns in gateway.namespaces.values() if ns["Type"] == "DNS_PRIVATE"] == [
        "other.local"
    ]
    [service] = gateway.discovery_services.values()
    assert gateway.namespaces[service["NamespaceId"]]["Name"] == "other.local"
    assert _registries(gateway) == [[{"registryArn": service["Arn"]}]]


def test_a_removal_interrupted_after_the_ecs_update_converges(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    up(gateway, _desired(tmp_path, WEB, _params(), layout="project"))
    plain = _desired(tmp_path, WEB, EcsParams(), layout="project")
    service = next(iter(gateway.services.values()))
    service.data["serviceRegistries"] = []  # as if the run stopped right after UpdateService

    up(gateway, plain)

    assert gateway.discovery_services == {}  # found by its tags, though nothing registers in it
    assert not [ns for ns in gateway.namespaces.values() if ns["Type"] == "DNS_PRIVATE"]


def test_moving_discovery_to_another_service_deregisters_the_first(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    up(gateway, _desired(tmp_path, TWO, _params(container_name="web"), layout="service"))

    up(gateway, _desired(tmp_path, TWO, _params(container_name="worker"), layout="service"))

    registered = {
        key[1]: s.data.get("serviceRegistries")
        for key, s in gateway.services.items()
        if s.data["status"] == "ACTIVE"
    }
    [arn] = gateway.discovery_services
    assert registered["shop-web"] == []
    assert registered["shop-worker"] == [{"registryArn": arn}]


def test_an_own_namespace_holding_someone_elses_service_is_kept(tmp_path: Path) -> None:
    gateway = InMemoryGateway()
    desired = _desired(tmp_path, WEB, _params(), layout="project")
    up(gateway, desired)
    [namespace_id] = [i for i, ns in gateway.namespaces.items() if ns["Type"] == "DNS_PRIVATE"]
    theirs = gateway.create_discovery_service(
        {
            "Name": "billing",
            "NamespaceId": namespace_id,
            "DnsConfig": {"RoutingPolicy": "MULTIVALUE", "DnsRecords": [{"Type": "A", "TTL": 60}]},
        }
    )

    _down_all(gateway, desired)

    assert list(gateway.discovery_services) == [theirs]
    assert namespace_id in gateway.namespaces
