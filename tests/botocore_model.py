"""Offline validation of request dicts against botocore's shipped API model (no network, no credentials)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import botocore.session
from botocore.validate import ParamValidator

if TYPE_CHECKING:
    from botocore.model import OperationModel


@cache
def _operation(service: str, operation: str) -> OperationModel:
    return botocore.session.get_session().get_service_model(service).operation_model(operation)


def validation_errors(service: str, operation: str, params: dict[str, Any]) -> str:
    """botocore's own report ("" when valid): the check boto3 runs before sending the call."""
    shape = _operation(service, operation).input_shape
    assert shape is not None
    report = ParamValidator().validate(params, shape)
    return report.generate_report() if report.has_errors() else ""


def desired_state_errors(document: dict[str, Any]) -> list[str]:
    """Every request in a `convert --output json` document, validated as the call it will become."""
    calls = [("RegisterTaskDefinition", task, task.get("family")) for task in document["taskDefinitions"]]
    calls += [
        ("CreateService", {**service, "cluster": "default"}, service.get("serviceName"))
        for service in document["services"]
    ]
    reports = (
        (operation, name, validation_errors("ecs", operation, params)) for operation, params, name in calls
    )
    return [f"{operation} {name}: {report}" for operation, name, report in reports if report]
