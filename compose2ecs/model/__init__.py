"""Values that cross stage boundaries: ecs-params settings and the desired AWS state.

Records and dicts, no I/O and no behaviour beyond small helpers, so that every stage can be tested
by building these by hand. AWS request shapes stay dicts with boto3 parameter names (they are
validated against botocore's own model in the tests). What AWS holds and the plan are in
`model.deployed`, which `convert` never imports.

Records are NamedTuples rather than frozen dataclasses because `convert` defines all of these at
start-up, where a frozen dataclass costs ~0.4 ms each on CPython 3.11 and a NamedTuple a sixth.
"""

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from compose2ecs.errors import Problem, format_path

# The default of mapping fields: records are shared, so their defaults must be immutable.
EMPTY: Mapping[str, Any] = MappingProxyType({})

# The tags that mark what compose2ecs created, and for which deployment: a project in one cluster
# of one region. A resource is a deployment's own only when all three match (Owner.owns), so a
# hand-made role of the same name, another project's service, or the same project's staging
# cluster are never changed as if they were this deployment's.
PROJECT_TAG = "compose2ecs:project"
CLUSTER_TAG = "compose2ecs:cluster"
REGION_TAG = "compose2ecs:region"
# A shared resource compose2ecs created (a log group two deployments write to) carries one
# `compose2ecs:user:<deployment>` tag per deployment using it; only the last one removes it.
USER_TAG_PREFIX = "compose2ecs:user:"
_MAX_TOKEN = 64  # EFS's limit for a CreationToken
VOLUME_TAG = "compose2ecs:volume"  # on an access point: the compose volume it holds
# On a task definition revision: the digest of the request that registered it, so that a retry
# after a lost answer finds it (never compared: the plan ignores it)
REQUEST_TAG = "compose2ecs:request"
POLICY_PREFIX = "compose2ecs-"
_MAX_TAG_KEY = 128
_MAX_POLICY_NAME = 128  # IAM's limit for an inline policy name


class Owner(NamedTuple):
    """One deployment: what compose2ecs's tags on a resource name as its creator."""

    project: str
    cluster: str
    region: str

    def tags(self) -> dict[str, str]:
        return {PROJECT_TAG: self.project, CLUSTER_TAG: self.cluster, REGION_TAG: self.region}

    def owns(self, tags: Mapping[str, str]) -> bool:
        """True when this deployment created the resource (every ownership tag matches)."""
        return all(tags.get(key) == value for key, value in self.tags().items())

    def label(self) -> str:
        return f"project {self.project} in cluster {self.cluster} ({self.region})"

    @property
    def user_value(self) -> str:
        """`<project>/<cluster>/<region>`: within every tag-value pattern (IAM's has no parentheses)."""
        return f"{self.project}/{self.cluster}/{self.region}"

    def legacy(self, tags: Mapping[str, str]) -> bool:
        """Created for this project by a compose2ecs that tagged the project alone (no cluster, region)."""
        return tags.get(PROJECT_TAG) == self.project and CLUSTER_TAG not in tags and REGION_TAG not in tags

    @property
    def creation_token(self) -> str:
        """The deployment's file system's CreationToken (at most 64 characters)."""
        token = f"compose2ecs/{self.user_value}"
        return token if len(token) <= _MAX_TOKEN else _bounded(token, _MAX_TOKEN)

    @property
    def user_tag(self) -> str:
        """The deployment's `compose2ecs:user:` tag key (a digest when the names are long)."""
        return _bounded(f"{USER_TAG_PREFIX}{self.project}.{self.cluster}.{self.region}", _MAX_TAG_KEY)

    @property
    def policy_name(self) -> str:
        """`compose2ecs-<project>-<cluster>-<region>`: this deployment's inline policy on a role.

        Per deployment, so that projects (or one project's clusters and regions) sharing a role
        never write each other's permissions, and `down --all` removes exactly its own.
        """
        name = "".join(
            c if c.isascii() and (c.isalnum() or c in "_+=,.@-") else "-"
            for c in f"{POLICY_PREFIX}{self.project}-{self.cluster}-{self.region}"
        )
        return _bounded(name, _MAX_POLICY_NAME)


