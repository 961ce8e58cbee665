"""Check what the emulator answers against botocore's service model, the contract AWS keeps.

botocore's ParamValidator checks requests only, and not enums; this walks a parsed response
against the operation's output shape: every member's type, enum values, required members, and
members the model does not know. The emulator runs it on every successful response it sends
(`--validate`), so a shape mistake in the simulation, or in moto, is a recorded violation.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import botocore.session
from botocore.parsers import create_parser

if TYPE_CHECKING:
    from botocore.model import OperationModel, ServiceModel, Shape

_SCALARS: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "long": (int,),
    "boolean": (bool,),
    "double": (float, int),
    "float": (float, int),
    "timestamp": (datetime,),
    "blob": (bytes, bytearray),
}


def shape_errors(value: Any, shape: Shape, path: str = "") -> list[str]:
    """Every way `value` (a parsed response, or part of one) breaks `shape`."""
    kind = shape.type_name
    where = path or shape.name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{where}: expected a structure, got {type(value).__name__}"]
        members = shape.members  # type: ignore[attr-defined]
        errors = [f"{where}: unknown member {key!r}" for key in value if key not in members]
        required = shape.metadata.get("required", [])
        errors += [f"{where}: missing required member {key!r}" for key in required if key not in value]
        for key, item in value.items():
            if key in members and item is not None:
                errors += shape_errors(item, members[key], f"{where}.{key}")
        return errors
    if kind == "list":
        if not isinstance(value, list):
            return [f"{where}: expected a list, got {type(value).__name__}"]
        member = shape.member  # type: ignore[attr-defined]
        return [
            e for index, item in enumerate(value) for e in shape_errors(item, member, f"{where}[{index}]")
        ]
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{where}: expected a map, got {type(value).__name__}"]
        return [
            e
            for key, item in value.items()
            for e in shape_errors(item, shape.value, f"{where}[{key!r}]")  # type: ignore[attr-defined]
        ]
    expected = _SCALARS.get(kind)
    if expected is None:
        return []
    if not isinstance(value, expected) or (kind in {"integer", "long"} and isinstance(value, bool)):
        return [f"{where}: expected {kind}, got {type(value).__name__} {value!r}"]
    enum = shape.metadata.get("enum")
    if kind == "string" and enum and value not in enum:
        return [f"{where}: {value!r} is not one of {sorted(enum)}"]
    return []


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def service_model(name: str) -> ServiceModel:
    return _session().get_service_model(name)


@cache
def _signing_names() -> dict[str, list[str]]:
    """Signing name (as in the request's credential scope) -> botocore service names."""
    out: dict[str, list[str]] = {}
    for name in ("ecs", "ec2", "iam", "logs", "servicediscovery", "sts", "elbv2", "elb", "ssm",
                 "secretsmanager", "ecr", "application-autoscaling", "efs"):  # fmt: skip
        model = service_model(name)
        out.setdefault(model.signing_name or model.endpoint_prefix, []).append(name)
    return out


def operation_of(headers: dict[str, str], body: bytes) -> OperationModel | None:
    """The operation a request calls, for the JSON and query protocols (None when unknown)."""
    scope = headers.get("authorization", "").split("Credential=", 1)[-1].split(",", 1)[0].split("/")
    if len(scope) < 4:
        return None
    candidates = _signing_names().get(scope[3], [])
    target = headers.get("x-amz-target", "")
    if target:
        operation = target.rsplit(".", 1)[-1]
        for name in candidates:
            model = service_model(name)
            if model.protocol == "json" and operation in model.operation_names:
                return model.operation_model(operation)
        return None
    form = parse_qs(body.decode(errors="replace"))
    action = (form.get("Action") or [""])[0]
    version = (form.get("Version") or [""])[0]
    for name in candidates:
        model = service_model(name)
        known = model.protocol in {"query", "ec2"} and action in model.operation_names
        if known and (not version or model.api_version == version):
            return model.operation_model(action)
    return None


def response_errors(
    operation: OperationModel, status: int, headers: dict[str, str], body: bytes
) -> list[str]:
    """Parse a successful response as botocore would and check it against the output shape."""
    shape = operation.output_shape
    if status >= 300 or shape is None:
        return []
    parser = create_parser(operation.service_model.protocol)
    parsed = parser.parse({"status_code": status, "headers": headers, "body": body}, shape)
    parsed.pop("ResponseMetadata", None)
    if "Error" in parsed:
        return [f"{operation.name}: a 2xx response carrying an error: {json.dumps(parsed['Error'])}"]
    return [
        f"{operation.service_model.service_name}:{operation.name}: {e}" for e in shape_errors(parsed, shape)
    ]
