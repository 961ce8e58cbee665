"""Values that cross stage boundaries: ecs-params settings, the desired and deployed AWS state, the plan.

Plain frozen dataclasses and dicts, no I/O and no behaviour beyond small helpers, so that every
stage can be tested by building these by hand. AWS request shapes stay dicts with boto3 parameter
names (they are validated against botocore's own model in the tests).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from compose2ecs.errors import Problem, format_path

# The tag that marks what compose2ecs created, and for which project. `down --all` deletes only
# resources carrying it, so a hand-made role with the same name is never removed.
PROJECT_TAG = "compose2ecs:project"


def tags_dict(tags: Any) -> dict[str, str]:
    """ECS `[{key, value}]`, IAM/EC2/Cloud Map `[{Key, Value}]` or a dict -> `{key: value}`."""
    # Keys are unique and AWS does not keep their order, so a dict is the canonical form.
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    out: dict[str, str] = {}
    for tag in tags or ():
        key = tag.get("key", tag.get("Key"))
        if key is not None:
            out[str(key)] = str(tag.get("value", tag.get("Value", "")))
    return out


def ecs_tags(tags: dict[str, str]) -> list[dict[str, str]]:
    """`{"k": "v"}` -> ECS's `[{"key": "k", "value": "v"}]`."""
    return [{"key": key, "value": value} for key, value in sorted(tags.items())]


def resource_id(arn: str) -> str:
    """The part of an ECS ARN after its last `/`: `family:revision` for a task definition, a task id."""
    return arn.rsplit("/", 1)[-1]


def family_of(task_definition: str) -> str:
    """The family of a task definition ARN, `family:revision` or family name."""
    return resource_id(task_definition).split(":", 1)[0]


# ---------------------------------------------------------------------------------------------
# ecs-params.yml (the ecs-cli format, version 1, plus compose2ecs additions). Values are already
# converted to the units ECS wants: cpu units, MiB, seconds. `file` is where they came from, so a
# later stage can point at `task_definition.task_size.cpu_limit` in that file.


@dataclass(frozen=True)
class SecretRef:
    name: str
    value_from: str


@dataclass(frozen=True)
class HealthcheckParams:
    """ecs-params healthcheck; each field overrides the compose value field by field."""

    command: tuple[str, ...] | None = None
    interval: int | None = None
    timeout: int | None = None
    retries: int | None = None
    start_period: int | None = None


@dataclass(frozen=True)
class FirelensParams:
    type: str
    options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ContainerDependency:
    container_name: str
    condition: str  # START | COMPLETE | SUCCESS | HEALTHY


@dataclass(frozen=True)
class ContainerParams:
    """`task_definition.services.<name>`: per-container overrides."""

    essential: bool | None = None
    cpu_shares: int | None = None
    mem_limit: int | None = None  # MiB
    mem_reservation: int | None = None  # MiB
    gpu: str | None = None
    init_process_enabled: bool | None = None
    healthcheck: HealthcheckParams | None = None
    secrets: tuple[SecretRef, ...] = ()
    log_secret_options: tuple[SecretRef, ...] = ()
    firelens: FirelensParams | None = None
    repository_credentials: str | None = None
    depends_on: tuple[ContainerDependency, ...] = ()


@dataclass(frozen=True)
class DockerVolume:
    name: str
    scope: str | None = None
    autoprovision: bool | None = None
    driver: str | None = None
    driver_opts: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EfsVolume:
    name: str
    filesystem_id: str
    root_directory: str | None = None
    transit_encryption: str | None = None  # ENABLED | DISABLED
    transit_encryption_port: int | None = None
    access_point: str | None = None
    iam: str | None = None  # ENABLED | DISABLED


@dataclass(frozen=True)
class PlacementItem:
    type: str
    expression: str | None = None
    field: str | None = None


@dataclass(frozen=True)
class AwsvpcParams:
    subnets: tuple[str, ...] = ()
    security_groups: tuple[str, ...] = ()
    assign_public_ip: str | None = None  # ENABLED | DISABLED


@dataclass(frozen=True)
class CapacityProviderItem:
    capacity_provider: str
    weight: int | None = None
    base: int | None = None