def _bounded(name: str, limit: int) -> str:
    if len(name) <= limit:
        return name
    import hashlib  # noqa: PLC0415 - rare; keeps `convert` start-up fast

    return f"{name[: limit - 11]}-{hashlib.sha256(name.encode()).hexdigest()[:10]}"


def foreign_creator(tags: Mapping[str, str], owner: Owner) -> Owner | None:
    """The other deployment that created a resource, if another one did.

    None when compose2ecs did not create it, or `owner` did (now, or as an earlier compose2ecs
    that tagged only the project).
    """
    maker = creator(tags)
    if maker is None or owner.owns(tags) or owner.legacy(tags):
        return None
    return maker


def creator(tags: Mapping[str, str]) -> Owner | None:
    """The deployment that created a resource, from its tags; None when compose2ecs did not."""
    if PROJECT_TAG not in tags:
        return None
    return Owner(tags[PROJECT_TAG], tags.get(CLUSTER_TAG, ""), tags.get(REGION_TAG, ""))


def user_tags(tags: Mapping[str, str]) -> set[str]:
    return {key for key in tags if key.startswith(USER_TAG_PREFIX)}


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


def taggable_service_arn(arn: str) -> bool:
    """ECS tags only services with the long ARN format (`service/<cluster>/<name>`).

    A service ecs-cli created before 2021 may still have `service/<name>`: TagResource refuses it.
    """
    return arn.split(":", 5)[-1].count("/") >= 2  # noqa: PLR2004 - service/<cluster>/<name>


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


class SecretRef(NamedTuple):
    name: str
    value_from: str


class HealthcheckParams(NamedTuple):
    """ecs-params healthcheck; each field overrides the compose value field by field."""

    command: tuple[str, ...] | None = None
    interval: int | None = None
    timeout: int | None = None
    retries: int | None = None
    start_period: int | None = None


class FirelensParams(NamedTuple):
    type: str
    options: Mapping[str, str] = EMPTY


class ContainerDependency(NamedTuple):
    container_name: str
    condition: str  # START | COMPLETE | SUCCESS | HEALTHY


class ContainerParams(NamedTuple):
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
    # secret_variables: variable -> compose secret, delivered as that variable instead of a file
    secret_variables: Mapping[str, str] = EMPTY


class DockerVolume(NamedTuple):
    name: str
    scope: str | None = None
    autoprovision: bool | None = None
    driver: str | None = None
    driver_opts: Mapping[str, str] = EMPTY
    labels: Mapping[str, str] = EMPTY


class EfsVolume(NamedTuple):
    name: str
    filesystem_id: str
    root_directory: str | None = None
    transit_encryption: str | None = None  # ENABLED | DISABLED
    transit_encryption_port: int | None = None
    access_point: str | None = None
    iam: str | None = None  # ENABLED | DISABLED


class VolumeParams(NamedTuple):
    """`task_definition.volumes.<name>`: where a compose named volume is kept, and its owner."""

    storage: str = "efs"  # efs: the project's file system (kept) | task: task storage (lost)
    uid: int | None = None  # POSIX owner of the volume's directory on the file system
    gid: int | None = None
    permissions: str | None = None  # octal, e.g. "0750"
    path: tuple[str | int, ...] = ("task_definition", "volumes")


class PlacementItem(NamedTuple):
    type: str
    expression: str | None = None
    field: str | None = None


class AwsvpcParams(NamedTuple):
    subnets: tuple[str, ...] = ()
    security_groups: tuple[str, ...] = ()
    assign_public_ip: str | None = None  # ENABLED | DISABLED


class TargetGroupRef(NamedTuple):
    """`run_params.target_groups[]`: an existing target group the service is attached to.

    ecs-cli's `--target-groups targetGroupArn=…,containerName=…,containerPort=…`; compose2ecs never
    changes nor deletes the group.
    """

    target_group_arn: str
    container_name: str
    container_port: int
    path: tuple[str | int, ...] = ()  # the entry in ecs-params.yml


