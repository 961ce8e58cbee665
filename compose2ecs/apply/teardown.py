"""`scale` and `down`: change the task count of running services, or remove what a project created.

`down` deletes the deployment's services: those the files define and those tagged as its own
(orphans, or the other layout's). With `remove_all` it also removes the rest, but only what carries
this deployment's ownership tags (model.Owner: project, cluster and region): a role, log group or
cluster that someone made by hand under the same name, or that another project or another cluster
of this project created, is kept and reported, never deleted. A shared resource compose2ecs
created (a role, a log group) goes with its last user.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from compose2ecs.apply.context import ApplyResult, Run, live_service
from compose2ecs.apply.wait import seen_event_ids, wait_for_services, wait_until_gone
from compose2ecs.errors import AwsError, UsageError
from compose2ecs.model import CLUSTER_TAG, creator, family_of, foreign_creator, tags_dict, user_tags
from compose2ecs.plan.roles import made_by_compose2ecs, others_policies, owns_role, role_users

if TYPE_CHECKING:
    from collections.abc import Callable

    from compose2ecs.apply.context import ApplyOptions, Progress
    from compose2ecs.apply.gateway import Gateway
    from compose2ecs.model import DesiredState
    from compose2ecs.model.deployed import DeployedState, LogGroupState


def scale(  # noqa: PLR0917 - same inputs, in the same order, as apply_plan
    desired: DesiredState,
    deployed: DeployedState,
    gateway: Gateway,
    counts: dict[str, int],
    options: ApplyOptions,
    progress: Progress,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> ApplyResult:
    """Set the desired task count of each named service, then wait until they run that many."""
    services = {name: live_service(deployed.services.get(name)) for name in counts}
    missing = sorted(name for name, service in services.items() if service is None)
    if missing:
        known = (
            ", ".join(sorted(n for n in deployed.services if live_service(deployed.services[n]))) or "none"
        )
        raise UsageError(
            f"no running service {', '.join(missing)} in cluster {options.cluster} "
            f"(deployed services of project {desired.project}: {known}); run `up` first"
        )
    foreign = sorted(
        f"{name} (it belongs to {maker.label()})"
        for name, service in services.items()
        if (maker := foreign_creator(tags_dict((service or {}).get("tags")), desired.owner))
    )
    if foreign:
        raise UsageError(f"not scaling another project's service: {', '.join(foreign)}")
    negative = sorted(name for name, count in counts.items() if count < 0)
    if negative:
        raise UsageError(f"a task count cannot be negative: {', '.join(negative)}")
    run = Run(gateway, options, progress, clock, sleep)
    expected: dict[str, str] = {}
    seen: dict[str, set[str]] = {}
    for name, count in counts.items():
        service = services[name] or {}
        gateway.update_service({"service": name, "cluster": options.cluster, "desiredCount": count})
        run.wrote("update_service", name, f"scaled service {name} to {count}")
        expected[name] = str(service.get("taskDefinition", ""))
        seen[name] = seen_event_ids(service)
    if options.wait:
        wait_for_services(run, options.cluster, expected, seen)
    families = {family_of(arn): arn for arn in expected.values() if arn}
    return ApplyResult(run.writes, families)


def down(
    desired: DesiredState,
    deployed: DeployedState,
    gateway: Gateway,
    options: ApplyOptions,
    progress: Progress,
    *,
    remove_all: bool,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> ApplyResult:
    """Delete the project's services; with `remove_all`, everything else it created too."""
    run = Run(gateway, options, progress, clock, sleep)
    teardown = _Teardown(run, desired, deployed)
    teardown.services(wait=options.wait or remove_all)
    if remove_all:
        teardown.task_definitions()
        teardown.log_groups()
        teardown.roles()
        teardown.security_group()
        teardown.namespace()
        teardown.cluster()
    return ApplyResult(run.writes, {})


