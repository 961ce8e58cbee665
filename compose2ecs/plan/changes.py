"""Per resource kind: what `apply` must do to turn the deployed state into the desired one.

Resources are listed in apply order: roles, log groups, cluster, security group, namespace, task
definitions, services. Each planner compares normalised shapes (normalize.py) and reports the
differing fields (diff.py); nothing here calls AWS or reads files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compose2ecs.model import (
    DesiredState,
    LogGroupSpec,
    Owner,
    RoleSpec,
    creator,
    family_of,
    resource_id,
    taggable_service_arn,
)
from compose2ecs.model.deployed import (
    Action,
    DeployedState,
    FieldChange,
    LogGroupState,
    Plan,
    ResourceChange,
    ResourceKind,
    RoleState,
)
from compose2ecs.plan.diff import diff_fields, set_changes
from compose2ecs.plan.normalize import (
    IMMUTABLE_SERVICE_FIELDS,
    deployed_grants,
    desired_grants,
    grant_text,
    normalize_policy,
    normalize_service,
    normalize_task_definition,
    role_name,
    service_request_from_describe,
)
from compose2ecs.plan.roles import effective_role, missing_user_tag

if TYPE_CHECKING:
    from collections.abc import Mapping

# UpdateService can switch between the FARGATE launch type and a strategy of these providers.
_FARGATE_PROVIDERS = frozenset({"FARGATE", "FARGATE_SPOT"})


def plan_changes(desired: DesiredState, deployed: DeployedState, cluster: str) -> Plan:
    """Compare desired with deployed: one ResourceChange per resource, in apply order."""
    task_definitions = plan_task_definitions(desired, deployed)
    resources = [
        *plan_roles(
            [effective_role(spec, deployed.roles.get(spec.name), desired.owner) for spec in desired.roles],
            deployed.roles,
            desired.owner,
        ),
        *plan_log_groups(desired.log_groups, deployed.log_groups, desired.owner),
        plan_cluster(cluster, deployed.cluster),
        *plan_security_group(desired, deployed.security_group),
        *plan_namespace(desired.namespace, deployed.namespace),
        *task_definitions,
        *plan_services(desired, deployed, {c.name: c.action for c in task_definitions}),
        *plan_orphans(desired, deployed),
    ]
    return Plan(project=desired.project, cluster=cluster, resources=resources)


# ---------------------------------------------------------------------------------------------
# IAM roles and log groups.


def plan_roles(specs: list[RoleSpec], states: Mapping[str, RoleState], owner: Owner) -> list[ResourceChange]:
    """Roles: CREATE when missing, else UPDATE when trust, managed or inline policies differ.

    A role compose2ecs created carries a user tag per deployment that uses it, like a log group.
    """
    return [_plan_role(spec, states.get(spec.name), owner) for spec in specs]


def _plan_role(spec: RoleSpec, state: RoleState | None, owner: Owner) -> ResourceChange:
    if state is None:
        return ResourceChange(ResourceKind.ROLE, spec.name, Action.CREATE)
    # Tags and path are not compared: a role made by hand keeps them, and is never claimed by tagging.
    before = {
        "assumeRolePolicyDocument": normalize_policy(state.role.get("AssumeRolePolicyDocument") or {}),
        "inlinePolicies": {name: normalize_policy(doc) for name, doc in state.inline_policies.items()},
    }
    after = {
        "assumeRolePolicyDocument": normalize_policy(spec.trust_policy),
        "inlinePolicies": {name: normalize_policy(doc) for name, doc in spec.inline_policies.items()},
    }
    changes = diff_fields(before, after) + set_changes(
        "managedPolicyArns", state.attached_policy_arns, spec.managed_policy_arns
    )
    if missing_user_tag(state, owner):
        changes.append(FieldChange(f"tags[{owner.user_tag}]", "added", None, owner.user_value))
    touched = {
        "trust policy": "assumeRolePolicyDocument",
        "managed policies": "managedPolicyArns",
        "inline policies": "inlinePolicies",
        "user tag": "tags",
    }
    reason = ", ".join(
        what for what, prefix in touched.items() if any(c.path.startswith(prefix) for c in changes)
    )
    return _updated(ResourceKind.ROLE, spec.name, changes, reason)


def plan_log_groups(
    specs: list[LogGroupSpec], states: Mapping[tuple[str, str], LogGroupState], owner: Owner
) -> list[ResourceChange]:
    """Log groups: CREATE when missing (in that region), else UPDATE when the retention differs.

    A group compose2ecs created for any deployment also carries one user tag per deployment that
    logs to it (`down --all` of its last user removes it); a group made by hand is never tagged.
    """
    out = []
    for spec in specs:
        state = states.get((spec.region, spec.name))
        label = spec.label(owner.region)
        if state is None:
            out.append(ResourceChange(ResourceKind.LOG_GROUP, label, Action.CREATE))
            continue
        changes = diff_fields(
            {"retentionInDays": state.retention_days}, {"retentionInDays": spec.retention_days}
        )
        if creator(state.tags) is not None and owner.user_tag not in state.tags:
            changes.append(FieldChange(f"tags[{owner.user_tag}]", "added", None, owner.user_value))
        reason = ", ".join(
            what
            for what, prefix in (("retention", "retentionInDays"), ("user tag", "tags"))
            if any(c.path.startswith(prefix) for c in changes)
        )
        out.append(_updated(ResourceKind.LOG_GROUP, label, changes, reason))
    return out


# ---------------------------------------------------------------------------------------------
# Cluster, security group, namespace.


def plan_cluster(name: str, state: Mapping[str, Any] | None) -> ResourceChange:
    """The cluster: CREATE when there is no ACTIVE one; its settings are not managed."""
    action = Action.CREATE if state is None else Action.NO_CHANGE
    return ResourceChange(ResourceKind.CLUSTER, name, action)


def plan_security_group(desired: DesiredState, state: Mapping[str, Any] | None) -> list[ResourceChange]:
    """The project security group, needed exactly when no service brings its own network."""
    if not desired.uses_project_network:
        return []
    if state is None:
        return [ResourceChange(ResourceKind.SECURITY_GROUP, desired.security_group_name, Action.CREATE)]
    group_id = str(state.get("GroupId", ""))
    deployed_rules = {grant_text(g, group_id) for g in deployed_grants(state.get("IpPermissions", []))}
    desired_rules = {grant_text(g, group_id) for g in desired_grants(desired.ingress, group_id)}
    changes = set_changes("ingress", deployed_rules, desired_rules)
    return [_updated(ResourceKind.SECURITY_GROUP, desired.security_group_name, changes, "ingress rules")]


def plan_namespace(name: str | None, state: Mapping[str, Any] | None) -> list[ResourceChange]:
    """The Service Connect namespace, when the project uses one."""
    if name is None:
        return []
    exists = state is not None and state.get("Name") == name
    return [ResourceChange(ResourceKind.NAMESPACE, name, Action.NO_CHANGE if exists else Action.CREATE)]


# ---------------------------------------------------------------------------------------------
# Task definitions.


def plan_task_definitions(desired: DesiredState, deployed: DeployedState) -> list[ResourceChange]:
    """Families: CREATE, NEW_REVISION on any content change, UPDATE on a tags-only change."""
    return [
        _plan_task_definition(request, deployed.task_definitions.get(request["family"]), desired.tags)
        for request in desired.task_definitions
    ]


def _plan_task_definition(
    request: Mapping[str, Any], latest: Mapping[str, Any] | None, project_tags: Mapping[str, str]
) -> ResourceChange:
    family = request["family"]
    if latest is None or latest.get("status", "ACTIVE") != "ACTIVE":
        return ResourceChange(ResourceKind.TASK_DEFINITION, family, Action.CREATE)
    changes = diff_fields(normalize_task_definition(latest), normalize_task_definition(request, project_tags))
    if not changes:
        return ResourceChange(ResourceKind.TASK_DEFINITION, family, Action.NO_CHANGE)
    # Task definitions are immutable except for their tags, which TagResource changes in place.
    if all(_is_tag(c) for c in changes):
        return ResourceChange(ResourceKind.TASK_DEFINITION, family, Action.UPDATE, tuple(changes), "tags")
    reason = f"registers {family}:{_revision(latest) + 1}" if _revision(latest) else ""
    return ResourceChange(ResourceKind.TASK_DEFINITION, family, Action.NEW_REVISION, tuple(changes), reason)


def _is_tag(change: FieldChange) -> bool:
    return change.path == "tags" or change.path.startswith("tags[")


def _revision(definition: Mapping[str, Any] | None) -> int:
    revision = (definition or {}).get("revision")
    return revision if isinstance(revision, int) else 0


# ---------------------------------------------------------------------------------------------
# Services.


def plan_services(
    desired: DesiredState, deployed: DeployedState, family_actions: Mapping[str, Action]
) -> list[ResourceChange]:
    """Services: CREATE, REPLACE (a field UpdateService cannot change), UPDATE or NO_CHANGE."""
    namespace_names = {}
    if deployed.namespace and deployed.namespace.get("Arn") and deployed.namespace.get("Name"):
        namespace_names[deployed.namespace["Arn"]] = deployed.namespace["Name"]
    out = []
    for request in desired.services:
        name = request["serviceName"]
        entry = deployed.services.get(name)
        if entry is None or entry.get("status", "ACTIVE") != "ACTIVE":
            # An INACTIVE service is gone; a DRAINING one is going and cannot be updated.
            out.append(ResourceChange(ResourceKind.SERVICE, name, Action.CREATE))
            continue
        explicit_count = desired.desired_count_explicit.get(name, False)
        before, after = _comparable_services(
            normalize_service(service_request_from_describe(entry, namespace_names)),
            normalize_service(request, desired.tags),
            explicit_count=explicit_count,
        )
        if entry.get("serviceArn") and not taggable_service_arn(str(entry["serviceArn"])):
            # An old-format ARN cannot be tagged: comparing tags would never converge.
            before.pop("tags", None)
            after.pop("tags", None)
        changes = diff_fields(before, after)
        task_change = _task_definition_change(
            request.get("taskDefinition", ""), entry, deployed, family_actions
        )
        if task_change:
            changes = [task_change, *changes]
        replace = _replace_reasons(before, after)
        if replace:
            out.append(
                ResourceChange(ResourceKind.SERVICE, name, Action.REPLACE, tuple(changes), "; ".join(replace))
            )
            continue
        reason = "new task definition" if task_change else ""
        out.append(_updated(ResourceKind.SERVICE, name, changes, reason))
    return _redeploy_for_new_endpoints(desired, out)


def serves_endpoints(request: Mapping[str, Any]) -> bool:
    """A Service Connect server: other services reach it by name."""
    return bool((request.get("serviceConnectConfiguration") or {}).get("services"))


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
        tags_only = change.action is Action.UPDATE and all(_is_tag(c) for c in change.changes)
        if connected and (change.action is Action.NO_CHANGE or tags_only):
            field = FieldChange("forceNewDeployment", "added", None, after=True)
            reason = f"a new deployment, to resolve the new endpoint(s) of {', '.join(created)}"
            change = ResourceChange(change.kind, change.name, Action.UPDATE, (*change.changes, field), reason)
        out.append(change)
    return out


def _comparable_services(
    deployed: dict[str, Any], desired: dict[str, Any], *, explicit_count: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    # Fields the user left to AWS or to someone else are not compared:
    # - desiredCount not set by the user: `scale` or autoscaling own it;
    # - no networkConfiguration: `up` fills it from the default VPC and the project security group;
    # - role / availabilityZoneRebalancing not set: AWS picks them (the ECS service-linked role;
    #   ENABLED on create), so an echo of AWS's choice is not a difference.
    # - no loadBalancers / serviceRegistries: attached by someone else, and left alone.
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
    ]
    if not explicit_count:
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
    family: str, entry: Mapping[str, Any], deployed: DeployedState, family_actions: Mapping[str, Action]
) -> FieldChange | None:
    running = resource_id(str(entry.get("taskDefinition", "")))
    family = family_of(family)
    latest = deployed.task_definitions.get(family)
    action = family_actions.get(family)
    if action in {Action.NEW_REVISION, Action.CREATE}:
        # The next number is a forecast: revisions deregistered after the latest ACTIVE one also count.
        target = (
            f"{family}:{_revision(latest) + 1} (new)" if action is Action.NEW_REVISION else f"{family} (new)"
        )
        return FieldChange("taskDefinition", "changed", running, target)
    target = f"{family}:{_revision(latest)}" if latest else family
    if running != target:
        return FieldChange("taskDefinition", "changed", running, target)
    return None


def plan_orphans(desired: DesiredState, deployed: DeployedState) -> list[ResourceChange]:
    """The deployment's live services that the files no longer define: DELETE, on request.

    A service named after the project alone is the project layout's; `<project>-<x>` names are the
    service layout's. An orphan of the other layout means the layout was switched.
    """
    out = []
    for name, service in sorted(deployed.orphans.items()):
        if service.get("status") != "ACTIVE":
            continue  # DRAINING: already being deleted
        layout = "project" if name == desired.project else "service"
        reason = (
            f"deployed in the {layout} layout; the files now use the {desired.layout} layout"
            if layout != desired.layout
            else "no longer defined by the compose files (an orphan)"
        )
        out.append(
            ResourceChange(
                ResourceKind.SERVICE, name, Action.DELETE, (), reason, layout_switch=layout != desired.layout
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# Helpers.


def _updated(kind: ResourceKind, name: str, changes: list[FieldChange], reason: str) -> ResourceChange:
    if not changes:
        return ResourceChange(kind, name, Action.NO_CHANGE)
    return ResourceChange(kind, name, Action.UPDATE, tuple(changes), reason)


def _short(value: Any) -> str:
    if isinstance(value, dict) and set(value) == {"type"}:
        return str(value["type"])
    return "none" if value is None else str(role_name(value))