class CapacityProviderItem(NamedTuple):
    capacity_provider: str
    weight: int | None = None
    base: int | None = None


class DeploymentParams(NamedTuple):
    maximum_percent: int | None = None
    minimum_healthy_percent: int | None = None
    circuit_breaker: bool | None = None  # enable + rollback together, the safe pairing
    rollback: bool | None = None


class HealthCheckParams(NamedTuple):
    """`run_params.ports.<port>.health_check`: the target group's health check, member by member."""

    path: str | None = None
    matcher: str | None = None  # HTTP codes: "200", "200-399", "200,302"
    interval: int | None = None
    timeout: int | None = None
    healthy_threshold: int | None = None
    unhealthy_threshold: int | None = None


class AutoscalingParams(NamedTuple):
    """`run_params.autoscaling`: Application Auto Scaling of each ECS service of the project."""

    min: int
    max: int
    cpu: int | None = None  # target average CPU, percent
    memory: int | None = None  # target average memory, percent
    requests_per_target: int | None = None  # target ALB requests per task (an HTTP port needed)
    scale_in_cooldown: int | None = None  # seconds
    scale_out_cooldown: int | None = None


class ScalingPolicySpec(NamedTuple):
    """A target-tracking policy (PutScalingPolicy)."""

    name: str  # compose2ecs-cpu | compose2ecs-memory | compose2ecs-requests
    metric: (
        str  # ECSServiceAverageCPUUtilization | ECSServiceAverageMemoryUtilization | ALBRequestCountPerTarget
    )
    target: float
    target_group: str = ""  # ALBRequestCountPerTarget: the target group whose requests count
    scale_in_cooldown: int | None = None
    scale_out_cooldown: int | None = None


class ScalingSpec(NamedTuple):
    """The scalable target of one ECS service, and its policies."""

    service: str
    min: int
    max: int
    policies: tuple[ScalingPolicySpec, ...]


class PortParams(NamedTuple):
    """`run_params.ports.<port>`: compose2ecs's choices for one published port."""

    public: bool | None = None  # open a data store's port to the internet (never the default)
    load_balancer: str | None = None  # application | network: overrides the rule by port
    certificate_arn: str | None = None  # an HTTPS listener with this ACM certificate (ALB)
    redirect_from: int | None = None  # a listener on this port redirecting to HTTPS on the port
    stickiness: int | None = None  # seconds of load balancer cookie stickiness (0: off)
    health_check: HealthCheckParams | None = None
    # An existing ALB listener to add a rule to, instead of a load balancer of the project's own.
    listener_arn: str | None = None
    hosts: tuple[str, ...] = ()  # the rule's host-header values
    paths: tuple[str, ...] = ()  # the rule's path-pattern values
    priority: int | None = None  # the rule's priority (None: after every rule on the listener)
    scheme: str | None = None  # internet-facing | internal: which of the project's load balancers


class LoadBalancerParams(NamedTuple):
    """`run_params.load_balancer`: where the project's own load balancers go."""

    scheme: str | None = None  # internet-facing (default) | internal, for every published port
    subnets: tuple[str, ...] = ()  # the internet-facing ones' subnets (default: the tasks' VPC's)
    internal_subnets: tuple[str, ...] = ()  # the internal ones' (default: subnets, else the tasks')
    path: tuple[str | int, ...] = ("run_params", "load_balancer")


class EcsParams(NamedTuple):
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
    services: Mapping[str, ContainerParams] = EMPTY
    docker_volumes: tuple[DockerVolume, ...] = ()
    efs_volumes: tuple[EfsVolume, ...] = ()
    placement_constraints: tuple[PlacementItem, ...] = ()
    # task_definition (compose2ecs additions)
    volumes: Mapping[str, VolumeParams] = EMPTY  # task_definition.volumes: compose volume -> storage
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
    target_groups: tuple[TargetGroupRef, ...] = ()  # run_params.target_groups: existing ones to attach
    autoscaling: AutoscalingParams | None = None  # run_params.autoscaling
    ports: Mapping[int, PortParams] = MappingProxyType({})  # run_params.ports: published port -> what to do
    load_balancer: LoadBalancerParams | None = None  # run_params.load_balancer
    # top level (compose2ecs additions)
    log_retention_days: int | None = None
    allow_broad_trust_policy: bool = False  # the trust policy may let more than ECS tasks assume the role
    tags: Mapping[str, str] = EMPTY


