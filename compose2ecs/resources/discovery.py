"""Cloud Map service discovery (ecs-cli's `run_params.service_discovery`): a namespace and a service.

The private DNS namespace and the Cloud Map service ecs-params names are used when they exist,
found by id or by name, and never changed nor deleted unless compose2ecs created them (the
deployment's ownership tags): an ecs-cli project keeps the names its callers resolve. What is
missing is created, tagged, the namespace in the tasks' VPC. A Cloud Map service of the
deployment's own that nothing names any more is deleted after the ECS services have left it (ECS
deregisters the tasks), and its namespace with it when compose2ecs created that too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compose2ecs.model import tags_dict
from compose2ecs.model.deployed import Action, FieldChange, Operation, ResourceChange, ResourceKind
from compose2ecs.resources.base import perform, retry_while_in_use

if TYPE_CHECKING:
    from collections.abc import Callable

    from compose2ecs.model import DesiredState, DiscoverySpec
    from compose2ecs.model.deployed import DeployedState
    from compose2ecs.resources.base import Execution, Planning, Teardown
    from compose2ecs.resources.gateway import Gateway

KIND = ResourceKind.DISCOVERY
# Cloud Map refuses to delete a service that has instances: ECS deregisters them as the tasks of
# the ECS services that left it stop.
AFTER_SERVICES = frozenset({"delete_discovery_service", "delete_namespace"})
IN_USE = frozenset({"ResourceInUse"})
ROUTING = "MULTIVALUE"  # ecs-cli's, and ECS's recommendation: every healthy task's address


def matched(desired: DesiredState, deployed: DeployedState) -> dict[str, Any] | None:
    """The Cloud Map service ecs-params names, when it exists."""
    return deployed.discovery_service(desired.discovery.name if desired.discovery else None)


def own_registries(desired: DesiredState, deployed: DeployedState) -> set[str]:
    """The ARNs of the deployment's own Cloud Map services: registries compose2ecs may remove."""
    services = deployed.discovery.get("Services") or {}
    return {arn for arn, entry in services.items() if desired.owner.owns(tags_dict(entry.get("Tags")))}


def plan(planning: Planning) -> list[ResourceChange]:
    desired, deployed = planning.desired, planning.deployed
    spec = desired.discovery
    namespace = deployed.discovery.get("Namespace")
    found = matched(desired, deployed)
    changes: list[ResourceChange] = []
    if spec is not None:
        changes.append(_plan_spec(spec, desired, namespace, found))
    owner = desired.owner
    for namespace_id, entry in sorted((deployed.discovery.get("OwnNamespaces") or {}).items()):
        # The deployment's namespaces that ecs-params no longer names (a new name, or no service
        # discovery at all), unless a service of someone else's is in it. Listed before the
        # services: what runs after the services runs in reverse, so it goes after them.
        if (namespace is not None and namespace.get("Id") == namespace_id) or entry.get("Others"):
            continue
        delete = Operation("delete_namespace", str(entry.get("Name")), (namespace_id,))
        reason = "no service discovery uses it"
        changes.append(
            ResourceChange(KIND, str(entry.get("Name")), Action.DELETE, reason=reason, operations=(delete,))
        )
    for entry in sorted((deployed.discovery.get("Services") or {}).values(), key=lambda e: str(e["Arn"])):
        if entry is found or not owner.owns(tags_dict(entry.get("Tags"))):
            continue
        delete = Operation("delete_discovery_service", str(entry["Name"]), (str(entry["Id"]),))
        reason = "ecs-params no longer names it"
        changes.append(
            ResourceChange(KIND, str(entry["Name"]), Action.DELETE, reason=reason, operations=(delete,))
        )
    return changes


