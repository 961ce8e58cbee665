"""CloudWatch log groups the containers log to (awslogs), in the region each container names.

A group compose2ecs created, for any deployment, carries one user tag per deployment that logs to
it, and `down --all` of its last user removes it; a group made by hand is never tagged or removed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from compose2ecs.model import creator, user_tags
from compose2ecs.model.deployed import Action, FieldChange, Operation, ResourceChange, ResourceKind
from compose2ecs.plan.diff import diff_fields
from compose2ecs.resources.base import perform, updated

if TYPE_CHECKING:
    from compose2ecs.model.deployed import LogGroupState
    from compose2ecs.resources.base import Execution, Planning, Teardown

KIND = ResourceKind.LOG_GROUP


def plan(planning: Planning) -> list[ResourceChange]:
    """CREATE when missing (in that region), else UPDATE when the retention or the user tag differs."""
    desired = planning.desired
    owner = desired.owner
    out = []
    for spec in desired.log_groups:
        state = planning.deployed.log_groups.get((spec.region, spec.name))
        label = spec.label(owner.region)
        retention = Operation(
            "put_retention_policy", spec.name, (spec.name, spec.region, spec.retention_days)
        )
        if state is None:
            tags = {**desired.tags, owner.user_tag: owner.user_value}
            operations = [Operation("create_log_group", spec.name, (spec.name, spec.region, tags))]
            if spec.retention_days is not None:
                operations.append(retention)
            out.append(ResourceChange(KIND, label, Action.CREATE, operations=tuple(operations)))
            continue
        changes = diff_fields(
            {"retentionInDays": state.retention_days}, {"retentionInDays": spec.retention_days}
        )
        operations = []
        if creator(state.tags) is not None and owner.user_tag not in state.tags:
            # Another deployment's group (or an earlier run's): count this one among its users.
            changes.append(FieldChange(f"tags[{owner.user_tag}]", "added", None, owner.user_value))
            if state.arn:
                operations.append(
                    Operation(
                        "tag_log_group",
                        spec.name,
                        (state.arn, spec.region, {owner.user_tag: owner.user_value}),
                    )
                )
        if spec.retention_days != state.retention_days:
            operations.append(retention)
        reason = ", ".join(
            what
            for what, prefix in (("retention", "retentionInDays"), ("user tag", "tags"))
            if any(c.path.startswith(prefix) for c in changes)
        )
        out.append(updated(KIND, label, changes, reason, operations))
    return out


_MESSAGES = {
    "create_log_group": "created log group {0}",
    "tag_log_group": "tagged log group {target} as used by {owner}",
    "put_retention_policy": "set retention of log group {0}: {2} days",
}


def execute(change: ResourceChange, execution: Execution) -> None:
    for operation in change.operations:
        messages = _MESSAGES
        if operation.call == "put_retention_policy" and operation.args[2] is None:
            messages = {**_MESSAGES, "put_retention_policy": "set retention of log group {0}: never expire"}
        perform(operation, execution, messages)


def remove(teardown: Teardown) -> None:
    run, owner = teardown.run, teardown.desired.owner
    for spec in teardown.desired.log_groups:
        state = teardown.deployed.log_groups.get((spec.region, spec.name))
        if state is None:
            continue
        if creator(state.tags) is None:
            teardown.kept(f"log group {spec.name}")
            continue
        keep = teardown.keep_shared(state.tags, len(user_tags(state.tags) - {owner.user_tag}))
        if keep:
            _untag(teardown, spec.name, state)
            run.progress.step(f"kept log group {spec.name}: {keep}")
            continue
        run.gateway.delete_log_group(spec.name, state.region)
        run.wrote("delete_log_group", spec.name, f"deleted log group {spec.name}")


def _untag(teardown: Teardown, name: str, state: LogGroupState) -> None:
    user = teardown.desired.owner.user_tag
    if user in state.tags and state.arn:
        teardown.run.gateway.untag_log_group(state.arn, state.region, [user])
        teardown.run.wrote("untag_log_group", name, f"untagged log group {name}")