# Where the caller's account goes in a document compose2ecs writes, until it is known (from STS).
ACCOUNT = "{{account}}"
# Where the project's file system's id and ARN, and an access point's id and ARN, go in a task
# definition or a policy until the file system exists (resolve() puts the real values in).
FILE_SYSTEM_ID = "{{file-system-id}}"
FILE_SYSTEM_ARN = "{{file-system-arn}}"


def access_point_id(volume: str) -> str:
    return f"{{{{access-point-id:{volume}}}}}"


def access_point_arn(volume: str) -> str:
    return f"{{{{access-point-arn:{volume}}}}}"


def resolve(value: Any, known: Mapping[str, str]) -> Any:
    """`value` (a request, a policy) with every placeholder `known` names replaced by its value.

    Unknown placeholders stay: the resource they name does not exist yet, so whatever refers to
    it is new or changes anyway.
    """
    if not known:
        return value
    if isinstance(value, str):
        return known.get(value, value)
    if isinstance(value, dict):
        return {k: resolve(v, known) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, known) for v in value]
    if isinstance(value, tuple):
        return tuple(resolve(v, known) for v in value)
    return value


class AccessPointSpec(NamedTuple):
    """One compose volume on the project's file system: an access point to its own directory."""

    volume: str  # the compose volume's name
    path: str  # its directory on the file system: /<volume>
    uid: int | None  # the POSIX user every access acts as (None: the client's own)
    gid: int | None
    permissions: str  # of the directory, when EFS creates it
    owner_source: str  # where uid and gid come from, for the report and docs

    def request(self, file_system_id: str, tags: dict[str, str]) -> dict[str, Any]:
        """CreateAccessPoint's arguments, but ClientToken."""
        owner_uid, owner_gid = self.uid or 0, self.gid if self.gid is not None else (self.uid or 0)
        out: dict[str, Any] = {
            "FileSystemId": file_system_id,
            "RootDirectory": {
                "Path": self.path,
                "CreationInfo": {
                    "OwnerUid": owner_uid,
                    "OwnerGid": owner_gid,
                    "Permissions": self.permissions,
                },
            },
            "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
        }
        if self.uid is not None:
            out["PosixUser"] = {"Uid": self.uid, "Gid": owner_gid}
        return out


def secret_arn(name: str) -> str:
    """Where a managed secret's ARN goes until it exists (resolve() puts the real one in)."""
    return f"{{{{secret-arn:{name}}}}}"


class SecretSpec(NamedTuple):
    """A compose secret from `file:` or `environment:`, kept in Secrets Manager by compose2ecs.

    `value` is never printed, logged or reported (its repr hides it); the plan says only whether
    the stored value differs.
    """

    name: str  # compose2ecs/<project>/<cluster>/<compose secret>
    source: str  # the compose secret's key
    value: str

    def __repr__(self) -> str:
        return f"SecretSpec(name={self.name!r}, source={self.source!r}, value=<hidden>)"


class HostEntry(NamedTuple):
    """What is at a host path the project names (load/host_files.py).

    `kind`: file, directory, missing, or refused (with `why`); `files`: path relative to the entry
    ("" for a file) -> its bytes.
    """

    kind: str
    files: Mapping[str, bytes] = MappingProxyType({})
    why: str = ""


class FileParameter(NamedTuple):
    """An SSM parameter holding (a part of) a file the init container writes into the task.

    Its name ends in the digest of the file's content, so a changed file is a new parameter and a
    new task definition revision, and an unchanged one neither. `value` (base64) is never printed.
    """

    name: str
    value: str

    def __repr__(self) -> str:
        return f"FileParameter(name={self.name!r}, value=<{len(self.value)} characters>)"


