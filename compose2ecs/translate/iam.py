"""The task execution role: its trust policy and exactly the permissions the project needs."""

from __future__ import annotations

from typing import Any

from compose2ecs.model import ACCOUNT, RoleSpec, TrustPolicy
from compose2ecs.translate import names


def execution_role_policy_arn(region: str) -> str:
    return f"arn:{names.partition(region)}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"


def _secret_resource(value_from: str, region: str) -> tuple[str, str]:
    """(action, resource ARN) to read one secret reference."""
    partition = names.partition(region)
    if value_from.startswith("arn:") and ":secretsmanager:" in value_from:
        # A reference may name a JSON key, stage and version after the secret's own ARN (7 parts).
        arn = ":".join(value_from.split(":")[:7])
        # A partial ARN (without the 6-character suffix Secrets Manager appends to the name) is
        # fine for ECS but never equals the secret's real ARN in a policy; AWS's pattern for it:
        if not _has_secret_suffix(arn):
            arn += "-??????"
        return "secretsmanager:GetSecretValue", arn
    if value_from.startswith("arn:"):
        return "ssm:GetParameters", value_from
    # A bare parameter name: same region and account as the task.
    name = value_from if value_from.startswith("/") else f"/{value_from}"
    return "ssm:GetParameters", f"arn:{partition}:ssm:{region}:*:parameter{name}"


def _has_secret_suffix(arn: str) -> bool:
    name = arn.rsplit(":", 1)[-1]
    head, dash, suffix = name.rpartition("-")
    return bool(head and dash) and len(suffix) == 6 and suffix.isascii() and suffix.isalnum()  # noqa: PLR2004


def with_source_conditions(document: dict[str, Any]) -> dict[str, Any]:
    """The trust policy compose2ecs writes, limited to ECS tasks of the caller's account.

    AWS recommends `aws:SourceAccount` on a service role's trust ("Cross-service confused deputy
    prevention"): without it, ECS acting for another account could be made to assume the role.
    The account is filled in once known (ACCOUNT).
    """
    # aws:SourceAccount only: AWS's own examples for ecs-tasks.amazonaws.com use it, and one role
    # serves the project's deployments in every region (IAM is global).
    condition = {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    statements = document.get("Statement", [])
    return {
        **document,
        "Statement": [
            {**s, "Condition": condition} if isinstance(s, dict) and "Condition" not in s else s
            for s in (statements if isinstance(statements, list) else [statements])
        ],
    }


def execution_role(
    name: str,
    path: str,
    trust: TrustPolicy,
    region: str,
    secrets: list[str],
    create_groups: list[tuple[str, str]],
    policy_name: str,
    *,
    managed_secrets: list[str] | tuple[str, ...] = (),
    file_parameters: str | None = None,
) -> RoleSpec:
    """The role with the managed execution policy and one inline policy for secrets and log groups.

    `managed_secrets`: the ARNs (placeholders until they exist) of the secrets compose2ecs keeps;
    `file_parameters`: the prefix of the SSM parameters that hold the deployment's files.
    """
    by_action: dict[str, set[str]] = {}
    if managed_secrets:
        by_action["secretsmanager:GetSecretValue"] = set(managed_secrets)
    if file_parameters:
        # One grant for the deployment's prefix, not one per file: the policy stays small and the
        # same while files change, so a rollback to an older revision still reads its files.
        by_action.setdefault("ssm:GetParameters", set()).add(
            f"arn:{names.partition(region)}:ssm:{region}:*:parameter{file_parameters}*"
        )
    for value_from in secrets:
        action, resource = _secret_resource(value_from, region)
        by_action.setdefault(action, set()).add(resource)
    # The awslogs driver creates a group in the region its container logs to, not the task's region.
    for group, group_region in create_groups:
        by_action.setdefault("logs:CreateLogGroup", set()).add(
            f"arn:{names.partition(group_region)}:logs:{group_region}:*:log-group:{group}:*"
        )
    inline: dict[str, dict[str, Any]] = {}
    if by_action:
        inline[policy_name] = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": [action], "Resource": sorted(resources)}
                for action, resources in sorted(by_action.items())
            ],
        }
    return RoleSpec(
        name=name,
        path=path,
        trust_policy=trust.document if trust.file else with_source_conditions(trust.document),
        managed_policy_arns=(execution_role_policy_arn(region),),
        inline_policies=inline,
    )
