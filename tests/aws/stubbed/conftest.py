"""An offline gateway whose clients answer from botocore Stubbers (requests checked against the model).

Stubbed responses are consumed in order per client, so reads run with `max_workers=1` here. The
endpoint is 127.0.0.1:9, so a call that slips past the stubs fails locally instead of reaching AWS.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from botocore.stub import Stubber

from compose2ecs.aws import BotoGateway, Clients
from compose2ecs.aws.session import client_config
from tests.aws.desired import NOWHERE, offline_session

if TYPE_CHECKING:
    from collections.abc import Iterator

    from botocore.loaders import Loader


@pytest.fixture
def gateway(isolated_env: pytest.MonkeyPatch, api_models: Loader) -> BotoGateway:
    session = offline_session(api_models=api_models)
    clients = Clients(session, endpoint_url=NOWHERE, config=client_config(max_attempts=0))
    return BotoGateway(clients, max_workers=1)


@pytest.fixture
def ecs(gateway: BotoGateway) -> Iterator[Stubber]:
    with Stubber(gateway.clients.ecs) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def ecs_once(gateway: BotoGateway) -> Iterator[Stubber]:
    """The ECS client without retries, for RegisterTaskDefinition."""
    with Stubber(gateway.clients.ecs_once) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def iam(gateway: BotoGateway) -> Iterator[Stubber]:
    with Stubber(gateway.clients.iam) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def ec2(gateway: BotoGateway) -> Iterator[Stubber]:
    with Stubber(gateway.clients.ec2) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def tagging(gateway: BotoGateway) -> Iterator[Stubber]:
    with Stubber(gateway.clients.tagging) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def elbv2(gateway: BotoGateway) -> Iterator[Stubber]:
    with Stubber(gateway.clients.elbv2) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture(autouse=True)
def no_scaling(request: pytest.FixtureRequest) -> Iterator[Stubber | None]:
    """read_state reads the services' scalable targets: none here, unless a test stubs them itself."""
    if "gateway" not in request.fixturenames or "autoscaling" in request.fixturenames:
        yield None
        return
    gateway: BotoGateway = request.getfixturevalue("gateway")
    with Stubber(gateway.clients.autoscaling) as stubber:
        for _ in range(3):  # a test reads the state at most this often
            stubber.add_response("describe_scalable_targets", {"ScalableTargets": []})
        yield stubber


@pytest.fixture
def autoscaling(gateway: BotoGateway) -> Iterator[Stubber]:
    with Stubber(gateway.clients.autoscaling) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()
