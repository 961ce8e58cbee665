"""Every naming rule for the AWS resources compose2ecs creates, in one place."""

from __future__ import annotations

import re

# Character sets, not regular expressions: `convert` starts faster without compiling them.
_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_ECS_CHARS = _ALNUM | frozenset("_-")
_IAM_ROLE_CHARS = _ALNUM | frozenset("_+=,.@-")  # IAM's [\w+=,.@-], where \w is ASCII only
_IMAGE_CHARS = _ALNUM | frozenset("_:./#@-")
# ECS port mapping names and Service Connect discovery names: lowercase only.
_PORT_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")
_DNS_CHARS = _PORT_NAME_CHARS | frozenset(".")
PORT_NAME_MAX = 64
_DNS_NAME_MAX = 127  # ECS's limit for a Service Connect client alias
_DNS_LABEL_MAX = 63  # RFC 1035
_LOG_GROUP_CHARS = _ALNUM | frozenset("._-/#")
_LOG_NAME_MAX = 512  # CloudWatch Logs' limit for group and stream names


def is_ecs_name(name: str) -> bool:
    """ECS family, container, service, cluster and volume names share this rule."""
    return 0 < len(name) <= 255 and _ECS_CHARS.issuperset(name)  # noqa: PLR2004 - ECS's limit


def is_iam_role_name(name: str) -> bool:
    return 0 < len(name) <= 64 and _IAM_ROLE_CHARS.issuperset(name)  # noqa: PLR2004 - IAM's limit


def is_image_reference(image: str) -> bool:
    """The characters and length ECS accepts in a container image reference."""
    return 0 < len(image) <= 255 and _IMAGE_CHARS.issuperset(image)  # noqa: PLR2004 - ECS's limit


def family(project: str, service: str | None) -> str:
    """Family and ECS service name: the project (ecs-cli), or `<project>-<service>` in the service layout."""
    return project if service is None else f"{project}-{service}"


def namespace(project: str, cluster: str) -> str:
    """The Service Connect namespace of a deployment: `<project>.<cluster>` (neither holds a '.')."""
    return f"{project}.{cluster}"


def log_group(project: str) -> str:
    return f"/ecs/{project}"


def is_log_group_name(name: str) -> bool:
    """CloudWatch Logs' rule for a log group name: letters, digits and . - _ / #, at most 512."""
    return 0 < len(name) <= _LOG_NAME_MAX and _LOG_GROUP_CHARS.issuperset(name)


def is_log_stream_prefix(prefix: str, container: str) -> bool:
    """Streams are named `<prefix>/<container>/<task id>`; a stream name has no ':' or '*', at most 512."""
    task_id = 32  # hex digits of an ECS task id
    stream_length = len(prefix) + len(container) + task_id + 2
    return bool(prefix) and stream_length <= _LOG_NAME_MAX and not set(prefix) & {":", "*"}


def execution_role(project: str) -> str:
    """`<project>-ecsTaskExecutionRole`, shortened with a hash when IAM's 64 characters are exceeded."""
    name = f"{project}-ecsTaskExecutionRole"
    if len(name) <= 64:  # noqa: PLR2004 - IAM's limit
        return name
    return f"{project[: 64 - len('-ecsTaskExecutionRole') - 9]}-{_digest(project)}-ecsTaskExecutionRole"


def task_role(project: str) -> str:
    """`<project>-ecsTaskRole` (the role the containers act as), shortened as execution_role is."""
    name = f"{project}-ecsTaskRole"
    if len(name) <= 64:  # noqa: PLR2004 - IAM's limit
        return name
    return f"{project[: 64 - len('-ecsTaskRole') - 9]}-{_digest(project)}-ecsTaskRole"


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


def is_port_name(name: str) -> bool:
    """ECS's rule for a port mapping name, which Service Connect's discovery names share."""
    return 0 < len(name) <= PORT_NAME_MAX and _PORT_NAME_CHARS.issuperset(name) and name[0] != "-"


