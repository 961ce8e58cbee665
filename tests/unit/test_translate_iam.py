"""The execution role's inline policy: exactly the secrets and log groups the project uses."""

from __future__ import annotations

import pytest

from compose2ecs.model import TrustPolicy
from compose2ecs.translate.iam import execution_role

TRUST = TrustPolicy({"Version": "2012-10-17", "Statement": []})


def _resources(
    secrets: list[str], create_groups: list[tuple[str, str]] | None = None
) -> dict[str, list[str]]:
    role = execution_role("r", "/", TRUST, "eu-west-1", secrets, create_groups or [], "own-policy")
    statements = role.inline_policies["own-policy"]["Statement"]
    return {s["Action"][0]: s["Resource"] for s in statements}


@pytest.mark.parametrize(
    ("value_from", "resource"),
    [
        # A complete ARN ends in the 6-character suffix Secrets Manager adds to the name.
        (
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbC123",
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbC123",
        ),
        # A JSON key, stage and version after the ARN select inside the same secret.
        (
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbC123:password:AWSCURRENT:",
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbC123",
        ),
        # A partial ARN never equals the real one: the policy needs AWS's `-??????` pattern.
        (
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db",
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-??????",
        ),
        (
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:registry:username::",
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:registry-??????",
        ),
    ],
)
def test_secrets_manager_resource(value_from: str, resource: str) -> None:
    assert _resources([value_from]) == {"secretsmanager:GetSecretValue": [resource]}


def test_parameters_by_arn_and_by_name_are_in_the_task_region() -> None:
    assert _resources(["arn:aws:ssm:eu-west-1:111122223333:parameter/app/key", "app/token"]) == {
        "ssm:GetParameters": [
            "arn:aws:ssm:eu-west-1:*:parameter/app/token",
            "arn:aws:ssm:eu-west-1:111122223333:parameter/app/key",
        ]
    }


def test_no_secrets_and_no_created_groups_means_no_inline_policy() -> None:
    role = execution_role("r", "/", TRUST, "eu-west-1", [], [], "own-policy")
    assert role.inline_policies == {}
    assert role.managed_policy_arns == (
        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
    )


def test_create_log_group_is_granted_in_the_groups_own_region() -> None:
    assert _resources([], [("/ecs/shop", "eu-west-1"), ("/ecs/audit", "us-east-1")]) == {
        "logs:CreateLogGroup": [
            "arn:aws:logs:eu-west-1:*:log-group:/ecs/shop:*",
            "arn:aws:logs:us-east-1:*:log-group:/ecs/audit:*",
        ]
    }
