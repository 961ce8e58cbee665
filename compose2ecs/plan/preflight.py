"""What the deployed account makes impossible, found before any write (file, line and key).

Each check compares the desired requests with what `read_state` found, so it costs no call of
its own; a problem is an input error (exit 2) for `diff` and `up` alike, and `up` writes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from compose2ecs.errors import Location, Path, Problem
from compose2ecs.model import foreign_creator, tags_dict

if TYPE_CHECKING:
    from compose2ecs.model import DesiredState
    from compose2ecs.model.deployed import DeployedState, NetworkFacts

# What a cluster compose2ecs creates is given (apply/executor.py sends these).
CREATED_CLUSTER_PROVIDERS = ("FARGATE", "FARGATE_SPOT")


def preflight_problems(
    desired: DesiredState, deployed: DeployedState, cluster: str, params_file: str | None
) -> list[Problem]:
    """Every reason the deployment would fail on this account, in the files' terms."""
    return [
        *_network(desired, deployed, params_file),
        *_capacity_providers(desired, deployed, cluster, params_file),
        *_names_taken(desired, deployed),
        *_references(desired, deployed, params_file),
        *_reused_target_groups(desired, deployed, params_file),
        *_reused_listeners(desired, deployed, params_file),
        *_discovery(desired, deployed, params_file),
    ]


def _discovery(desired: DesiredState, deployed: DeployedState, params_file: str | None) -> list[Problem]:
    """Service discovery's namespace and Cloud Map service can hold what ecs-params asks.

    A namespace named by id exists and holds DNS records; a Cloud Map service found keeps its
    record type (it cannot change in place).
    """
    spec = desired.discovery
    if spec is None:
        return []
    where = Location(params_file or "ecs-params.yml")
    namespace = deployed.discovery.get("Namespace")
    at = (*spec.path, "private_dns_namespace")
    if namespace is None:
        if not spec.namespace:
            return [
                Problem(
                    f"namespace {spec.namespace_id} does not exist in this account and region",
                    where,
                    (*at, "id"),
                    code="discovery-namespace",
                    hint="give an existing namespace's id, or its name to have it created",
                )
            ]
        return []
    if namespace.get("Type") != "DNS_PRIVATE":
        return [
            Problem(
                f"namespace {namespace.get('Name')} is a {namespace.get('Type')} namespace: DNS names "
                "need a private DNS namespace",
                where,
                (*at, "id" if spec.namespace_id else "name"),
                code="discovery-namespace",
                hint="name a private DNS namespace of the tasks' VPC",
            )
        ]
    found = deployed.discovery_service(spec.name)
    have = [r.get("Type") for r in ((found or {}).get("DnsConfig") or {}).get("DnsRecords") or []]
    if found is not None and have and have != [spec.record_type]:
        return [
            Problem(
                f"Cloud Map service {spec.name} has {', '.join(map(str, have))} records, and a record's "
                "type cannot change",
                where,
                (*spec.path, "service_discovery_service", "dns_config", "type"),
                code="discovery-record-type",
                hint=f"use type {have[0]}, or another service_discovery_service.name",
            )
        ]
    return []


def _tasks_vpc(desired: DesiredState, facts: NetworkFacts) -> str | None:
    subnets = desired.awsvpc_ids("subnets")
    if desired.uses_project_network:
        return facts.default_vpc
    return facts.subnets.get(subnets[0]) if subnets else None


def _reused_listeners(
    desired: DesiredState, deployed: DeployedState, params_file: str | None
) -> list[Problem]:
    """The listeners ecs-params names are an ALB's HTTP(S) ones in the tasks' VPC, priorities free.

    AWS refuses a taken priority only at CreateRule, after the target group was created, and moto
    checks none of the rest; a rule's HTTP target group must match the listener's protocol family.
    """
    where = Location(params_file or "ecs-params.yml")
    vpc = _tasks_vpc(desired, deployed.network)
    owner = desired.owner
    problems = []
    for spec in desired.listener_rules:
        listener = deployed.foreign_listeners.get(spec.listener_arn)
        balancer = (listener or {}).get("LoadBalancer") or {}
        at: Path = (*spec.path, "listener_arn")
        why, hint, code = "", "", "listener-unusable"
        if listener is None:
            why = "does not exist in this account and region"
            hint = "check the ARN (aws elbv2 describe-listeners --load-balancer-arn …)"
        elif balancer.get("Type") != "application" or listener.get("Protocol") not in {"HTTP", "HTTPS"}:
            why = (
                f"is a {listener.get('Protocol')} listener of a {balancer.get('Type')} load balancer: host "
                "and path rules forward HTTP to an HTTP target group, on an Application Load Balancer"
            )
            hint = "give an Application Load Balancer's HTTP or HTTPS listener"
        elif vpc and balancer.get("VpcId") != vpc:
            why = f"is on a load balancer in {balancer.get('VpcId')}, the tasks in {vpc}"
            hint = "use a load balancer of the tasks' VPC"
        elif spec.priority is not None:
            taken = [
                r
                for r in listener.get("Rules") or []
                if str(r.get("Priority")) == str(spec.priority) and not owner.owns(r.get("Tags") or {})
            ]
            if taken:
                at, code = (*spec.path, "priority"), "listener-rule-priority"
                why = f"priority {spec.priority} is taken by another rule of the listener"
                hint = "choose a free priority, or leave priority out to go after the listener's rules"
        if why:
            message = f"listener {spec.listener_arn} {why}" if code == "listener-unusable" else why
            problems.append(Problem(message, where, at, code=code, hint=hint))
    return problems


