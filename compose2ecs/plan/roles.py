"""Roles compose2ecs shares with others: it adds what the project needs and takes nothing away.

A task execution role is often made once per account (the tutorial's `ecsTaskExecutionRole`) and
used by many apps. compose2ecs manages a role in full only when it created it for this project
(its project tag). On any other role it keeps every trust statement and policy the role has,
adds the trust statements it lacks, and puts the permissions the project needs into one inline
policy of its own, named after the project, cluster and region: two projects, or one project in
two clusters or regions, never write each other's policy, and `down --all` removes only its own.
A role compose2ecs created keeps the policies other projects put on it, and outlives its creator
while they use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compose2ecs.model import POLICY_PREFIX, RoleSpec, creator, tags_dict, user_tags
from compose2ecs.plan.normalize import normalize_policy

if TYPE_CHECKING:
    from compose2ecs.model import Owner
    from compose2ecs.model.deployed import RoleState

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


def _with_statements(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    """`current` plus each statement of `wanted` it lacks; nothing removed, order kept."""
    existing = _statements(current)
    have = [normalize_policy({"Statement": [s]}) for s in existing]
    missing = [s for s in _statements(wanted) if normalize_policy({"Statement": [s]}) not in have]
    if not missing:
        return current
    return {**current, "Version": current.get("Version", "2012-10-17"), "Statement": [*existing, *missing]}


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    statements = document.get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)