class FileSystemSpec(NamedTuple):
    """The project's EFS file system, holding its named volumes (one access point each)."""

    name: str  # its Name tag: `<project>.<cluster>`
    creation_token: str  # makes CreateFileSystem idempotent: a retried create finds the first
    access_points: tuple[AccessPointSpec, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "creationToken": self.creation_token,
            "encrypted": True,
            "accessPoints": [
                {
                    "volume": ap.volume,
                    "path": ap.path,
                    "posixUser": None if ap.uid is None else {"uid": ap.uid, "gid": ap.gid},
                    "permissions": ap.permissions,
                }
                for ap in self.access_points
            ],
        }


class TrustPolicy(NamedTuple):
    """The execution role's trust policy (task-execution-assume-role.json, or the standard one)."""

    document: dict[str, Any]
    file: str | None = None
    # Statements that let more than ECS tasks assume the role: refused unless ecs-params allows them
    broad: tuple[Problem, ...] = ()


# ---------------------------------------------------------------------------------------------
# Desired state: what `translate` produces and `convert --output json` prints.


class RoleSpec(NamedTuple):
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


class LogGroupSpec(NamedTuple):
    name: str
    region: str
    retention_days: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"logGroupName": self.name, "region": self.region, "retentionInDays": self.retention_days}

    def label(self, project_region: str) -> str:
        """How the plan names it: the name, and the region too when it is not the project's."""
        return self.name if self.region == project_region else f"{self.name} ({self.region})"


class PortRule(NamedTuple):
    """An ingress port the project's own security group opens (only when ecs-params names none)."""

    port: int
    protocol: str  # tcp | udp
    to_port: int | None = None  # for ranges
    # world: 0.0.0.0/0 and ::/0; ipv4: 0.0.0.0/0 only; self: other tasks of the project (Service
    # Connect); lb: the load balancers' security group; listener:ARN: the security groups of an
    # existing listener's load balancer (known once read); group:ID: one security group
    source: str = "world"


class HealthCheck(NamedTuple):
    """A target group's health check (CreateTargetGroup's HealthCheck* members)."""

    protocol: str  # HTTP | TCP
    path: str | None = None  # HTTP only
    matcher: str | None = None  # HTTP only: the codes that mean healthy
    interval: int = 15
    timeout: int = 5
    healthy: int = 2
    unhealthy: int = 3


class TargetGroupSpec(NamedTuple):
    """A target group (type ip) for one container port of one ECS service."""

    name: str  # at most 32 characters; carries a hash of what cannot change in place
    service: str  # the ECS service that registers its tasks
    container: str
    port: int  # the container port
    protocol: str  # HTTP | TCP | UDP
    health: HealthCheck
    deregistration_delay: int = 30
    stickiness: int = 0  # seconds of lb_cookie stickiness; 0: off

    def attributes(self) -> dict[str, str]:
        """The target group attributes compose2ecs sets (ModifyTargetGroupAttributes)."""
        out = {"deregistration_delay.timeout_seconds": str(self.deregistration_delay)}
        if self.protocol == "HTTP":
            out["stickiness.enabled"] = "true" if self.stickiness else "false"
        if self.stickiness:
            out["stickiness.type"] = "lb_cookie"
            out["stickiness.lb_cookie.duration_seconds"] = str(self.stickiness)
        return out

    def request(self, vpc_id: str, tags: Mapping[str, str]) -> dict[str, Any]:
        """The CreateTargetGroup request."""
        health = self.health
        out: dict[str, Any] = {
            "Name": self.name,
            "Protocol": self.protocol,
            "Port": self.port,
            "VpcId": vpc_id,
            "TargetType": "ip",
            "HealthCheckProtocol": health.protocol,
            "HealthCheckIntervalSeconds": health.interval,
            "HealthCheckTimeoutSeconds": health.timeout,
            "HealthyThresholdCount": health.healthy,
            "UnhealthyThresholdCount": health.unhealthy,
            "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
        }
        if health.path:
            out["HealthCheckPath"] = health.path
        if health.matcher:
            out["Matcher"] = {"HttpCode": health.matcher}
        return out