def _reused_target_groups(
    desired: DesiredState, deployed: DeployedState, params_file: str | None
) -> list[Problem]:
    """The target groups ecs-params names exist, take Fargate's tasks, and fit the service.

    Type ip, in the tasks' VPC, and forwarded to by a listener (ECS refuses one without): moto
    checks none of it.
    """
    found = deployed.reused_target_groups
    if found is None:
        return []
    where = Location(params_file or "ecs-params.yml")
    vpc = _tasks_vpc(desired, deployed.network)
    problems = []
    for ref in desired.reused_target_groups:
        at = (*ref.path, "target_group_arn")
        entry = found.get(ref.target_group_arn)
        why, hint = "", ""
        if entry is None:
            why, hint = (
                "does not exist in this account and region",
                "check the ARN (aws elbv2 describe-target-groups)",
            )
        elif entry.get("TargetType") != "ip":
            why = f"has target type {entry.get('TargetType')}: Fargate tasks are registered by IP address"
            hint = "create a target group of type ip"
        elif vpc and entry.get("VpcId") != vpc:
            why = f"is in {entry.get('VpcId')}, the tasks in {vpc}"
            hint = "use a target group of the tasks' VPC"
        elif not entry.get("LoadBalancerArns"):
            why = "has no load balancer: ECS attaches a service only to a target group a listener forwards to"
            hint = "add a listener (or rule) that forwards to it"
        if why:
            problems.append(
                Problem(
                    f"target group {ref.target_group_arn} {why}",
                    where,
                    at,
                    code="target-group-unusable",
                    hint=hint,
                )
            )
    return problems


_WHAT = {
    "secret": ("Secrets Manager secret", "aws secretsmanager list-secrets"),
    "secret-name": ("Secrets Manager secret", "aws secretsmanager describe-secret --secret-id NAME"),
    "parameter": ("SSM parameter", "aws ssm describe-parameters"),
    "role": ("IAM role", "aws iam get-role --role-name NAME"),
    "certificate": ("ACM certificate", "aws acm list-certificates"),
    "efs-file-system": ("EFS file system", "aws efs describe-file-systems"),
    "efs-access-point": ("EFS access point", "aws efs describe-access-points"),
}


def _references(desired: DesiredState, deployed: DeployedState, params_file: str | None) -> list[Problem]:
    """What the files name must exist: secrets, parameters, EFS, the task role (read, no value)."""
    problems = []
    for ref in desired.references:
        if ref.value not in deployed.references.missing:
            continue
        what, look = _WHAT[ref.kind]
        problems.append(
            Problem(
                f"{what} {ref.value} does not exist in this account and region; the tasks could not start",
                Location(params_file or "ecs-params.yml") if ref.in_params else None,
                ref.path,
                code="reference-not-found",
                hint=f"create it first, or fix the name ({look})",
            )
        )
    return problems


def _names_taken(desired: DesiredState, deployed: DeployedState) -> list[Problem]:
    """A derived name that is another project's resource is refused, never taken over.

    Project `shop` with a service `web` in the service layout is named `shop-web`, as is project
    `shop-web`: the tags on what is deployed say whose it is.
    """
    owner = desired.owner
    problems: list[Problem] = []
    for request in desired.services:
        name = str(request["serviceName"])
        family = str(request["taskDefinition"])
        service = deployed.services.get(name)
        found = [
            (f"ECS service {name} in cluster {desired.cluster}", tags_dict(service.get("tags")))
            if service
            else None,
            (f"task definition family {family}", tags_dict(deployed.foreign_latest[family].get("tags")))
            if family in deployed.foreign_latest and family not in deployed.task_definitions
            else None,
        ]
        taken = [
            (what, maker)
            for what, tags in filter(None, found)
            if (maker := foreign_creator(tags, owner))
            # A family is shared by the project's clusters; a service is not.
            and not (maker.project == owner.project and "family" in what)
        ]
        if taken:  # one problem per service: its family is most likely taken by the same project
            what, maker = taken[0]
            key = name.removeprefix(f"{desired.project}-") if desired.layout == "service" else None
            problems.append(
                Problem(
                    f"{what} belongs to {maker.label()}; compose2ecs does not take over another "
                    "project's resources",
                    None,
                    ("services", key) if key else ("name",),
                    code="name-taken",
                    hint="choose another project name (-p / `name:`) or rename the compose service",
                )
            )
    return problems


