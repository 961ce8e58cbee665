"""ECS services: created, updated in place, replaced when a field cannot change, or deleted as orphans.

Every field compose2ecs manages is compared, and one the files no longer set is reset to what AWS
uses without it (UpdateService keeps a value it is not sent). Fields left to AWS or to others
(desiredCount nobody set, load balancers attached by hand) are not compared. Services that serve
Service Connect endpoints are created, and steady, before the services that only call them, and
the connected services already running get a new deployment when a new endpoint appears.
A service of this deployment that the files no longer define is an orphan: listed, and deleted
with `up --remove-orphans` or on a layout switch; `down` deletes the deployment's services and
keeps another project's service of the same name.
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

from compose2ecs.model import (
    ecs_tags,
    family_of,
    foreign_creator,
    resource_id,
    secret_arn,
    taggable_service_arn,
    tags_dict,
)
from compose2ecs.model.deployed import Action, FieldChange, Operation, ResourceChange, ResourceKind
from compose2ecs.plan.diff import diff_fields
from compose2ecs.plan.normalize import (
    DEFAULT_DEPLOYMENT_CONFIGURATION,
    IMMUTABLE_SERVICE_FIELDS,
    SERVICE_RESETS,
    normalize_service,
    role_name,
    service_request_from_describe,
)
from compose2ecs.resources import discovery, security_group, target_group, task_definition
from compose2ecs.resources.base import ecs_tag_operations, is_tag, run_tag_operation, unknown, updated
from compose2ecs.resources.run import live_service
from compose2ecs.resources.wait import seen_event_ids, wait_for_services, wait_until_gone

if TYPE_CHECKING:
    from collections.abc import Mapping

    from compose2ecs.model import DesiredState
    from compose2ecs.model.deployed import DeployedState
    from compose2ecs.resources.base import Execution, Planning, Teardown

KIND = ResourceKind.SERVICE

# UpdateService members that compose2ecs sets. desiredCount and taskDefinition are handled apart;
# launchType, schedulingStrategy, role and serviceName cannot change in place (the plan replaces).
UPDATABLE_SERVICE_FIELDS = (
    "capacityProviderStrategy",
    "deploymentConfiguration",
    "availabilityZoneRebalancing",
    "networkConfiguration",
    "placementConstraints",
    "placementStrategy",
    "platformVersion",
    "healthCheckGracePeriodSeconds",
    "enableExecuteCommand",
    "enableECSManagedTags",
    "loadBalancers",
    "propagateTags",
    "serviceRegistries",
    "serviceConnectConfiguration",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
)
# UpdateService can switch between the FARGATE launch type and a strategy of these providers.
_FARGATE_PROVIDERS = frozenset({"FARGATE", "FARGATE_SPOT"})


def serves_endpoints(request: Mapping[str, Any]) -> bool:
    """A Service Connect server: other services reach it by name."""
    return bool((request.get("serviceConnectConfiguration") or {}).get("services"))


# ---------------------------------------------------------------------------------------------
# Plan.


def plan(planning: Planning) -> list[ResourceChange]:
    """The services in the order they are applied (Service Connect servers first), then the orphans."""
    desired, deployed = planning.desired, planning.deployed
    family_actions = {c.name: c.action for c in planning.planned.get(ResourceKind.TASK_DEFINITION, [])}
    namespace_names = {}
    if deployed.namespace and deployed.namespace.get("Arn") and deployed.namespace.get("Name"):
        namespace_names[deployed.namespace["Arn"]] = deployed.namespace["Name"]
    changes = []
    for request in desired.services:
        entry = deployed.services.get(request["serviceName"])
        changes.append(_compare(request, entry, planning, family_actions, namespace_names))
    changes = _redeploy_for_new_endpoints(desired, changes)
    changes = _redeploy_for_new_secret_values(planning, changes)
    if planning.force_new_deployment:
        changes = [_redeployed(c, "a new deployment, as asked (--force-new-deployment)") for c in changes]
    requests = {str(r["serviceName"]): r for r in desired.services}
    with_operations = [_with_operations(c, requests[c.name], planning) for c in changes]
    return [*_servers_first(with_operations, planning), *_plan_orphans(planning)]


def _compare(
    request: dict[str, Any],
    entry: dict[str, Any] | None,
    planning: Planning,
    family_actions: Mapping[str, Action],
    namespace_names: dict[str, str],
) -> ResourceChange:
    name, desired = request["serviceName"], planning.desired
    if entry is None or entry.get("status", "ACTIVE") != "ACTIVE":
        # An INACTIVE service is gone; a DRAINING one is going and cannot be updated.
        return ResourceChange(KIND, name, Action.CREATE)
    deployed_request = service_request_from_describe(entry, namespace_names)
    if "networkConfiguration" in request:
        request, deployed_request = _project_group_by_name(request, deployed_request, planning)
    request, deployed_request = _registries_by_name(request, deployed_request, planning)
    own, _ = _own_load_balancers(entry, planning.desired, planning.deployed)
    if own or "loadBalancers" in request:
        # Compared: the entries for this deployment's target groups, by name (someone else's stay).
        deployed_request["loadBalancers"] = own
        wanted = [
            {**item, "targetGroupArn": target_group.name_of(str(item["targetGroupArn"]))}
            for item in request.get("loadBalancers", [])
        ]
        request = {**request, "loadBalancers": wanted}
    before, after = _comparable(
        normalize_service(deployed_request),
        normalize_service(request, desired.tags),
        explicit_count=desired.desired_count_explicit.get(name, False),
        load_balanced="loadBalancers" in request,
        registered="serviceRegistries" in request,
    )
    if entry.get("serviceArn") and not taggable_service_arn(str(entry["serviceArn"])):
        # An old-format ARN cannot be tagged: comparing tags would never converge.
        before.pop("tags", None)
        after.pop("tags", None)
    changes = diff_fields(before, after)
    task_change = _task_definition_change(request.get("taskDefinition", ""), entry, planning, family_actions)
    if task_change:
        changes = [task_change, *changes]
    replace = _replace_reasons(before, after)
    if replace:
        return ResourceChange(KIND, name, Action.REPLACE, tuple(changes), "; ".join(replace))
    return updated(KIND, name, changes, "new task definition" if task_change else "")


def _redeploy_for_new_endpoints(desired: DesiredState, changes: list[ResourceChange]) -> list[ResourceChange]:
    """Each running service of the namespace gets a new deployment when a new endpoint appears.

    Running tasks do not learn of a Service Connect endpoint created after they started (AWS
    documents it).
    """
    by_name = {str(r["serviceName"]): r for r in desired.services}
    created = sorted(
        c.name for c in changes if c.action is Action.CREATE and serves_endpoints(by_name.get(c.name, {}))
    )
    if not created:
        return changes
    out = []
    for change in changes:
        connected = (by_name.get(change.name, {}).get("serviceConnectConfiguration") or {}).get("enabled")
        # A tags-only update changes no task: it needs the new deployment as much as no change does.
        tags_only = change.action is Action.UPDATE and all(is_tag(c) for c in change.changes)
        if connected and (change.action is Action.NO_CHANGE or tags_only):
            change = _redeployed(
                change, f"a new deployment, to resolve the new endpoint(s) of {', '.join(created)}"
            )
        out.append(change)
    return out


def _redeploy_for_new_secret_values(
    planning: Planning, changes: list[ResourceChange]
) -> list[ResourceChange]:
    """ECS reads a secret when a task starts: a new value reaches the tasks only by a new deployment."""
    updated_secrets = [
        c.name for c in planning.planned.get(ResourceKind.SECRET, []) if c.action is Action.UPDATE
    ]
    stored = planning.deployed.secrets or {}
    if not updated_secrets and not stored:
        return changes
    families = {str(td["family"]): json.dumps(td) for td in planning.desired.task_definitions}
    requests = {str(r["serviceName"]): str(r["taskDefinition"]) for r in planning.desired.services}
    out = []
    for change in changes:
        text = families.get(requests.get(change.name, ""), "")
        read = [name for name in updated_secrets if secret_arn(name) in text]
        # A value stored after the service's deployment began (an `up` stopped between the two)
        # has not reached the tasks either.
        started = _deployment_started(planning.deployed.services.get(change.name))
        read += [
            name
            for name, entry in sorted(stored.items())
            if name not in read
            and secret_arn(name) in text
            and started is not None
            and _later(entry.get("LastChangedDate"), started)
        ]
        out.append(_redeployed(change, f"secret {', '.join(read)} has a new value") if read else change)
    return out


def _later(changed: Any, started: Any) -> bool:
    try:
        return bool(changed is not None and changed > started)
    except TypeError:  # not both times: unknown, so no redeployment on its account
        return False


def _deployment_started(entry: Mapping[str, Any] | None) -> Any:
    """When the service's current (PRIMARY) deployment was created; None when unknown."""
    for deployment in (entry or {}).get("deployments", []):
        if deployment.get("status") == "PRIMARY":
            return deployment.get("createdAt")
    return None


