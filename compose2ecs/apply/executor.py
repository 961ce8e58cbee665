"""Carry out a plan: ordered writes through the Gateway, then wait for the services.

Order: roles -> log groups -> cluster -> network -> namespace -> task definitions -> services ->
wait. Each step derives what to send from the desired state and what is deployed, not from the
plan's field changes, so a run that was interrupted converges when it is planned and run again. The
plan decides which resources are touched: a resource whose action is "no change" gets no write, and
a resource the plan does not mention is created when it is missing and otherwise left alone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from compose2ecs.apply.context import ApplyResult, Run, live_service
from compose2ecs.apply.network import awsvpc_configuration, ip_permissions
from compose2ecs.apply.wait import seen_event_ids, settle, wait_for_services, wait_until_gone
from compose2ecs.errors import UsageError
from compose2ecs.model import creator, ecs_tags, resource_id, taggable_service_arn, tags_dict
from compose2ecs.model.deployed import Action, ResourceKind
from compose2ecs.plan import CREATED_CLUSTER_PROVIDERS
from compose2ecs.plan.changes import serves_endpoints
from compose2ecs.plan.normalize import (
    DEFAULT_DEPLOYMENT_CONFIGURATION,
    SERVICE_RESETS,
    deployed_grants,
    desired_grants,
    normalize_policy,
)
from compose2ecs.plan.roles import effective_role, missing_user_tag

if TYPE_CHECKING:
    from collections.abc import Callable

    from compose2ecs.apply.context import ApplyOptions, Progress
    from compose2ecs.apply.gateway import Gateway
    from compose2ecs.model import DesiredState, RoleSpec
    from compose2ecs.model.deployed import DeployedState, Plan, RoleState

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
_WRITES = frozenset({Action.CREATE, Action.UPDATE, Action.NEW_REVISION, Action.REPLACE})
_SINGLETONS = frozenset({ResourceKind.CLUSTER, ResourceKind.SECURITY_GROUP})


def apply_plan(  # noqa: PLR0917 - the stage's entry point takes each input by position
    plan: Plan,
    desired: DesiredState,
    deployed: DeployedState,
    gateway: Gateway,
    options: ApplyOptions,
    progress: Progress,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> ApplyResult:
    """Make AWS match `desired`, touching only what `plan` says changes; then wait for the services."""
    if plan.cluster != options.cluster:
        msg = f"the plan is for cluster {plan.cluster!r} but the options name {options.cluster!r}"
        raise ValueError(msg)
    refuse_replacements(plan, options)
    run = Run(gateway, options, progress, clock, sleep)
    step = _Step(run, plan, desired, deployed)
    step.roles()
    step.log_groups()
    step.cluster()
    step.network()
    step.namespace()
    step.task_definitions()
    step.services()
    step.orphans()
    if options.wait and step.deployed_services:
        wait_for_services(run, plan.cluster, step.deployed_services, step.seen_events)
    return ApplyResult(run.writes, dict(step.task_definition_arns))


def settle_services(
    services: dict[str, dict[str, Any]],
    gateway: Gateway,
    options: ApplyOptions,
    progress: Progress,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """For a plan in sync: wait until these not-yet-steady services settle (AwsError if not)."""
    settle(Run(gateway, options, progress, clock, sleep), options.cluster, services)


def refuse_replacements(plan: Plan, options: ApplyOptions) -> None:
    """Replacing deletes a running service: never without --force-replace, and checked before any write."""
    for change in plan.resources:
        if change.layout_switch and not options.force_replace:
            raise UsageError(
                f"service {change.name} was {change.reason}; switching layouts deletes it and creates "
                "the new layout's services: run again with --force-replace (expect downtime)"
            )
        if change.action is not Action.REPLACE:
            continue
        because = change.reason or "a field that cannot change in place differs"
        if change.kind is not ResourceKind.SERVICE:
            msg = f"{change.kind} {change.name} must be replaced because {because}"
            raise UsageError(f"{msg}; compose2ecs only replaces services: delete it by hand and run again")
        if not options.force_replace:
            raise UsageError(
                f"service {change.name} needs --force-replace because {because} "
                "(the service is deleted and created again: expect downtime)"
            )


@dataclass
class _Step:
    run: Run
    plan: Plan
    desired: DesiredState
    deployed: DeployedState
    role_arns: dict[str, str] = field(default_factory=dict)
    network_configuration: dict[str, Any] | None = None
    task_definition_arns: dict[str, str] = field(default_factory=dict)
    deployed_services: dict[str, str] = field(default_factory=dict)  # name -> task definition ARN to run
    seen_events: dict[str, set[str]] = field(default_factory=dict)
    tags: dict[str, str] = field(init=False)
    cluster_name: str = field(init=False)

    def __post_init__(self) -> None:
        self.tags = self.desired.tags
        self.cluster_name = self.plan.cluster

    def action(self, kind: ResourceKind, name: str, *, exists: bool) -> Action:
        """The plan's action; for a resource the plan leaves out, create it when it is missing."""
        for change in self.plan.resources:
            if change.kind is kind and (kind in _SINGLETONS or change.name == name):
                return change.action
        return Action.NO_CHANGE if exists else Action.CREATE

    def changes_of(self, kind: ResourceKind, name: str) -> tuple[str, ...]:
        for change in self.plan.resources:
            if change.kind is kind and change.name == name:
                return tuple(field_change.path for field_change in change.changes)
        return ()

    # 1. IAM roles ---------------------------------------------------------------------------

    def roles(self) -> None:
        self.role_arns = {
            name: str(state.role["Arn"]) for name, state in self.deployed.roles.items() if "Arn" in state.role
        }
        for wanted in self.desired.roles:
            state = self.deployed.roles.get(wanted.name)
            # As the planner saw it: on a role compose2ecs does not own, only additions.
            spec = effective_role(wanted, state, self.desired.owner)
            if self.action(ResourceKind.ROLE, spec.name, exists=state is not None) not in _WRITES:
                continue
            if state is None:
                self._create_role(spec)
            else:
                self._update_role(spec, state)

    def _create_role(self, spec: RoleSpec) -> None:
        run = self.run
        owner = self.desired.owner
        self.role_arns[spec.name] = run.gateway.create_role(
            spec.name, spec.path, spec.trust_policy, {**self.tags, owner.user_tag: owner.user_value}
        )
        run.wrote("create_role", spec.name, f"created role {spec.name}")
        for arn in spec.managed_policy_arns:
            run.gateway.attach_role_policy(spec.name, arn)
            run.wrote("attach_role_policy", f"{spec.name} {arn}", f"attached {arn} to role {spec.name}")
        for policy, document in spec.inline_policies.items():
            run.gateway.put_role_policy(spec.name, policy, document)
            run.wrote("put_role_policy", f"{spec.name} {policy}", f"put policy {policy} on role {spec.name}")

    def _update_role(self, spec: RoleSpec, state: RoleState) -> None:
        # Tags are left alone on purpose: a hand-made role must never start to look like ours. A
        # role compose2ecs made counts its users, this deployment among them.
        run, name = self.run, spec.name
        owner = self.desired.owner
        if missing_user_tag(state, owner):
            run.gateway.tag_role(name, {owner.user_tag: owner.user_value})
            run.wrote("tag_role", name, f"tagged role {name} as used by {owner.label()}")
        # Compared as the plan compares them, so an equivalent document is never rewritten.
        if normalize_policy(state.role.get("AssumeRolePolicyDocument") or {}) != normalize_policy(
            spec.trust_policy
        ):
            run.gateway.update_trust_policy(name, spec.trust_policy)
            run.wrote("update_trust_policy", name, f"updated the trust policy of role {name}")
        for arn in spec.managed_policy_arns:
            if arn not in state.attached_policy_arns:
                run.gateway.attach_role_policy(name, arn)
                run.wrote("attach_role_policy", f"{name} {arn}", f"attached {arn} to role {name}")
        for arn in state.attached_policy_arns:
            if arn not in spec.managed_policy_arns:
                run.gateway.detach_role_policy(name, arn)
                run.wrote("detach_role_policy", f"{name} {arn}", f"detached {arn} from role {name}")
        for policy, document in spec.inline_policies.items():
            if normalize_policy(state.inline_policies.get(policy) or {}) != normalize_policy(document):
                run.gateway.put_role_policy(name, policy, document)
                run.wrote("put_role_policy", f"{name} {policy}", f"put policy {policy} on role {name}")
        for policy in state.inline_policies:
            if policy not in spec.inline_policies:
                run.gateway.delete_role_policy(name, policy)
                run.wrote("delete_role_policy", f"{name} {policy}", f"deleted policy {policy} of role {name}")

    # 2. Log groups --------------------------------------------------------------------------

    def log_groups(self) -> None:
        run = self.run
        for spec in self.desired.log_groups:
            state = self.deployed.log_groups.get((spec.region, spec.name))
            label = spec.label(self.desired.region)
            if self.action(ResourceKind.LOG_GROUP, label, exists=state is not None) not in _WRITES:
                continue
            owner = self.desired.owner
            if state is None:
                tags = {**self.tags, owner.user_tag: owner.user_value}
                run.gateway.create_log_group(spec.name, spec.region, tags)
                run.wrote("create_log_group", spec.name, f"created log group {spec.name}")
            elif creator(state.tags) is not None and owner.user_tag not in state.tags and state.arn:
                # Another deployment's group (or an earlier run's): count this one among its users.
                run.gateway.tag_log_group(state.arn, spec.region, {owner.user_tag: owner.user_value})
                run.wrote(
                    "tag_log_group", spec.name, f"tagged log group {spec.name} as used by {owner.label()}"
                )
            if spec.retention_days != (state.retention_days if state else None):
                run.gateway.put_retention_policy(spec.name, spec.region, spec.retention_days)
                days = f"{spec.retention_days} days" if spec.retention_days else "never expire"
                run.wrote(
                    "put_retention_policy", spec.name, f"set retention of log group {spec.name}: {days}"
                )

    # 3. Cluster -----------------------------------------------------------------------------

    def cluster(self) -> None:
        cluster = self.deployed.cluster
        action = self.action(ResourceKind.CLUSTER, self.cluster_name, exists=cluster is not None)
        if action not in _WRITES:
            return
        if cluster is None:
            # With the Fargate providers, a capacity-provider strategy (FARGATE_SPOT) can run on it.
            self.run.gateway.create_cluster(self.cluster_name, self.tags, CREATED_CLUSTER_PROVIDERS)
            self.run.wrote("create_cluster", self.cluster_name, f"created cluster {self.cluster_name}")

    # 4. Network -----------------------------------------------------------------------------

    def network(self) -> None:
        if not self.desired.uses_project_network:
            return
        group = self.deployed.security_group
        action = self.action(
            ResourceKind.SECURITY_GROUP, self.desired.security_group_name, exists=group is not None
        )
        vpc_id, subnets = self.run.gateway.default_vpc_subnets()
        group_id = str(group["GroupId"]) if group else None
        if action in _WRITES:
            group_id = self._sync_security_group(group, vpc_id)
        self.network_configuration = awsvpc_configuration(subnets, group_id)

    def _sync_security_group(self, group: dict[str, Any] | None, vpc_id: str) -> str:
        run, name = self.run, self.desired.security_group_name
        if group is None:
            description = (
                f"compose2ecs project {self.desired.project} in cluster {self.desired.cluster}: "
                "the ports its services publish"
            )
            group_id = run.gateway.create_security_group(name, vpc_id, description, self.tags)
            run.wrote("create_security_group", name, f"created security group {name} ({group_id})")
            current: set[Any] = set()
        else:
            group_id = str(group["GroupId"])
            current = deployed_grants(group.get("IpPermissions", ()))
        wanted = desired_grants(self.desired.ingress, group_id)
        if missing := wanted - current:
            run.gateway.authorize_ingress(group_id, ip_permissions(missing))
            run.wrote("authorize_ingress", group_id, f"opened {_ports(missing)} in security group {name}")
        if extra := current - wanted:
            run.gateway.revoke_ingress(group_id, ip_permissions(extra))
            run.wrote("revoke_ingress", group_id, f"closed {_ports(extra)} in security group {name}")
        return group_id

    # 5. Service Connect namespace -------------------------------------------------------------

    def namespace(self) -> None:
        name = self.desired.namespace
        if name is None or self.deployed.namespace is not None:
            return
        if self.action(ResourceKind.NAMESPACE, name, exists=False) in _WRITES:
            self.run.gateway.create_namespace(name, self.tags)
            self.run.wrote("create_namespace", name, f"created namespace {name}")

    # 6. Task definitions --------------------------------------------------------------------

    def task_definitions(self) -> None:
        run = self.run
        for request in self.desired.task_definitions:
            family = str(request["family"])
            current = self.deployed.task_definitions.get(family)
            action = self.action(ResourceKind.TASK_DEFINITION, family, exists=current is not None)
            if action in {Action.CREATE, Action.NEW_REVISION}:
                registered = run.gateway.register_task_definition(self._registration(request))
                arn = str(registered["taskDefinitionArn"])
                label = f"{family}:{registered.get('revision', arn.rsplit(':', 1)[-1])}"
                run.wrote("register_task_definition", label, f"registered {label}")
                self.task_definition_arns[family] = arn
                continue
            if current is None:
                continue
            self.task_definition_arns[family] = str(current["taskDefinitionArn"])
            if action is Action.UPDATE:
                wanted = self._wanted_tags(request)
                self._sync_ecs_tags(str(current["taskDefinitionArn"]), current.get("tags"), wanted, family)

    def _registration(self, request: dict[str, Any]) -> dict[str, Any]:
        registration = dict(request)
        managed = {spec.name for spec in self.desired.roles}
        for key in ("executionRoleArn", "taskRoleArn"):
            role = registration.get(key)
            # Translate names the roles it manages by name; ECS wants the ARN, known once they exist.
            if isinstance(role, str) and role in managed and role in self.role_arns:
                registration[key] = self.role_arns[role]
        registration["tags"] = ecs_tags(self._wanted_tags(request))
        return registration

    def _wanted_tags(self, request: dict[str, Any]) -> dict[str, str]:
        return {**self.tags, **tags_dict(request.get("tags"))}

    # 7. Services ----------------------------------------------------------------------------

    def services(self) -> None:
        # Service Connect servers first: a service that only consumes endpoints is created once the
        # services it calls are steady, so its first tasks can resolve them.
        servers = [r for r in self.desired.services if serves_endpoints(r)]
        clients = [r for r in self.desired.services if not serves_endpoints(r)]
        for request in servers:
            self._service(request)
        new_clients = [
            r for r in clients if live_service(self.deployed.services.get(str(r["serviceName"]))) is None
        ]
        started = {
            n: a for n, a in self.deployed_services.items() if n in {r["serviceName"] for r in servers}
        }
        if new_clients and started and self.run.options.wait:
            wait_for_services(self.run, self.cluster_name, started, self.seen_events)
        for request in clients:
            self._service(request)

    def _service(self, request: dict[str, Any]) -> None:
        name = str(request["serviceName"])
        current = live_service(self.deployed.services.get(name))
        action = self.action(ResourceKind.SERVICE, name, exists=current is not None)
        family = str(request["taskDefinition"])
        arn = self.task_definition_arns.get(family, family)
        if action is Action.REPLACE and current is not None:
            self._replace_service(name, current, request, arn)
        elif current is not None and current.get("status") == "DRAINING":
            # Deleted by an earlier `down` that did not wait: ECS refuses the name until it is gone.
            self.seen_events[name] = seen_event_ids(current)
            wait_until_gone(self.run, self.cluster_name, [name], self.seen_events)
            self._create_service(request, arn)
        elif current is None:
            if action in _WRITES:
                self._create_service(request, arn)
        else:
            self._update_service(name, current, request, arn, action)

    def _service_request(self, request: dict[str, Any]) -> dict[str, Any]:
        full = dict(request)
        if "networkConfiguration" not in full and self.network_configuration is not None:
            full["networkConfiguration"] = self.network_configuration
        return full

    def _create_service(self, request: dict[str, Any], arn: str) -> None:
        name = str(request["serviceName"])
        create = self._service_request(request)
        create.update(
            cluster=self.cluster_name, taskDefinition=arn, tags=ecs_tags(self._wanted_tags(request))
        )
        self.run.gateway.create_service(create, self.run.progress.step)
        self.run.wrote("create_service", name, f"created service {name} ({resource_id(arn)})")
        self.deployed_services[name] = arn

    def _replace_service(self, name: str, current: dict[str, Any], request: dict[str, Any], arn: str) -> None:
        run = self.run
        self.seen_events[name] = seen_event_ids(current)
        run.gateway.delete_service(self.cluster_name, name)
        run.wrote("delete_service", name, f"deleted service {name} to replace it")
        # ECS refuses the name until the old service has left DRAINING.
        wait_until_gone(run, self.cluster_name, [name], self.seen_events)
        self._create_service(request, arn)

    def _update_service(
        self, name: str, current: dict[str, Any], request: dict[str, Any], arn: str, action: Action
    ) -> None:
        run = self.run
        changes = self.changes_of(ResourceKind.SERVICE, name)
        tags_only = bool(changes) and all(
            path == "tags" or path.startswith(("tags.", "tags[")) for path in changes
        )
        # A new revision (or one registered by an earlier, interrupted run) must reach the service
        # even when its own settings are unchanged.
        moves = arn.startswith("arn:") and current.get("taskDefinition") != arn
        if (action in _WRITES and not tags_only) or moves:
            full = self._service_request(request)
            update: dict[str, Any] = {"service": name, "cluster": self.cluster_name, "taskDefinition": arn}
            if self.desired.desired_count_explicit.get(name) and "desiredCount" in full:
                update["desiredCount"] = full["desiredCount"]
            update.update({key: full[key] for key in UPDATABLE_SERVICE_FIELDS if key in full})
            if "deploymentConfiguration" in update:
                # Sent whole: a member left out would keep what an earlier run set.
                update["deploymentConfiguration"] = {
                    **DEFAULT_DEPLOYMENT_CONFIGURATION,
                    **update["deploymentConfiguration"],
                }
            if "forceNewDeployment" in changes:
                update["forceNewDeployment"] = True  # a new endpoint to resolve (plan)
            for key, reset in SERVICE_RESETS.items():
                # A setting the files no longer give goes back to what AWS uses without it.
                if key not in update and any(_is_under(path, key) for path in changes):
                    update[key] = reset
            self.seen_events[name] = seen_event_ids(current)
            run.gateway.update_service(update)
            run.wrote("update_service", name, f"updated service {name} ({resource_id(arn)})")
            self.deployed_services[name] = arn
        if (
            action in _WRITES
            and "serviceArn" in current
            and not taggable_service_arn(str(current["serviceArn"]))
        ):
            run.progress.step(
                f"left the tags of service {name} as they are: its ARN has the old format, which ECS "
                "cannot tag (recreate it with --force-replace to let compose2ecs track it)"
            )
        elif action in _WRITES and "serviceArn" in current:
            wanted = self._wanted_tags(request)
            self._sync_ecs_tags(str(current["serviceArn"]), current.get("tags"), wanted, f"service {name}")

    # 8. Orphans ----------------------------------------------------------------------------

    def orphans(self) -> None:
        """Services of this deployment the files no longer define: removed on request only."""
        run = self.run
        gone: list[str] = []
        for change in self.plan.resources:
            if change.kind is not ResourceKind.SERVICE or change.action is not Action.DELETE:
                continue
            service = self.deployed.orphans.get(change.name)
            if service is None:
                continue
            if not (change.layout_switch or run.options.remove_orphans):
                run.progress.step(
                    f"left service {change.name} running, {change.reason}: "
                    "remove it with `up --remove-orphans`"
                )
                continue
            self.seen_events[change.name] = seen_event_ids(service)
            run.gateway.delete_service(self.cluster_name, change.name)
            run.wrote("delete_service", change.name, f"deleted service {change.name}: {change.reason}")
            gone.append(change.name)
        if gone and run.options.wait:
            wait_until_gone(run, self.cluster_name, gone, self.seen_events)

    # Tags -------------------------------------------------------------------------------------

    def _sync_ecs_tags(
        self, arn: str, current_tags: list[dict[str, Any]] | None, wanted: dict[str, str], label: str
    ) -> None:
        run = self.run
        current = tags_dict(current_tags)
        changed = {key: value for key, value in wanted.items() if current.get(key) != value}
        # aws:* tags belong to AWS (managed tags) and cannot be removed.
        extra = sorted(key for key in current if key not in wanted and not key.startswith("aws:"))
        if changed:
            run.gateway.tag_resource(arn, changed)
            run.wrote("tag_resource", arn, f"tagged {label}: {', '.join(sorted(changed))}")
        if extra:
            run.gateway.untag_resource(arn, extra)
            run.wrote("untag_resource", arn, f"removed tags from {label}: {', '.join(extra)}")


def _is_under(path: str, key: str) -> bool:
    """`path` (a plan's field path) is `key` or inside it."""
    return path == key or path.startswith((f"{key}.", f"{key}["))


def _ports(grants: set[Any]) -> str:
    ports = sorted({(g[0], g[1], g[2]) for g in grants}, key=lambda p: (p[0], p[1] or 0))
    return ", ".join(
        f"{low}/{proto}" if low == high else f"{low}-{high}/{proto}" for proto, low, high in ports
    )
