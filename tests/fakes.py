"""InMemoryGateway: the whole Gateway protocol in memory, behaving the way AWS does where it matters.

What it models: task definition revisions per family with the defaults ECS fills in on read,
services with deployments (completed at once, or following a scripted rollout), the draining of a
deleted service, IAM's refusal to delete a role that still has policies, duplicate-name errors,
and ECS/EC2 request shapes checked against botocore's API model (offline). Every call is recorded
in `calls`; `fail_on` makes a later call fail, to test a run that is interrupted half way.
"""

from __future__ import annotations

import copy
import itertools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

# Tests may use botocore: it checks request shapes against the AWS API model, offline.
from botocore.exceptions import ParamValidationError
from botocore.session import get_session
from botocore.validate import validate_parameters

from compose2ecs.errors import AwsError
from compose2ecs.model import DesiredState, LogGroupSpec, Owner, PortRule, RoleSpec
from compose2ecs.model.deployed import (
    DeployedState,
    LogGroupState,
    NetworkFacts,
    References,
    RoleState,
    Tagged,
)
from compose2ecs.resources.gateway import LogEvent

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


ACCOUNT = "123456789012"
REGION = "us-east-1"
DEFAULT_VPC = ("vpc-0default", ["subnet-0b", "subnet-0a"])

WRITE_OPERATIONS = frozenset(
    {
        "create_role",
        "update_trust_policy",
        "attach_role_policy",
        "detach_role_policy",
        "put_role_policy",
        "delete_role_policy",
        "delete_role",
        "tag_role",
        "untag_role",
        "create_log_group",
        "put_retention_policy",
        "delete_log_group",
        "tag_log_group",
        "untag_log_group",
        "set_subnets",
        "create_dns_namespace",
        "create_discovery_service",
        "update_discovery_service",
        "delete_discovery_service",
        "create_rule",
        "modify_rule",
        "set_rule_priorities",
        "delete_rule",
        "create_security_group",
        "authorize_ingress",
        "revoke_ingress",
        "delete_security_group",
        "create_cluster",
        "delete_cluster",
        "create_namespace",
        "delete_namespace",
        "register_task_definition",
        "deregister_task_definition",
        "create_service",
        "update_service",
        "delete_service",
        "tag_resource",
        "untag_resource",
        "run_task",
        "stop_task",
        "register_scalable_target",
        "deregister_scalable_target",
        "put_scaling_policy",
        "delete_scaling_policy",
        "create_load_balancer",
        "delete_load_balancer",
        "create_target_group",
        "modify_target_group",
        "modify_target_group_attributes",
        "delete_target_group",
        "create_listener",
        "modify_listener",
        "delete_listener",
        "add_elb_tags",
        "remove_elb_tags",
        "create_secret",
        "put_secret_value",
        "delete_secret",
        "put_file_parameter",
        "delete_parameters",
        "create_file_system",
        "delete_file_system",
        "create_access_point",
        "delete_access_point",
        "create_mount_target",
        "delete_mount_target",
    }
)