_AWSVPC: Path = ("run_params", "network_configuration", "awsvpc_configuration")


def _balancer_subnets(
    desired: DesiredState, facts: NetworkFacts, where: Location, deployed: DeployedState | None = None
) -> list[Problem]:
    """The subnets ecs-params gives a load balancer: existing, in the tasks' VPC, one per zone.

    And in two zones at least for an Application Load Balancer: ELBv2's rules, which moto does not
    check. A Network Load Balancer's subnets can be added to, not swapped: ELBv2 takes a subnet of
    a zone it serves only once the old one is removed, in a call of its own.
    """
    vpc = _tasks_vpc(desired, facts)
    problems: list[Problem] = []
    for lb in desired.load_balancers:
        if not lb.subnets:
            continue
        zones: dict[str, str] = {}
        wrong = False
        for index, subnet in enumerate(lb.subnets):
            at = (*lb.subnets_path, index)
            why = ""
            if subnet not in facts.subnets:
                why = "does not exist in this account and region"
            elif vpc and facts.subnets[subnet] != vpc:
                why = f"is in {facts.subnets[subnet]}, the tasks in {vpc}"
            elif (zone := facts.subnet_zones.get(subnet, "")) in zones:
                why = f"is in {zone}, as {zones[zone]} is: a load balancer takes one subnet per zone"
            else:
                zones[zone] = subnet
            if why:
                wrong = True
                problems.append(
                    Problem(
                        f"subnet {subnet} {why}",
                        where,
                        at,
                        code="load-balancer-subnets",
                        hint="list subnets of the tasks' VPC, one per Availability Zone",
                    )
                )
        if lb.type == "application" and 0 < len(zones) < 2 and not wrong:  # noqa: PLR2004 - AWS's rule
            problems.append(
                Problem(
                    "an Application Load Balancer needs subnets in two Availability Zones; these are "
                    f"in {len(zones)}",
                    where,
                    lb.subnets_path,
                    code="alb-needs-two-zones",
                    hint="add a subnet of another zone",
                )
            )
        entry = (deployed.load_balancers.get(lb.name) if deployed else None) or {}
        have = {str(z.get("SubnetId")) for z in entry.get("AvailabilityZones") or []}
        if lb.type == "network" and have and not wrong and (gone := sorted(have - set(lb.subnets))):
            problems.append(
                Problem(
                    f"the Network Load Balancer {lb.name} is in {', '.join(gone)}, which this list "
                    "leaves out: ELBv2 adds subnets to a Network Load Balancer in place, but removes "
                    "or swaps one only as a change of its own",
                    where,
                    lb.subnets_path,
                    code="load-balancer-subnets",
                    hint="keep the subnets it has and add the new ones; remove one by hand "
                    "(aws elbv2 set-subnets) before naming its replacement",
                )
            )
    return problems


def _alb_zones(desired: DesiredState, facts: NetworkFacts) -> list[Problem]:
    """An Application Load Balancer needs subnets in two Availability Zones (moto does not check)."""
    if facts.default_zones is None or all(lb.subnets for lb in desired.load_balancers):
        return []
    zones = set(facts.default_zones.values())
    if len(zones) >= 2:  # noqa: PLR2004 - AWS's rule
        return []
    names = {lb.name for lb in desired.load_balancers if lb.type == "application" and not lb.subnets}
    first = next((li for li in desired.listeners if li.load_balancer in names), None)
    if first is None:
        return []
    return [
        Problem(
            f"port {first.port} needs an Application Load Balancer, which needs subnets in two "
            f"Availability Zones; the default VPC has subnets in {len(zones)}",
            None,
            first.path,
            code="alb-needs-two-zones",
            hint="add a default subnet in another zone (aws ec2 create-default-subnet "
            f"--availability-zone ZONE), or set run_params.ports.{first.port}.load_balancer: network",
        )
    ]


