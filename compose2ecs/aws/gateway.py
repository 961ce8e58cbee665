"""`BotoGateway`: the `resources.gateway.Gateway` protocol on boto3; a write is one AWS call."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from typing import TYPE_CHECKING, Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from compose2ecs.aws.errors import aws_errors, call_or_none, error_code, to_aws_error
from compose2ecs.aws.session import Clients, make_session, report_retry
from compose2ecs.aws.state import CLUSTER_MISSING, SCALABLE_DIMENSION, StateReader, batches, plain
from compose2ecs.errors import AwsError
from compose2ecs.model import REQUEST_TAG, ecs_tags, family_of, tags_dict
from compose2ecs.resources.gateway import LogEvent

if TYPE_CHECKING:
    from collections import Counter
    from collections.abc import Callable

    from compose2ecs.aws.session import AwsSettings
    from compose2ecs.model import DesiredState, LoadBalancerSpec
    from compose2ecs.model.deployed import DeployedState

READ_WORKERS = 8  # the reads of one project are a few dozen calls: 8 keeps latency low without bursts
DESCRIBE_TASKS_BATCH = 100  # the API's limit of task ARNs per DescribeTasks call
ENI_FILTER_BATCH = 200  # EC2 filter values per request
NAMESPACE_TIMEOUT = 120.0  # seconds: Cloud Map namespace operations usually finish within a minute
NAMESPACE_POLL = 2.0
DELETE_PARAMETERS_BATCH = 10  # the API's limit of names per DeleteParameters call
REGISTER_ATTEMPTS = 4  # RegisterTaskDefinition, retried by the gateway itself (see there)
THROTTLED = frozenset(
    {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"}
)
SECRET_DELETION_WAIT = 60.0  # seconds: a deletion without recovery frees the name within seconds
EFS_TIMEOUT = 300.0  # seconds: a new file system is usually available within a minute
EFS_POLL = 2.0
NO_VPC_HINT = (
    "this account and region have no default VPC: set "
    "run_params.network_configuration.awsvpc_configuration.subnets (and security_groups) in ecs-params.yml"
)


def _held_by_a_deletion(error: AwsError) -> bool:
    """Secrets Manager's answer while a deleted secret still holds the name."""
    return error.code == "InvalidRequestException" and "deletion" in error.message


def iam_tags(tags: dict[str, str]) -> list[dict[str, str]]:
    """IAM, EC2 and Cloud Map spell tags with capitals."""
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


# CreateService's answers while a role is not usable yet (the service-linked role, or a role
# created moments ago): retried this many times, this far apart.
ROLE_RETRY_ATTEMPTS = 7
ROLE_RETRY_DELAY = 5.0
ROLE_NOT_READY = ("service linked role", "unable to assume role", "role is not valid", "sts:assumerole")
ECS_SERVICE = "ecs.amazonaws.com"


