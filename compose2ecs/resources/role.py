"""IAM roles: the task execution role and task roles compose2ecs creates, or adds to.

A task execution role is often made once per account (the tutorial's `ecsTaskExecutionRole`) and
used by many apps. compose2ecs manages a role in full only when it created it for this deployment
(its ownership tags). On any other role it keeps every trust statement and policy the role has,
adds the trust statements it lacks, and puts the permissions the project needs into one inline
policy of its own, named after the project, cluster and region: two projects, or one project in
two clusters or regions, never write each other's policy, and `down --all` removes only its own.
A role compose2ecs created counts its users (one user tag per deployment), keeps the policies
other projects put on it, and goes with its last user.
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

from compose2ecs.load.role_policy import lets_ecs_tasks_assume
from compose2ecs.model import ACCOUNT, POLICY_PREFIX, RoleSpec, creator, resolve, tags_dict, user_tags
from compose2ecs.model.deployed import Action, FieldChange, Operation, ResourceChange, ResourceKind
from compose2ecs.plan.diff import diff_fields, set_changes
from compose2ecs.plan.normalize import normalize_policy
from compose2ecs.resources.base import perform, planned_placeholders, updated

if TYPE_CHECKING:
    from compose2ecs.model import DesiredState, Owner
    from compose2ecs.model.deployed import RoleState
    from compose2ecs.resources.base import Execution, Planning, Teardown

KIND = ResourceKind.ROLE

# What AmazonECSTaskExecutionRolePolicy grants, which a shared role gets inline instead: attaching
# (or on `down`, detaching) a managed policy would change what every other user of the role has.
EXECUTION_STATEMENTS: tuple[dict[str, Any], ...] = (
    {
        "Effect": "Allow",
        "Action": [
            "ecr:GetAuthorizationToken",
            "ecr:BatchCheckLayerAvailability",
            "ecr:GetDownloadUrlForLayer",
            "ecr:BatchGetImage",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
        ],
        "Resource": "*",
    },
)


def owns_role(state: RoleState, owner: Owner) -> bool:
    return owner.owns(tags_dict(state.role.get("Tags")))


def made_by_compose2ecs(state: RoleState) -> bool:
    """Created by compose2ecs for some deployment: its last user may delete it."""
    return creator(tags_dict(state.role.get("Tags"))) is not None


def missing_user_tag(state: RoleState, owner: Owner) -> bool:
    """A role compose2ecs made that does not count this deployment among its users yet."""
    return made_by_compose2ecs(state) and owner.user_tag not in tags_dict(state.role.get("Tags"))


def role_users(state: RoleState, owner: Owner) -> set[str]:
    """The other deployments' user tags on the role."""
    return user_tags(tags_dict(state.role.get("Tags"))) - {owner.user_tag}


def others_policies(spec: RoleSpec, state: RoleState, own_policy: str) -> dict[str, dict[str, Any]]:
    """Inline policies other compose2ecs projects put on the role (not this project's)."""
    return {
        name: document
        for name, document in state.inline_policies.items()
        if name.startswith(POLICY_PREFIX) and name != own_policy and name not in spec.inline_policies
    }


def effective_role(spec: RoleSpec, state: RoleState | None, owner: Owner) -> RoleSpec:
    """What compose2ecs wants the role to be, given what it is (the planner and the executor agree)."""
    own_policy = owner.policy_name
    if state is None:
        return spec  # created by this run, for this deployment
    if owns_role(state, owner):
        # Ours in full, but the policies other projects added stay.
        return spec._replace(
            inline_policies={**others_policies(spec, state, own_policy), **spec.inline_policies}
        )
    statements = [*EXECUTION_STATEMENTS]
    for document in spec.inline_policies.values():
        statements.extend(document.get("Statement", []))
    policy = {"Version": "2012-10-17", "Statement": statements}
    return RoleSpec(
        name=spec.name,
        path=spec.path,
        trust_policy=_with_statements(state.role.get("AssumeRolePolicyDocument") or {}, spec.trust_policy),
        managed_policy_arns=tuple(state.attached_policy_arns),
        inline_policies={**state.inline_policies, own_policy: policy},
    )


def with_account(document: dict[str, Any], account: str | None) -> dict[str, Any]:
    """`document` with the caller's account in place of ACCOUNT.

    Unknown (no STS answer), the conditions that need it are left out rather than written wrong.
    """
    text = json.dumps(document)
    if ACCOUNT not in text:
        return document
    if account is not None:
        return dict(json.loads(text.replace(ACCOUNT, account)))
    statements = _statements(document)
    return {
        **document,
        "Statement": [
            {k: v for k, v in s.items() if k != "Condition"}
            if ACCOUNT in json.dumps(s.get("Condition"))
            else s
            for s in statements
        ],
    }


