"""Every naming rule for the AWS resources compose2ecs creates, in one place."""

from __future__ import annotations

import re

# ECS family, container, service, cluster and volume names share this rule.
ECS_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
IAM_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
PORT_NAME_MAX = 64


def family(project: str, service: str | None) -> str:
    """Family and ECS service name: the project (ecs-cli), or `<project>-<service>` in the service layout."""
    return project if service is None else f"{project}-{service}"


def log_group(project: str) -> str:
    return f"/ecs/{project}"


def execution_role(project: str) -> str:
    """`<project>-ecsTaskExecutionRole`, shortened with a hash when IAM's 64 characters are exceeded."""
    name = f"{project}-ecsTaskExecutionRole"
    if len(name) <= 64:  # noqa: PLR2004 - IAM's limit
        return name
    import hashlib  # noqa: PLC0415 - rare; keeps `convert` start-up fast

    digest = hashlib.sha256(project.encode()).hexdigest()[:8]
    return f"{project[: 64 - len('-ecsTaskExecutionRole') - 9]}-{digest}-ecsTaskExecutionRole"


def role_from_reference(reference: str) -> tuple[str, str]:
    """(name, path) of a role given as a name, `path/name`, or an ARN."""
    resource = (
        reference.split(":role", 1)[1] if reference.startswith("arn:") and ":role" in reference else reference
    )
    resource = resource.strip("/")
    if "/" in resource:
        path, name = resource.rsplit("/", 1)
        return name, f"/{path}/"
    return resource, "/"


def port_name(container: str, port: int, protocol: str) -> str:
    """A portMappings name ([a-z0-9_-], at most 64, not starting with '-'); Service Connect needs one."""
    base = re.sub(r"[^a-z0-9_-]", "-", container.lower()).lstrip("-") or "port"
    suffix = f"-{port}" if protocol == "tcp" else f"-{port}-{protocol}"
    return base[: PORT_NAME_MAX - len(suffix)] + suffix


def volume(name: str) -> str:
    """A task volume name from a compose volume key ([A-Za-z0-9_-] only)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", name)[:255] or "volume"


def partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"
