"""The one place where botocore exceptions become `AwsError`s with a hint the user can act on."""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

from compose2ecs.errors import AwsError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

_T = TypeVar("_T")

IAM_DOCS = 'see "IAM permissions compose2ecs needs" in the README'
CREDENTIALS_HINT = (
    "check the AWS credentials: --aws-profile / AWS_PROFILE, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
    "or `aws sso login` when the session has expired"
)
REGION_HINT = "pass --region or set AWS_REGION"

ACCESS_DENIED = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"}
)
THROTTLED = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "EC2ThrottledException",
        "SlowDown",
    }
)
BAD_CREDENTIALS = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "AuthFailure",
        "RequestExpired",
    }
)

# botocore's validation report quotes the offending value; an environment value can be a secret.
_VALUE_IN_REPORT = re.compile(r", value: .*?, type: ")


def error_code(exc: ClientError) -> str:
    """The AWS error code of a ClientError (`""` when the response carries none)."""
    return str(exc.response.get("Error", {}).get("Code", ""))


def _retry_attempts(exc: ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0))


def client_error_hint(code: str, action: str, attempts: int) -> str:
    if code in ACCESS_DENIED:
        return f"the caller needs the IAM permission {action}; {IAM_DOCS}"
    if code in THROTTLED:
        retried = f" after {attempts} retries" if attempts else ""
        return (
            f"AWS kept throttling this call{retried} (botocore's adaptive retry mode gave up); "
            "wait a minute and run the command again, or ask AWS for a higher API rate quota"
        )
    if code in BAD_CREDENTIALS:
        return CREDENTIALS_HINT
    return ""


def to_aws_error(exc: Exception, action: str, resource: str = "") -> AwsError:
    """Map a botocore exception raised by `action` (`"ecs:CreateService"`) to an AwsError."""
    if isinstance(exc, ClientError):
        code = error_code(exc)
        message = str(exc.response.get("Error", {}).get("Message", "")) or str(exc)
        hint = client_error_hint(code, action, _retry_attempts(exc))
        return AwsError(action, message, code, resource, hint)
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return AwsError(action, "no usable AWS credentials were found", "", resource, CREDENTIALS_HINT)
    if isinstance(exc, NoRegionError):
        return AwsError(action, "no AWS region is configured", "", resource, REGION_HINT)
    if isinstance(exc, ProfileNotFound):
        return AwsError(
            action, str(exc), "", resource, "check --aws-profile / AWS_PROFILE against ~/.aws/config"
        )
    if isinstance(exc, ParamValidationError):
        message = _VALUE_IN_REPORT.sub(", type: ", str(exc))
        return AwsError(action, message, "", resource, "this request is a compose2ecs bug: please report it")
    if isinstance(exc, ReadTimeoutError):
        hint = (
            "AWS did not answer, on every attempt (docs/commands.md, Networks that fail): check the "
            "network, and --endpoint-url / AWS_ENDPOINT_URL when one is set, then run again"
        )
        return AwsError(action, str(exc), "", resource, hint)
    if isinstance(exc, BotoConnectionError):
        hint = "check the network, and --endpoint-url / AWS_ENDPOINT_URL when one is set"
        return AwsError(action, str(exc), "", resource, hint)
    return AwsError(action, str(exc), "", resource)


@contextmanager
def aws_errors(action: str, resource: str = "") -> Iterator[None]:
    """Turn any botocore exception raised inside the block into an AwsError."""
    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        raise to_aws_error(exc, action, resource) from exc


def call_or_none(
    action: str,
    resource: str,
    call: Callable[[], _T],
    missing: frozenset[str],
    message_contains: str = "",
) -> _T | None:
    """`call()`, or None when AWS answers that the resource is absent (one of the `missing` codes)."""
    try:
        return call()
    except ClientError as exc:
        if error_code(exc) in missing and message_contains in str(exc):
            return None
        raise to_aws_error(exc, action, resource) from exc
    except BotoCoreError as exc:
        raise to_aws_error(exc, action, resource) from exc
