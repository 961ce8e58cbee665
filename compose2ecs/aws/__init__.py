"""The `aws` package: the only code allowed to import boto3/botocore (enforced by ruff and import-linter)."""
