"""One `gateway` fixture, twice: the in-memory fake and BotoGateway on the moto server over HTTP.

Every test in this package runs against both, so the fake that the unit and CLI tests rely on
behaves as the real gateway does, call for call, on what compose2ecs depends on.
"""

from __future__ import annotations

import botocore.session
import pytest

from compose2ecs.aws import AwsSettings, BotoGateway, Clients, make_session
from tests.aws.conftest import api_models, project
from tests.fakes import InMemoryGateway

__all__ = ["api_models", "gateway", "project"]


@pytest.fixture(params=["memory", "boto"])
def gateway(request: pytest.FixtureRequest) -> InMemoryGateway | BotoGateway:
    if request.param == "memory":
        return InMemoryGateway(drain_polls=1)
    request.getfixturevalue("aws_env")  # the session's moto server, and an environment naming it
    core = botocore.session.get_session()
    core.register_component("data_loader", request.getfixturevalue("api_models"))
    return BotoGateway(Clients(make_session(AwsSettings(), botocore_session=core)))