@dataclass
class _Teardown:
    run: Run
    desired: DesiredState
    deployed: DeployedState

    def ours(self, tags: dict[str, str]) -> bool:
        return self.desired.owner.owns(tags)

    def kept(self, what: str) -> None:
        self.run.progress.step(f"kept {what}: not created by compose2ecs for {self.desired.owner.label()}")

    def services(self, *, wait: bool) -> None:
        run, cluster = self.run, self.run.options.cluster
        names = [str(service["serviceName"]) for service in self.desired.services]
        present = {name: s for name in names if (s := live_service(self.deployed.services.get(name)))}
        present.update({name: s for name, s in self.deployed.orphans.items() if live_service(s)})
        for name, service in list(present.items()):
            maker = foreign_creator(tags_dict(service.get("tags")), self.desired.owner)
            if maker is not None:
                # Another project's service under the same name (`shop` + `web` vs project `shop-web`).
                run.progress.step(f"kept service {name}: it belongs to {maker.label()}")
                del present[name]
                continue
            # A DRAINING service is already being deleted; deleting it again is an error.
            if service.get("status") == "ACTIVE":
                run.gateway.delete_service(cluster, name)
                run.wrote("delete_service", name, f"deleted service {name}")
        if wait and present:
            seen = {name: seen_event_ids(service) for name, service in present.items()}
            wait_until_gone(run, cluster, present, seen)

    def task_definitions(self) -> None:
        """Only the revisions this deployment registered (its tags): never one made by hand or elsewhere."""
        run, own = self.run, self.deployed.tagged.task_definitions
        families = {str(r["family"]) for r in self.desired.task_definitions} | {family_of(a) for a in own}
        for family in sorted(families):
            active = run.gateway.list_task_definition_arns(family, "ACTIVE")
            others = [arn for arn in active if arn not in own]
            for arn in active:
                if arn in own:
                    run.gateway.deregister_task_definition(arn)
                    run.wrote("deregister_task_definition", arn, f"deregistered {arn.rsplit('/', 1)[-1]}")
            if others:
                self.kept(f"{len(others)} revision(s) of task definition family {family}")

    def log_groups(self) -> None:
        run = self.run
        for spec in self.desired.log_groups:
            state = self.deployed.log_groups.get((spec.region, spec.name))
            if state is None:
                continue
            if creator(state.tags) is None:
                self.kept(f"log group {spec.name}")
                continue
            keep = self._keep_shared(state.tags, len(user_tags(state.tags) - {self.desired.owner.user_tag}))
            if keep:
                self._untag_log_group(spec.name, state)
                run.progress.step(f"kept log group {spec.name}: {keep}")
                continue
            run.gateway.delete_log_group(spec.name, state.region)
            run.wrote("delete_log_group", spec.name, f"deleted log group {spec.name}")

    def _keep_shared(self, tags: dict[str, str], other_users: int) -> str:
        """Why a role or log group compose2ecs created stays ("" when this deployment removes it).

        Only its last user removes it, and never one this deployment did not create or use.
        """
        owner = self.desired.owner
        if CLUSTER_TAG not in tags:
            return "created before users were counted, so who else uses it is unknown"
        if other_users:
            return f"{other_users} other deployment(s) still use it"
        if not owner.owns(tags) and owner.user_tag not in tags:
            return f"not created by compose2ecs for {owner.label()}"
        return ""

    def _untag_log_group(self, name: str, state: LogGroupState) -> None:
        user = self.desired.owner.user_tag
        if user in state.tags and state.arn:
            self.run.gateway.untag_log_group(state.arn, state.region, [user])
            self.run.wrote("untag_log_group", name, f"untagged log group {name}")

    def roles(self) -> None:
        run, owner = self.run, self.desired.owner
        own_policy = owner.policy_name
        for spec in self.desired.roles:
            state = self.deployed.roles.get(spec.name)
            if state is None:
                continue
            if not made_by_compose2ecs(state):
                # Someone else's role: only this deployment's own policy goes.
                self._delete_policies(spec.name, [p for p in state.inline_policies if p == own_policy])
                self.kept(f"role {spec.name}")
                continue
            tags = tags_dict(state.role.get("Tags"))
            others = others_policies(spec, state, own_policy)
            keep = self._keep_shared(tags, len(role_users(state, owner)) or len(others))
            if keep:
                # Only this deployment's part goes: its policy (all but the others' on a role it
                # created) and its user tag.
                mine = (
                    [p for p in state.inline_policies if p not in others] if owns_role(state, owner) else []
                )
                self._delete_policies(
                    spec.name, mine or [p for p in state.inline_policies if p == own_policy]
                )
                if owner.user_tag in tags:
                    run.gateway.untag_role(spec.name, [owner.user_tag])
                    run.wrote("untag_role", spec.name, f"untagged role {spec.name}")
                run.progress.step(f"kept role {spec.name}: {keep}")
                continue
            # Its last user: IAM refuses to delete a role that still has policies.
            for arn in state.attached_policy_arns:
                run.gateway.detach_role_policy(spec.name, arn)
                run.wrote("detach_role_policy", f"{spec.name} {arn}", f"detached {arn} from role {spec.name}")
            self._delete_policies(spec.name, list(state.inline_policies))
            run.gateway.delete_role(spec.name)
            run.wrote("delete_role", spec.name, f"deleted role {spec.name}")

    def _delete_policies(self, role: str, policies: list[str]) -> None:
        for policy in policies:
            self.run.gateway.delete_role_policy(role, policy)
            self.run.wrote("delete_role_policy", f"{role} {policy}", f"deleted policy {policy} of {role}")

    def security_group(self) -> None:
        group = self.deployed.security_group
        if group is None:
            return
        group_id = str(group["GroupId"])
        label = f"security group {group.get('GroupName', group_id)} ({group_id})"
        if not self.ours(tags_dict(group.get("Tags"))):
            self.kept(label)
            return
        self._retry_while_in_use(lambda: self.run.gateway.delete_security_group(group_id), group_id)
        self.run.wrote("delete_security_group", group_id, f"deleted {label}")

    def _retry_while_in_use(self, delete: Callable[[], None], resource: str) -> None:
        """The stopped tasks' network interfaces are released a few minutes after the service is gone."""
        run = self.run
        deadline = run.clock() + run.options.timeout
        while True:
            try:
                delete()
            except AwsError as error:
                if error.code != "DependencyViolation" or run.clock() >= deadline:
                    raise
                run.progress.step(f"{resource} is still in use by the tasks' network interfaces; retrying")
                run.sleep(run.options.poll_interval)
            else:
                return

    def namespace(self) -> None:
        namespace = self.deployed.namespace
        if namespace is None:
            return
        name = str(namespace.get("Name", namespace.get("Id")))
        if not self.ours(tags_dict(namespace.get("Tags"))):
            self.kept(f"namespace {name}")
            return
        self.run.gateway.delete_namespace(str(namespace["Id"]))
        self.run.wrote("delete_namespace", name, f"deleted namespace {name}")

    def cluster(self) -> None:
        run, name = self.run, self.run.options.cluster
        if self.deployed.cluster is None:
            return
        if not self.ours(tags_dict(self.deployed.cluster.get("tags"))):
            self.kept(f"cluster {name}")
            return
        # Read again: the count in `deployed` still includes the services deleted above.
        fresh = run.gateway.describe_cluster(name)
        if fresh is None:
            return
        others = int(fresh.get("activeServicesCount", 0))
        if others:
            run.progress.step(f"kept cluster {name}: {others} other service(s) still run in it")
            return
        run.gateway.delete_cluster(name)
        run.wrote("delete_cluster", name, f"deleted cluster {name}")