def _redeployed(change: ResourceChange, reason: str) -> ResourceChange:
    """A running service that no setting moves gets a new deployment (UpdateService forceNewDeployment)."""
    tags_only = change.action is Action.UPDATE and all(is_tag(c) for c in change.changes)
    if not (change.action is Action.NO_CHANGE or tags_only) or any(
        c.path == "forceNewDeployment" for c in change.changes
    ):
        return change
    field = FieldChange("forceNewDeployment", "added", None, after=True)
    return ResourceChange(change.kind, change.name, Action.UPDATE, (*change.changes, field), reason)


def _registries_by_name(
    request: dict[str, Any], deployed_request: dict[str, Any], planning: Planning
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The Cloud Map service of service discovery by its placeholder on both sides.

    A registry in a Cloud Map service of the deployment's own that ecs-params no longer names is
    removed (someone else's stays, as an entry attached by hand does).
    """
    desired, deployed = planning.desired, planning.deployed
    found = discovery.matched(desired, deployed)
    have = deployed_request.get("serviceRegistries") or []
    # The deployment's own, and the one ecs-params names: registries only the service it names
    # keeps (service discovery moved to another service leaves the first one).
    own = discovery.own_registries(desired, deployed) | ({str(found["Arn"])} if found else set())
    if "serviceRegistries" not in request and any(r.get("registryArn") in own for r in have):
        request = {**request, "serviceRegistries": [r for r in have if r.get("registryArn") not in own]}
    if found is not None and desired.discovery is not None:
        have = [
            {**r, "registryArn": desired.discovery.placeholder}
            if r.get("registryArn") == found.get("Arn")
            else r
            for r in have
        ]
        deployed_request = {**deployed_request, "serviceRegistries": have}
    return request, deployed_request


def _project_group_by_name(
    request: dict[str, Any], deployed_request: dict[str, Any], planning: Planning
) -> tuple[dict[str, Any], dict[str, Any]]:
    """With a network of the user's, the project's tasks group by name on both sides.

    It joins the user's groups when the project has load balancers of its own there, and is known
    by id only once it exists.
    """
    desired, group = planning.desired, planning.deployed.security_group
    name = desired.security_group_name
    if group is not None and "networkConfiguration" in deployed_request:
        group_id = str(group["GroupId"])
        awsvpc = dict(deployed_request["networkConfiguration"].get("awsvpcConfiguration") or {})
        if group_id in (awsvpc.get("securityGroups") or []):
            awsvpc["securityGroups"] = [name if g == group_id else g for g in awsvpc["securityGroups"]]
            deployed_request = {**deployed_request, "networkConfiguration": {"awsvpcConfiguration": awsvpc}}
    if desired.project_groups:
        network = security_group.with_project_group(request["networkConfiguration"], name)
        request = {**request, "networkConfiguration": network}
    return request, deployed_request


def _own_load_balancers(
    entry: Mapping[str, Any], desired: DesiredState, deployed: DeployedState
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The service's `loadBalancers`: this deployment's (target group by name), and the others'."""
    ours = _own_names(desired, deployed)
    own, others = [], []
    for item in entry.get("loadBalancers") or []:
        group = target_group.name_of(str(item.get("targetGroupArn", "")))
        if group in ours:
            own.append({**item, "targetGroupArn": group})
        else:
            others.append(dict(item))
    return own, others


def _comparable(
    deployed: dict[str, Any],
    desired: dict[str, Any],
    *,
    explicit_count: bool,
    load_balanced: bool = False,
    registered: bool = False,
) -> tuple[dict[str, Any], dict[str, Any]]:
    # Fields the user left to AWS or to someone else are not compared:
    # - desiredCount not set by the user: `scale` or autoscaling own it;
    # - no networkConfiguration: `up` fills it from the default VPC and the project security group;
    # - role / availabilityZoneRebalancing not set: AWS picks them (the ECS service-linked role;
    #   ENABLED on create), so an echo of AWS's choice is not a difference.
    # - no loadBalancers / serviceRegistries: attached by someone else, and left alone (but an
    #   entry of the deployment's own that the files dropped is compared, to remove it).
    left_to_aws = [
        k
        for k in (
            "networkConfiguration",
            "role",
            "availabilityZoneRebalancing",
            "loadBalancers",
            "serviceRegistries",
        )
        if k not in desired
        and not (k == "loadBalancers" and load_balanced)
        and not (k == "serviceRegistries" and registered)
    ]
    if not explicit_count and deployed.get("desiredCount") != 0:
        # A service at 0 was stopped (`scale 0`, ecs-cli's `service stop`): `up` starts it again
        # with its starting count, as `docker compose up` starts stopped containers.
        left_to_aws.append("desiredCount")
    for key in left_to_aws:
        deployed.pop(key, None)
        desired.pop(key, None)
    return deployed, desired


def _replace_reasons(deployed: Mapping[str, Any], desired: Mapping[str, Any]) -> list[str]:
    reasons = [
        f"{key} cannot be changed in place ({_short(deployed.get(key))} -> {_short(desired.get(key))})"
        for key in IMMUTABLE_SERVICE_FIELDS
        if key in desired and deployed.get(key) != desired.get(key)
    ]
    launch = _launch_type_reason(deployed, desired)
    if launch:
        reasons.append(launch)
    return reasons


def _launch_type_reason(deployed: Mapping[str, Any], desired: Mapping[str, Any]) -> str:
    old, new = deployed.get("launchType"), desired.get("launchType")
    if old and new:
        return "" if old == new else f"launchType cannot be changed in place ({old} -> {new})"
    if not old and not new:
        return ""  # strategy to strategy: UpdateService changes it
    # Launch type <-> capacity provider strategy: UpdateService switches only FARGATE <-> Fargate providers.
    launch_type = old or new
    strategy = desired.get("capacityProviderStrategy") if old else deployed.get("capacityProviderStrategy")
    providers = {p.get("capacityProvider") for p in strategy or []}
    if launch_type == "FARGATE" and providers <= _FARGATE_PROVIDERS:
        return ""
    return f"switching between launchType {launch_type} and capacity providers needs a new service"


def _task_definition_change(
    family: str, entry: Mapping[str, Any], planning: Planning, family_actions: Mapping[str, Action]
) -> FieldChange | None:
    running = resource_id(str(entry.get("taskDefinition", "")))
    family = family_of(family)
    latest = planning.deployed.task_definitions.get(family)
    action = family_actions.get(family)
    number = task_definition.revision(latest)
    if action in {Action.NEW_REVISION, Action.CREATE}:
        # The next number is a forecast: revisions deregistered after the latest ACTIVE one also count.
        target = f"{family}:{number + 1} (new)" if action is Action.NEW_REVISION else f"{family} (new)"
        return FieldChange("taskDefinition", "changed", running, target)
    target = f"{family}:{number}" if latest else family
    if running != target:
        return FieldChange("taskDefinition", "changed", running, target)
    return None


def _plan_orphans(planning: Planning) -> list[ResourceChange]:
    """The deployment's live services that the files no longer define: DELETE, on request.

    A service named after the project alone is the project layout's; `<project>-<x>` names are the
    service layout's. An orphan of the other layout means the layout was switched.
    """
    desired, out = planning.desired, []
    for name, service in sorted(planning.deployed.orphans.items()):
        if service.get("status") != "ACTIVE":
            continue  # DRAINING: already being deleted
        layout = "project" if name == desired.project else "service"
        reason = (
            f"deployed in the {layout} layout; the files now use the {desired.layout} layout"
            if layout != desired.layout
            else "no longer defined by the compose files (an orphan)"
        )
        delete = Operation("delete_service", name, (planning.cluster, name))
        out.append(
            ResourceChange(
                KIND,
                name,
                Action.DELETE,
                (),
                reason,
                layout_switch=layout != desired.layout,
                operations=(delete,),
            )
        )
    return out


def _servers_first(changes: list[ResourceChange], planning: Planning) -> list[ResourceChange]:
    """Servers, then the clients; when a client is new, the clients wait for the servers started.

    A service that only consumes endpoints is created once the services it calls are steady, so its
    first tasks can resolve them.
    """
    requests = {str(r["serviceName"]): r for r in planning.desired.services}
    servers = [c for c in changes if serves_endpoints(requests[c.name])]
    clients = [c for c in changes if not serves_endpoints(requests[c.name])]
    started = [c.name for c in servers if c.operations]
    new_client = any(live_service(planning.deployed.services.get(c.name)) is None for c in clients)
    first = next((i for i, c in enumerate(clients) if c.operations), None)
    if started and new_client and first is not None:
        wait = Operation("wait_for_servers", ", ".join(started), tuple(started))
        clients[first] = dataclasses.replace(clients[first], operations=(wait, *clients[first].operations))
    return [*servers, *clients]


def _with_operations(change: ResourceChange, request: dict[str, Any], planning: Planning) -> ResourceChange:
    """The calls that carry out `change`."""
    name, cluster = change.name, planning.cluster
    current = live_service(planning.deployed.services.get(name))
    wanted_tags = task_definition.wanted_tags(request, planning.desired.tags)
    create = Operation(
        "create_service", name, ({**request, "cluster": cluster, "tags": ecs_tags(wanted_tags)},)
    )
    operations: list[Operation] = []
    if change.action is Action.REPLACE and current is not None:
        operations = [
            Operation("delete_service", name, (cluster, name)),
            # ECS refuses the name until the old service has left DRAINING.
            Operation("wait_until_gone", name, (name,)),
            create,
        ]
    elif change.action is Action.CREATE:
        if current is not None and current.get("status") == "DRAINING":
            # Deleted by an earlier `down` that did not wait: ECS refuses the name until it is gone.
            operations.append(Operation("wait_until_gone", name, (name,)))
        operations.append(create)
    elif change.action is Action.UPDATE and current is not None:
        paths = [c.path for c in change.changes]
        tags_only = all(path == "tags" or path.startswith(("tags.", "tags[")) for path in paths)
        if not tags_only:
            operations.append(Operation("update_service", name, (_update_request(request, paths, planning),)))
        if "serviceArn" in current and not taggable_service_arn(str(current["serviceArn"])):
            operations.append(Operation("note", name))
        elif "serviceArn" in current:
            operations.extend(
                ecs_tag_operations(str(current["serviceArn"]), current.get("tags"), wanted_tags)
            )
    return dataclasses.replace(change, operations=tuple(operations))


def _update_request(request: dict[str, Any], paths: list[str], planning: Planning) -> dict[str, Any]:
    name = request["serviceName"]
    update: dict[str, Any] = {"service": name, "cluster": planning.cluster}
    explicit = planning.desired.desired_count_explicit.get(name)
    if (explicit or "desiredCount" in paths) and "desiredCount" in request:
        update["desiredCount"] = request["desiredCount"]
    update.update({key: request[key] for key in UPDATABLE_SERVICE_FIELDS if key in request})
    if "deploymentConfiguration" in update:
        # Sent whole: a member left out would keep what an earlier run set.
        update["deploymentConfiguration"] = {
            **DEFAULT_DEPLOYMENT_CONFIGURATION,
            **update["deploymentConfiguration"],
        }
    if "forceNewDeployment" in paths:
        update["forceNewDeployment"] = True  # a new endpoint to resolve
    if "enableExecuteCommand" in paths:
        # A task gets ECS Exec (or loses it) only when it starts: without a new deployment, the
        # running tasks keep what they started with (AWS documents `--force-new-deployment` here).
        update["forceNewDeployment"] = True
    if "loadBalancers" not in update and any(_is_under(path, "loadBalancers") for path in paths):
        update["loadBalancers"] = []  # no published port left: only someone else's entries stay
    if "serviceRegistries" not in update and any(_is_under(path, "serviceRegistries") for path in paths):
        update["serviceRegistries"] = []  # no service discovery left (ECS takes one registry)
    for key, reset in SERVICE_RESETS.items():
        # A setting the files no longer give goes back to what AWS uses without it.
        if key not in update and any(_is_under(path, key) for path in paths):
            update[key] = reset
    return update


def _is_under(path: str, key: str) -> bool:
    """`path` (a plan's field path) is `key` or inside it."""
    return path == key or path.startswith((f"{key}.", f"{key}["))


def _short(value: Any) -> str:
    if isinstance(value, dict) and set(value) == {"type"}:
        return str(value["type"])
    return "none" if value is None else str(role_name(value))


# ---------------------------------------------------------------------------------------------
# Execute.


def execute(change: ResourceChange, execution: Execution) -> None:
    run, name = execution.run, change.name
    cluster = run.options.cluster
    if change.action is Action.DELETE:
        _delete_orphan(change, execution)
        return
    for operation in change.operations:
        if run_tag_operation(operation, execution, f"service {name}"):
            continue
        match operation.call:
            case "wait_for_servers":
                started = {s: execution.rollouts[s] for s in operation.args if s in execution.rollouts}
                if started and run.options.wait:
                    wait_for_services(run, cluster, started, execution.seen_events)
            case "wait_until_gone":
                current = execution.deployed.services.get(name)
                execution.seen_events.setdefault(name, seen_event_ids(current))
                wait_until_gone(run, cluster, [name], execution.seen_events)
            case "delete_service":
                execution.seen_events[name] = seen_event_ids(execution.deployed.services.get(name))
                run.gateway.delete_service(*operation.args)
                execution.did(operation, f"deleted service {name} to replace it")
            case "create_service":
                request = _with_network(operation.args[0], execution)
                arn = task_definition.arn_to_run(str(request["taskDefinition"]), execution)
                run.gateway.create_service({**request, "taskDefinition": arn}, run.progress.step)
                execution.did(operation, f"created service {name} ({resource_id(arn)})")
                execution.rollouts[name] = arn
            case "update_service":
                request = _with_network(operation.args[0], execution)
                family = str(_request_of(name, execution)["taskDefinition"])
                arn = task_definition.arn_to_run(family, execution)
                execution.seen_events[name] = seen_event_ids(execution.deployed.services.get(name))
                run.gateway.update_service({**request, "taskDefinition": arn})
                execution.did(operation, f"updated service {name} ({resource_id(arn)})")
                execution.rollouts[name] = arn
            case "note":
                run.progress.step(
                    f"left the tags of service {name} as they are: its ARN has the old format, which ECS "
                    "cannot tag (recreate it with --force-replace to let compose2ecs track it)"
                )
            case _:
                raise unknown(operation)


def _request_of(name: str, execution: Execution) -> dict[str, Any]:
    return next(r for r in execution.desired.services if r["serviceName"] == name)


def _with_network(request: dict[str, Any], execution: Execution) -> dict[str, Any]:
    """`request` with the project's network and its target groups' ARNs.

    The network when it names none (known once the security group exists); the target groups'
    ARNs in place of their names, next to the entries someone else attached.
    """
    if "loadBalancers" in request:
        name = str(request.get("serviceName") or request.get("service"))
        current = execution.deployed.services.get(name) or {}
        _, others = _own_load_balancers(current, execution.desired, execution.deployed)
        own = [
            {**item, "targetGroupArn": _arn(str(item["targetGroupArn"]), execution)}
            for item in request["loadBalancers"]
        ]
        request = {**request, "loadBalancers": [*own, *others]}
    spec = execution.desired.discovery
    if spec is not None and request.get("serviceRegistries"):
        arn = discovery.registry_arn(execution)
        request = {
            **request,
            "serviceRegistries": [
                {**r, "registryArn": arn} if r.get("registryArn") == spec.placeholder else r
                for r in request["serviceRegistries"]
            ],
        }
    if "networkConfiguration" in request:
        if not execution.desired.project_groups:
            return request
        group = security_group.tasks_group_id(execution)
        return {
            **request,
            "networkConfiguration": security_group.with_project_group(request["networkConfiguration"], group),
        }
    network = security_group.network_configuration(execution)
    return request if network is None else {**request, "networkConfiguration": network}


def _arn(group: str, execution: Execution) -> str:
    """A target group's ARN: as ecs-params gives it (an existing one), or compose2ecs's by name."""
    return group if group.startswith("arn:") else target_group.target_group_arn(group, execution)


def _own_names(desired: DesiredState, deployed: DeployedState) -> set[str]:
    """The target groups whose service entries compose2ecs manages: its own, and those ecs-params names."""
    reused = {target_group.name_of(ref.target_group_arn) for ref in desired.reused_target_groups}
    return {tg.name for tg in desired.target_groups} | set(deployed.target_groups) | reused


def _delete_orphan(change: ResourceChange, execution: Execution) -> None:
    """Services of this deployment the files no longer define: removed on request only."""
    run = execution.run
    service = execution.deployed.orphans.get(change.name)
    if service is None:
        return
    if not (change.layout_switch or run.options.remove_orphans):
        run.progress.step(
            f"left service {change.name} running, {change.reason}: remove it with `up --remove-orphans`"
        )
        return
    for operation in change.operations:
        execution.seen_events[change.name] = seen_event_ids(service)
        run.gateway.delete_service(*operation.args)
        execution.did(operation, f"deleted service {change.name}: {change.reason}")
        execution.deleted.append(change.name)


def finish(execution: Execution) -> None:
    """After every change ran: wait until the deleted orphans are gone, then for the rollouts."""
    run = execution.run
    if execution.deleted and run.options.wait:
        wait_until_gone(run, run.options.cluster, execution.deleted, execution.seen_events)
    if run.options.wait and execution.rollouts:
        wait_for_services(run, run.options.cluster, execution.rollouts, execution.seen_events)


# ---------------------------------------------------------------------------------------------
# Remove.


def remove(teardown: Teardown) -> None:
    run, cluster = teardown.run, teardown.run.options.cluster
    names = [str(service["serviceName"]) for service in teardown.desired.services]
    present = {name: s for name in names if (s := live_service(teardown.deployed.services.get(name)))}
    present.update({name: s for name, s in teardown.deployed.orphans.items() if live_service(s)})
    for name, service in list(present.items()):
        maker = foreign_creator(tags_dict(service.get("tags")), teardown.desired.owner)
        if maker is not None:
            # Another project's service under the same name (`shop` + `web` vs project `shop-web`).
            run.progress.step(f"kept service {name}: it belongs to {maker.label()}")
            del present[name]
            continue
        # A DRAINING service is already being deleted; deleting it again is an error.
        if service.get("status") == "ACTIVE":
            run.gateway.delete_service(cluster, name)
            run.wrote("delete_service", name, f"deleted service {name}")
    if teardown.wait and present:
        seen = {name: seen_event_ids(service) for name, service in present.items()}
        wait_until_gone(run, cluster, present, seen)