class LoadBalancerSpec(NamedTuple):
    """A load balancer of the project: one Application and one Network load balancer at most."""

    name: str  # at most 32 characters
    type: str  # application | network
    scheme: str = "internet-facing"  # or internal
    subnets: tuple[str, ...] = ()  # from ecs-params; none: one per zone of the tasks' VPC
    subnets_path: tuple[str | int, ...] = ()  # the ecs-params key that names them


class ListenerSpec(NamedTuple):
    """A listener on a published port, forwarding to the target group of the container port."""

    load_balancer: str  # LoadBalancerSpec.name
    port: int  # the published port
    protocol: str  # HTTP | TCP | UDP
    target_group: str  # TargetGroupSpec.name ("" for a redirect)
    path: tuple[str | int, ...] = ()  # the compose `ports` entry, for the report
    certificate: str | None = None  # HTTPS: the ACM certificate's ARN
    redirect_to: int | None = None  # a redirect to HTTPS on this port, instead of a target group

    def default_actions(self, target_group_arn: str) -> list[dict[str, Any]]:
        """The listener's DefaultActions: forward to the target group, or redirect to HTTPS."""
        if self.redirect_to is not None:
            config = {"Protocol": "HTTPS", "Port": str(self.redirect_to), "StatusCode": "HTTP_301"}
            return [{"Type": "redirect", "RedirectConfig": config}]
        return [{"Type": "forward", "TargetGroupArn": target_group_arn}]


class ListenerRuleSpec(NamedTuple):
    """A rule compose2ecs adds to an existing listener (ecs-params `listener_arn`), to its target group.

    The listener and its load balancer stay the user's: compose2ecs creates, changes and deletes
    only the rules it tagged as its own.
    """

    listener_arn: str
    target_group: str  # TargetGroupSpec.name
    hosts: tuple[str, ...]
    paths: tuple[str, ...]
    priority: int | None  # None: the next free one after the listener's rules
    path: tuple[str | int, ...] = ()  # run_params.ports.<port> in ecs-params.yml, for the report

    def conditions(self) -> list[dict[str, Any]]:
        """CreateRule's Conditions: the hosts and the paths, each an OR of its values."""
        out: list[dict[str, Any]] = []
        if self.hosts:
            out.append({"Field": "host-header", "HostHeaderConfig": {"Values": list(self.hosts)}})
        if self.paths:
            out.append({"Field": "path-pattern", "PathPatternConfig": {"Values": list(self.paths)}})
        return out

    def text(self) -> str:
        """`app.example.com/api/*`: what the rule matches, for the plan and the URL."""
        return ",".join(self.hosts or ("*",)) + (",".join(self.paths) if self.paths else "/*")


class Reference(NamedTuple):
    """Something the files name that must exist in the account: checked before any write."""

    kind: str  # secret (Secrets Manager) | parameter (SSM) | role (IAM) | efs-* | certificate (ACM)
    value: str  # as the files give it: an ARN or a name
    path: tuple[str | int, ...]  # the key that set it
    in_params: bool  # the key is in ecs-params.yml (else in the compose files)


class DiscoverySpec(NamedTuple):
    """ecs-cli's `run_params.service_discovery`: a Cloud Map service with DNS records for one ECS service.

    ECS registers each task's address in it, so `<name>.<namespace>` resolves in the VPC, as it
    did with ecs-cli's `--enable-service-discovery`.
    """

    service: str  # the ECS service whose tasks register
    name: str  # the Cloud Map service's name: the DNS label
    namespace: str  # the private DNS namespace's name ("" when only its id is given)
    namespace_id: str  # its id, when ecs-params gives one
    vpc: str  # the VPC of a namespace to create ("" : the tasks')
    record_type: str  # A | SRV
    ttl: int  # seconds
    failure_threshold: int  # HealthCheckCustomConfig
    container: str  # SRV: the container and port the record points at
    port: int
    path: tuple[str | int, ...] = ("run_params", "service_discovery")

    @property
    def placeholder(self) -> str:
        """What the planned `serviceRegistries` entry holds until the Cloud Map service's ARN is known."""
        return f"cloudmap:{self.namespace or self.namespace_id}/{self.name}"

    def dns_records(self) -> list[dict[str, Any]]:
        return [{"Type": self.record_type, "TTL": self.ttl}]


