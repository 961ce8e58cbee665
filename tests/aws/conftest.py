"""The gateway on the session's moto server (see tests/conftest.py), and unique project names."""

from __future__ import annotations

import botocore.session
import pytest
from botocore.loaders import Loader, create_loader

from compose2ecs.aws import AwsSettings, BotoGateway, Clients, make_session
from tests.aws.desired import Project


@pytest.fixture
def project() -> Project:
    return Project.unique()


@pytest.fixture(scope="session")
def api_models() -> Loader:
    """botocore's API models, loaded once: parsing them again costs ~0.2 s per gateway."""
    return create_loader()


@pytest.fixture
def gateway(aws_env: str, api_models: Loader) -> BotoGateway:
    """A gateway on the environment alone (as the CLI's), sharing the loaded API models."""
    core = botocore.session.get_session()
    core.register_component("data_loader", api_models)
    return BotoGateway(Clients(make_session(AwsSettings(), botocore_session=core)))
