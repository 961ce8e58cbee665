"""Sessions (region, credentials, endpoint) and the mapping of botocore failures to AwsError hints."""

from __future__ import annotations

from typing import Any, cast

import pytest
from botocore.exceptions import ClientError, NoCredentialsError

from compose2ecs.aws import AwsSettings, BotoGateway, Clients, make_session
from compose2ecs.aws.errors import to_aws_error
from compose2ecs.aws.session import client_config
from compose2ecs.errors import AwsError
from tests.aws.desired import Project, offline_session

NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens there


def client_error(code: str, message: str = "no", retries: int = 0) -> ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"RetryAttempts": retries},
    }
    return ClientError(cast("Any", response), "CreateService")


def test_a_missing_region_asks_for_region_or_aws_region(isolated_env: pytest.MonkeyPatch) -> None:
    isolated_env.setenv("AWS_ACCESS_KEY_ID", "testing")
    isolated_env.setenv("AWS_SECRET_ACCESS_KEY", "testing")

    with pytest.raises(AwsError) as caught:
        make_session(AwsSettings())

    assert "--region" in caught.value.hint
    assert "AWS_REGION" in caught.value.hint


def test_missing_credentials_give_a_credentials_hint(isolated_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(AwsError) as caught:
        make_session(AwsSettings(region="us-east-1"))

    assert "credentials" in caught.value.message
    assert "AWS_ACCESS_KEY_ID" in caught.value.hint


def test_without_other_credentials_the_default_ecs_cli_profile_is_used(
    isolated_env: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    ecs = tmp_path / "home" / ".ecs"
    ecs.mkdir(parents=True)
    (ecs / "credentials").write_text(
        "version: v1\ndefault: p\necs_profiles:\n"
        "  p: {aws_access_key_id: AKECS, aws_secret_access_key: SKECS}\n"
    )

    session = make_session(AwsSettings(region="us-east-1"))
    credentials = session.get_credentials()

    assert credentials is not None
    assert (credentials.access_key, credentials.secret_key) == ("AKECS", "SKECS")
    isolated_env.setenv("AWS_ACCESS_KEY_ID", "AKENV")
    isolated_env.setenv("AWS_SECRET_ACCESS_KEY", "SKENV")
    standard = make_session(AwsSettings(region="us-east-1")).get_credentials()
    assert standard is not None
    assert standard.access_key == "AKENV"  # the standard chain comes first


def test_an_unknown_profile_is_an_aws_error(isolated_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(AwsError) as caught:
        make_session(AwsSettings(profile="nope", region="us-east-1"))

    assert "nope" in str(caught.value)


def test_region_comes_from_the_flag_then_aws_region_then_aws_default_region(
    isolated_env: pytest.MonkeyPatch,
) -> None:
    isolated_env.setenv("AWS_ACCESS_KEY_ID", "testing")
    isolated_env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    isolated_env.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    assert make_session(AwsSettings()).region_name == "eu-west-1"

    isolated_env.setenv("AWS_REGION", "eu-central-1")
    assert make_session(AwsSettings()).region_name == "eu-central-1"

    assert make_session(AwsSettings(region="ap-south-1")).region_name == "ap-south-1"


def test_clients_use_the_endpoint_retries_and_region_given(isolated_env: pytest.MonkeyPatch) -> None:
    session = offline_session()
    clients = Clients(session, endpoint_url=NOWHERE)

    assert clients.ecs.meta.endpoint_url == NOWHERE
    retries = clients.ecs.meta.config.retries  # type: ignore[attr-defined]
    assert retries == {"mode": "adaptive", "total_max_attempts": 4}
    assert clients.logs("eu-west-1").meta.region_name == "eu-west-1"
    assert clients.logs().meta.region_name == "us-east-1"
    # Cloud Map's "data-" host prefix cannot be resolved on a local endpoint.
    assert clients.servicediscovery.meta.config.inject_host_prefix is False
    assert Clients(session).servicediscovery.meta.config.inject_host_prefix is True


def test_an_unreachable_endpoint_points_at_the_endpoint_url(isolated_env: pytest.MonkeyPatch) -> None:
    session = offline_session()
    gateway = BotoGateway(Clients(session, endpoint_url=NOWHERE, config=client_config(max_attempts=0)))

    with pytest.raises(AwsError) as caught:
        gateway.create_cluster("c", {})

    assert caught.value.operation == "ecs:CreateCluster"
    assert "--endpoint-url" in caught.value.hint


def test_an_invalid_request_never_echoes_its_values(isolated_env: pytest.MonkeyPatch) -> None:
    session = offline_session()
    gateway = BotoGateway(Clients(session, endpoint_url=NOWHERE, config=client_config(max_attempts=0)))
    request = Project("p").task_definition()
    request["containerDefinitions"][0]["environment"] = [{"name": "DB_PASSWORD", "value": 271828182}]

    with pytest.raises(AwsError) as caught:
        gateway.register_task_definition(request)

    assert "environment[0].value" in str(caught.value)
    assert "271828182" not in str(caught.value)


@pytest.mark.parametrize("code", ["ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId"])
def test_bad_credentials_codes_give_the_credentials_hint(code: str) -> None:
    error = to_aws_error(client_error(code), "ecs:CreateService", "web")

    assert (error.code, error.resource) == (code, "web")
    assert "credentials" in error.hint


@pytest.mark.parametrize("code", ["AccessDenied", "AccessDeniedException", "UnauthorizedOperation"])
def test_access_denied_codes_name_the_iam_action(code: str) -> None:
    error = to_aws_error(client_error(code), "ec2:CreateSecurityGroup")

    assert "ec2:CreateSecurityGroup" in error.hint
    assert "IAM permissions compose2ecs needs" in error.hint


def test_throttling_says_how_often_it_was_retried() -> None:
    error = to_aws_error(client_error("RequestLimitExceeded", retries=10), "ec2:DescribeSubnets")

    assert "after 10 retries" in error.hint


def test_a_not_found_error_is_reported_plainly() -> None:
    error = to_aws_error(
        client_error("ClusterNotFoundException", "Cluster not found."), "ecs:CreateService", "web"
    )

    assert str(error) == "ecs:CreateService web: ClusterNotFoundException: Cluster not found."


def test_no_credentials_at_call_time_gives_the_credentials_hint() -> None:
    error = to_aws_error(NoCredentialsError(), "ecs:DescribeClusters")

    assert "AWS_PROFILE" in error.hint
