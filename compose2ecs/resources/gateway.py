"""The AWS operations `apply` and the commands need, in domain terms; `aws.BotoGateway` implements it.

Request and response payloads are dicts with boto3's parameter names. Every method raises
`compose2ecs.errors.AwsError` on failure (never a botocore exception). Tests use an in-memory fake.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable

    from compose2ecs.model import DesiredState, LoadBalancerSpec
    from compose2ecs.model.deployed import DeployedState


@dataclass(frozen=True)
class LogEvent:
    log_stream: str
    timestamp: int  # milliseconds since the epoch
    message: str


class Gateway(Protocol):
    """Reads are free to run concurrently inside one call; writes are single AWS calls."""

    # Reads.
    def read_state(self, desired: DesiredState, cluster: str) -> DeployedState: ...

    def read_services(self, desired: DesiredState, cluster: str) -> DeployedState:
        """Only the services: those `desired` names, and those tagged as the deployment's (orphans)."""
        ...

    def describe_service(self, cluster: str, service: str) -> dict[str, Any] | None: ...

    def describe_task_definition(self, reference: str) -> dict[str, Any] | None:
        """A revision (family, `family:revision` or ARN) with its tags; None when there is none."""
        ...

    def describe_cluster(self, name: str) -> dict[str, Any] | None:
        """The ACTIVE cluster's DescribeClusters entry (with tags and counts); None when there is none."""
        ...

    def describe_load_balancers(self, names: list[str]) -> dict[str, dict[str, Any]]:
        """The load balancers of these names that exist (name -> DescribeLoadBalancers entry)."""
        ...

    def describe_listeners(self, arns: list[str]) -> dict[str, dict[str, Any]]:
        """The listeners of these ARNs that exist, each with "LoadBalancer" and "Rules"."""
        ...

    def describe_scalable_targets(self, cluster: str, services: list[str]) -> dict[str, dict[str, Any]]:
        """The services' scalable targets (service name -> entry, with "Policies" by name)."""
        ...

    def list_task_arns(self, cluster: str, service: str, desired_status: str = "RUNNING") -> list[str]: ...

    def describe_tasks(self, cluster: str, task_arns: list[str]) -> list[dict[str, Any]]: ...

    def execute_command(self, cluster: str, task: str, container: str, command: str) -> dict[str, Any]:
        """ECS Exec (interactive): the session (sessionId, streamUrl, tokenValue) for the SSM plugin."""
        ...

    def stop_task(self, cluster: str, task: str, reason: str) -> None:
        """StopTask: ECS stops every container of the task (SIGTERM, then SIGKILL)."""
        ...

    def run_task(self, request: dict[str, Any]) -> dict[str, Any]:
        """RunTask of one task; its Task entry. AwsError (code TaskFailedToStart) when ECS refuses it."""
        ...

    def public_ips(self, eni_ids: list[str]) -> dict[str, str]:
        """Public IPv4 address per network interface id (absent when it has none)."""
        ...

    def list_task_definition_arns(self, family: str, status: str = "ACTIVE") -> list[str]: ...

    def list_secrets(self, prefix: str) -> dict[str, dict[str, Any]]:
        """The secrets whose names start with `prefix`: name -> ListSecrets entry (no value)."""
        ...

    def create_secret(self, name: str, value: str, tags: dict[str, str]) -> str:
        """CreateSecret; its ARN. A retried create (the first answer lost) finds the first one's."""
        ...

    def put_secret_value(self, arn: str, value: str) -> None: ...

    def delete_secret(self, arn: str) -> None:
        """At once, without a recovery window: the name is free for the next `up` (the files hold it)."""
        ...

    def list_parameters(self, prefix: str) -> list[str]:
        """The names of the SSM parameters under `prefix` (a path ending in /)."""
        ...

    def put_file_parameter(self, name: str, value: str, tags: dict[str, str]) -> None:
        """A new SecureString parameter (Standard tier); one that is there already is left as it is."""
        ...

    def delete_parameters(self, names: list[str]) -> None: ...

    def read_file_system(self, creation_token: str) -> dict[str, Any] | None:
        """The file system of that creation token, with "AccessPoints" and "MountTargets"; or None."""
        ...

    def create_file_system(self, creation_token: str, tags: dict[str, str]) -> dict[str, Any]:
        """CreateFileSystem (encrypted) and wait until it is available; its entry.

        A retried create (the first answer lost) finds the file system the first one made.
        """
        ...

    def wait_for_file_system(self, file_system_id: str) -> None:
        """Until the file system is available (an earlier run stopped while it was being created)."""
        ...

    def delete_file_system(self, file_system_id: str) -> None: ...

    def create_access_point(self, request: dict[str, Any], client_token: str) -> dict[str, Any]:
        """CreateAccessPoint; its entry (AccessPointId, AccessPointArn)."""
        ...

    def delete_access_point(self, access_point_id: str) -> None: ...

    def create_mount_target(self, file_system_id: str, subnet_id: str, security_groups: list[str]) -> str:
        """CreateMountTarget; its id."""
        ...

    def describe_mount_targets(self, file_system_id: str) -> list[dict[str, Any]]: ...

    def delete_mount_target(self, mount_target_id: str) -> None: ...

    def default_vpc_subnets(self) -> tuple[str, list[str]]:
        """(vpc id, subnet ids) of the default VPC; AwsError when there is none."""
        ...

    def filter_log_events(
        self,
        group: str,
        region: str,
        stream_prefix: str,
        start_ms: int | None,
        next_token: str | None,
    ) -> tuple[list[LogEvent], str | None]: ...

    # Writes: IAM.
    def create_role(self, name: str, path: str, trust_policy: dict[str, Any], tags: dict[str, str]) -> str:
        """Returns the new role's ARN."""
        ...

    def update_trust_policy(self, name: str, trust_policy: dict[str, Any]) -> None: ...

    def attach_role_policy(self, name: str, policy_arn: str) -> None: ...

    def detach_role_policy(self, name: str, policy_arn: str) -> None: ...

    def put_role_policy(self, name: str, policy_name: str, document: dict[str, Any]) -> None: ...

    def delete_role_policy(self, name: str, policy_name: str) -> None: ...

    def delete_role(self, name: str) -> None: ...

    def tag_role(self, name: str, tags: dict[str, str]) -> None: ...

    def untag_role(self, name: str, keys: list[str]) -> None: ...

    # The deployment lock (apply/lock.py): an SSM parameter.
    def create_lock(self, name: str, value: str) -> bool:
        """Create the parameter only if it is absent; False when it exists."""
        ...

    def read_lock(self, name: str) -> str | None: ...

    def delete_lock(self, name: str) -> None:
        """Delete the parameter; nothing when it is already gone."""
        ...

    # Writes: CloudWatch Logs.
    def create_log_group(self, name: str, region: str, tags: dict[str, str]) -> None: ...

    def put_retention_policy(self, name: str, region: str, days: int | None) -> None:
        """Set retention, or remove it (never expire) when `days` is None."""
        ...

    def delete_log_group(self, name: str, region: str) -> None: ...

    def tag_log_group(self, arn: str, region: str, tags: dict[str, str]) -> None: ...

    def untag_log_group(self, arn: str, region: str, keys: list[str]) -> None: ...

    # Writes: network.
    def create_security_group(
        self, name: str, vpc_id: str, description: str, tags: dict[str, str]
    ) -> str: ...

    def authorize_ingress(self, group_id: str, rules: list[dict[str, Any]]) -> None:
        """`rules` are EC2 IpPermissions entries."""
        ...

    def revoke_ingress(self, group_id: str, rules: list[dict[str, Any]]) -> None: ...

    def delete_security_group(self, group_id: str) -> None: ...

    # Writes: load balancers (ELBv2).
    def create_load_balancer(
        self, spec: LoadBalancerSpec, subnets: list[str], group_id: str, tags: dict[str, str]
    ) -> dict[str, Any]:
        """CreateLoadBalancer; its LoadBalancer entry (LoadBalancerArn, DNSName)."""
        ...

    def delete_load_balancer(self, arn: str) -> None: ...

    def create_target_group(self, request: dict[str, Any]) -> dict[str, Any]:
        """CreateTargetGroup; its TargetGroup entry (TargetGroupArn)."""
        ...

    def modify_target_group(self, request: dict[str, Any]) -> None:
        """ModifyTargetGroup: the health check (`request` carries TargetGroupArn)."""
        ...

    def modify_target_group_attributes(self, arn: str, attributes: dict[str, str]) -> None: ...

    def delete_target_group(self, arn: str) -> None: ...

    def create_listener(self, request: dict[str, Any]) -> dict[str, Any]:
        """CreateListener; its Listener entry (ListenerArn)."""
        ...

    def modify_listener(self, request: dict[str, Any]) -> None: ...

    def delete_listener(self, arn: str) -> None: ...

    def set_subnets(self, arn: str, subnets: list[str]) -> None: ...

    def create_rule(self, request: dict[str, Any]) -> None: ...

    def modify_rule(self, request: dict[str, Any]) -> None: ...

    def set_rule_priorities(self, priorities: list[dict[str, Any]]) -> None: ...

    def delete_rule(self, arn: str) -> None: ...

    def add_elb_tags(self, arn: str, tags: dict[str, str]) -> None: ...

    def remove_elb_tags(self, arn: str, keys: list[str]) -> None: ...

    # Writes: Application Auto Scaling (ECS services).
    def register_scalable_target(self, request: dict[str, Any]) -> None:
        """RegisterScalableTarget: creates or updates (min, max) the service's scalable target."""
        ...

    def deregister_scalable_target(self, resource_id: str) -> None:
        """Deregisters the target and deletes its policies; nothing when it is already gone."""
        ...

    def put_scaling_policy(self, request: dict[str, Any]) -> None:
        """PutScalingPolicy: creates or updates a policy of that name."""
        ...

    def delete_scaling_policy(self, name: str, resource_id: str) -> None: ...

    # Writes: ECS and Cloud Map.
    def create_cluster(
        self, name: str, tags: dict[str, str], capacity_providers: tuple[str, ...] = ()
    ) -> None: ...

    def delete_cluster(self, name: str) -> None: ...

    def create_namespace(self, name: str, tags: dict[str, str]) -> str:
        """Create a Cloud Map HTTP namespace; returns its ARN."""
        ...

    def delete_namespace(self, namespace_id: str) -> None:
        """Either kind (HTTP, private DNS); AwsError (ResourceInUse) while it holds services."""
        ...

    def create_dns_namespace(self, name: str, vpc: str, tags: dict[str, str]) -> str:
        """Create a Cloud Map private DNS namespace in `vpc`; returns its id once it exists."""
        ...

    def create_discovery_service(self, request: dict[str, Any]) -> str:
        """Cloud Map CreateService; returns the service's ARN."""
        ...

    def update_discovery_service(self, service_id: str, records: list[dict[str, Any]]) -> None: ...

    def delete_discovery_service(self, service_id: str) -> None:
        """AwsError (code ResourceInUse) while instances are registered."""
        ...

    def register_task_definition(self, request: dict[str, Any]) -> dict[str, Any]:
        """Returns the registered taskDefinition (with taskDefinitionArn and revision)."""
        ...

    def deregister_task_definition(self, arn: str) -> None: ...

    def create_service(
        self, request: dict[str, Any], notify: Callable[[str], None] | None = None
    ) -> dict[str, Any]:
        """CreateService, retried while a just-created role is not usable yet (told to `notify`)."""
        ...

    def update_service(self, request: dict[str, Any]) -> dict[str, Any]: ...

    def delete_service(self, cluster: str, service: str) -> None:
        """Delete with force=True (scales to 0 first on AWS's side)."""
        ...

    def tag_resource(self, arn: str, tags: dict[str, str]) -> None: ...

    def untag_resource(self, arn: str, keys: list[str]) -> None: ...