class DesiredState:
    """The AWS requests for one project, before the cluster and network are known.

    `task_definitions` are RegisterTaskDefinition requests. `services` are CreateService requests
    without `cluster`; their `taskDefinition` is the family name, which `apply` replaces with the
    registered `family:revision`. When ecs-params gives no network, `services[*]` carry no
    `networkConfiguration` and `ingress` lists the ports a project security group must open.
    Translation fills it in step by step, so it is a plain mutable class.
    """

    __slots__ = (
        "cluster",
        "desired_count_explicit",
        "discovery",
        "file_parameters",
        "file_system",
        "ingress",
        "known_by_name",
        "layout",
        "listener_rules",
        "listeners",
        "load_balancers",
        "log_groups",
        "namespace",
        "problems",
        "project",
        "references",
        "region",
        "reused_target_groups",
        "roles",
        "scaling",
        "secrets",
        "services",
        "tags",
        "target_groups",
        "task_definitions",
    )

    def __init__(
        self,
        project: str,
        layout: str,
        region: str,
        *,
        task_definitions: list[dict[str, Any]] | None = None,
        services: list[dict[str, Any]] | None = None,
        roles: list[RoleSpec] | None = None,
        log_groups: list[LogGroupSpec] | None = None,
        tags: dict[str, str] | None = None,
        ingress: list[PortRule] | None = None,
        namespace: str | None = None,
        desired_count_explicit: dict[str, bool] | None = None,
        problems: list[Problem] | None = None,
        cluster: str = "default",
    ) -> None:
        self.project = project
        self.cluster = cluster  # the deployment's cluster: part of its identity (Owner)
        # No files: only the names compose2ecs derives, for `down -p NAME` (workflow.by_name).
        self.known_by_name = False
        self.references: list[Reference] = []  # what must exist before `up` writes (preflight)
        self.layout = layout
        self.region = region
        self.task_definitions = task_definitions if task_definitions is not None else []
        self.services = services if services is not None else []
        self.roles = roles if roles is not None else []
        self.log_groups = log_groups if log_groups is not None else []
        self.tags = tags if tags is not None else {}  # on everything compose2ecs creates
        self.ingress = ingress if ingress is not None else []
        self.namespace = namespace  # Service Connect (Cloud Map HTTP) namespace, service layout
        # serviceName -> whether the user set desiredCount
        self.desired_count_explicit = desired_count_explicit if desired_count_explicit is not None else {}
        self.problems = problems if problems is not None else []
        # In front of the published ports, when compose2ecs manages the network (see load-balancers.md).
        self.load_balancers: list[LoadBalancerSpec] = []
        self.target_groups: list[TargetGroupSpec] = []
        self.listeners: list[ListenerSpec] = []
        self.reused_target_groups: list[TargetGroupRef] = []  # existing ones, from ecs-params
        self.listener_rules: list[ListenerRuleSpec] = []  # on existing listeners, from ecs-params
        self.scaling: list[ScalingSpec] = []  # Application Auto Scaling, per ECS service
        self.discovery: DiscoverySpec | None = None  # Cloud Map DNS names (ecs-cli's service discovery)
        self.file_system: FileSystemSpec | None = None  # EFS for the named volumes (storage: efs)
        self.file_parameters: list[FileParameter] = []  # configs and host files, for the init container
        self.secrets: list[SecretSpec] = []  # compose file and environment secrets (Secrets Manager)

    def __repr__(self) -> str:
        return f"DesiredState(project={self.project!r}, layout={self.layout!r}, region={self.region!r})"

    @property
    def owner(self) -> Owner:
        return Owner(self.project, self.cluster, self.region)

    @property
    def security_group_name(self) -> str:
        """`<project>.<cluster>`: unique per VPC, and no project or cluster name holds a '.'."""
        return f"{self.project}.{self.cluster}"

    @property
    def file_parameter_prefix(self) -> str:
        """`/compose2ecs/files/<project>/<cluster>/`: everything under it is the deployment's."""
        return f"/compose2ecs/files/{self.project}/{self.cluster}/"

    @property
    def secret_prefix(self) -> str:
        """`compose2ecs/<project>/<cluster>/`: the deployment's secrets in Secrets Manager."""
        return f"compose2ecs/{self.project}/{self.cluster}/"

    @property
    def lb_security_group_name(self) -> str:
        """`<project>.<cluster>.lb`: the load balancers' own group, next to the tasks' one."""
        return f"{self.project}.{self.cluster}.lb"

    @property
    def uses_project_network(self) -> bool:
        """No network in ecs-params: `up` uses the default VPC and the project's own security group."""
        return bool(self.services) and not any("networkConfiguration" in s for s in self.services)

    @property
    def needs_account(self) -> bool:
        """A role's trust policy names the caller's account (ACCOUNT), known only from AWS."""
        return any(ACCOUNT in json.dumps(role.trust_policy) for role in self.roles)

    @property
    def project_groups(self) -> bool:
        """The project's own security groups are wanted.

        In the default VPC; or, with a network of the user's, next to the user's groups, for the
        project's own load balancers.
        """
        return self.uses_project_network or bool(self.ingress)

    def awsvpc_ids(self, key: str) -> list[str]:
        """The subnets or security groups (`key`) ecs-params names, in its order.

        Every service of a project takes them from the one run_params network, so the first service
        that names them has them all.
        """
        for service in self.services:
            awsvpc = service.get("networkConfiguration", {}).get("awsvpcConfiguration", {})
            if key in awsvpc:
                return [str(item) for item in awsvpc[key]]
        return []

    def as_json(self) -> dict[str, Any]:
        """The `convert --output json` document."""
        rules = [
            {
                "listener": rule.listener_arn,
                "targetGroup": rule.target_group,
                "hosts": list(rule.hosts),
                "paths": list(rule.paths),
                "priority": rule.priority,
            }
            for rule in self.listener_rules
        ]
        return {
            "project": self.project,
            "layout": self.layout,
            "taskDefinitions": self.task_definitions,
            "services": self.services,
            "roles": [role.as_json() for role in self.roles],
            "logGroups": [group.as_json() for group in self.log_groups],
            "loadBalancers": [
                {
                    "name": lb.name,
                    "type": lb.type,
                    "scheme": lb.scheme,
                    "listeners": [
                        {"port": li.port, "protocol": li.protocol, "targetGroup": li.target_group}
                        for li in self.listeners
                        if li.load_balancer == lb.name
                    ],
                }
                for lb in self.load_balancers
            ],
            "targetGroups": [
                {"service": tg.service, "container": tg.container}
                | {k: v for k, v in tg.request("", {}).items() if k not in {"VpcId", "Tags"}}
                for tg in self.target_groups
            ],
            **({"listenerRules": rules} if rules else {}),
            **({"serviceDiscovery": self.discovery_json()} if self.discovery else {}),
            **({"fileSystem": self.file_system.as_json()} if self.file_system else {}),
            **(
                {
                    "fileParameters": [
                        {"name": p.name, "characters": len(p.value)} for p in self.file_parameters
                    ]
                }
                if self.file_parameters
                else {}
            ),
            "problems": [problem_json(p) for p in self.problems],
        }

    def discovery_json(self) -> dict[str, Any]:
        spec = self.discovery
        assert spec is not None  # noqa: S101 - the caller checked
        return {
            "service": spec.service,
            "name": spec.name,
            "namespace": spec.namespace or spec.namespace_id,
            "dnsRecords": spec.dns_records(),
            "healthCheckCustomConfig": {"FailureThreshold": spec.failure_threshold},
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
