"""What AWS holds for a project (in the shapes AWS returns) and the plan from there to the desired state.

Only the commands that talk to AWS import this; `convert` does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

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
    arn: str = ""  # without the ":*" DescribeLogGroups appends


@dataclass(frozen=True)
class NetworkFacts:
    """What the preflight needs to know of the network the services would use (`checked`: read)."""

    checked: bool = False
    subnets: dict[str, str] = field(default_factory=dict)  # subnet id -> VPC id, of those that exist
    security_groups: dict[str, str] = field(default_factory=dict)  # group id -> VPC id, same
    default_vpc: str | None = None  # the region's default VPC (looked for when ecs-params names no subnets)
    # subnet -> Availability Zone, of the default VPC's subnets, when a load balancer is wanted: it
    # takes one subnet per zone, and an Application Load Balancer needs two zones
    default_zones: dict[str, str] | None = None
    subnet_zones: dict[str, str] = field(default_factory=dict)  # named subnet -> Availability Zone


@dataclass(frozen=True)
class References:
    """Which of the secrets, parameters and roles the files name were looked up, and not found."""

    checked: frozenset[str] = frozenset()
    missing: frozenset[str] = frozenset()
    # Secrets the files name by name only (an external compose secret): name -> its ARN
    secret_arns: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Tagged:
    """The ECS resources that carry this deployment's ownership tags (one tagging API read)."""

    services: dict[str, str] = field(default_factory=dict)  # service name -> ARN, this cluster
    task_definitions: frozenset[str] = frozenset()  # revision ARNs
    # ARN -> tags: ELBv2 load balancers and target groups (the tagging API returns the tags)
    load_balancers: dict[str, dict[str, str]] = field(default_factory=dict)
    target_groups: dict[str, dict[str, str]] = field(default_factory=dict)
    security_groups: frozenset[str] = frozenset()  # group ids
    discovery: dict[str, dict[str, str]] = field(default_factory=dict)  # Cloud Map ARN -> tags


@dataclass
class DeployedState:
    """What exists in AWS for one project. Missing resources are absent keys (or None)."""

    cluster: dict[str, Any] | None = None  # DescribeClusters entry (ACTIVE only), with tags
    services: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> DescribeServices entry
    # family -> latest ACTIVE revision: DescribeTaskDefinition()["taskDefinition"] plus "tags"
    task_definitions: dict[str, dict[str, Any]] = field(default_factory=dict)
    roles: dict[str, RoleState] = field(default_factory=dict)
    # (region, name): a container may log to a group of the same name in another region
    log_groups: dict[tuple[str, str], LogGroupState] = field(default_factory=dict)
    security_group: dict[str, Any] | None = None  # DescribeSecurityGroups entry of the project SG
    lb_security_group: dict[str, Any] | None = None  # ... of the load balancers' group
    # name -> DescribeLoadBalancers / DescribeTargetGroups entry plus "Tags", this deployment's
    load_balancers: dict[str, dict[str, Any]] = field(default_factory=dict)
    target_groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    listeners: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # LB name -> listeners
    # ARN -> DescribeTargetGroups entry, of the existing target groups ecs-params names (checked: None
    # when not read)
    reused_target_groups: dict[str, dict[str, Any]] | None = None
    # Listener ARN -> DescribeListeners entry plus "LoadBalancer" (its DescribeLoadBalancers entry,
    # None when gone) and "Rules" (DescribeRules entries plus "Tags"): the existing listeners
    # ecs-params names, and those of other load balancers the deployment's target groups are on.
    foreign_listeners: dict[str, dict[str, Any]] = field(default_factory=dict)
    # ECS service name -> its scalable target (DescribeScalableTargets entry) plus "Policies": name ->
    # DescribeScalingPolicies entry
    scaling: dict[str, dict[str, Any]] = field(default_factory=dict)
    namespace: dict[str, Any] | None = None  # Cloud Map namespace summary
    # Cloud Map service discovery (ecs-cli's): "Namespace" (the one ecs-params names: its entry
    # plus "Tags", or None), "Services" (ARN -> entry plus "Tags": the one ecs-params names, those
    # the ECS services register in, the deployment's own) and "OwnNamespaces" (id -> the
    # deployment's private DNS namespaces plus "Others": how many services of others are in it)
    discovery: dict[str, Any] = field(default_factory=dict)
    account: str | None = None  # the caller's AWS account (STS), for the trust policy's conditions
    # The deployment's EFS file system (found by its creation token): DescribeFileSystems entry
    # plus "AccessPoints" and "MountTargets" (their Describe* entries)
    file_system: dict[str, Any] | None = None
    # The deployment's secrets in Secrets Manager, by name: ListSecrets entry plus "Matches" (whether
    # the stored value equals the files'; the value itself never leaves the reader). None: not read
    secrets: dict[str, dict[str, Any]] | None = None
    # The names of the SSM parameters under the deployment's file prefix (None: not read)
    file_parameters: list[str] | None = None
    network: NetworkFacts = field(default_factory=NetworkFacts)
    tagged: Tagged = field(default_factory=Tagged)
    references: References = field(default_factory=References)
    # Live services of this deployment that the files no longer define (or of the other layout).
    orphans: dict[str, dict[str, Any]] = field(default_factory=dict)
    # family -> the latest ACTIVE revision, when it is not this deployment's (another cluster's, or
    # registered by hand): `task_definitions` then holds this deployment's own latest, if any.
    foreign_latest: dict[str, dict[str, Any]] = field(default_factory=dict)

    def discovery_service(self, name: str | None) -> dict[str, Any] | None:
        """The Cloud Map service `name` in the service discovery namespace, when both exist."""
        namespace = self.discovery.get("Namespace")
        if name is None or namespace is None:
            return None
        services = self.discovery.get("Services") or {}
        return next(
            (
                e
                for e in services.values()
                if e.get("Name") == name and e.get("NamespaceId") == namespace.get("Id")
            ),
            None,
        )