# CloudWatch Logs accepts only these retention periods.
RETENTION_DAYS = frozenset(
    {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
)

# Fields a change of which starts a new ECS deployment (the rest apply in place).
_DEPLOYING_FIELDS = (
    "taskDefinition",
    "networkConfiguration",
    "platformVersion",
    "serviceConnectConfiguration",
)

_SERVICE_DEFAULTS: dict[str, Any] = {
    "launchType": "FARGATE",
    "platformVersion": "LATEST",
    "schedulingStrategy": "REPLICA",
    "deploymentController": {"type": "ECS"},
    "deploymentConfiguration": {
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
    },
    "loadBalancers": [],
    "serviceRegistries": [],
    "placementConstraints": [],
    "placementStrategy": [],
    "healthCheckGracePeriodSeconds": 0,
    "propagateTags": "NONE",
    "enableECSManagedTags": False,
    "enableExecuteCommand": False,
}

# The AWS operation each fake method stands for, as BotoGateway names it in an AwsError.
AWS_OPERATIONS = {
    "create_role": "iam:CreateRole",
    "update_trust_policy": "iam:UpdateAssumeRolePolicy",
    "attach_role_policy": "iam:AttachRolePolicy",
    "detach_role_policy": "iam:DetachRolePolicy",
    "put_role_policy": "iam:PutRolePolicy",
    "delete_role_policy": "iam:DeleteRolePolicy",
    "delete_role": "iam:DeleteRole",
    "tag_role": "iam:TagRole",
    "untag_role": "iam:UntagRole",
    "create_log_group": "logs:CreateLogGroup",
    "put_retention_policy": "logs:PutRetentionPolicy",
    "delete_log_group": "logs:DeleteLogGroup",
    "tag_log_group": "logs:TagResource",
    "untag_log_group": "logs:UntagResource",
    "create_security_group": "ec2:CreateSecurityGroup",
    "authorize_ingress": "ec2:AuthorizeSecurityGroupIngress",
    "revoke_ingress": "ec2:RevokeSecurityGroupIngress",
    "delete_security_group": "ec2:DeleteSecurityGroup",
    "create_cluster": "ecs:CreateCluster",
    "delete_cluster": "ecs:DeleteCluster",
    "create_namespace": "servicediscovery:CreateHttpNamespace",
    "delete_namespace": "servicediscovery:DeleteNamespace",
    "create_dns_namespace": "servicediscovery:CreatePrivateDnsNamespace",
    "create_discovery_service": "servicediscovery:CreateService",
    "update_discovery_service": "servicediscovery:UpdateService",
    "delete_discovery_service": "servicediscovery:DeleteService",
    "register_task_definition": "ecs:RegisterTaskDefinition",
    "deregister_task_definition": "ecs:DeregisterTaskDefinition",
    "create_service": "ecs:CreateService",
    "update_service": "ecs:UpdateService",
    "delete_service": "ecs:DeleteService",
    "tag_resource": "ecs:TagResource",
    "untag_resource": "ecs:UntagResource",
    "run_task": "ecs:RunTask",
    "stop_task": "ecs:StopTask",
    "register_scalable_target": "application-autoscaling:RegisterScalableTarget",
    "deregister_scalable_target": "application-autoscaling:DeregisterScalableTarget",
    "put_scaling_policy": "application-autoscaling:PutScalingPolicy",
    "delete_scaling_policy": "application-autoscaling:DeleteScalingPolicy",
    "create_load_balancer": "elasticloadbalancing:CreateLoadBalancer",
    "delete_load_balancer": "elasticloadbalancing:DeleteLoadBalancer",
    "create_target_group": "elasticloadbalancing:CreateTargetGroup",
    "modify_target_group": "elasticloadbalancing:ModifyTargetGroup",
    "modify_target_group_attributes": "elasticloadbalancing:ModifyTargetGroupAttributes",
    "delete_target_group": "elasticloadbalancing:DeleteTargetGroup",
    "create_listener": "elasticloadbalancing:CreateListener",
    "modify_listener": "elasticloadbalancing:ModifyListener",
    "delete_listener": "elasticloadbalancing:DeleteListener",
    "add_elb_tags": "elasticloadbalancing:AddTags",
    "remove_elb_tags": "elasticloadbalancing:RemoveTags",
    "describe_vpcs": "ec2:DescribeVpcs",
    "create_lock": "ssm:PutParameter",
    "read_lock": "ssm:GetParameter",
    "delete_lock": "ssm:DeleteParameter",
}


def aws_error(method: str, message: str, code: str = "", resource: str = "", hint: str = "") -> AwsError:
    """The AwsError BotoGateway raises for this call."""
    return AwsError(AWS_OPERATIONS.get(method, method), message, code, resource, hint)


_models: dict[str, Any] = {}


def check_shape(service: str, operation: str, params: dict[str, Any]) -> None:
    """Raise AwsError (as AWS would) when `params` do not fit botocore's model of the operation."""
    if service not in _models:
        _models[service] = get_session().get_service_model(service)
    try:
        validate_parameters(params, _models[service].operation_model(operation).input_shape)
    except ParamValidationError as error:
        raise AwsError(operation, str(error), code="ParamValidation") from None


@dataclass
class StoredRole:
    role: dict[str, Any]
    attached: list[str] = field(default_factory=list)
    inline: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Rollout:
    """How the next deployment of a service goes: one state per describe_service call."""

    states: list[str]  # IN_PROGRESS | COMPLETED | FAILED | ROLLED_BACK | "EVENT <message>"
    stopped_reason: str = "Essential container in task exited"
    container_reason: str = ""
    exit_code: int | None = 1


@dataclass
class StoredService:
    data: dict[str, Any]  # the DescribeServices entry, without tags
    tags: dict[str, str]
    rollout: Rollout | None = None
    drain_polls: int = 0  # describe_service calls left before a DRAINING service is INACTIVE


class InMemoryGateway:
    """A fake AWS account: every Gateway method, in memory; `calls` says what was asked, in order."""

    def __init__(self, *, vpc: tuple[str, list[str]] | None = DEFAULT_VPC, drain_polls: int = 1) -> None:
        self.vpc = vpc
        self.subnets: dict[str, str] = {}  # subnet id -> VPC id, of subnets ecs-params may name
        self.subnet_zones: dict[str, str] = {}  # subnet id -> Availability Zone, of those
        self.discovery_services: dict[str, dict[str, Any]] = {}  # Cloud Map service ARN -> entry
        self.drain_polls = drain_polls
        self.calls: list[tuple[str, ...]] = []
        self.roles: dict[str, StoredRole] = {}
        self.log_groups: dict[tuple[str, str], LogGroupState] = {}  # (region, name)
        self.security_groups: dict[str, dict[str, Any]] = {}
        self.clusters: dict[str, dict[str, Any]] = {}
        self.cluster_tags: dict[str, dict[str, str]] = {}
        self.namespaces: dict[str, dict[str, Any]] = {}
        self.task_definitions: dict[str, list[dict[str, Any]]] = {}  # family -> revisions 1, 2, ...
        self.locks: dict[str, str] = {}  # SSM parameter name -> value
        self.missing_references: set[str] = set()  # secrets, parameters, roles the account lacks
        self.task_definition_tags: dict[str, dict[str, str]] = {}
        self.services: dict[tuple[str, str], StoredService] = {}
        self.tasks: dict[str, dict[str, Any]] = {}
        self.public_ip_of: dict[str, str] = {}
        self.log_events: dict[str, list[LogEvent]] = {}  # group -> events, oldest first
        self.log_page_size = 50
        self.security_group_busy = 0  # delete_security_group calls to refuse with DependencyViolation
        # ELBv2, by ARN; "Tags" is a dict here
        self.load_balancers: dict[str, dict[str, Any]] = {}
        self.target_groups: dict[str, dict[str, Any]] = {}
        self.target_group_attributes: dict[str, dict[str, str]] = {}
        self.listeners: dict[str, dict[str, Any]] = {}
        self.rules: dict[str, dict[str, Any]] = {}  # listener rules by ARN; "Tags" is a dict here
        # Application Auto Scaling: resource id -> scalable target, with "Policies" by name
        self.scalable_targets: dict[str, dict[str, Any]] = {}
        # EFS, by id; "AccessPoints" and "MountTargets" are kept on the file system's entry
        self.file_systems: dict[str, dict[str, Any]] = {}
        self.file_parameters: dict[str, str] = {}  # SSM parameter name -> value
        self.managed_secrets: dict[str, dict[str, Any]] = {}  # name -> {"ARN", "Tags", "Value"}
        subnets = sorted((vpc or ("", []))[1])
        self.default_zones = {subnet: f"{REGION}{chr(ord('a') + i)}" for i, subnet in enumerate(subnets)}
        self._failures: dict[str, tuple[int, AwsError]] = {}
        self._rollouts: dict[str, Rollout] = {}
        self._ids = itertools.count(1)

    # Test controls ---------------------------------------------------------------------------

    def fail_on(self, operation: str, nth: int = 1, error: AwsError | None = None) -> None:
        """Make the `nth` call of `operation` from now on raise `error` (an AccessDenied by default)."""
        self._failures[operation] = (
            nth,
            error or aws_error(operation, "injected failure", code="AccessDenied"),
        )

    def script_rollout(
        self,
        service: str,
        states: Sequence[str],
        *,
        stopped_reason: str = "Essential container in task exited",
        container_reason: str = "",
        exit_code: int | None = 1,
    ) -> None:
        """The next deployment (or scaling) of `service` goes through `states`, one per describe."""
        self._rollouts[service] = Rollout(list(states), stopped_reason, container_reason, exit_code)

    @property
    def writes(self) -> list[tuple[str, ...]]:
        """The write calls made, in order (failed ones included: they were attempted)."""
        return [call for call in self.calls if call[0] in WRITE_OPERATIONS]

    def operations(self) -> list[str]:
        """The names of the write calls made, in order."""
        return [call[0] for call in self.writes]

    def _call(self, operation: str, *args: object) -> None:
        self.calls.append((operation, *(str(arg) for arg in args)))
        if operation in self._failures:
            remaining, error = self._failures[operation]
            if remaining <= 1:
                del self._failures[operation]
                raise error
            self._failures[operation] = (remaining - 1, error)

    def _next_id(self) -> int:
        return next(self._ids)

    def _now(self, n: int | None = None) -> datetime:
        return datetime(2025, 1, 1, tzinfo=UTC) + timedelta(seconds=self._next_id() if n is None else n)

    # Reads -----------------------------------------------------------------------------------

    def read_state(self, desired: DesiredState, cluster: str) -> DeployedState:
        self._call("read_state", desired.project, cluster)
        return self._read(desired, cluster)

    def _read(self, desired: DesiredState, cluster: str) -> DeployedState:
        state = DeployedState()
        stored_cluster = self.clusters.get(cluster)
        if stored_cluster and stored_cluster["status"] == "ACTIVE":
            state.cluster = self._cluster_view(stored_cluster)
        for request in desired.services:
            stored = self.services.get((cluster, str(request["serviceName"])))
            if stored and stored.data["status"] != "INACTIVE":
                state.services[stored.data["serviceName"]] = {
                    **copy.deepcopy(stored.data),
                    "tags": _ecs_tags(stored.tags),
                }
        owner = desired.owner
        own_services = {
            stored.data["serviceName"]: stored.data["serviceArn"]
            for (in_cluster, _), stored in self.services.items()
            if in_cluster == cluster and stored.data["status"] != "INACTIVE" and owner.owns(stored.tags)
        }
        own_revisions = frozenset(arn for arn, tags in self.task_definition_tags.items() if owner.owns(tags))
        state.tagged = Tagged(own_services, own_revisions)
        named = frozenset(ref.value for ref in desired.references)
        state.references = References(named, named & frozenset(self.missing_references))
        wanted = {str(request["serviceName"]) for request in desired.services}
        for name in own_services.keys() - wanted:
            stored = self.services[cluster, name]
            state.orphans[name] = {**copy.deepcopy(stored.data), "tags": _ecs_tags(stored.tags)}
        for request in desired.task_definitions:
            # Like BotoGateway: the latest revision, or this deployment's own latest when it is not.
            latest = self._latest(str(request["family"]))
            if latest is None:
                continue
            view = self._task_definition_view(latest)
            if owner.owns(self.task_definition_tags.get(latest["taskDefinitionArn"], {})):
                state.task_definitions[latest["family"]] = view
                continue
            state.foreign_latest[latest["family"]] = view
            mine = [
                td
                for td in self.task_definitions[latest["family"]]
                if td["status"] == "ACTIVE" and td["taskDefinitionArn"] in own_revisions
            ]
            if mine:
                state.task_definitions[latest["family"]] = self._task_definition_view(mine[-1])
        for spec in desired.roles:
            if spec.name in self.roles:
                stored_role = self.roles[spec.name]
                state.roles[spec.name] = RoleState(
                    copy.deepcopy(stored_role.role),
                    tuple(stored_role.attached),
                    copy.deepcopy(stored_role.inline),
                )
        for group in desired.log_groups:
            if (group.region, group.name) in self.log_groups:
                state.log_groups[group.region, group.name] = copy.deepcopy(
                    self.log_groups[group.region, group.name]
                )
        # Like BotoGateway: the deployment's groups are those tagged for it; the name tells which.
        for group_id in sorted(self.security_groups):
            sg = self.security_groups[group_id]
            if not owner.owns({t["Key"]: t["Value"] for t in sg["Tags"]}):
                continue
            if sg["GroupName"] == desired.lb_security_group_name:
                state.lb_security_group = copy.deepcopy(sg)
            elif state.security_group is None or sg["GroupName"] == desired.security_group_name:
                state.security_group = copy.deepcopy(sg)
        for arn, lb in self.load_balancers.items():
            if owner.owns(lb["Tags"]):
                state.tagged.load_balancers[arn] = dict(lb["Tags"])
                state.load_balancers[lb["LoadBalancerName"]] = copy.deepcopy(lb)
                state.listeners[lb["LoadBalancerName"]] = [
                    copy.deepcopy(li) for li in self.listeners.values() if li["LoadBalancerArn"] == arn
                ]
        state.scaling = self._scaling(cluster, [str(r["serviceName"]) for r in desired.services])
        if desired.reused_target_groups:
            state.reused_target_groups = {
                ref.target_group_arn: copy.deepcopy(self.target_groups[ref.target_group_arn])
                for ref in desired.reused_target_groups
                if ref.target_group_arn in self.target_groups
            }
        for arn, tg in self.target_groups.items():
            if owner.owns(tg["Tags"]):
                state.tagged.target_groups[arn] = dict(tg["Tags"])
                state.target_groups[tg["TargetGroupName"]] = {
                    **copy.deepcopy(tg),
                    "Attributes": dict(self.target_group_attributes.get(arn, {})),
                }
        for namespace in self.namespaces.values():
            if namespace["Name"] == desired.namespace:
                state.namespace = copy.deepcopy(namespace)
        # Like BotoGateway: the tasks' subnets and the load balancers' that ecs-params names.
        tasks_subnets = desired.awsvpc_ids("subnets")
        named_subnets = {*tasks_subnets, *(s for lb in desired.load_balancers for s in lb.subnets)}
        if named_subnets:
            state.network = NetworkFacts(
                checked=True,
                subnets={s: self.subnets[s] for s in named_subnets if s in self.subnets},
                subnet_zones={s: self.subnet_zones.get(s, "") for s in named_subnets if s in self.subnets},
                default_vpc=None if tasks_subnets or self.vpc is None else self.vpc[0],
            )
        elif desired.file_system is not None and self.vpc is not None:
            state.network = NetworkFacts(
                checked=True, default_vpc=self.vpc[0], default_zones=dict(self.default_zones)
            )
        # Like BotoGateway: the listeners ecs-params names, and those holding the deployment's rules.
        wanted = {rule.listener_arn for rule in desired.listener_rules}
        wanted |= {r["ListenerArn"] for r in self.rules.values() if owner.owns(r["Tags"])}
        for arn in sorted(wanted & set(self.listeners)):
            listener = copy.deepcopy(self.listeners[arn])
            balancer = self.load_balancers.get(listener["LoadBalancerArn"])
            listener["LoadBalancer"] = copy.deepcopy(balancer) if balancer else None
            listener["Rules"] = [copy.deepcopy(r) for r in self.rules.values() if r["ListenerArn"] == arn]
            state.foreign_listeners[arn] = listener
        if desired.file_system is not None:
            state.file_system = self._file_system(desired.file_system.creation_token)
        elif state.security_group is not None and not desired.project_groups:
            # Like BotoGateway: the project's group goes; a kept file system may be in it.
            state.file_system = self._file_system(owner.creation_token)
        if desired.secrets:
            values = {x.name: x.value for x in desired.secrets}
            state.secrets = {
                name: {
                    "ARN": e["ARN"],
                    "Name": name,
                    "Tags": copy.deepcopy(e["Tags"]),
                    "Matches": e["Value"] == values.get(name),
                }
                for name, e in self.managed_secrets.items()
                if name.startswith(desired.secret_prefix)
            }
        # Like BotoGateway: what the files dropped but the deployed revisions still name.
        deployed = json.dumps(list(state.task_definitions.values()), default=str)
        if not desired.secrets and f":secret:{desired.secret_prefix}" in deployed:
            state.secrets = {
                name: {"ARN": e["ARN"], "Name": name, "Tags": copy.deepcopy(e["Tags"])}
                for name, e in self.managed_secrets.items()
                if name.startswith(desired.secret_prefix)
            }
        if desired.file_parameters or desired.file_parameter_prefix in deployed:
            prefix = desired.file_parameter_prefix
            state.file_parameters = sorted(n for n in self.file_parameters if n.startswith(prefix))
        state.discovery = self._read_discovery(desired, state)
        state.account = ACCOUNT if desired.needs_account else None  # like BotoGateway (STS)
        return state

    # Secrets Manager -------------------------------------------------------------------------

    def list_secrets(self, prefix: str) -> dict[str, dict[str, Any]]:
        self._call("list_secrets", prefix)
        return {
            name: {"ARN": e["ARN"], "Name": name, "Tags": copy.deepcopy(e["Tags"])}
            for name, e in self.managed_secrets.items()
            if name.startswith(prefix)
        }

    def create_secret(self, name: str, value: str, tags: dict[str, str]) -> str:
        self._call("create_secret", name)
        if name in self.managed_secrets:
            raise aws_error("create_secret", "the secret exists", "ResourceExistsException", name)
        arn = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{name}-{self._next_id():06d}"
        self.managed_secrets[name] = {
            "ARN": arn,
            "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
            "Value": value,
        }
        return arn

    def put_secret_value(self, arn: str, value: str) -> None:
        self._call("put_secret_value", arn)
        next(e for e in self.managed_secrets.values() if e["ARN"] == arn)["Value"] = value

    def delete_secret(self, arn: str) -> None:
        self._call("delete_secret", arn)
        self.managed_secrets = {n: e for n, e in self.managed_secrets.items() if e["ARN"] != arn}

    # SSM parameters holding files -------------------------------------------------------------

    def list_parameters(self, prefix: str) -> list[str]:
        self._call("list_parameters", prefix)
        return sorted(name for name in self.file_parameters if name.startswith(prefix))

    def put_file_parameter(self, name: str, value: str, tags: dict[str, str]) -> None:
        self._call("put_file_parameter", name)
        if len(value) > 4096:
            raise aws_error("put_parameter", "value too large for the tier", "ValidationException", name)
        self.file_parameters.setdefault(name, value)

    def delete_parameters(self, names: list[str]) -> None:
        self._call("delete_parameters", *names)
        for name in names:
            self.file_parameters.pop(name, None)

    # EFS ---------------------------------------------------------------------------------------

    def _file_system(self, token: str) -> dict[str, Any] | None:
        found = next((fs for fs in self.file_systems.values() if fs["CreationToken"] == token), None)
        return copy.deepcopy(found) if found else None

    def read_file_system(self, creation_token: str) -> dict[str, Any] | None:
        self._call("read_file_system", creation_token)
        return self._file_system(creation_token)

    def create_file_system(self, creation_token: str, tags: dict[str, str]) -> dict[str, Any]:
        self._call("create_file_system", creation_token)
        found = self._file_system(creation_token)
        if found is not None:
            return found  # as BotoGateway: FileSystemAlreadyExists finds the first one's
        fs_id = f"fs-{self._next_id():017x}"
        self.file_systems[fs_id] = {
            "FileSystemId": fs_id,
            "FileSystemArn": f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:file-system/{fs_id}",
            "CreationToken": creation_token,
            "Encrypted": True,
            "LifeCycleState": "available",
            "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
            "AccessPoints": [],
            "MountTargets": [],
        }
        return copy.deepcopy(self.file_systems[fs_id])

    def wait_for_file_system(self, file_system_id: str) -> None:
        self._call("wait_for_file_system", file_system_id)
        self.file_systems[file_system_id]["LifeCycleState"] = "available"

    def delete_file_system(self, file_system_id: str) -> None:
        self._call("delete_file_system", file_system_id)
        entry = self.file_systems.get(file_system_id)
        if entry is None:
            raise aws_error("delete_file_system", "no such file system", "FileSystemNotFound", file_system_id)
        if entry["MountTargets"]:
            raise aws_error("delete_file_system", "it has mount targets", "FileSystemInUse", file_system_id)
        del self.file_systems[file_system_id]

    def create_access_point(self, request: dict[str, Any], client_token: str) -> dict[str, Any]:
        self._call("create_access_point", request["RootDirectory"]["Path"])
        entry = self.file_systems[request["FileSystemId"]]
        for point in entry["AccessPoints"]:
            if point["ClientToken"] == client_token:
                return copy.deepcopy(point)
        point_id = f"fsap-{self._next_id():017x}"
        point = {
            **copy.deepcopy(request),
            "ClientToken": client_token,
            "AccessPointId": point_id,
            "AccessPointArn": f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:access-point/{point_id}",
            "LifeCycleState": "available",
        }
        entry["AccessPoints"].append(point)
        return copy.deepcopy(point)

    def delete_access_point(self, access_point_id: str) -> None:
        self._call("delete_access_point", access_point_id)
        for entry in self.file_systems.values():
            entry["AccessPoints"] = [
                p for p in entry["AccessPoints"] if p["AccessPointId"] != access_point_id
            ]

    def create_mount_target(self, file_system_id: str, subnet_id: str, security_groups: list[str]) -> str:
        self._call("create_mount_target", file_system_id, subnet_id)
        entry = self.file_systems[file_system_id]
        zone = self.default_zones.get(subnet_id) or self.subnet_zones.get(subnet_id, subnet_id)
        if any(t["AvailabilityZoneName"] == zone for t in entry["MountTargets"]):
            raise aws_error(
                "create_mount_target", "one mount target per zone", "MountTargetConflict", subnet_id
            )
        target_id = f"fsmt-{self._next_id():017x}"
        entry["MountTargets"].append(
            {
                "MountTargetId": target_id,
                "SubnetId": subnet_id,
                "AvailabilityZoneName": zone,
                "SecurityGroups": list(security_groups),
                "LifeCycleState": "available",
            }
        )
        return target_id

    def describe_mount_targets(self, file_system_id: str) -> list[dict[str, Any]]:
        self._call("describe_mount_targets", file_system_id)
        entry = self.file_systems.get(file_system_id)
        return copy.deepcopy(entry["MountTargets"]) if entry else []

    def delete_mount_target(self, mount_target_id: str) -> None:
        self._call("delete_mount_target", mount_target_id)
        for entry in self.file_systems.values():
            entry["MountTargets"] = [
                t for t in entry["MountTargets"] if t["MountTargetId"] != mount_target_id
            ]

    def _read_discovery(self, desired: DesiredState, state: DeployedState) -> dict[str, Any]:
        """Like BotoGateway: the namespace and Cloud Map services of service discovery."""
        spec, namespace = desired.discovery, None
        if spec is not None:
            candidates = [
                ns
                for ns in self.namespaces.values()
                if ns["Id"] == spec.namespace_id or (not spec.namespace_id and ns["Name"] == spec.namespace)
            ]
            candidates.sort(key=lambda ns: ns["Type"] != "DNS_PRIVATE")
            namespace = copy.deepcopy(candidates[0]) if candidates else None
        services = {}
        if spec is not None and namespace is not None:
            services = {
                arn: copy.deepcopy(e)
                for arn, e in self.discovery_services.items()
                if e["Name"] == spec.name and e["NamespaceId"] == namespace["Id"]
            }
        for entry in (*state.services.values(), *state.orphans.values()):
            for registry in entry.get("serviceRegistries") or []:
                arn = registry.get("registryArn")
                if arn in self.discovery_services:
                    services[arn] = copy.deepcopy(self.discovery_services[arn])
        owner = desired.owner

        def owned(entry: dict[str, Any]) -> bool:
            return owner.owns({t["Key"]: t["Value"] for t in entry.get("Tags", [])})

        # The deployment's own, found by their tags (the tagging read).
        services |= {arn: copy.deepcopy(e) for arn, e in self.discovery_services.items() if owned(e)}
        own_namespaces = {
            namespace_id: {
                **copy.deepcopy(ns),
                "Others": sum(
                    1
                    for e in self.discovery_services.values()
                    if e["NamespaceId"] == namespace_id and not owned(e)
                ),
            }
            for namespace_id, ns in self.namespaces.items()
            if ns["Type"] == "DNS_PRIVATE" and owned(ns)
        }
        if namespace is None and not services and not own_namespaces:
            return {}
        return {"Namespace": namespace, "Services": services, "OwnNamespaces": own_namespaces}

    def read_services(self, desired: DesiredState, cluster: str) -> DeployedState:
        self._call("read_services", desired.project, cluster)
        full = self._read(desired, cluster)
        return DeployedState(services=full.services, tagged=full.tagged, orphans=full.orphans)

    def describe_task_definition(self, reference: str) -> dict[str, Any] | None:
        self._call("describe_task_definition", reference)
        found = self._find_task_definition(reference)
        return self._task_definition_view(found) if found else None

    def describe_cluster(self, name: str) -> dict[str, Any] | None:
        self._call("describe_cluster", name)
        stored = self.clusters.get(name)
        return self._cluster_view(stored) if stored and stored["status"] == "ACTIVE" else None

    def describe_service(self, cluster: str, service: str) -> dict[str, Any] | None:
        self._call("describe_service", cluster, service)
        stored = self.services.get((cluster, service))
        if stored is None:
            return None
        self._advance(stored)
        return {**copy.deepcopy(stored.data), "tags": _ecs_tags(stored.tags)}

    def list_task_arns(self, cluster: str, service: str, desired_status: str = "RUNNING") -> list[str]:
        self._call("list_task_arns", cluster, service, desired_status)
        return [
            arn
            for arn, task in self.tasks.items()
            if task["group"] == f"service:{service}"
            and task["clusterArn"] == _cluster_arn(cluster)
            and task["desiredStatus"] == desired_status
        ]

    def describe_tasks(self, cluster: str, task_arns: list[str]) -> list[dict[str, Any]]:
        self._call("describe_tasks", cluster, *task_arns)
        for arn in task_arns:
            self._advance_one_off(arn)
        return [copy.deepcopy(self.tasks[arn]) for arn in task_arns if arn in self.tasks]

    def execute_command(self, cluster: str, task: str, container: str, command: str) -> dict[str, Any]:
        self._call("execute_command", cluster, task, container, command)
        return {
            "sessionId": f"ecs-execute-command-{self._next_id()}",
            "streamUrl": "wss://ssmmessages",
            "tokenValue": "t",
        }

    def run_task(self, request: dict[str, Any]) -> dict[str, Any]:
        """A standalone task: RUNNING, then STOPPED at the next describe (exit 1 for `:exit-1` images)."""
        self._call("run_task", request.get("taskDefinition", ""))
        check_shape("ecs", "RunTask", request)
        cluster = str(request.get("cluster") or "default")
        self._cluster("run_task", cluster)
        definition = self._usable_task_definition("run_task", str(request["taskDefinition"]))
        if definition.get("networkMode") == "awsvpc" and not (
            (request.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
        ).get("subnets"):
            raise aws_error(
                "run_task",
                "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
                "InvalidParameterException",
            )
        number = self._next_id()
        task_id = f"{number:032x}"
        overrides = {o["name"]: o for o in (request.get("overrides") or {}).get("containerOverrides", [])}
        task = {
            "taskArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/{cluster}/{task_id}",
            "clusterArn": _cluster_arn(cluster),
            "taskDefinitionArn": definition["taskDefinitionArn"],
            "group": request.get("group") or f"family:{definition['family']}",
            "startedBy": request.get("startedBy", ""),
            "lastStatus": "RUNNING",
            "desiredStatus": "RUNNING",
            "launchType": request.get("launchType", "FARGATE"),
            "overrides": request.get("overrides") or {"containerOverrides": []},
            "tags": list(request.get("tags") or []),
            "containers": [
                {"name": c["name"], "image": c["image"], "lastStatus": "RUNNING"}
                for c in definition["containerDefinitions"]
            ],
        }
        self.tasks[task["taskArn"]] = task
        for container in definition["containerDefinitions"]:
            options = (container.get("logConfiguration") or {}).get("options") or {}
            if "awslogs-group" not in options:
                continue
            words = overrides.get(container["name"], {}).get("command") or container.get("command") or []
            stream = f"{options.get('awslogs-stream-prefix', '')}/{container['name']}/{task_id}"
            event = LogEvent(stream, 1_735_689_600_000 + number, " ".join(words) or container["image"])
            self.log_events.setdefault(options["awslogs-group"], []).append(event)
        return copy.deepcopy(task)

    def stop_task(self, cluster: str, task: str, reason: str) -> None:
        self._call("stop_task", cluster, task)
        check_shape("ecs", "StopTask", {"cluster": cluster, "task": task, "reason": reason})
        found = self.tasks.get(task)
        if found is None:
            raise aws_error("stop_task", "The referenced task was not found.", "InvalidParameterException")
        found.update(lastStatus="STOPPED", desiredStatus="STOPPED", stoppedReason=reason)
        for container in found["containers"]:
            if container.get("lastStatus") != "STOPPED":
                container.update(lastStatus="STOPPED", exitCode=137)  # SIGKILL after the grace period

    def _advance_one_off(self, arn: str) -> None:
        task = self.tasks.get(arn)
        if task is None or task["group"].startswith("service:") or task["lastStatus"] == "STOPPED":
            return
        task.update(
            lastStatus="STOPPED", desiredStatus="STOPPED", stoppedReason="Essential container in task exited"
        )
        for container in task["containers"]:
            container.update(
                lastStatus="STOPPED", exitCode=1 if container["image"].endswith(":exit-1") else 0
            )

    def public_ips(self, eni_ids: list[str]) -> dict[str, str]:
        self._call("public_ips", *eni_ids)
        return {eni: self.public_ip_of[eni] for eni in eni_ids if eni in self.public_ip_of}

    def list_task_definition_arns(self, family: str, status: str = "ACTIVE") -> list[str]:
        self._call("list_task_definition_arns", family, status)
        return [
            td["taskDefinitionArn"] for td in self.task_definitions.get(family, []) if td["status"] == status
        ]

    def default_vpc_subnets(self) -> tuple[str, list[str]]:
        self._call("default_vpc_subnets")
        if self.vpc is None:
            raise aws_error(
                "describe_vpcs", "this account has no default VPC in the region", code="NoDefaultVpc"
            )
        return self.vpc[0], list(self.vpc[1])

    def filter_log_events(
        self, group: str, region: str, stream_prefix: str, start_ms: int | None, next_token: str | None
    ) -> tuple[list[LogEvent], str | None]:
        self._call("filter_log_events", group, region, stream_prefix, start_ms, next_token)
        if (region, group) not in self.log_groups:
            raise aws_error(
                "filter_log_events",
                "The specified log group does not exist.",
                "ResourceNotFoundException",
                group,
            )
        matching = [
            event
            for event in self.log_events.get(group, [])
            if event.log_stream.startswith(stream_prefix)
            and (start_ms is None or event.timestamp >= start_ms)
        ]
        offset = int(next_token or 0)
        page = matching[offset : offset + self.log_page_size]
        more = offset + self.log_page_size < len(matching)
        return page, str(offset + self.log_page_size) if more else None

    # IAM -------------------------------------------------------------------------------------

    def create_role(self, name: str, path: str, trust_policy: dict[str, Any], tags: dict[str, str]) -> str:
        self._call("create_role", name, path)
        if name in self.roles:
            raise aws_error(
                "create_role", f"Role with name {name} already exists.", "EntityAlreadyExists", name
            )
        if not (path.startswith("/") and path.endswith("/")):
            raise aws_error("create_role", "path must begin and end with /", "ValidationError", name)
        arn = f"arn:aws:iam::{ACCOUNT}:role{path}{name}"
        self.roles[name] = StoredRole(
            {
                "RoleName": name,
                "RoleId": f"AROA{self._next_id():016d}",
                "Arn": arn,
                "Path": path,
                "AssumeRolePolicyDocument": copy.deepcopy(trust_policy),
                "Tags": [{"Key": key, "Value": value} for key, value in tags.items()],
                "CreateDate": self._now(),
            }
        )
        return arn

    def _role(self, operation: str, name: str) -> StoredRole:
        if name not in self.roles:
            raise aws_error(operation, f"The role with name {name} cannot be found.", "NoSuchEntity", name)
        return self.roles[name]

    def update_trust_policy(self, name: str, trust_policy: dict[str, Any]) -> None:
        self._call("update_trust_policy", name)
        self._role("update_trust_policy", name).role["AssumeRolePolicyDocument"] = copy.deepcopy(trust_policy)

    def attach_role_policy(self, name: str, policy_arn: str) -> None:
        self._call("attach_role_policy", name, policy_arn)
        role = self._role("attach_role_policy", name)
        if policy_arn not in role.attached:  # IAM: attaching twice is a no-op
            role.attached.append(policy_arn)

    def detach_role_policy(self, name: str, policy_arn: str) -> None:
        self._call("detach_role_policy", name, policy_arn)
        role = self._role("detach_role_policy", name)
        if policy_arn not in role.attached:
            raise aws_error("detach_role_policy", f"Policy {policy_arn} was not found.", "NoSuchEntity", name)
        role.attached.remove(policy_arn)

    def put_role_policy(self, name: str, policy_name: str, document: dict[str, Any]) -> None:
        self._call("put_role_policy", name, policy_name)
        self._role("put_role_policy", name).inline[policy_name] = copy.deepcopy(document)

    def delete_role_policy(self, name: str, policy_name: str) -> None:
        self._call("delete_role_policy", name, policy_name)
        role = self._role("delete_role_policy", name)
        if policy_name not in role.inline:
            raise aws_error("delete_role_policy", f"Policy {policy_name} not found.", "NoSuchEntity", name)
        del role.inline[policy_name]

    def delete_role(self, name: str) -> None:
        self._call("delete_role", name)
        role = self._role("delete_role", name)
        if role.attached or role.inline:
            raise aws_error(
                "delete_role", "Cannot delete entity, must remove policies first.", "DeleteConflict", name
            )
        del self.roles[name]

    def create_lock(self, name: str, value: str) -> bool:
        self._call("create_lock", name)
        if name in self.locks:
            return False
        self.locks[name] = value
        return True

    def read_lock(self, name: str) -> str | None:
        self._call("read_lock", name)
        return self.locks.get(name)

    def delete_lock(self, name: str) -> None:
        self._call("delete_lock", name)
        self.locks.pop(name, None)

    def tag_role(self, name: str, tags: dict[str, str]) -> None:
        self._call("tag_role", name, *sorted(tags))
        role = self._role("tag_role", name)
        current = {t["Key"]: t["Value"] for t in role.role.get("Tags", [])}
        current.update(tags)
        role.role["Tags"] = [{"Key": k, "Value": v} for k, v in current.items()]

    def untag_role(self, name: str, keys: list[str]) -> None:
        self._call("untag_role", name, *keys)
        role = self._role("untag_role", name)
        role.role["Tags"] = [t for t in role.role.get("Tags", []) if t["Key"] not in keys]

    # CloudWatch Logs -------------------------------------------------------------------------

    def create_log_group(self, name: str, region: str, tags: dict[str, str]) -> None:
        self._call("create_log_group", name, region)
        if (region, name) in self.log_groups:
            raise aws_error(
                "create_log_group",
                "The specified log group already exists",
                "ResourceAlreadyExistsException",
                name,
            )
        arn = f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{name}"
        self.log_groups[region, name] = LogGroupState(name, region, None, dict(tags), arn)

    def put_retention_policy(self, name: str, region: str, days: int | None) -> None:
        self._call("put_retention_policy", name, region, days)
        group = self._log_group("put_retention_policy", name, region)
        if days is not None and days not in RETENTION_DAYS:
            raise aws_error(
                "put_retention_policy", f"invalid retention {days}", "InvalidParameterException", name
            )
        self.log_groups[region, name] = LogGroupState(name, region, days, group.tags, group.arn)

    def delete_log_group(self, name: str, region: str) -> None:
        self._call("delete_log_group", name, region)
        self._log_group("delete_log_group", name, region)
        del self.log_groups[region, name]

    def tag_log_group(self, arn: str, region: str, tags: dict[str, str]) -> None:
        self._call("tag_log_group", arn, region, *sorted(tags))
        state = self._log_group_by_arn("tag_log_group", arn, region)
        state.tags.update(tags)

    def untag_log_group(self, arn: str, region: str, keys: list[str]) -> None:
        self._call("untag_log_group", arn, region, *keys)
        state = self._log_group_by_arn("untag_log_group", arn, region)
        for key in keys:
            state.tags.pop(key, None)

    def _log_group_by_arn(self, operation: str, arn: str, region: str) -> LogGroupState:
        for state in self.log_groups.values():
            if state.arn == arn and state.region == region:
                return state
        raise aws_error(
            operation, "The specified log group does not exist.", "ResourceNotFoundException", arn
        )

    def _log_group(self, operation: str, name: str, region: str) -> LogGroupState:
        if (region, name) not in self.log_groups:
            raise aws_error(
                operation, "The specified log group does not exist.", "ResourceNotFoundException", name
            )
        return self.log_groups[region, name]

    # EC2 -------------------------------------------------------------------------------------

    def create_security_group(self, name: str, vpc_id: str, description: str, tags: dict[str, str]) -> str:
        self._call("create_security_group", name, vpc_id)
        if any(sg["GroupName"] == name and sg["VpcId"] == vpc_id for sg in self.security_groups.values()):
            raise aws_error(
                "create_security_group", f"group {name} already exists", "InvalidGroup.Duplicate", name
            )
        group_id = f"sg-{self._next_id():017x}"
        self.security_groups[group_id] = {
            "GroupId": group_id,
            "GroupName": name,
            "Description": description,
            "VpcId": vpc_id,
            "OwnerId": ACCOUNT,
            "IpPermissions": [],
            "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
            "Tags": [{"Key": key, "Value": value} for key, value in tags.items()],
        }
        return group_id

    def authorize_ingress(self, group_id: str, rules: list[dict[str, Any]]) -> None:
        self._call("authorize_ingress", group_id)
        check_shape("ec2", "AuthorizeSecurityGroupIngress", {"GroupId": group_id, "IpPermissions": rules})
        group = self._security_group("authorize_ingress", group_id)
        current, adding = _grants(group["IpPermissions"]), _grants(rules)
        if current & adding:
            raise aws_error(
                "authorize_ingress", "the rule already exists", "InvalidPermission.Duplicate", group_id
            )
        group["IpPermissions"] = _permissions(current | adding)

    def revoke_ingress(self, group_id: str, rules: list[dict[str, Any]]) -> None:
        self._call("revoke_ingress", group_id)
        check_shape("ec2", "RevokeSecurityGroupIngress", {"GroupId": group_id, "IpPermissions": rules})
        group = self._security_group("revoke_ingress", group_id)
        current, removing = _grants(group["IpPermissions"]), _grants(rules)
        if removing - current:
            raise aws_error(
                "revoke_ingress", "the rule does not exist", "InvalidPermission.NotFound", group_id
            )
        group["IpPermissions"] = _permissions(current - removing)

    def delete_security_group(self, group_id: str) -> None:
        self._call("delete_security_group", group_id)
        self._security_group("delete_security_group", group_id)
        # As EC2: a group another group's rule names cannot be deleted (moto does not check).
        if any(
            pair.get("GroupId") == group_id
            for other_id, other in self.security_groups.items()
            if other_id != group_id
            for permission in other.get("IpPermissions", [])
            for pair in permission.get("UserIdGroupPairs", [])
        ):
            raise aws_error(
                "delete_security_group", "resource has a dependent object", "DependencyViolation", group_id
            )
        if self.security_group_busy:
            self.security_group_busy -= 1
            raise aws_error(
                "delete_security_group", "resource has a dependent object", "DependencyViolation", group_id
            )
        del self.security_groups[group_id]

    def _security_group(self, operation: str, group_id: str) -> dict[str, Any]:
        if group_id not in self.security_groups:
            raise aws_error(
                operation, f"The security group '{group_id}' does not exist", "InvalidGroup.NotFound"
            )
        return self.security_groups[group_id]

    # Application Auto Scaling ----------------------------------------------------------------

    def _scaling(self, cluster: str, services: list[str]) -> dict[str, dict[str, Any]]:
        return {
            name: copy.deepcopy(self.scalable_targets[f"service/{cluster}/{name}"])
            for name in services
            if f"service/{cluster}/{name}" in self.scalable_targets
        }

    def describe_scalable_targets(self, cluster: str, services: list[str]) -> dict[str, dict[str, Any]]:
        self._call("describe_scalable_targets", cluster, *services)
        return self._scaling(cluster, services)

    def register_scalable_target(self, request: dict[str, Any]) -> None:
        self._call("register_scalable_target", request.get("ResourceId", ""))
        check_shape("application-autoscaling", "RegisterScalableTarget", request)
        _, cluster, name = str(request["ResourceId"]).split("/")
        stored = self.services.get((cluster, name))
        if stored is None or stored.data["status"] == "INACTIVE":
            raise aws_error("register_scalable_target", "ECS service doesn't exist", "ValidationException")
        if request["MinCapacity"] > request["MaxCapacity"]:
            raise aws_error(
                "register_scalable_target",
                "Minimum capacity cannot be greater than maximum",
                "ValidationException",
            )
        target = self.scalable_targets.setdefault(request["ResourceId"], {"Policies": {}})
        target.update(request)

    def deregister_scalable_target(self, resource_id: str) -> None:
        self._call("deregister_scalable_target", resource_id)
        check_shape(
            "application-autoscaling",
            "DeregisterScalableTarget",
            {
                "ServiceNamespace": "ecs",
                "ResourceId": resource_id,
                "ScalableDimension": "ecs:service:DesiredCount",
            },
        )
        self.scalable_targets.pop(resource_id, None)

    def put_scaling_policy(self, request: dict[str, Any]) -> None:
        self._call("put_scaling_policy", request.get("PolicyName", ""))
        check_shape("application-autoscaling", "PutScalingPolicy", request)
        target = self.scalable_targets.get(request["ResourceId"])
        if target is None:
            raise aws_error("put_scaling_policy", "No scalable target registered", "ObjectNotFoundException")
        target["Policies"][request["PolicyName"]] = copy.deepcopy(request)

    def delete_scaling_policy(self, name: str, resource_id: str) -> None:
        self._call("delete_scaling_policy", name, resource_id)
        check_shape(
            "application-autoscaling",
            "DeleteScalingPolicy",
            {
                "PolicyName": name,
                "ServiceNamespace": "ecs",
                "ResourceId": resource_id,
                "ScalableDimension": "ecs:service:DesiredCount",
            },
        )
        target = self.scalable_targets.get(resource_id)
        if target is None or name not in target["Policies"]:
            raise aws_error("delete_scaling_policy", "No scaling policy found", "ObjectNotFoundException")
        del target["Policies"][name]

    # ELBv2 -----------------------------------------------------------------------------------

    def describe_listeners(self, arns: list[str]) -> dict[str, dict[str, Any]]:
        self._call("describe_listeners", *arns)
        out = {}
        for arn in arns:
            if arn in self.listeners:
                listener = copy.deepcopy(self.listeners[arn])
                balancer = self.load_balancers.get(listener["LoadBalancerArn"])
                listener["LoadBalancer"] = copy.deepcopy(balancer) if balancer else None
                listener["Rules"] = [copy.deepcopy(r) for r in self.rules.values() if r["ListenerArn"] == arn]
                out[arn] = listener
        return out

    def describe_load_balancers(self, names: list[str]) -> dict[str, dict[str, Any]]:
        self._call("describe_load_balancers", *names)
        return {
            lb["LoadBalancerName"]: copy.deepcopy(lb)
            for lb in self.load_balancers.values()
            if lb["LoadBalancerName"] in names
        }

    def create_load_balancer(
        self, spec: Any, subnets: list[str], group_id: str, tags: dict[str, str]
    ) -> dict[str, Any]:
        self._call("create_load_balancer", spec.name)
        request = {
            "Name": spec.name,
            "Type": spec.type,
            "Scheme": spec.scheme,
            "Subnets": subnets,
            "SecurityGroups": [group_id],
            "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
        }
        check_shape("elbv2", "CreateLoadBalancer", request)
        if spec.type == "application" and len(subnets) < 2:
            raise aws_error(
                "create_load_balancer",
                "At least two subnets in two different Availability Zones must be specified",
                "ValidationError",
            )
        if any(lb["LoadBalancerName"] == spec.name for lb in self.load_balancers.values()):
            raise aws_error(
                "create_load_balancer",
                "A load balancer with the same name exists",
                "DuplicateLoadBalancerName",
            )
        short = "app" if spec.type == "application" else "net"
        arn = (
            f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/{short}/{spec.name}/"
            f"{self._next_id():016x}"
        )
        lb = {
            "LoadBalancerArn": arn,
            "LoadBalancerName": spec.name,
            "DNSName": f"{spec.name}-1.{REGION}.elb.amazonaws.com",
            "Scheme": spec.scheme,
            "Type": spec.type,
            "VpcId": (self.vpc or ("vpc-none", []))[0],
            "SecurityGroups": [group_id],
            "AvailabilityZones": [{"SubnetId": s} for s in subnets],
            "State": {"Code": "provisioning"},
            "Tags": dict(tags),
        }
        self.load_balancers[arn] = lb
        return copy.deepcopy(lb)

    def delete_load_balancer(self, arn: str) -> None:
        self._call("delete_load_balancer", arn)
        check_shape("elbv2", "DeleteLoadBalancer", {"LoadBalancerArn": arn})
        self.load_balancers.pop(arn, None)  # AWS: deleting a deleted one succeeds
        for listener_arn in [a for a, li in self.listeners.items() if li["LoadBalancerArn"] == arn]:
            del self.listeners[listener_arn]

    def create_target_group(self, request: dict[str, Any]) -> dict[str, Any]:
        self._call("create_target_group", request.get("Name", ""))
        check_shape("elbv2", "CreateTargetGroup", request)
        name = request["Name"]
        arn = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{name}/{self._next_id():016x}"
        if any(tg["TargetGroupName"] == name for tg in self.target_groups.values()):
            raise aws_error(
                "create_target_group", "A target group with the same name exists", "DuplicateTargetGroupName"
            )
        group = {k: v for k, v in request.items() if k not in {"Name", "Tags"}}
        group.update(
            TargetGroupArn=arn,
            TargetGroupName=name,
            LoadBalancerArns=[],
            Tags={t["Key"]: t["Value"] for t in request.get("Tags", [])},
        )
        group.setdefault("HealthCheckPort", "traffic-port")
        group.setdefault("HealthCheckEnabled", True)
        self.target_groups[arn] = group
        self.target_group_attributes[arn] = {"deregistration_delay.timeout_seconds": "300"}
        return copy.deepcopy(group)

    def _target_group(self, operation: str, arn: str) -> dict[str, Any]:
        if arn not in self.target_groups:
            raise aws_error(operation, f"Target groups '{arn}' not found", "TargetGroupNotFound")
        return self.target_groups[arn]

    def modify_target_group(self, request: dict[str, Any]) -> None:
        self._call("modify_target_group", request.get("TargetGroupArn", ""))
        check_shape("elbv2", "ModifyTargetGroup", request)
        self._target_group("modify_target_group", request["TargetGroupArn"]).update(
            {k: v for k, v in request.items() if k != "TargetGroupArn"}
        )

    def modify_target_group_attributes(self, arn: str, attributes: dict[str, str]) -> None:
        self._call("modify_target_group_attributes", arn)
        attrs = [{"Key": k, "Value": v} for k, v in attributes.items()]
        check_shape("elbv2", "ModifyTargetGroupAttributes", {"TargetGroupArn": arn, "Attributes": attrs})
        self._target_group("modify_target_group_attributes", arn)
        self.target_group_attributes[arn].update(attributes)

    def delete_target_group(self, arn: str) -> None:
        self._call("delete_target_group", arn)
        check_shape("elbv2", "DeleteTargetGroup", {"TargetGroupArn": arn})
        if any(self._forwards_to(li, arn) for li in self.listeners.values()) or any(
            action.get("TargetGroupArn") == arn for r in self.rules.values() for action in r["Actions"]
        ):
            raise aws_error(
                "delete_target_group",
                f"Target group '{arn}' is currently in use by a listener or a rule",
                "ResourceInUse",
            )
        self.target_groups.pop(arn, None)

    @staticmethod
    def _forwards_to(listener: dict[str, Any], arn: str) -> bool:
        return any(action.get("TargetGroupArn") == arn for action in listener.get("DefaultActions", []))

    def set_subnets(self, arn: str, subnets: list[str]) -> None:
        self._call("set_subnets", arn, *subnets)
        check_shape("elbv2", "SetSubnets", {"LoadBalancerArn": arn, "Subnets": subnets})
        if arn not in self.load_balancers:
            raise aws_error("set_subnets", "One or more load balancers not found", "LoadBalancerNotFound")
        self.load_balancers[arn]["AvailabilityZones"] = [{"SubnetId": s} for s in subnets]

    def create_rule(self, request: dict[str, Any]) -> None:
        self._call("create_rule", request.get("ListenerArn", ""), request.get("Priority", ""))
        check_shape("elbv2", "CreateRule", request)
        if request["ListenerArn"] not in self.listeners:
            raise aws_error("create_rule", "One or more listeners not found", "ListenerNotFound")
        if any(
            r["ListenerArn"] == request["ListenerArn"] and r["Priority"] == str(request["Priority"])
            for r in self.rules.values()
        ):
            raise aws_error("create_rule", "The specified priority is in use.", "PriorityInUse")
        arn = request["ListenerArn"].replace(":listener/", ":listener-rule/") + f"/{self._next_id():016x}"
        self.rules[arn] = {
            "RuleArn": arn,
            "ListenerArn": request["ListenerArn"],
            "Priority": str(request["Priority"]),
            "Conditions": copy.deepcopy(request["Conditions"]),
            "Actions": copy.deepcopy(request["Actions"]),
            "IsDefault": False,
            "Tags": {t["Key"]: t["Value"] for t in request.get("Tags", [])},
        }

    def _rule(self, operation: str, arn: str) -> dict[str, Any]:
        if arn not in self.rules:
            raise aws_error(operation, "One or more rules not found", "RuleNotFound")
        return self.rules[arn]

    def modify_rule(self, request: dict[str, Any]) -> None:
        self._call("modify_rule", request.get("RuleArn", ""))
        check_shape("elbv2", "ModifyRule", request)
        self._rule("modify_rule", request["RuleArn"]).update(
            {k: copy.deepcopy(v) for k, v in request.items() if k != "RuleArn"}
        )

    def set_rule_priorities(self, priorities: list[dict[str, Any]]) -> None:
        self._call("set_rule_priorities", *(p.get("RuleArn", "") for p in priorities))
        check_shape("elbv2", "SetRulePriorities", {"RulePriorities": priorities})
        moved = {item["RuleArn"]: str(item["Priority"]) for item in priorities}
        for arn in moved:
            self._rule("set_rule_priorities", arn)
        # As AWS: the new order, taken as a whole, must have no two rules of a listener at one number.
        listeners = {self.rules[arn]["ListenerArn"] for arn in moved}
        for listener in listeners:
            numbers = [
                moved.get(arn, rule["Priority"])
                for arn, rule in self.rules.items()
                if rule["ListenerArn"] == listener
            ]
            if len(numbers) != len(set(numbers)):
                raise aws_error("set_rule_priorities", "The specified priority is in use.", "PriorityInUse")
        for arn, priority in moved.items():
            self.rules[arn]["Priority"] = priority

    def delete_rule(self, arn: str) -> None:
        self._call("delete_rule", arn)
        check_shape("elbv2", "DeleteRule", {"RuleArn": arn})
        self._rule("delete_rule", arn)
        del self.rules[arn]

    def create_listener(self, request: dict[str, Any]) -> dict[str, Any]:
        self._call("create_listener", request.get("LoadBalancerArn", ""), request.get("Port", ""))
        check_shape("elbv2", "CreateListener", request)
        lb_arn = request["LoadBalancerArn"]
        if lb_arn not in self.load_balancers:
            raise aws_error("create_listener", "One or more load balancers not found", "LoadBalancerNotFound")
        if any(
            li["LoadBalancerArn"] == lb_arn and li["Port"] == request["Port"]
            for li in self.listeners.values()
        ):
            raise aws_error("create_listener", "A listener already exists on this port", "DuplicateListener")
        if request["Protocol"] == "HTTPS" and not request.get("Certificates"):
            raise aws_error(
                "create_listener", "A certificate must be specified for HTTPS listeners", "ValidationError"
            )
        for action in request.get("DefaultActions", []):
            if action.get("Type") != "forward":
                continue
            group = self._target_group("create_listener", action["TargetGroupArn"])
            group["LoadBalancerArns"] = sorted({*group["LoadBalancerArns"], lb_arn})
        arn = lb_arn.replace(":loadbalancer/", ":listener/") + f"/{self._next_id():016x}"
        listener = {k: v for k, v in request.items() if k != "Tags"}
        listener["ListenerArn"] = arn
        self.listeners[arn] = listener
        return copy.deepcopy(listener)

    def modify_listener(self, request: dict[str, Any]) -> None:
        self._call("modify_listener", request.get("ListenerArn", ""))
        check_shape("elbv2", "ModifyListener", request)
        if request["ListenerArn"] not in self.listeners:
            raise aws_error("modify_listener", "One or more listeners not found", "ListenerNotFound")
        self.listeners[request["ListenerArn"]].update(
            {k: v for k, v in request.items() if k != "ListenerArn"}
        )

    def delete_listener(self, arn: str) -> None:
        self._call("delete_listener", arn)
        check_shape("elbv2", "DeleteListener", {"ListenerArn": arn})
        if arn not in self.listeners:
            raise aws_error("delete_listener", "One or more listeners not found", "ListenerNotFound")
        del self.listeners[arn]

    def _elb_tagged(self, operation: str, arn: str) -> dict[str, str]:
        found = self.load_balancers.get(arn) or self.target_groups.get(arn)
        if found is None:
            raise aws_error(operation, f"'{arn}' not found", "LoadBalancerNotFound")
        tags: dict[str, str] = found["Tags"]
        return tags

    def add_elb_tags(self, arn: str, tags: dict[str, str]) -> None:
        self._call("add_elb_tags", arn)
        check_shape(
            "elbv2",
            "AddTags",
            {"ResourceArns": [arn], "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]},
        )
        self._elb_tagged("add_elb_tags", arn).update(tags)

    def remove_elb_tags(self, arn: str, keys: list[str]) -> None:
        self._call("remove_elb_tags", arn)
        check_shape("elbv2", "RemoveTags", {"ResourceArns": [arn], "TagKeys": keys})
        tags = self._elb_tagged("remove_elb_tags", arn)
        for key in keys:
            tags.pop(key, None)

    # ECS clusters and Cloud Map --------------------------------------------------------------

    def create_cluster(
        self, name: str, tags: dict[str, str], capacity_providers: tuple[str, ...] = ()
    ) -> None:
        self._call("create_cluster", name)
        request = {
            "clusterName": name,
            "tags": _ecs_tags(tags),
            "capacityProviders": list(capacity_providers),
        }
        check_shape("ecs", "CreateCluster", request)
        existing = self.clusters.get(name)
        if existing and existing["status"] == "ACTIVE":
            return  # CreateCluster returns the existing cluster
        self.clusters[name] = {
            "clusterArn": _cluster_arn(name),
            "clusterName": name,
            "status": "ACTIVE",
            "capacityProviders": list(capacity_providers),
        }
        self.cluster_tags[name] = dict(tags)

    def delete_cluster(self, name: str) -> None:
        self._call("delete_cluster", name)
        cluster = self._cluster("delete_cluster", name)
        view = self._cluster_view(cluster)
        if view["activeServicesCount"]:
            raise aws_error(
                "delete_cluster",
                "The Cluster cannot be deleted while Services are active.",
                "ClusterContainsServicesException",
                name,
            )
        if view["runningTasksCount"]:
            raise aws_error(
                "delete_cluster",
                "The Cluster cannot be deleted while Tasks are active.",
                "ClusterContainsTasksException",
                name,
            )
        cluster["status"] = "INACTIVE"

    def _cluster(self, operation: str, name: str) -> dict[str, Any]:
        cluster = self.clusters.get(name)
        if cluster is None or cluster["status"] != "ACTIVE":
            raise aws_error(operation, "Cluster not found.", "ClusterNotFoundException", name)
        return cluster

    def _cluster_view(self, cluster: dict[str, Any]) -> dict[str, Any]:
        arn = cluster["clusterArn"]
        services = [s for s in self.services.values() if s.data["clusterArn"] == arn]
        running = [t for t in self.tasks.values() if t["clusterArn"] == arn and t["lastStatus"] == "RUNNING"]
        return {
            **copy.deepcopy(cluster),
            "activeServicesCount": sum(1 for s in services if s.data["status"] == "ACTIVE"),
            "runningTasksCount": len(running),
            "pendingTasksCount": 0,
            "registeredContainerInstancesCount": 0,
            "tags": _ecs_tags(self.cluster_tags.get(cluster["clusterName"], {})),
        }

    def create_namespace(self, name: str, tags: dict[str, str]) -> str:
        self._call("create_namespace", name)
        if any(ns["Name"] == name for ns in self.namespaces.values()):
            raise aws_error(
                "create_namespace", f"namespace {name} already exists", "NamespaceAlreadyExists", name
            )
        namespace_id = f"ns-{self._next_id():016x}"
        arn = f"arn:aws:servicediscovery:{REGION}:{ACCOUNT}:namespace/{namespace_id}"
        self.namespaces[namespace_id] = {
            "Id": namespace_id,
            "Arn": arn,
            "Name": name,
            "Type": "HTTP",
            "Tags": [{"Key": key, "Value": value} for key, value in tags.items()],
        }
        return arn

    def delete_namespace(self, namespace_id: str) -> None:
        self._call("delete_namespace", namespace_id)
        if namespace_id not in self.namespaces:
            raise aws_error("delete_namespace", "namespace not found", "NamespaceNotFound", namespace_id)
        # As AWS (moto deletes it all the same): a namespace that holds services stays.
        if any(s["NamespaceId"] == namespace_id for s in self.discovery_services.values()):
            raise aws_error("delete_namespace", "namespace has services", "ResourceInUse", namespace_id)
        del self.namespaces[namespace_id]

    # Cloud Map service discovery -------------------------------------------------------------

    def create_dns_namespace(self, name: str, vpc: str, tags: dict[str, str]) -> str:
        self._call("create_dns_namespace", name, vpc)
        request = {"Name": name, "Vpc": vpc, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        check_shape("servicediscovery", "CreatePrivateDnsNamespace", request)
        if any(ns["Name"] == name and ns["Type"] == "DNS_PRIVATE" for ns in self.namespaces.values()):
            raise aws_error("create_dns_namespace", "namespace exists", "NamespaceAlreadyExists", name)
        namespace_id = f"ns-{self._next_id():016x}"
        self.namespaces[namespace_id] = {
            "Id": namespace_id,
            "Arn": f"arn:aws:servicediscovery:{REGION}:{ACCOUNT}:namespace/{namespace_id}",
            "Name": name,
            "Type": "DNS_PRIVATE",
            "Vpc": vpc,
            "Tags": request["Tags"],
        }
        return namespace_id

    def create_discovery_service(self, request: dict[str, Any]) -> str:
        self._call("create_discovery_service", request["Name"])
        check_shape("servicediscovery", "CreateService", request)
        namespace = request["NamespaceId"]
        if namespace not in self.namespaces:
            raise aws_error("create_discovery_service", "no such namespace", "NamespaceNotFound", namespace)
        if any(
            s["Name"] == request["Name"] and s["NamespaceId"] == namespace
            for s in self.discovery_services.values()
        ):
            raise aws_error(
                "create_discovery_service", "service exists", "ServiceAlreadyExists", request["Name"]
            )
        service_id = f"srv-{self._next_id():016x}"
        arn = f"arn:aws:servicediscovery:{REGION}:{ACCOUNT}:service/{service_id}"
        self.discovery_services[arn] = {
            "Id": service_id,
            "Arn": arn,
            "Name": request["Name"],
            "NamespaceId": namespace,
            "DnsConfig": copy.deepcopy(request["DnsConfig"]),
            "HealthCheckCustomConfig": copy.deepcopy(request.get("HealthCheckCustomConfig", {})),
            "Tags": list(request.get("Tags", [])),
        }
        return arn

    def _discovery_service(self, operation: str, service_id: str) -> dict[str, Any]:
        for entry in self.discovery_services.values():
            if entry["Id"] == service_id:
                return entry
        raise aws_error(operation, "no such service", "ServiceNotFound", service_id)

    def update_discovery_service(self, service_id: str, records: list[dict[str, Any]]) -> None:
        self._call("update_discovery_service", service_id)
        change = {"DnsConfig": {"DnsRecords": records}}
        check_shape("servicediscovery", "UpdateService", {"Id": service_id, "Service": change})
        self._discovery_service("update_discovery_service", service_id)["DnsConfig"]["DnsRecords"] = records

    def delete_discovery_service(self, service_id: str) -> None:
        self._call("delete_discovery_service", service_id)
        entry = self._discovery_service("delete_discovery_service", service_id)
        registering = [
            name
            for name, stored in self.services.items()
            if stored.data.get("status") == "ACTIVE"
            and any(r.get("registryArn") == entry["Arn"] for r in stored.data.get("serviceRegistries") or [])
        ]
        if registering:
            raise aws_error("delete_discovery_service", "service has instances", "ResourceInUse", service_id)
        del self.discovery_services[entry["Arn"]]

    # ECS task definitions --------------------------------------------------------------------

    def register_task_definition(self, request: dict[str, Any]) -> dict[str, Any]:
        family = str(request.get("family", ""))
        self._call("register_task_definition", family)
        check_shape("ecs", "RegisterTaskDefinition", request)
        role = request.get("executionRoleArn")
        if role is not None and not str(role).startswith("arn:"):
            raise aws_error(
                "register_task_definition", f"Role is not valid: {role}", "ClientException", family
            )
        revisions = self.task_definitions.setdefault(family, [])
        revision = len(revisions) + 1
        arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{family}:{revision}"
        network_mode = request.get("networkMode", "bridge")
        registered = {key: copy.deepcopy(value) for key, value in request.items() if key != "tags"}
        registered.update(
            taskDefinitionArn=arn,
            revision=revision,
            status="ACTIVE",
            containerDefinitions=[_read_back(c, network_mode) for c in request["containerDefinitions"]],
            networkMode=network_mode,
            volumes=copy.deepcopy(request.get("volumes", [])),
            placementConstraints=copy.deepcopy(request.get("placementConstraints", [])),
            compatibilities=["EC2", "FARGATE"],
            requiresAttributes=[{"name": "com.amazonaws.ecs.capability.task-eni"}],
            registeredAt=self._now(),
            registeredBy=f"arn:aws:iam::{ACCOUNT}:user/tester",
        )
        revisions.append(registered)
        self.task_definition_tags[arn] = _tag_dict(request.get("tags"))
        return copy.deepcopy(registered)

    def deregister_task_definition(self, arn: str) -> None:
        self._call("deregister_task_definition", arn)
        found = self._find_task_definition(arn)
        if found is None or found["status"] != "ACTIVE":
            raise aws_error(
                "deregister_task_definition",
                "The specified task definition does not exist.",
                "ClientException",
                arn,
            )
        found["status"] = "INACTIVE"

    def _latest(self, family: str) -> dict[str, Any] | None:
        active = [td for td in self.task_definitions.get(family, []) if td["status"] == "ACTIVE"]
        return active[-1] if active else None

    def _find_task_definition(self, reference: str) -> dict[str, Any] | None:
        """`family`, `family:revision` or an ARN, as ECS accepts them."""
        name = reference.rsplit("/", 1)[-1]
        family, _, revision = name.partition(":")
        if not revision:
            return self._latest(family)
        revisions = self.task_definitions.get(family, [])
        number = int(revision)
        return revisions[number - 1] if 0 < number <= len(revisions) else None

    def _task_definition_view(self, task_definition: dict[str, Any]) -> dict[str, Any]:
        tags = self.task_definition_tags.get(task_definition["taskDefinitionArn"], {})
        return {**copy.deepcopy(task_definition), "tags": _ecs_tags(tags)}

    # ECS services ----------------------------------------------------------------------------

    def create_service(
        self, request: dict[str, Any], notify: Callable[[str], None] | None = None
    ) -> dict[str, Any]:
        cluster, name = str(request.get("cluster", "default")), str(request.get("serviceName"))
        self._call("create_service", cluster, name)
        check_shape("ecs", "CreateService", request)
        self._cluster("create_service", cluster)
        existing = self.services.get((cluster, name))
        if existing and existing.data["status"] != "INACTIVE":
            raise aws_error(
                "create_service", "Creation of service was not idempotent.", "InvalidParameterException", name
            )
        task_definition = self._usable_task_definition("create_service", str(request.get("taskDefinition")))
        if task_definition.get("networkMode") == "awsvpc" and "networkConfiguration" not in request:
            raise aws_error(
                "create_service",
                "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
                "InvalidParameterException",
                name,
            )
        data = copy.deepcopy(_SERVICE_DEFAULTS)
        data.update(
            {key: copy.deepcopy(value) for key, value in request.items() if key not in {"cluster", "tags"}}
        )
        data.update(
            serviceArn=f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{cluster}/{name}",
            clusterArn=_cluster_arn(cluster),
            status="ACTIVE",
            taskDefinition=task_definition["taskDefinitionArn"],
            desiredCount=int(request.get("desiredCount", 0)),
            runningCount=0,
            pendingCount=0,
            deployments=[],
            events=[],
            createdAt=self._now(),
        )
        _fill_network_defaults(data)
        stored = StoredService(data, _tag_dict(request.get("tags")))
        self.services[cluster, name] = stored
        self._start_deployment(stored)
        return copy.deepcopy(data)

    def update_service(self, request: dict[str, Any]) -> dict[str, Any]:
        cluster, name = str(request.get("cluster", "default")), str(request.get("service"))
        self._call("update_service", cluster, name)
        check_shape("ecs", "UpdateService", request)
        stored = self.services.get((cluster, name))
        if stored is None or stored.data["status"] != "ACTIVE":
            raise aws_error("update_service", "Service not found.", "ServiceNotFoundException", name)
        data = stored.data
        before = {key: copy.deepcopy(data.get(key)) for key in _DEPLOYING_FIELDS}
        for key, value in request.items():
            if key not in {"service", "cluster", "forceNewDeployment", "taskDefinition"}:
                data[key] = copy.deepcopy(value)
        if "taskDefinition" in request:
            found = self._usable_task_definition("update_service", str(request["taskDefinition"]))
            data["taskDefinition"] = found["taskDefinitionArn"]
        _fill_network_defaults(data)
        redeploy = request.get("forceNewDeployment") or any(
            data.get(k) != before[k] for k in _DEPLOYING_FIELDS
        )
        if redeploy:
            self._start_deployment(stored)
        elif "desiredCount" in request:
            self._rescale(stored)
        return copy.deepcopy(data)

    def delete_service(self, cluster: str, service: str) -> None:
        self._call("delete_service", cluster, service)
        stored = self.services.get((cluster, service))
        if stored is None or stored.data["status"] != "ACTIVE":
            raise aws_error("delete_service", "Service not found.", "ServiceNotFoundException", service)
        stored.data.update(status="DRAINING", desiredCount=0)
        stored.drain_polls = self.drain_polls
        self._stop_tasks(stored, "Scaling activity initiated by deletion of the service")
        if not stored.drain_polls:
            stored.data["status"] = "INACTIVE"

    def _usable_task_definition(self, operation: str, reference: str) -> dict[str, Any]:
        found = self._find_task_definition(reference)
        if found is None or found["status"] != "ACTIVE":
            raise aws_error(
                operation, f"TaskDefinition not found or not ACTIVE: {reference}", "ClientException"
            )
        return found

    # Deployments -----------------------------------------------------------------------------

    def _start_deployment(self, stored: StoredService) -> None:
        data = stored.data
        number = self._next_id()
        deployment = {
            "id": f"ecs-svc/{number:019d}",
            "status": "PRIMARY",
            "taskDefinition": data["taskDefinition"],
            "desiredCount": data["desiredCount"],
            "runningCount": 0,
            "pendingCount": 0,
            "launchType": data.get("launchType", "FARGATE"),
            "rolloutState": "IN_PROGRESS",
            "rolloutStateReason": "ECS deployment ecs-svc started.",
            "createdAt": self._now(),
        }
        for old in data["deployments"]:
            old["status"] = "ACTIVE"
        data["deployments"].insert(0, deployment)
        self._event(stored, f"has started 1 tasks: (deployment {deployment['id']}).")
        stored.rollout = self._rollouts.pop(data["serviceName"], None)
        if stored.rollout is None:
            self._complete(stored)

    def _rescale(self, stored: StoredService) -> None:
        primary = stored.data["deployments"][0]
        primary["desiredCount"] = stored.data["desiredCount"]
        stored.rollout = self._rollouts.pop(stored.data["serviceName"], None)
        if stored.rollout is None:
            self._complete(stored)
        else:
            primary["rolloutState"] = "IN_PROGRESS"

    def _advance(self, stored: StoredService) -> None:
        """One describe_service's worth of time passes for the service."""
        data = stored.data
        if data["status"] == "DRAINING":
            stored.drain_polls -= 1
            if stored.drain_polls <= 0:
                data["status"] = "INACTIVE"
            return
        if stored.rollout is None or not stored.rollout.states:
            return
        state = stored.rollout.states.pop(0)
        primary = data["deployments"][0]
        if state == "COMPLETED":
            self._complete(stored)
        elif state == "FAILED":
            self._fail(stored, rolled_back=False)
        elif state == "ROLLED_BACK":
            self._fail(stored, rolled_back=True)
        elif state.startswith("EVENT "):
            self._event(stored, state.removeprefix("EVENT "))
        else:
            primary["rolloutState"] = state

    def _complete(self, stored: StoredService) -> None:
        data = stored.data
        primary = data["deployments"][0]
        data["deployments"] = [primary]
        primary.update(rolloutState="COMPLETED", rolloutStateReason="ECS deployment completed.")
        primary.update(desiredCount=data["desiredCount"], runningCount=data["desiredCount"])
        data["runningCount"] = data["desiredCount"]
        stored.rollout = None
        self._run_tasks(stored, primary["taskDefinition"], data["desiredCount"])
        self._event(stored, "has reached a steady state.")

    def _fail(self, stored: StoredService, *, rolled_back: bool) -> None:
        data = stored.data
        rollout = stored.rollout or Rollout([])
        primary = data["deployments"][0]
        for _ in range(2):
            self._stopped_task(stored, primary["taskDefinition"], rollout)
        self._event(stored, f"(deployment {primary['id']}) deployment failed: tasks failed to start.")
        if rolled_back and len(data["deployments"]) > 1:
            previous = data["deployments"][1]
            previous.update(status="PRIMARY", rolloutState="COMPLETED", runningCount=previous["desiredCount"])
            data["deployments"] = [previous]
            data["taskDefinition"] = previous["taskDefinition"]
            data["runningCount"] = previous["desiredCount"]
            self._event(stored, f"(deployment {primary['id']}) rolling back to deployment {previous['id']}.")
            self._event(stored, f"(deployment {primary['id']}) deployment rolled back.")
        else:
            primary.update(
                rolloutState="FAILED",
                rolloutStateReason="ECS deployment circuit breaker: tasks failed to start.",
            )
            data["runningCount"] = 0
        stored.rollout = None

    def _event(self, stored: StoredService, text: str) -> None:
        number = self._next_id()
        message = f"(service {stored.data['serviceName']}) {text}"
        stored.data["events"].insert(
            0, {"id": f"event-{number:06d}", "createdAt": self._now(number), "message": message}
        )

    # Tasks -----------------------------------------------------------------------------------

    def _new_task(self, stored: StoredService, task_definition: str, status: str) -> dict[str, Any]:
        number = self._next_id()
        cluster = stored.data["clusterArn"].rsplit("/", 1)[-1]
        eni = f"eni-{number:017x}"
        task = {
            "taskArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/{cluster}/{number:032x}",
            "clusterArn": stored.data["clusterArn"],
            "taskDefinitionArn": task_definition,
            "group": f"service:{stored.data['serviceName']}",
            "lastStatus": status,
            "desiredStatus": status,
            "launchType": "FARGATE",
            "startedAt": self._now(number),
            "attachments": [
                {
                    "type": "ElasticNetworkInterface",
                    "status": "ATTACHED",
                    "details": [{"name": "networkInterfaceId", "value": eni}],
                }
            ],
            "containers": [
                {"name": container["name"], "lastStatus": status}
                for container in (self._find_task_definition(task_definition) or {}).get(
                    "containerDefinitions", []
                )
            ],
        }
        self.tasks[task["taskArn"]] = task
        self.public_ip_of[eni] = f"198.51.100.{number % 250 + 1}"
        return task

    def _run_tasks(self, stored: StoredService, task_definition: str, count: int) -> None:
        running = [t for t in self._service_tasks(stored) if t["taskDefinitionArn"] == task_definition]
        self._stop_tasks(stored, "Scaling activity initiated by (deployment)", keep=running[:count])
        for _ in range(count - len(running[:count])):
            self._new_task(stored, task_definition, "RUNNING")

    def _stopped_task(self, stored: StoredService, task_definition: str, rollout: Rollout) -> None:
        task = self._new_task(stored, task_definition, "STOPPED")
        task["stoppedReason"] = rollout.stopped_reason
        for container in task["containers"]:
            container["exitCode"] = rollout.exit_code
            if rollout.container_reason:
                container["reason"] = rollout.container_reason

    def _service_tasks(self, stored: StoredService) -> list[dict[str, Any]]:
        group = f"service:{stored.data['serviceName']}"
        return [
            task
            for task in self.tasks.values()
            if task["group"] == group
            and task["clusterArn"] == stored.data["clusterArn"]
            and task["desiredStatus"] == "RUNNING"
        ]

    def _stop_tasks(self, stored: StoredService, reason: str, keep: Sequence[dict[str, Any]] = ()) -> None:
        kept = {task["taskArn"] for task in keep}
        for task in self._service_tasks(stored):
            if task["taskArn"] not in kept:
                task.update(lastStatus="STOPPED", desiredStatus="STOPPED", stoppedReason=reason)

    # Tags ------------------------------------------------------------------------------------

    def tag_resource(self, arn: str, tags: dict[str, str]) -> None:
        self._call("tag_resource", arn, *sorted(tags))
        check_shape("ecs", "TagResource", {"resourceArn": arn, "tags": _ecs_tags(tags)})
        self._tags_of("tag_resource", arn).update(tags)

    def untag_resource(self, arn: str, keys: list[str]) -> None:
        self._call("untag_resource", arn, *keys)
        tags = self._tags_of("untag_resource", arn)
        for key in keys:
            tags.pop(key, None)

    def _tags_of(self, operation: str, arn: str) -> dict[str, str]:
        if arn in self.task_definition_tags:
            return self.task_definition_tags[arn]
        for stored in self.services.values():
            if stored.data["serviceArn"] == arn and stored.data["status"] != "INACTIVE":
                return stored.tags
        for cluster in self.clusters.values():
            if cluster["clusterArn"] == arn and cluster["status"] == "ACTIVE":
                return self.cluster_tags[cluster["clusterName"]]
        raise aws_error(
            operation, "The specified resource could not be found.", "ResourceNotFoundException", arn
        )


def _cluster_arn(name: str) -> str:
    return f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{name}"


def _ecs_tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in tags.items()]


def _tag_dict(tags: list[dict[str, Any]] | None) -> dict[str, str]:
    return {str(tag["key"]): str(tag["value"]) for tag in tags or ()}


def _read_back(container: dict[str, Any], network_mode: str) -> dict[str, Any]:
    """A container definition as DescribeTaskDefinition returns it: with the defaults ECS fills in."""
    result = copy.deepcopy(container)
    result.setdefault("essential", True)
    result.setdefault("cpu", 0)
    for key in ("portMappings", "environment", "mountPoints", "volumesFrom", "systemControls"):
        result.setdefault(key, [])
    for mapping in result["portMappings"]:
        mapping.setdefault("protocol", "tcp")
        if network_mode == "awsvpc" and "containerPort" in mapping:
            mapping.setdefault("hostPort", mapping["containerPort"])
    return result


def _fill_network_defaults(data: dict[str, Any]) -> None:
    config = data.get("networkConfiguration", {}).get("awsvpcConfiguration")
    if config is not None:
        config.setdefault("assignPublicIp", "DISABLED")
        config.setdefault("securityGroups", [])


_Grant = tuple[str, int | None, int | None, str, str]
_SOURCES = {
    "IpRanges": "CidrIp",
    "Ipv6Ranges": "CidrIpv6",
    "PrefixListIds": "PrefixListId",
    "UserIdGroupPairs": "GroupId",
}


def _grants(permissions: list[dict[str, Any]]) -> set[_Grant]:
    return {
        (p["IpProtocol"], p.get("FromPort"), p.get("ToPort"), source, entry[key])
        for p in permissions
        for source, key in _SOURCES.items()
        for entry in p.get(source, [])
    }


def _permissions(grants: set[_Grant]) -> list[dict[str, Any]]:
    """Grants -> IpPermissions as DescribeSecurityGroups returns them (every source list present)."""
    result: dict[tuple[str, int | None, int | None], dict[str, Any]] = {}
    for protocol, low, high, source, value in sorted(grants, key=str):
        permission = result.setdefault(
            (protocol, low, high),
            {"IpProtocol": protocol, "FromPort": low, "ToPort": high, **{s: [] for s in _SOURCES}},
        )
        permission[source].append({_SOURCES[source]: value})
    return list(result.values())


# ---------------------------------------------------------------------------------------------
# Other fakes apply needs: a progress sink that records, and a clock that only moves on sleep.


@dataclass
class RecordingProgress:
    """Implements apply.Progress by remembering everything."""

    steps: list[str] = field(default_factory=list)
    polls: list[tuple[str, dict[str, Any], list[dict[str, Any]]]] = field(default_factory=list)

    def step(self, message: str) -> None:
        self.steps.append(message)

    def service(self, name: str, service: dict[str, Any], new_events: list[dict[str, Any]]) -> None:
        self.polls.append((name, service, new_events))

    @property
    def event_messages(self) -> list[str]:
        return [str(event["message"]) for _, _, events in self.polls for event in events]


@dataclass
class FakeClock:
    """`clock` and `sleep` for apply: time passes only when apply sleeps."""

    now: float = 0.0
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


# ---------------------------------------------------------------------------------------------
# A small project, built by hand the way `translate` builds it: two services on Fargate, one
# execution role, one log group, a public port.

PROJECT = "tutorial"
CLUSTER = "tutorial"
EXECUTION_ROLE = "tutorial-ecsTaskExecutionRole"
EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
TRUST_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
LOGS_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "logs:CreateLogGroup", "Resource": "*"}],
}