@dataclass(frozen=True)
class DeploymentParams:
    maximum_percent: int | None = None
    minimum_healthy_percent: int | None = None
    circuit_breaker: bool | None = None  # enable + rollback together, the safe pairing
    rollback: bool | None = None


@dataclass(frozen=True)
class EcsParams:
    """Everything ecs-params.yml can say. An absent file is `EcsParams()`."""

    file: str | None = None
    # From task_definition, as ecs-cli read it.
    network_mode: str | None = None
    task_role_arn: str | None = None
    task_execution_role: str | None = None
    cpu: str | None = None  # task_size.cpu_limit, in CPU units ("256")
    memory: str | None = None  # task_size.mem_limit, in MiB ("512")
    pid_mode: str | None = None
    ipc_mode: str | None = None
    services: dict[str, ContainerParams] = field(default_factory=dict)
    docker_volumes: tuple[DockerVolume, ...] = ()
    efs_volumes: tuple[EfsVolume, ...] = ()
    placement_constraints: tuple[PlacementItem, ...] = ()
    # task_definition (compose2ecs additions)
    os_family: str | None = None  # runtimePlatform.operatingSystemFamily, e.g. LINUX
    cpu_architecture: str | None = None  # X86_64 | ARM64
    ephemeral_storage: int | None = None  # GiB
    # From run_params, as ecs-cli read it.
    awsvpc: AwsvpcParams | None = None
    task_placement_strategy: tuple[PlacementItem, ...] = ()
    task_placement_constraints: tuple[PlacementItem, ...] = ()
    service_discovery: dict[str, Any] | None = None
    # run_params (compose2ecs additions)
    layout: str | None = None  # project | service
    desired_count: int | None = None
    platform_version: str | None = None
    launch_type: str | None = None  # FARGATE (default) when no capacity providers
    capacity_providers: tuple[CapacityProviderItem, ...] = ()
    deployment: DeploymentParams | None = None
    enable_execute_command: bool | None = None
    service_connect: bool | None = None  # service layout: wire Service Connect (default true)
    # top level (compose2ecs additions)
    log_retention_days: int | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TrustPolicy:
    """The execution role's trust policy (task-execution-assume-role.json, or the standard one)."""

    document: dict[str, Any]
    file: str | None = None


# ---------------------------------------------------------------------------------------------
# Desired state: what `translate` produces and `convert --output json` prints.


@dataclass(frozen=True)
class RoleSpec:
    """An IAM role compose2ecs manages: created if missing, else brought in line."""

    name: str
    path: str
    trust_policy: dict[str, Any]
    managed_policy_arns: tuple[str, ...]
    inline_policies: dict[str, dict[str, Any]]  # policy name -> policy document

    def as_json(self) -> dict[str, Any]:
        return {
            "roleName": self.name,
            "path": self.path,
            "assumeRolePolicyDocument": self.trust_policy,
            "managedPolicyArns": list(self.managed_policy_arns),
            "inlinePolicies": self.inline_policies,
        }


@dataclass(frozen=True)
class LogGroupSpec:
    name: str
    region: str
    retention_days: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"logGroupName": self.name, "region": self.region, "retentionInDays": self.retention_days}


@dataclass(frozen=True)
class PortRule:
    """An ingress port the project's own security group opens (only when ecs-params names none)."""

    port: int
    protocol: str  # tcp | udp
    to_port: int | None = None  # for ranges
    source: str = "world"  # world: 0.0.0.0/0 and ::/0; self: other tasks of the project (Service Connect)