def _network(desired: DesiredState, deployed: DeployedState, params_file: str | None) -> list[Problem]:
    """The subnets and security groups ecs-params names exist and share a VPC; else a default VPC."""
    facts = deployed.network
    where = Location(params_file or "ecs-params.yml")
    if not facts.checked:
        return []
    if desired.uses_project_network:
        if facts.default_vpc is None:
            return [
                Problem(
                    "this region has no default VPC, and ecs-params.yml names no subnets to run the tasks in",
                    where,
                    ("run_params", "network_configuration"),
                    code="no-default-vpc",
                    hint="set run_params.network_configuration.awsvpc_configuration.subnets (and "
                    "security_groups), or create a default VPC (aws ec2 create-default-vpc)",
                )
            ]
        return [*_alb_zones(desired, facts), *_balancer_subnets(desired, facts, where, deployed)]
    problems: list[Problem] = []
    vpcs: dict[str, list[str]] = {}
    for key, yaml_key, kind, found in (
        ("subnets", "subnets", "subnet", facts.subnets),
        ("securityGroups", "security_groups", "security group", facts.security_groups),
    ):
        for index, item in enumerate(desired.awsvpc_ids(key)):
            if item in found:
                vpcs.setdefault(found[item], []).append(item)
                continue
            problems.append(
                Problem(
                    f"{kind} {item} does not exist in this account and region",
                    where,
                    (*_AWSVPC, yaml_key, index),
                    code="network-not-found",
                    hint=f"use the id of an existing {kind} (aws ec2 describe-{kind.replace(' ', '-')}s)",
                )
            )
    if desired.project_groups and not problems:
        problems += _groups_beside_the_users(desired, deployed, where)
    if desired.load_balancers and not problems:
        problems += _balancer_subnets(desired, facts, where, deployed)
    if len(vpcs) > 1:
        spread = "; ".join(f"{vpc}: {', '.join(items)}" for vpc, items in sorted(vpcs.items()))
        problems.append(
            Problem(
                f"the subnets and security groups are in different VPCs ({spread}); a task's network "
                "interface lives in one VPC",
                where,
                (*_AWSVPC,),
                code="network-vpcs",
                hint="choose subnets and security groups of one VPC",
            )
        )
    return problems


# "Security groups per network interface: 5" (Amazon VPC quotas); ECS refuses more.
_GROUPS_PER_INTERFACE = 5


def _groups_beside_the_users(
    desired: DesiredState, deployed: DeployedState, where: Location
) -> list[Problem]:
    """The project's tasks group joins the user's: room for it, and in the tasks' VPC."""
    problems = []
    given = desired.awsvpc_ids("securityGroups")
    if len(given) >= _GROUPS_PER_INTERFACE:
        problems.append(
            Problem(
                f"{len(given)} security groups are given, and the project's load balancers need one "
                f"more of the project's own: a task takes at most {_GROUPS_PER_INTERFACE}",
                where,
                (*_AWSVPC, "security_groups"),
                code="too-many-security-groups",
                hint="give at most 4, or let your groups admit the load balancer and use listener_arn",
            )
        )
    group, vpc = deployed.security_group, _tasks_vpc(desired, deployed.network)
    if group is not None and vpc and group.get("VpcId") and group["VpcId"] != vpc:
        problems.append(
            Problem(
                f"the project's security group {group.get('GroupId')} is in {group['VpcId']}, and the "
                f"subnets of ecs-params in {vpc}: a security group cannot move to another VPC",
                where,
                (*_AWSVPC, "subnets"),
                code="network-vpcs",
                hint="run `compose2ecs down --all` first, then `up` in the new VPC",
            )
        )
    return problems


def _capacity_providers(
    desired: DesiredState, deployed: DeployedState, cluster: str, params_file: str | None
) -> list[Problem]:
    # ECS refuses a strategy naming a provider the cluster lacks ("The specified capacity provider
    # strategy cannot contain a capacity provider that is not associated with the cluster").
    if deployed.cluster is None:
        return []  # compose2ecs creates the cluster, with CREATED_CLUSTER_PROVIDERS
    associated = set(deployed.cluster.get("capacityProviders") or ())
    missing: dict[str, int] = {}
    for request in desired.services:
        for index, item in enumerate(request.get("capacityProviderStrategy") or ()):
            name = str(item.get("capacityProvider"))
            if name not in associated:
                missing.setdefault(name, index)
    have = ", ".join(sorted(associated)) or "none"
    return [
        Problem(
            f"capacity provider {name} is not associated with cluster {cluster} (it has: {have}); "
            "ECS would refuse the service",
            Location(params_file or "ecs-params.yml"),
            ("run_params", "capacity_provider_strategy", index, "capacity_provider"),
            code="cluster-capacity-provider",
            hint=(
                f"add {name} to the cluster's capacity providers (ECS console, or "
                "`aws ecs put-cluster-capacity-providers`, which replaces the whole list), or "
                "deploy to a cluster compose2ecs creates (it gets FARGATE and FARGATE_SPOT)"
            ),
        )
        for name, index in missing.items()
    ]