def tutorial_project(
    *,
    web_image: str = "nginx:1.27",
    retention: int | None = 7,
    tags: dict[str, str] | None = None,
    ingress: list[PortRule] | None = None,
) -> DesiredState:
    """The desired state of a `web` + `worker` project, as translate would produce it."""
    all_tags = {**Owner(PROJECT, CLUSTER, REGION).tags(), **(tags or {})}
    tag_list = [{"key": key, "value": value} for key, value in all_tags.items()]
    log = {"awslogs-group": f"/ecs/{PROJECT}", "awslogs-region": REGION}

    def task_definition(name: str, image: str, ports: list[int]) -> dict[str, Any]:
        container: dict[str, Any] = {
            "name": name,
            "image": image,
            "portMappings": [{"containerPort": port} for port in ports],
            "logConfiguration": {"logDriver": "awslogs", "options": {**log, "awslogs-stream-prefix": name}},
        }
        return {
            "family": f"{PROJECT}-{name}",
            "executionRoleArn": EXECUTION_ROLE,
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "256",
            "memory": "512",
            "containerDefinitions": [container],
            "tags": tag_list,
        }

    def service(name: str) -> dict[str, Any]:
        return {
            "serviceName": f"{PROJECT}-{name}",
            "taskDefinition": f"{PROJECT}-{name}",
            "desiredCount": 1,
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "deploymentConfiguration": {
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            },
            "schedulingStrategy": "REPLICA",
            "propagateTags": "SERVICE",
            "enableECSManagedTags": True,
            "tags": tag_list,
        }

    return DesiredState(
        project=PROJECT,
        layout="service",
        region=REGION,
        task_definitions=[task_definition("web", web_image, [80]), task_definition("worker", "busybox", [])],
        services=[service("web"), service("worker")],
        roles=[
            RoleSpec(
                EXECUTION_ROLE, "/", TRUST_POLICY, (EXECUTION_POLICY,), {"create-log-group": LOGS_POLICY}
            )
        ],
        log_groups=[LogGroupSpec(f"/ecs/{PROJECT}", REGION, retention)],
        tags=all_tags,
        ingress=[PortRule(80, "tcp")] if ingress is None else ingress,
        desired_count_explicit={f"{PROJECT}-web": False, f"{PROJECT}-worker": False},
        cluster=CLUSTER,
    )
