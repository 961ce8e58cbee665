"""CreateService on a brand-new account, with botocore's Stubber: the exact call sequences.

The emulator cannot show these (its IAM is immediately consistent and ECS needs no
service-linked role there): a client token on every create, the service-linked role created once
when ECS says it is missing, and a bounded, announced retry while a new role is not usable yet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.stub import ANY, Stubber

from compose2ecs.aws import BotoGateway, Clients
from compose2ecs.aws.gateway import ROLE_RETRY_ATTEMPTS, ROLE_RETRY_DELAY
from compose2ecs.aws.session import client_config
from compose2ecs.errors import AwsError
from tests.aws.desired import NOWHERE, offline_session

if TYPE_CHECKING:
    from collections.abc import Iterator

    from botocore.loaders import Loader

REQUEST: dict[str, Any] = {
    "cluster": "stub",
    "serviceName": "web",
    "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1",
    "desiredCount": 1,
    "launchType": "FARGATE",
}
CREATED = {"service": {"serviceName": "web", "status": "ACTIVE"}}
NO_LINKED_ROLE = (
    "Unable to assume the service linked role. Please verify that the ECS service linked role exists."
)
LINKED_ROLE = {
    "Path": "/aws-service-role/ecs.amazonaws.com/",
    "RoleName": "AWSServiceRoleForECS",
    "RoleId": "AROAEXAMPLE0000000000",
    "Arn": "arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
    "CreateDate": "2026-12-02T00:00:00Z",
}
TAKEN = (
    "Service role name AWSServiceRoleForECS has been taken in this account, please try a different suffix."
)
ROLE_NOT_READY = "Unable to assume role and validate the specified targetGroupArn."


class Clock:
    def __init__(self) -> None:
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def now(self) -> float:
        return sum(self.sleeps)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def gateway(isolated_env: pytest.MonkeyPatch, api_models: Loader, clock: Clock) -> BotoGateway:
    session = offline_session(api_models=api_models)
    clients = Clients(session, endpoint_url=NOWHERE, config=client_config(max_attempts=0))
    return BotoGateway(clients, max_workers=1, sleep=clock.sleep, clock=clock.now)


@pytest.fixture
def stubs(gateway: BotoGateway) -> Iterator[tuple[Stubber, Stubber]]:
    with Stubber(gateway.clients.ecs) as ecs, Stubber(gateway.clients.iam) as iam:
        yield ecs, iam
        ecs.assert_no_pending_responses()
        iam.assert_no_pending_responses()


def test_every_create_carries_a_client_token(gateway: BotoGateway, stubs: tuple[Stubber, Stubber]) -> None:
    ecs, _ = stubs
    ecs.add_response("create_service", CREATED, {**REQUEST, "clientToken": ANY})

    assert gateway.create_service(dict(REQUEST))["serviceName"] == "web"


def test_a_missing_service_linked_role_is_created_once_then_the_create_is_retried(
    gateway: BotoGateway, stubs: tuple[Stubber, Stubber], clock: Clock
) -> None:
    ecs, iam = stubs
    tokens: list[str] = []
    gateway.clients.ecs.meta.events.register(
        "provide-client-params.ecs.CreateService", lambda params, **_: tokens.append(params["clientToken"])
    )
    ecs.add_client_error("create_service", "InvalidParameterException", NO_LINKED_ROLE, 400)
    iam.add_response(
        "create_service_linked_role", {"Role": LINKED_ROLE}, {"AWSServiceName": "ecs.amazonaws.com"}
    )
    ecs.add_response("create_service", CREATED, {**REQUEST, "clientToken": ANY})
    told: list[str] = []

    gateway.create_service(dict(REQUEST), told.append)

    assert len(tokens) == 2
    assert tokens[0] == tokens[1]  # the retry is the same request: it cannot create twice
    assert clock.sleeps == [ROLE_RETRY_DELAY]
    assert told[0] == "created the ECS service-linked role AWSServiceRoleForECS (this account had none)"


def test_a_linked_role_another_run_created_first_is_fine(
    gateway: BotoGateway, stubs: tuple[Stubber, Stubber]
) -> None:
    ecs, iam = stubs
    ecs.add_client_error("create_service", "InvalidParameterException", NO_LINKED_ROLE, 400)
    iam.add_client_error(
        "create_service_linked_role",
        "InvalidInput",
        TAKEN,
        400,
    )
    ecs.add_response("create_service", CREATED, {**REQUEST, "clientToken": ANY})

    assert gateway.create_service(dict(REQUEST))["status"] == "ACTIVE"


def test_a_role_not_usable_yet_is_retried_with_progress_until_ecs_accepts_it(
    gateway: BotoGateway, stubs: tuple[Stubber, Stubber], clock: Clock
) -> None:
    ecs, _ = stubs
    for _ in range(2):
        ecs.add_client_error("create_service", "InvalidParameterException", ROLE_NOT_READY, 400)
    ecs.add_response("create_service", CREATED, {**REQUEST, "clientToken": ANY})
    told: list[str] = []

    gateway.create_service(dict(REQUEST), told.append)

    assert clock.sleeps == [ROLE_RETRY_DELAY, ROLE_RETRY_DELAY]
    assert told == [
        f"ECS cannot use the role yet (IAM takes a few seconds to propagate a new role): retrying in "
        f"{ROLE_RETRY_DELAY:g} s ({n}/{ROLE_RETRY_ATTEMPTS - 1})"
        for n in (1, 2)
    ]


def test_the_role_retry_is_bounded_and_then_fails_with_aws_reason(
    gateway: BotoGateway, stubs: tuple[Stubber, Stubber], clock: Clock
) -> None:
    ecs, _ = stubs
    for _ in range(ROLE_RETRY_ATTEMPTS):
        ecs.add_client_error("create_service", "InvalidParameterException", ROLE_NOT_READY, 400)

    with pytest.raises(AwsError) as caught:
        gateway.create_service(dict(REQUEST))

    assert caught.value.operation == "ecs:CreateService"
    assert ROLE_NOT_READY in caught.value.message
    assert len(clock.sleeps) == ROLE_RETRY_ATTEMPTS - 1


def test_other_errors_are_not_retried(
    gateway: BotoGateway, stubs: tuple[Stubber, Stubber], clock: Clock
) -> None:
    ecs, _ = stubs
    ecs.add_client_error("create_service", "ClusterNotFoundException", "Cluster not found.", 400)

    with pytest.raises(AwsError):
        gateway.create_service(dict(REQUEST))

    assert clock.sleeps == []