def _with_statements(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    """`current` plus each statement of `wanted` it lacks; nothing removed, order kept.

    A role someone else made that lets ECS tasks assume it already (their conditions or none)
    lacks nothing: compose2ecs does not add its own conditioned statement next to theirs.
    """
    existing = _statements(current)
    have = [normalize_policy({"Statement": [s]}) for s in existing]
    trusted = any(lets_ecs_tasks_assume(s) for s in existing)
    missing = [
        s
        for s in _statements(wanted)
        if normalize_policy({"Statement": [s]}) not in have and not (trusted and lets_ecs_tasks_assume(s))
    ]
    if not missing:
        return current
    return {**current, "Version": current.get("Version", "2012-10-17"), "Statement": [*existing, *missing]}


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    statements = document.get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


# ---------------------------------------------------------------------------------------------
# Plan.


def plan(planning: Planning) -> list[ResourceChange]:
    """CREATE when missing, else UPDATE when trust, managed or inline policies (or the user tag) differ."""
    desired, deployed = planning.desired, planning.deployed
    out = []
    for wanted in desired.roles:
        state = deployed.roles.get(wanted.name)
        resolved = wanted._replace(
            trust_policy=with_account(wanted.trust_policy, deployed.account),
            inline_policies=resolve(wanted.inline_policies, planned_placeholders(planning)),
        )
        out.append(_plan_role(effective_role(resolved, state, desired.owner), state, desired))
    return out


def _plan_role(spec: RoleSpec, state: RoleState | None, desired: DesiredState) -> ResourceChange:
    owner = desired.owner
    if state is None:
        tags = {**desired.tags, owner.user_tag: owner.user_value}
        operations = [
            Operation("create_role", spec.name, (spec.name, spec.path, spec.trust_policy, tags)),
            *(
                Operation("attach_role_policy", f"{spec.name} {arn}", (spec.name, arn))
                for arn in spec.managed_policy_arns
            ),
            *(
                Operation("put_role_policy", f"{spec.name} {policy}", (spec.name, policy, document))
                for policy, document in spec.inline_policies.items()
            ),
        ]
        return ResourceChange(KIND, spec.name, Action.CREATE, operations=tuple(operations))
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
    return updated(KIND, spec.name, changes, reason, _update_operations(spec, state, owner))


def _update_operations(spec: RoleSpec, state: RoleState, owner: Owner) -> list[Operation]:
    # Tags are left alone on purpose: a hand-made role must never start to look like ours. A role
    # compose2ecs made counts its users, this deployment among them.
    name = spec.name
    operations = []
    if missing_user_tag(state, owner):
        operations.append(Operation("tag_role", name, (name, {owner.user_tag: owner.user_value})))
    # Compared as normalised documents, so an equivalent document is never rewritten.
    if normalize_policy(state.role.get("AssumeRolePolicyDocument") or {}) != normalize_policy(
        spec.trust_policy
    ):
        operations.append(Operation("update_trust_policy", name, (name, spec.trust_policy)))
    operations.extend(
        Operation("attach_role_policy", f"{name} {arn}", (name, arn))
        for arn in spec.managed_policy_arns
        if arn not in state.attached_policy_arns
    )
    operations.extend(
        Operation("detach_role_policy", f"{name} {arn}", (name, arn))
        for arn in state.attached_policy_arns
        if arn not in spec.managed_policy_arns
    )
    operations.extend(
        Operation("put_role_policy", f"{name} {policy}", (name, policy, document))
        for policy, document in spec.inline_policies.items()
        if normalize_policy(state.inline_policies.get(policy) or {}) != normalize_policy(document)
    )
    operations.extend(
        Operation("delete_role_policy", f"{name} {policy}", (name, policy))
        for policy in state.inline_policies
        if policy not in spec.inline_policies
    )
    return operations


# ---------------------------------------------------------------------------------------------
# Execute.


_MESSAGES = {
    "create_role": "created role {0}",
    "tag_role": "tagged role {0} as used by {owner}",
    "update_trust_policy": "updated the trust policy of role {0}",
    "attach_role_policy": "attached {1} to role {0}",
    "detach_role_policy": "detached {1} from role {0}",
    "put_role_policy": "put policy {1} on role {0}",
    "delete_role_policy": "deleted policy {1} of role {0}",
}


def execute(change: ResourceChange, execution: Execution) -> None:
    for operation in change.operations:
        # A policy naming the file system created earlier in this run gets its ARNs now.
        operation = dataclasses.replace(operation, args=resolve(operation.args, execution.known))
        result = perform(operation, execution, _MESSAGES)
        if operation.call == "create_role":
            execution.role_arns[change.name] = str(result)


def arn_of(name: str, execution: Execution) -> str | None:
    """The ARN of a role the files name, once it exists (created by this run, or read)."""
    if name in execution.role_arns:
        return execution.role_arns[name]
    state = execution.deployed.roles.get(name)
    return str(state.role["Arn"]) if state is not None and "Arn" in state.role else None


# ---------------------------------------------------------------------------------------------
# Remove.


def remove(teardown: Teardown) -> None:
    run, owner = teardown.run, teardown.desired.owner
    own_policy = owner.policy_name
    for spec in teardown.desired.roles:
        state = teardown.deployed.roles.get(spec.name)
        if state is None:
            continue
        if not made_by_compose2ecs(state):
            # Someone else's role: only this deployment's own policy goes.
            _delete_policies(teardown, spec.name, [p for p in state.inline_policies if p == own_policy])
            teardown.kept(f"role {spec.name}")
            continue
        tags = tags_dict(state.role.get("Tags"))
        others = others_policies(spec, state, own_policy)
        keep = teardown.keep_shared(tags, len(role_users(state, owner)) or len(others))
        if keep:
            # Only this deployment's part goes: its policy (all but the others' on a role it
            # created) and its user tag.
            mine = [p for p in state.inline_policies if p not in others] if owns_role(state, owner) else []
            _delete_policies(
                teardown, spec.name, mine or [p for p in state.inline_policies if p == own_policy]
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
        _delete_policies(teardown, spec.name, list(state.inline_policies))
        run.gateway.delete_role(spec.name)
        run.wrote("delete_role", spec.name, f"deleted role {spec.name}")


def _delete_policies(teardown: Teardown, role: str, policies: list[str]) -> None:
    for policy in policies:
        teardown.run.gateway.delete_role_policy(role, policy)
        teardown.run.wrote("delete_role_policy", f"{role} {policy}", f"deleted policy {policy} of {role}")