# ---------------------------------------------------------------------------------------------
# The plan: desired vs deployed, per resource.


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    NEW_REVISION = "new revision"
    REPLACE = "replace"
    NO_CHANGE = "no change"
    DELETE = "delete"  # an orphan: the deployment's, but the files no longer define it


class ResourceKind(StrEnum):
    FILE_SYSTEM = "file system"
    ACCESS_POINT = "access point"
    MOUNT_TARGET = "mount target"
    SECRET = "secret"  # noqa: S105 - the kind's name
    PARAMETER = "file parameter"
    ROLE = "iam role"
    LOG_GROUP = "log group"
    CLUSTER = "cluster"
    SECURITY_GROUP = "security group"
    NAMESPACE = "namespace"
    DISCOVERY = "service discovery"
    TASK_DEFINITION = "task definition"
    TARGET_GROUP = "target group"
    LOAD_BALANCER = "load balancer"
    LISTENER = "listener"
    LISTENER_RULE = "listener rule"
    SERVICE = "service"
    SCALING = "autoscaling"


@dataclass(frozen=True)
class FieldChange:
    """One field that differs; `path` reads like `containerDefinitions[web].environment[DB_HOST]`."""

    path: str
    kind: str  # changed | added | removed
    before: Any = None
    after: Any = None
    sensitive: bool = False  # a secret-looking value: shown masked unless asked


# Operations that are not AWS calls: waits between calls, and a notice to the user.
STEPS = frozenset({"wait_for_servers", "wait_until_gone", "note"})


@dataclass(frozen=True)
class Operation:
    """One step `apply` takes for a change, decided by the plan: a Gateway call, or a wait (STEPS).

    The resource kind that planned it carries it out (resources/<kind>.py `execute`), filling in
    only what AWS hands out while applying: the ARN of a role or revision registered earlier in the
    same run, the id of a security group created a moment before, the default VPC's subnets.
    """

    call: str  # a Gateway method, or one of STEPS
    target: str  # what it acts on, for the write log ("put_role_policy web-execution p")
    args: tuple[Any, ...] = field(default=(), compare=False)  # may hold dicts: not hashed

    @property
    def is_call(self) -> bool:
        """An AWS call, not a wait or a notice between calls."""
        return self.call not in STEPS

    def __repr__(self) -> str:
        # Arguments can hold environment values: never in a repr, a log or a test failure.
        return f"Operation({self.call} {self.target})"


@dataclass(frozen=True)
class ResourceChange:
    kind: ResourceKind
    name: str
    action: Action
    changes: tuple[FieldChange, ...] = ()
    reason: str = ""  # why a replace is needed, or what an update touches
    layout_switch: bool = False  # a DELETE of a service of the layout the files no longer use
    operations: tuple[Operation, ...] = field(
        default=(), compare=False, repr=False
    )  # what `up` calls, in order


@dataclass
class Plan:
    project: str
    cluster: str
    resources: list[ResourceChange] = field(default_factory=list)

    @property
    def in_sync(self) -> bool:
        return all(r.action is Action.NO_CHANGE for r in self.resources)