class BotoGateway:
    """The Gateway protocol on boto3: reads run concurrently inside `read_state`, writes are single calls."""

    def __init__(
        self,
        clients: Clients,
        *,
        max_workers: int = READ_WORKERS,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clients = clients
        self.max_workers = max_workers
        self._sleep = sleep
        self._clock = clock

    @classmethod
    def from_settings(cls, settings: AwsSettings, *, max_workers: int = READ_WORKERS) -> BotoGateway:
        """A gateway on the standard credential chain; AwsError when region or credentials are missing."""
        session = make_session(settings)
        return cls(Clients(session, endpoint_url=settings.endpoint_url), max_workers=max_workers)

    @property
    def calls(self) -> Counter[str]:
        """API calls made so far, as "service:Operation" counts (for the benchmarks)."""
        return self.clients.calls

    # Reads -------------------------------------------------------------------------------------

    def read_state(self, desired: DesiredState, cluster: str) -> DeployedState:
        return StateReader(self.clients, self.max_workers).read(desired, cluster)

    def read_services(self, desired: DesiredState, cluster: str) -> DeployedState:
        return StateReader(self.clients, self.max_workers).read_services(desired, cluster)

    def describe_task_definition(self, reference: str) -> dict[str, Any] | None:
        return StateReader(self.clients, self.max_workers).read_task_definition(reference)

    def describe_cluster(self, name: str) -> dict[str, Any] | None:
        return StateReader(self.clients, self.max_workers).read_cluster(name)

    def describe_scalable_targets(self, cluster: str, services: list[str]) -> dict[str, dict[str, Any]]:
        return StateReader(self.clients, self.max_workers).read_scaling(cluster, services)

    def describe_load_balancers(self, names: list[str]) -> dict[str, dict[str, Any]]:
        """The load balancers of these names that exist (name -> DescribeLoadBalancers entry)."""
        found = StateReader(self.clients, self.max_workers).elb_lookup("LoadBalancers", "Names", names)
        return {str(lb["LoadBalancerName"]): lb for lb in found}

    def describe_listeners(self, arns: list[str]) -> dict[str, dict[str, Any]]:
        """The listeners of these ARNs that exist, each with "LoadBalancer" and "Rules"."""
        return StateReader(self.clients, self.max_workers).read_listeners(arns) if arns else {}

    def describe_service(self, cluster: str, service: str) -> dict[str, Any] | None:
        """The DescribeServices entry (any status, with tags); None when the service or cluster is missing."""
        response = call_or_none(
            "ecs:DescribeServices",
            f"{cluster}/{service}",
            lambda: self.clients.ecs.describe_services(cluster=cluster, services=[service], include=["TAGS"]),
            frozenset({"ClusterNotFoundException"}),
        )
        services = response.get("services", []) if response else []
        return plain(services[0]) if services else None

    def list_task_arns(self, cluster: str, service: str, desired_status: str = "RUNNING") -> list[str]:
        paginator = self.clients.ecs.get_paginator("list_tasks")

        def listed() -> list[str]:
            pages = paginator.paginate(
                cluster=cluster,
                serviceName=service,
                desiredStatus=desired_status,  # type: ignore[arg-type]
            )
            return [str(arn) for page in pages for arn in page.get("taskArns", [])]

        # No cluster (yet, or any more): no tasks, as for a cluster without the service.
        return call_or_none("ecs:ListTasks", f"{cluster}/{service}", listed, CLUSTER_MISSING) or []

    def describe_tasks(self, cluster: str, task_arns: list[str]) -> list[dict[str, Any]]:
        tasks: list[dict[str, Any]] = []
        for batch in batches(task_arns, DESCRIBE_TASKS_BATCH):
            with aws_errors("ecs:DescribeTasks", cluster):
                response = self.clients.ecs.describe_tasks(cluster=cluster, tasks=batch, include=["TAGS"])
            tasks.extend(plain(task) for task in response.get("tasks", []))
        return tasks

    def execute_command(self, cluster: str, task: str, container: str, command: str) -> dict[str, Any]:
        with aws_errors("ecs:ExecuteCommand", f"{cluster}/{task}"):
            response = self.clients.ecs.execute_command(
                cluster=cluster, task=task, container=container, command=command, interactive=True
            )
        return dict(response.get("session") or {})

    @property
    def region(self) -> str:
        return self.clients.region

    @property
    def endpoint_url(self) -> str | None:
        return self.clients.endpoint_url

    @property
    def ecs_endpoint(self) -> str:
        """The endpoint ECS requests go to, as boto3 resolved it (partition, environment, option).

        The AWS CLI hands this one to the Session Manager plugin for `ecs execute-command`.
        """
        return str(self.clients.ecs.meta.endpoint_url)

    def stop_task(self, cluster: str, task: str, reason: str) -> None:
        with aws_errors("ecs:StopTask", task):
            self.clients.ecs.stop_task(cluster=cluster, task=task, reason=reason)

    def run_task(self, request: dict[str, Any]) -> dict[str, Any]:
        target = str(request.get("taskDefinition", ""))
        with aws_errors("ecs:RunTask", target):
            response = self.clients.ecs.run_task(**request)
        tasks = response.get("tasks") or []
        if not tasks:
            reasons = "; ".join(
                f"{failure.get('reason', 'unknown')} ({failure.get('detail') or failure.get('arn', '')})"
                for failure in response.get("failures") or []
            )
            raise AwsError(
                "ecs:RunTask",
                f"ECS did not start the task: {reasons or 'no reason given'}",
                code="TaskFailedToStart",
                resource=target,
                hint="check the cluster's capacity providers and the network (subnets, security groups)",
            )
        return plain(tasks[0])

    def public_ips(self, eni_ids: list[str]) -> dict[str, str]:
        """Public IPv4 address per network interface id (absent when it has none)."""
        ips: dict[str, str] = {}
        paginator = self.clients.ec2.get_paginator("describe_network_interfaces")
        for batch in batches(eni_ids, ENI_FILTER_BATCH):
            # A filter, unlike NetworkInterfaceIds, does not fail when a stopped task's ENI is gone.
            with aws_errors("ec2:DescribeNetworkInterfaces", ",".join(batch)):
                pages = paginator.paginate(Filters=[{"Name": "network-interface-id", "Values": batch}])
                for page in pages:
                    for eni in page.get("NetworkInterfaces", []):
                        ip = eni.get("Association", {}).get("PublicIp")
                        if ip:
                            ips[str(eni["NetworkInterfaceId"])] = str(ip)
        return ips

    def list_task_definition_arns(self, family: str, status: str = "ACTIVE") -> list[str]:
        """ARNs of `family`'s revisions with `status`, oldest first."""
        paginator = self.clients.ecs.get_paginator("list_task_definitions")
        with aws_errors("ecs:ListTaskDefinitions", family):
            pages = paginator.paginate(familyPrefix=family, status=status, sort="ASC")  # type: ignore[arg-type]
            arns = [str(arn) for page in pages for arn in page.get("taskDefinitionArns", [])]
        # The parameter is named a prefix: keep exactly this family, so that `down --all` of project
        # `shop` can never deregister another project's `shop-web`.
        return [arn for arn in arns if family_of(arn) == family]

    def default_vpc_subnets(self) -> tuple[str, list[str]]:
        """(vpc id, subnet ids) of the default VPC; AwsError when there is none."""
        ec2 = self.clients.ec2
        with aws_errors("ec2:DescribeVpcs", "default VPC"):
            vpcs = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}]).get("Vpcs", [])
        if not vpcs:
            raise AwsError(
                "ec2:DescribeVpcs", "no default VPC", resource=self.clients.region, hint=NO_VPC_HINT
            )
        vpc_id = str(vpcs[0]["VpcId"])
        with aws_errors("ec2:DescribeSubnets", vpc_id):
            pages = ec2.get_paginator("describe_subnets").paginate(
                Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]
            )
            subnets = [s for page in pages for s in page.get("Subnets", [])]
        # Prefer the default (public) subnets: a user may have added private ones to the default VPC.
        defaults = [s for s in subnets if s.get("DefaultForAz")] or subnets
        if not defaults:
            raise AwsError(
                "ec2:DescribeSubnets", "the default VPC has no subnets", resource=vpc_id, hint=NO_VPC_HINT
            )
        defaults.sort(key=lambda s: (str(s.get("AvailabilityZone", "")), str(s["SubnetId"])))
        return vpc_id, [str(s["SubnetId"]) for s in defaults]

    def filter_log_events(
        self,
        group: str,
        region: str,
        stream_prefix: str,
        start_ms: int | None,
        next_token: str | None,
    ) -> tuple[list[LogEvent], str | None]:
        """One page of `group`'s events from streams starting with `stream_prefix`, and the next token."""
        request: dict[str, Any] = {"logGroupName": group}
        if stream_prefix:
            request["logStreamNamePrefix"] = stream_prefix
        if start_ms is not None:
            request["startTime"] = start_ms
        if next_token:
            request["nextToken"] = next_token
        with aws_errors("logs:FilterLogEvents", group):
            response = self.clients.logs(region).filter_log_events(**request)
        events = [
            LogEvent(str(e.get("logStreamName", "")), int(e.get("timestamp", 0)), str(e.get("message", "")))
            for e in response.get("events", [])
        ]
        token = response.get("nextToken")
        return events, str(token) if token else None

    # Writes: IAM -------------------------------------------------------------------------------

    def create_role(self, name: str, path: str, trust_policy: dict[str, Any], tags: dict[str, str]) -> str:
        """Returns the new role's ARN."""
        request: dict[str, Any] = {
            "RoleName": name,
            "Path": path,
            "AssumeRolePolicyDocument": json.dumps(trust_policy),
        }
        if tags:
            request["Tags"] = iam_tags(tags)
        with aws_errors("iam:CreateRole", name):
            return str(self.clients.iam.create_role(**request)["Role"]["Arn"])

    def update_trust_policy(self, name: str, trust_policy: dict[str, Any]) -> None:
        with aws_errors("iam:UpdateAssumeRolePolicy", name):
            self.clients.iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(trust_policy))

    def attach_role_policy(self, name: str, policy_arn: str) -> None:
        with aws_errors("iam:AttachRolePolicy", f"{name} {policy_arn}"):
            self.clients.iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)

    def detach_role_policy(self, name: str, policy_arn: str) -> None:
        with aws_errors("iam:DetachRolePolicy", f"{name} {policy_arn}"):
            self.clients.iam.detach_role_policy(RoleName=name, PolicyArn=policy_arn)

    def put_role_policy(self, name: str, policy_name: str, document: dict[str, Any]) -> None:
        with aws_errors("iam:PutRolePolicy", f"{name}/{policy_name}"):
            self.clients.iam.put_role_policy(
                RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(document)
            )

    def delete_role_policy(self, name: str, policy_name: str) -> None:
        with aws_errors("iam:DeleteRolePolicy", f"{name}/{policy_name}"):
            self.clients.iam.delete_role_policy(RoleName=name, PolicyName=policy_name)

    def delete_role(self, name: str) -> None:
        with aws_errors("iam:DeleteRole", name):
            self.clients.iam.delete_role(RoleName=name)

    def tag_role(self, name: str, tags: dict[str, str]) -> None:
        with aws_errors("iam:TagRole", name):
            self.clients.iam.tag_role(RoleName=name, Tags=iam_tags(tags))  # type: ignore[arg-type]

    def untag_role(self, name: str, keys: list[str]) -> None:
        with aws_errors("iam:UntagRole", name):
            self.clients.iam.untag_role(RoleName=name, TagKeys=list(keys))

    # The deployment lock ---------------------------------------------------------------------

    def create_lock(self, name: str, value: str) -> bool:
        try:
            with aws_errors("ssm:PutParameter", name):
                self.clients.ssm.put_parameter(Name=name, Value=value, Type="String", Overwrite=False)
        except AwsError as error:
            if error.code == "ParameterAlreadyExists":
                return False
            raise
        return True

    def read_lock(self, name: str) -> str | None:
        response = call_or_none(
            "ssm:GetParameter",
            name,
            lambda: self.clients.ssm.get_parameter(Name=name),
            frozenset({"ParameterNotFound"}),
        )
        return None if response is None else str(response["Parameter"].get("Value", ""))

    def delete_lock(self, name: str) -> None:
        call_or_none(
            "ssm:DeleteParameter",
            name,
            lambda: self.clients.ssm.delete_parameter(Name=name),
            frozenset({"ParameterNotFound"}),
        )

    # Writes: CloudWatch Logs -------------------------------------------------------------------

    def create_log_group(self, name: str, region: str, tags: dict[str, str]) -> None:
        request: dict[str, Any] = {"logGroupName": name}
        if tags:
            request["tags"] = dict(tags)
        with aws_errors("logs:CreateLogGroup", name):
            self.clients.logs(region).create_log_group(**request)

    def put_retention_policy(self, name: str, region: str, days: int | None) -> None:
        """Set retention, or remove it (never expire) when `days` is None."""
        logs = self.clients.logs(region)
        if days is None:
            with aws_errors("logs:DeleteRetentionPolicy", name):
                logs.delete_retention_policy(logGroupName=name)
        else:
            with aws_errors("logs:PutRetentionPolicy", name):
                logs.put_retention_policy(logGroupName=name, retentionInDays=days)

    def delete_log_group(self, name: str, region: str) -> None:
        with aws_errors("logs:DeleteLogGroup", name):
            self.clients.logs(region).delete_log_group(logGroupName=name)

    def tag_log_group(self, arn: str, region: str, tags: dict[str, str]) -> None:
        with aws_errors("logs:TagResource", arn):
            self.clients.logs(region).tag_resource(resourceArn=arn, tags=dict(tags))

    def untag_log_group(self, arn: str, region: str, keys: list[str]) -> None:
        with aws_errors("logs:UntagResource", arn):
            self.clients.logs(region).untag_resource(resourceArn=arn, tagKeys=list(keys))

    # Writes: network ---------------------------------------------------------------------------

    def create_security_group(self, name: str, vpc_id: str, description: str, tags: dict[str, str]) -> str:
        request: dict[str, Any] = {"GroupName": name, "VpcId": vpc_id, "Description": description}
        if tags:
            request["TagSpecifications"] = [{"ResourceType": "security-group", "Tags": iam_tags(tags)}]
        with aws_errors("ec2:CreateSecurityGroup", name):
            return str(self.clients.ec2.create_security_group(**request)["GroupId"])

    def authorize_ingress(self, group_id: str, rules: list[dict[str, Any]]) -> None:
        """`rules` are EC2 IpPermissions entries."""
        with aws_errors("ec2:AuthorizeSecurityGroupIngress", group_id):
            self.clients.ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=rules)  # type: ignore[arg-type]

    def revoke_ingress(self, group_id: str, rules: list[dict[str, Any]]) -> None:
        with aws_errors("ec2:RevokeSecurityGroupIngress", group_id):
            self.clients.ec2.revoke_security_group_ingress(GroupId=group_id, IpPermissions=rules)  # type: ignore[arg-type]

    def delete_security_group(self, group_id: str) -> None:
        with aws_errors("ec2:DeleteSecurityGroup", group_id):
            self.clients.ec2.delete_security_group(GroupId=group_id)

    # Writes: load balancers -------------------------------------------------------------------

    def create_load_balancer(
        self, spec: LoadBalancerSpec, subnets: list[str], group_id: str, tags: dict[str, str]
    ) -> dict[str, Any]:
        with aws_errors("elasticloadbalancing:CreateLoadBalancer", spec.name):
            response = self.clients.elbv2.create_load_balancer(
                Name=spec.name,
                Type=spec.type,  # type: ignore[arg-type]
                Scheme=spec.scheme,  # type: ignore[arg-type]
                Subnets=subnets,
                SecurityGroups=[group_id],
                Tags=iam_tags(tags),  # type: ignore[arg-type]
            )
        return plain(response["LoadBalancers"][0])

    def delete_load_balancer(self, arn: str) -> None:
        with aws_errors("elasticloadbalancing:DeleteLoadBalancer", arn):
            self.clients.elbv2.delete_load_balancer(LoadBalancerArn=arn)

    def create_target_group(self, request: dict[str, Any]) -> dict[str, Any]:
        with aws_errors("elasticloadbalancing:CreateTargetGroup", str(request.get("Name", ""))):
            response = self.clients.elbv2.create_target_group(**request)
        return plain(response["TargetGroups"][0])

    def modify_target_group(self, request: dict[str, Any]) -> None:
        with aws_errors("elasticloadbalancing:ModifyTargetGroup", str(request.get("TargetGroupArn", ""))):
            self.clients.elbv2.modify_target_group(**request)

    def modify_target_group_attributes(self, arn: str, attributes: dict[str, str]) -> None:
        with aws_errors("elasticloadbalancing:ModifyTargetGroupAttributes", arn):
            self.clients.elbv2.modify_target_group_attributes(
                TargetGroupArn=arn, Attributes=[{"Key": k, "Value": v} for k, v in attributes.items()]
            )

    def delete_target_group(self, arn: str) -> None:
        with aws_errors("elasticloadbalancing:DeleteTargetGroup", arn):
            self.clients.elbv2.delete_target_group(TargetGroupArn=arn)

    def create_listener(self, request: dict[str, Any]) -> dict[str, Any]:
        with aws_errors("elasticloadbalancing:CreateListener", str(request.get("LoadBalancerArn", ""))):
            response = self.clients.elbv2.create_listener(**request)
        return plain(response["Listeners"][0])

    def modify_listener(self, request: dict[str, Any]) -> None:
        with aws_errors("elasticloadbalancing:ModifyListener", str(request.get("ListenerArn", ""))):
            self.clients.elbv2.modify_listener(**request)

    def delete_listener(self, arn: str) -> None:
        with aws_errors("elasticloadbalancing:DeleteListener", arn):
            self.clients.elbv2.delete_listener(ListenerArn=arn)

    def set_subnets(self, arn: str, subnets: list[str]) -> None:
        with aws_errors("elasticloadbalancing:SetSubnets", arn):
            self.clients.elbv2.set_subnets(LoadBalancerArn=arn, Subnets=subnets)

    def create_rule(self, request: dict[str, Any]) -> None:
        with aws_errors("elasticloadbalancing:CreateRule", str(request.get("ListenerArn", ""))):
            self.clients.elbv2.create_rule(**request)

    def modify_rule(self, request: dict[str, Any]) -> None:
        with aws_errors("elasticloadbalancing:ModifyRule", str(request.get("RuleArn", ""))):
            self.clients.elbv2.modify_rule(**request)

    def set_rule_priorities(self, priorities: list[dict[str, Any]]) -> None:
        with aws_errors("elasticloadbalancing:SetRulePriorities", str(priorities[0].get("RuleArn", ""))):
            self.clients.elbv2.set_rule_priorities(RulePriorities=priorities)  # type: ignore[arg-type]

    def delete_rule(self, arn: str) -> None:
        with aws_errors("elasticloadbalancing:DeleteRule", arn):
            self.clients.elbv2.delete_rule(RuleArn=arn)

    def add_elb_tags(self, arn: str, tags: dict[str, str]) -> None:
        with aws_errors("elasticloadbalancing:AddTags", arn):
            self.clients.elbv2.add_tags(ResourceArns=[arn], Tags=iam_tags(tags))  # type: ignore[arg-type]

    def remove_elb_tags(self, arn: str, keys: list[str]) -> None:
        with aws_errors("elasticloadbalancing:RemoveTags", arn):
            self.clients.elbv2.remove_tags(ResourceArns=[arn], TagKeys=keys)

    # Writes: Application Auto Scaling --------------------------------------------------------

    def register_scalable_target(self, request: dict[str, Any]) -> None:
        with aws_errors("application-autoscaling:RegisterScalableTarget", str(request.get("ResourceId", ""))):
            self.clients.autoscaling.register_scalable_target(**request)

    def deregister_scalable_target(self, resource_id: str) -> None:
        call_or_none(
            "application-autoscaling:DeregisterScalableTarget",
            resource_id,
            lambda: self.clients.autoscaling.deregister_scalable_target(
                ServiceNamespace="ecs", ResourceId=resource_id, ScalableDimension=SCALABLE_DIMENSION
            ),
            frozenset({"ObjectNotFoundException"}),
        )

    def put_scaling_policy(self, request: dict[str, Any]) -> None:
        with aws_errors("application-autoscaling:PutScalingPolicy", str(request.get("PolicyName", ""))):
            self.clients.autoscaling.put_scaling_policy(**request)

    def delete_scaling_policy(self, name: str, resource_id: str) -> None:
        with aws_errors("application-autoscaling:DeleteScalingPolicy", f"{resource_id} {name}"):
            self.clients.autoscaling.delete_scaling_policy(
                PolicyName=name,
                ServiceNamespace="ecs",
                ResourceId=resource_id,
                ScalableDimension=SCALABLE_DIMENSION,
            )

    # Writes: ECS and Cloud Map -----------------------------------------------------------------

    def create_cluster(
        self, name: str, tags: dict[str, str], capacity_providers: tuple[str, ...] = ()
    ) -> None:
        request: dict[str, Any] = {"clusterName": name}
        if tags:
            request["tags"] = ecs_tags(tags)
        if capacity_providers:
            request["capacityProviders"] = list(capacity_providers)
        with aws_errors("ecs:CreateCluster", name):
            self.clients.ecs.create_cluster(**request)

    def delete_cluster(self, name: str) -> None:
        with aws_errors("ecs:DeleteCluster", name):
            self.clients.ecs.delete_cluster(cluster=name)

    def create_namespace(self, name: str, tags: dict[str, str]) -> str:
        """Create a Cloud Map HTTP namespace; returns its ARN once the operation has succeeded."""
        sd = self.clients.servicediscovery
        request: dict[str, Any] = {"Name": name}
        if tags:
            request["Tags"] = iam_tags(tags)
        with aws_errors("servicediscovery:CreateHttpNamespace", name):
            operation_id = str(sd.create_http_namespace(**request)["OperationId"])
        operation = self._wait_for_operation(operation_id, name)
        namespace_id = str(operation.get("Targets", {}).get("NAMESPACE", ""))
        with aws_errors("servicediscovery:GetNamespace", name):
            return str(sd.get_namespace(Id=namespace_id)["Namespace"]["Arn"])

    def delete_namespace(self, namespace_id: str) -> None:
        with aws_errors("servicediscovery:DeleteNamespace", namespace_id):
            operation_id = str(self.clients.servicediscovery.delete_namespace(Id=namespace_id)["OperationId"])
        # Wait, so that an `up` right after `down` does not meet the namespace half-deleted.
        self._wait_for_operation(operation_id, namespace_id)

    def create_dns_namespace(self, name: str, vpc: str, tags: dict[str, str]) -> str:
        """Create a Cloud Map private DNS namespace; returns its id once the operation has succeeded."""
        sd = self.clients.servicediscovery
        request: dict[str, Any] = {"Name": name, "Vpc": vpc}
        if tags:
            request["Tags"] = iam_tags(tags)
        with aws_errors("servicediscovery:CreatePrivateDnsNamespace", name):
            operation_id = str(sd.create_private_dns_namespace(**request)["OperationId"])
        operation = self._wait_for_operation(operation_id, name)
        return str(operation.get("Targets", {}).get("NAMESPACE", ""))

    def create_discovery_service(self, request: dict[str, Any]) -> str:
        with aws_errors("servicediscovery:CreateService", str(request.get("Name", ""))):
            return str(self.clients.servicediscovery.create_service(**request)["Service"]["Arn"])

    def update_discovery_service(self, service_id: str, records: list[dict[str, Any]]) -> None:
        sd = self.clients.servicediscovery
        change: Any = {"DnsConfig": {"DnsRecords": records}}
        with aws_errors("servicediscovery:UpdateService", service_id):
            operation_id = str(sd.update_service(Id=service_id, Service=change)["OperationId"])
        self._wait_for_operation(operation_id, service_id)

    def delete_discovery_service(self, service_id: str) -> None:
        with aws_errors("servicediscovery:DeleteService", service_id):
            self.clients.servicediscovery.delete_service(Id=service_id)

    # Secrets Manager: the compose secrets compose2ecs keeps -----------------------------------

    def list_secrets(self, prefix: str) -> dict[str, dict[str, Any]]:
        return StateReader(self.clients, self.max_workers).list_secrets(prefix)

    def create_secret(self, name: str, value: str, tags: dict[str, str]) -> str:
        try:
            return self._create_secret_once(name, value, tags)
        except AwsError as error:
            if _held_by_a_deletion(error):
                return self._secret_scheduled_for_deletion(name, value, tags)
            if error.code != "ResourceExistsException":
                raise
            # A create whose answer was lost (or a secret ListSecrets did not show yet): the same name.
            with aws_errors("secretsmanager:DescribeSecret", name):
                arn = str(self.clients.secretsmanager.describe_secret(SecretId=name)["ARN"])
            self.put_secret_value(arn, value)
            return arn

    def _create_secret_once(self, name: str, value: str, tags: dict[str, str]) -> str:
        # No ClientRequestToken of our own: it becomes the version's id, which anyone allowed to
        # describe the secret reads, and a digest of the value would let them guess a weak one.
        # botocore's random token covers its own retries; a lost answer is create_secret's fallback.
        with aws_errors("secretsmanager:CreateSecret", name):
            return str(
                self.clients.secretsmanager.create_secret(
                    Name=name,
                    SecretString=value,
                    Description="a compose secret, kept by compose2ecs",
                    Tags=iam_tags(tags),  # type: ignore[arg-type]
                )["ARN"]
            )

    def _secret_scheduled_for_deletion(self, name: str, value: str, tags: dict[str, str]) -> str:
        """The name is still held by a deleted secret.

        One of this deployment's that waits out a recovery window is restored and given the value;
        otherwise (a deletion without recovery, still going on) the create is tried again a while.
        """
        ours = {k: v for k, v in tags.items() if k.startswith("compose2ecs:")}
        deadline = self._clock() + SECRET_DELETION_WAIT
        while True:
            found = call_or_none(
                "secretsmanager:DescribeSecret",
                name,
                lambda: self.clients.secretsmanager.describe_secret(SecretId=name),
                frozenset({"ResourceNotFoundException"}),
            )
            if (
                found is not None
                and found.get("DeletedDate") is not None
                and tags_dict(found.get("Tags")).items() >= ours.items()
            ):
                arn = str(found["ARN"])
                with aws_errors("secretsmanager:RestoreSecret", name):
                    self.clients.secretsmanager.restore_secret(SecretId=arn)
                self.put_secret_value(arn, value)
                return arn
            if found is None:
                try:
                    return self._create_secret_once(name, value, tags)
                except AwsError as error:
                    if not _held_by_a_deletion(error):
                        raise
            if self._clock() >= deadline:
                raise AwsError(
                    "secretsmanager:CreateSecret",
                    f"the name {name} is still held by a secret being deleted",
                    "InvalidRequestException",
                    name,
                    "run `compose2ecs up` again in a minute",
                )
            self._sleep(EFS_POLL)

    def put_secret_value(self, arn: str, value: str) -> None:
        with aws_errors("secretsmanager:PutSecretValue", arn):
            self.clients.secretsmanager.put_secret_value(SecretId=arn, SecretString=value)

    def delete_secret(self, arn: str) -> None:
        with aws_errors("secretsmanager:DeleteSecret", arn):
            self.clients.secretsmanager.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)

    # SSM parameters holding files -------------------------------------------------------------

    def list_parameters(self, prefix: str) -> list[str]:
        return StateReader(self.clients, self.max_workers).list_parameters(prefix)

    def put_file_parameter(self, name: str, value: str, tags: dict[str, str]) -> None:
        try:
            with aws_errors("ssm:PutParameter", name):
                self.clients.ssm.put_parameter(
                    Name=name,
                    Value=value,
                    Type="SecureString",
                    Tier="Standard",
                    Overwrite=False,
                    Tags=iam_tags(tags),  # type: ignore[arg-type]
                )
        except AwsError as error:
            # Named by its content's digest: one that is there holds the same bytes (a retry).
            if error.code != "ParameterAlreadyExists":
                raise

    def delete_parameters(self, names: list[str]) -> None:
        for batch in batches(names, DELETE_PARAMETERS_BATCH):
            with aws_errors("ssm:DeleteParameters", batch[0]):
                self.clients.ssm.delete_parameters(Names=batch)

    # EFS ---------------------------------------------------------------------------------------

    def read_file_system(self, creation_token: str) -> dict[str, Any] | None:
        return StateReader(self.clients, self.max_workers).read_file_system(creation_token)

    def create_file_system(self, creation_token: str, tags: dict[str, str]) -> dict[str, Any]:
        efs = self.clients.efs
        try:
            with aws_errors("elasticfilesystem:CreateFileSystem", creation_token):
                created = plain(
                    efs.create_file_system(
                        CreationToken=creation_token,
                        Encrypted=True,
                        PerformanceMode="generalPurpose",
                        ThroughputMode="elastic",
                        Tags=iam_tags(tags),  # type: ignore[arg-type]
                    )
                )
        except AwsError as error:
            # A create whose answer was lost made it: the token finds it (EFS's idempotency).
            if error.code != "FileSystemAlreadyExists":
                raise
            found = self.read_file_system(creation_token)
            if found is None:
                raise
            created = found
        return self._wait_for_file_system(str(created["FileSystemId"]), created)

    def _wait_for_file_system(self, file_system_id: str, entry: dict[str, Any]) -> dict[str, Any]:
        """EFS refuses mount targets and access points until the file system is available."""
        deadline = self._clock() + EFS_TIMEOUT
        while entry.get("LifeCycleState", "available") != "available":
            if self._clock() >= deadline:
                raise AwsError(
                    "elasticfilesystem:DescribeFileSystems",
                    f"file system {file_system_id} is still {entry.get('LifeCycleState')} "
                    f"after {EFS_TIMEOUT:.0f} s",
                    resource=file_system_id,
                    hint="run the command again later",
                )
            self._sleep(EFS_POLL)
            with aws_errors("elasticfilesystem:DescribeFileSystems", file_system_id):
                found = self.clients.efs.describe_file_systems(FileSystemId=file_system_id)["FileSystems"]
            entry = plain(found[0]) if found else {}
        return entry

    def wait_for_file_system(self, file_system_id: str) -> None:
        self._wait_for_file_system(file_system_id, {"LifeCycleState": "creating"})

    def delete_file_system(self, file_system_id: str) -> None:
        with aws_errors("elasticfilesystem:DeleteFileSystem", file_system_id):
            self.clients.efs.delete_file_system(FileSystemId=file_system_id)

    def create_access_point(self, request: dict[str, Any], client_token: str) -> dict[str, Any]:
        with aws_errors("elasticfilesystem:CreateAccessPoint", str(request["RootDirectory"]["Path"])):
            return plain(self.clients.efs.create_access_point(ClientToken=client_token, **request))

    def delete_access_point(self, access_point_id: str) -> None:
        with aws_errors("elasticfilesystem:DeleteAccessPoint", access_point_id):
            self.clients.efs.delete_access_point(AccessPointId=access_point_id)

    def create_mount_target(self, file_system_id: str, subnet_id: str, security_groups: list[str]) -> str:
        with aws_errors("elasticfilesystem:CreateMountTarget", subnet_id):
            return str(
                self.clients.efs.create_mount_target(
                    FileSystemId=file_system_id, SubnetId=subnet_id, SecurityGroups=security_groups
                )["MountTargetId"]
            )

    def describe_mount_targets(self, file_system_id: str) -> list[dict[str, Any]]:
        return StateReader(self.clients, self.max_workers).mount_targets(file_system_id)

    def delete_mount_target(self, mount_target_id: str) -> None:
        with aws_errors("elasticfilesystem:DeleteMountTarget", mount_target_id):
            self.clients.efs.delete_mount_target(MountTargetId=mount_target_id)

    def _wait_for_operation(self, operation_id: str, resource: str) -> dict[str, Any]:
        deadline = self._clock() + NAMESPACE_TIMEOUT
        while True:
            with aws_errors("servicediscovery:GetOperation", resource):
                operation = plain(
                    self.clients.servicediscovery.get_operation(OperationId=operation_id)["Operation"]
                )
            status = operation.get("Status")
            if status == "SUCCESS":
                return operation
            if status == "FAIL":
                raise AwsError(
                    "servicediscovery:GetOperation",
                    str(operation.get("ErrorMessage", "the operation failed")),
                    str(operation.get("ErrorCode", "")),
                    resource,
                )
            if self._clock() >= deadline:
                raise AwsError(
                    "servicediscovery:GetOperation",
                    f"operation {operation_id} is still {status} after {NAMESPACE_TIMEOUT:.0f} s",
                    resource=resource,
                    hint="run the command again later; Cloud Map is still working on it",
                )
            self._sleep(NAMESPACE_POLL)

    def register_task_definition(self, request: dict[str, Any]) -> dict[str, Any]:
        """Returns the registered taskDefinition (with taskDefinitionArn and revision).

        RegisterTaskDefinition has no idempotency token: a request whose answer is lost (a read
        timeout, a dropped connection) may still have registered a revision, and a blind retry would
        register a second one. So the request carries a tag (REQUEST_TAG) with the digest of its
        content, and before each retry the family's latest revision is read: if it carries that tag,
        it is the one this request made.
        """
        family = str(request.get("family", ""))
        token = hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()[:32]
        tagged = {**request, "tags": [*request.get("tags", []), {"key": REQUEST_TAG, "value": token}]}
        for attempt in range(1, REGISTER_ATTEMPTS + 1):
            try:
                return plain(self.clients.ecs_once.register_task_definition(**tagged)["taskDefinition"])
            except (
                ReadTimeoutError,
                ConnectionClosedError,
                EndpointConnectionError,
                ConnectTimeoutError,
            ) as exc:
                found = self._latest_with_request(family, token)
                if found is not None:
                    return found
                if attempt == REGISTER_ATTEMPTS:
                    raise to_aws_error(exc, "ecs:RegisterTaskDefinition", family) from exc
                report_retry("ecs:RegisterTaskDefinition", attempt, REGISTER_ATTEMPTS, "no answer")
            except ClientError as exc:
                if error_code(exc) not in THROTTLED or attempt == REGISTER_ATTEMPTS:
                    raise to_aws_error(exc, "ecs:RegisterTaskDefinition", family) from exc
                report_retry("ecs:RegisterTaskDefinition", attempt, REGISTER_ATTEMPTS, "throttled")
            except BotoCoreError as exc:
                raise to_aws_error(exc, "ecs:RegisterTaskDefinition", family) from exc
            self._sleep(min(2.0**attempt, 8.0))
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _latest_with_request(self, family: str, token: str) -> dict[str, Any] | None:
        """The family's latest revision, if the request with this token registered it."""
        latest = StateReader(self.clients, self.max_workers).read_task_definition(family, request_tag=True)
        if latest is not None and tags_dict(latest.get("tags")).get(REQUEST_TAG) == token:
            return latest
        return None

    def deregister_task_definition(self, arn: str) -> None:
        with aws_errors("ecs:DeregisterTaskDefinition", arn):
            self.clients.ecs.deregister_task_definition(taskDefinition=arn)

    def create_service(
        self, request: dict[str, Any], notify: Callable[[str], None] | None = None
    ) -> dict[str, Any]:
        """CreateService, made safe to retry and patient with a brand-new account.

        A client token makes botocore's own retry of a call that timed out return the service it
        created instead of a second one. On a new account the ECS service-linked role may not
        exist yet (ECS creates it on first use of the console, not of the API): compose2ecs
        creates it once and retries. A role created moments ago may not be usable by ECS yet
        (IAM is eventually consistent): the call is retried, bounded, saying so.
        """
        request = {**request, "clientToken": request.get("clientToken") or uuid.uuid4().hex}
        name = str(request.get("serviceName", ""))
        say = notify or (lambda _message: None)
        linked_role_created = False
        for attempt in range(1, ROLE_RETRY_ATTEMPTS + 1):
            try:
                with aws_errors("ecs:CreateService", name):
                    return plain(self.clients.ecs.create_service(**request)["service"])
            except AwsError as error:
                text = error.message.lower()
                if "service linked role" in text and not linked_role_created:
                    self.create_service_linked_role(ECS_SERVICE)
                    linked_role_created = True
                    say("created the ECS service-linked role AWSServiceRoleForECS (this account had none)")
                elif not any(sign in text for sign in ROLE_NOT_READY) or attempt == ROLE_RETRY_ATTEMPTS:
                    raise
                say(
                    f"ECS cannot use the role yet (IAM takes a few seconds to propagate a new role): "
                    f"retrying in {ROLE_RETRY_DELAY:g} s ({attempt}/{ROLE_RETRY_ATTEMPTS - 1})"
                )
                self._sleep(ROLE_RETRY_DELAY)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def create_service_linked_role(self, service: str) -> None:
        """iam:CreateServiceLinkedRole; "already exists" (another run made it first) is fine."""
        try:
            with aws_errors("iam:CreateServiceLinkedRole", service):
                self.clients.iam.create_service_linked_role(AWSServiceName=service)
        except AwsError as error:
            if error.code != "InvalidInput" or "has been taken" not in error.message:
                raise

    def update_service(self, request: dict[str, Any]) -> dict[str, Any]:
        with aws_errors("ecs:UpdateService", str(request.get("service", ""))):
            return plain(self.clients.ecs.update_service(**request)["service"])

    def delete_service(self, cluster: str, service: str) -> None:
        """Delete with force=True (scales to 0 first on AWS's side)."""
        with aws_errors("ecs:DeleteService", f"{cluster}/{service}"):
            self.clients.ecs.delete_service(cluster=cluster, service=service, force=True)

    def tag_resource(self, arn: str, tags: dict[str, str]) -> None:
        """Tag an ECS resource (cluster, service, task definition)."""
        with aws_errors("ecs:TagResource", arn):
            self.clients.ecs.tag_resource(resourceArn=arn, tags=ecs_tags(tags))  # type: ignore[arg-type]

    def untag_resource(self, arn: str, keys: list[str]) -> None:
        with aws_errors("ecs:UntagResource", arn):
            self.clients.ecs.untag_resource(resourceArn=arn, tagKeys=keys)
