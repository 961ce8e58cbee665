"""The `aws` package: the only code allowed to import boto3/botocore (enforced by ruff and import-linter).

`BotoGateway` implements `resources.gateway.Gateway`; `make_session`/`AwsSettings` resolve credentials,
region and endpoint; `aws.errors` turns every botocore exception into an `AwsError` with a hint.
"""

from compose2ecs.aws.gateway import BotoGateway
from compose2ecs.aws.session import AwsSettings, Clients, make_session, on_retry

__all__ = ["AwsSettings", "BotoGateway", "Clients", "make_session", "on_retry"]