@dataclass
class DesiredState:
    """The AWS requests for one project, before the cluster and network are known.

    `task_definitions` are RegisterTaskDefinition requests. `services` are CreateService requests
    without `cluster`; their `taskDefinition` is the family name, which `apply` replaces with the
    registered `family:revision`. When ecs-params gives no network, `services[*]` carry no
    `networkConfiguration` and `ingress` lists the ports a project security group must open.
    """

    project: str
    layout: str
    region: str
    task_definitions: list[dict[str, Any]] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)
    roles: list[RoleSpec] = field(default_factory=list)
    log_groups: list[LogGroupSpec] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)  # on everything compose2ecs creates
    ingress: list[PortRule] = field(default_factory=list)
    namespace: str | None = None  # Service Connect (Cloud Map HTTP) namespace, service layout
    desired_count_explicit: dict[str, bool] = field(default_factory=dict)  # serviceName -> set by the user
    problems: list[Problem] = field(default_factory=list)

    @property
    def uses_project_network(self) -> bool:
        """No network in ecs-params: `up` uses the default VPC and the project's own security group."""
        return bool(self.services) and not any("networkConfiguration" in s for s in self.services)

    def as_json(self) -> dict[str, Any]:
        """The `convert --output json` document."""
        return {
            "project": self.project,
            "layout": self.layout,
            "taskDefinitions": self.task_definitions,
            "services": self.services,
            "roles": [role.as_json() for role in self.roles],
            "logGroups": [group.as_json() for group in self.log_groups],
            "problems": [problem_json(p) for p in self.problems],
        }


def problem_json(problem: Problem) -> dict[str, Any]:
    """A report entry with the keys `convert --output json` documents."""
    location = problem.location
    return {
        "severity": problem.severity,
        "status": problem.status,
        "code": problem.code,
        "file": location.file if location else None,
        "line": location.line if location and location.line else None,
        "column": location.column if location and location.column else None,
        "key": format_path(problem.path),
        "message": problem.message + (f" ({problem.hint})" if problem.hint else ""),
    }


# ---------------------------------------------------------------------------------------------
# Deployed state: what `aws` reads back, in the shapes AWS returns (describe_* responses).


@dataclass(frozen=True)
class RoleState:
    role: dict[str, Any]  # GetRole()["Role"], AssumeRolePolicyDocument decoded to a dict, with Tags
    attached_policy_arns: tuple[str, ...]
    inline_policies: dict[str, dict[str, Any]]  # name -> decoded document


@dataclass(frozen=True)
class LogGroupState:
    name: str
    region: str
    retention_days: int | None
    tags: dict[str, str]


@dataclass
class DeployedState:
    """What exists in AWS for one project. Missing resources are absent keys (or None)."""

    cluster: dict[str, Any] | None = None  # DescribeClusters entry (ACTIVE only), with tags
    services: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> DescribeServices entry
    # family -> latest ACTIVE revision: DescribeTaskDefinition()["taskDefinition"] plus "tags"
    task_definitions: dict[str, dict[str, Any]] = field(default_factory=dict)
    roles: dict[str, RoleState] = field(default_factory=dict)
    log_groups: dict[str, LogGroupState] = field(default_factory=dict)
    security_group: dict[str, Any] | None = None  # DescribeSecurityGroups entry of the project SG
    namespace: dict[str, Any] | None = None  # Cloud Map namespace summary


# ---------------------------------------------------------------------------------------------
# The plan: desired vs deployed, per resource.


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    NEW_REVISION = "new revision"
    REPLACE = "replace"
    NO_CHANGE = "no change"


class ResourceKind(StrEnum):
    ROLE = "iam role"
    LOG_GROUP = "log group"
    CLUSTER = "cluster"
    SECURITY_GROUP = "security group"
    NAMESPACE = "namespace"
    TASK_DEFINITION = "task definition"
    SERVICE = "service"


@dataclass(frozen=True)
class FieldChange:
    """One field that differs; `path` reads like `containerDefinitions[web].environment[DB_HOST]`."""

    path: str
    kind: str  # changed | added | removed
    before: Any = None
    after: Any = None
    sensitive: bool = False  # a secret-looking value: shown masked unless asked


@dataclass(frozen=True)
class ResourceChange:
    kind: ResourceKind
    name: str
    action: Action
    changes: tuple[FieldChange, ...] = ()
    reason: str = ""  # why a replace is needed, or what an update touches


@dataclass
class Plan:
    project: str
    cluster: str
    resources: list[ResourceChange] = field(default_factory=list)

    @property
    def in_sync(self) -> bool:
        return all(r.action is Action.NO_CHANGE for r in self.resources)