def port_name_chars(text: str) -> str:
    """`text` lowercased, with every character a port name cannot hold replaced by "-"."""
    return re.sub(r"[^a-z0-9_-]", "-", text.lower())


def port_name(container: str, port: int, protocol: str) -> str:
    """`<container>-<port>[-<protocol>]`, lowercase; also the Service Connect discovery name of a port.

    Distinct containers get distinct names except where only letter case tells them apart: a name
    that had to lose characters, or be shortened to ECS's 64, carries a digest of the original.
    """
    suffix = f"-{port}" if protocol == "tcp" else f"-{port}-{protocol}"
    lowered = container.lower()
    base = port_name_chars(container).lstrip("-") or "port"
    if base != lowered or len(base) + len(suffix) > PORT_NAME_MAX:
        digest = _digest(container)
        base = f"{base[: PORT_NAME_MAX - len(suffix) - len(digest) - 1]}-{digest}"
    return base + suffix


def dns_name(service: str) -> str:
    """The Service Connect client alias of a compose service: ECS wants it lowercase; DNS ignores case."""
    return service.lower()


def is_dns_name(name: str) -> bool:
    """ECS's rule for a client alias ([a-z0-9_.-], at most 127, no leading '-'), in DNS labels."""
    return (
        0 < len(name) <= _DNS_NAME_MAX
        and _DNS_CHARS.issuperset(name)
        and name[0] != "-"
        and all(0 < len(label) <= _DNS_LABEL_MAX for label in name.split("."))
    )


def _digest(text: str) -> str:
    import hashlib  # noqa: PLC0415 - rare; keeps `convert` start-up fast

    return hashlib.sha256(text.encode()).hexdigest()[:8]


def volume(name: str) -> str:
    """A task volume name from a compose volume key ([A-Za-z0-9_-], at most 255).

    A key that had to change carries a digest of the original, so that `data.v1` and `data-v1`
    stay two volumes.
    """
    if is_ecs_name(name):
        return name
    base = re.sub(r"[^A-Za-z0-9_-]", "-", name)[:246] or "volume"
    return f"{base}-{_digest(name)}"


def partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


_ELB_NAME_MAX = 32  # ELBv2's limit for load balancer and target group names


def _elb_part(text: str) -> str:
    """Letters, digits and single hyphens only, as ELBv2 names allow."""
    out = "".join(ch if ch in _ALNUM else "-" for ch in text)
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-")


def _hash(*parts: object) -> str:
    return _digest("/".join(map(str, parts)))


def load_balancer(project: str, cluster: str, kind: str, scheme: str = "internet-facing") -> str:
    """`<project>-<hash>-alb` (or `-nlb`; `-ialb`, `-inlb` internal), at most 32.

    Names are unique per region and account.

    The hash of project and cluster keeps two deployments of a project, or two long project names
    that share a prefix, apart.
    """
    inner = "i" if scheme == "internal" else ""
    suffix = f"-{_hash(project, cluster)[:6]}-{inner}{'alb' if kind == 'application' else 'nlb'}"
    prefix = _elb_part(project)[: _ELB_NAME_MAX - len(suffix)].strip("-") or "c2e"
    if prefix.lower().startswith("internal"):
        prefix = "c2e-" + prefix  # ELBv2 refuses names that begin with "internal-"
        prefix = prefix[: _ELB_NAME_MAX - len(suffix)].strip("-")
    return prefix + suffix


def target_group(project: str, cluster: str, container: str, port: int, protocol: str) -> str:
    """`<project>-<container>-<hash>`, at most 32.

    What a target group cannot change in place (port, protocol) is in the hash, so a change makes a
    new group, which the service moves to.
    """
    suffix = f"-{_hash(project, cluster, container, port, protocol)}"
    prefix = _elb_part(f"{project}-{container}")[: _ELB_NAME_MAX - len(suffix)].strip("-") or "c2e"
    return prefix + suffix