def _plan_spec(
    spec: DiscoverySpec, desired: DesiredState, namespace: dict[str, Any] | None, found: dict[str, Any] | None
) -> ResourceChange:
    label = f"{spec.name}.{spec.namespace or spec.namespace_id}"
    create = Operation("create_discovery_service", label, (spec, desired.tags))
    if namespace is None:
        # The preflight refuses an id that does not exist: only a name gets a namespace.
        make = Operation("create_dns_namespace", spec.namespace, (spec.namespace, spec.vpc, desired.tags))
        return ResourceChange(KIND, label, Action.CREATE, operations=(make, create))
    if found is None:
        return ResourceChange(KIND, label, Action.CREATE, operations=(create,))
    if not desired.owner.owns(tags_dict(found.get("Tags"))):
        return ResourceChange(KIND, label, Action.NO_CHANGE, reason="someone else's: used as it is")
    have = (found.get("DnsConfig") or {}).get("DnsRecords") or []
    if [(r.get("Type"), r.get("TTL")) for r in have] == [(r["Type"], r["TTL"]) for r in spec.dns_records()]:
        return ResourceChange(KIND, label, Action.NO_CHANGE)
    # The record type cannot change in place: the preflight refuses that; the TTL can.
    update = Operation("update_discovery_service", label, (str(found["Id"]), spec.dns_records()))
    field = FieldChange("DnsConfig.DnsRecords", "changed", have, spec.dns_records())
    return ResourceChange(KIND, label, Action.UPDATE, (field,), operations=(update,))


def request(spec: DiscoverySpec, namespace_id: str, tags: dict[str, str]) -> dict[str, Any]:
    """The Cloud Map CreateService request."""
    return {
        "Name": spec.name,
        "NamespaceId": namespace_id,
        "DnsConfig": {"RoutingPolicy": ROUTING, "DnsRecords": spec.dns_records()},
        "HealthCheckCustomConfig": {"FailureThreshold": spec.failure_threshold},
        "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
    }


def execute(change: ResourceChange, execution: Execution) -> None:
    gateway = execution.run.gateway
    for operation in change.operations:
        match operation.call:
            case "create_dns_namespace":
                name, vpc, tags = operation.args
                execution.namespace_id = gateway.create_dns_namespace(
                    name, vpc or execution.tasks_vpc(), tags
                )
                execution.did(operation, f"created private DNS namespace {name} ({execution.namespace_id})")
            case "create_discovery_service":
                spec, tags = operation.args
                namespace = execution.deployed.discovery.get("Namespace") or {}
                namespace_id = execution.namespace_id or str(namespace.get("Id") or spec.namespace_id)
                execution.registry_arn = gateway.create_discovery_service(request(spec, namespace_id, tags))
                execution.did(operation, f"created Cloud Map service {change.name}")
            case "update_discovery_service":
                perform(operation, execution, {"update_discovery_service": "set the DNS records of {target}"})
            case "delete_discovery_service":
                (service_id,) = operation.args
                retry_while_in_use(execution.run, _deleter(gateway, service_id), change.name, IN_USE)
                execution.did(operation, f"deleted Cloud Map service {change.name} ({change.reason})")
            case "delete_namespace":
                perform(operation, execution, {"delete_namespace": "deleted namespace {target}"})


def _deleter(gateway: Gateway, service_id: str) -> Callable[[], None]:
    return lambda: gateway.delete_discovery_service(service_id)


def registry_arn(execution: Execution) -> str:
    """The ARN of the Cloud Map service the ECS service registers in: created in this run, or found."""
    found = matched(execution.desired, execution.deployed)
    return execution.registry_arn or str((found or {}).get("Arn") or "")


def remove(teardown: Teardown) -> None:
    """`down --all`: the deployment's own Cloud Map services, then its namespaces; others' are kept."""
    found = teardown.deployed.discovery
    for entry in (found.get("Services") or {}).values():
        label = f"Cloud Map service {entry.get('Name')}"
        if not teardown.ours(tags_dict(entry.get("Tags"))):
            teardown.kept(label)
            continue
        service_id = str(entry["Id"])
        retry_while_in_use(teardown.run, _deleter(teardown.run.gateway, service_id), service_id, IN_USE)
        teardown.run.wrote("delete_discovery_service", service_id, f"deleted {label}")
    named = found.get("Namespace")
    if named is not None and not teardown.ours(tags_dict(named.get("Tags"))):
        teardown.kept(f"namespace {named.get('Name')}")
    for namespace_id, entry in sorted((found.get("OwnNamespaces") or {}).items()):
        label = f"namespace {entry.get('Name')}"
        if entry.get("Others"):
            teardown.kept(f"{label} (it holds {entry['Others']} Cloud Map service(s) of others)")
            continue
        teardown.run.gateway.delete_namespace(namespace_id)
        teardown.run.wrote("delete_namespace", namespace_id, f"deleted {label}")
