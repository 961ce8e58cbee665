"""`read_state`: everything AWS holds for one project, read concurrently in as few calls as the APIs allow."""

from __future__ import annotations

import json
import os
import urllib.parse
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from compose2ecs.aws.errors import aws_errors, call_or_none
from compose2ecs.errors import AwsError
from compose2ecs.model import REQUEST_TAG, family_of, tags_dict
from compose2ecs.model.deployed import (
    DeployedState,
    LogGroupState,
    NetworkFacts,
    References,
    RoleState,
    Tagged,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from compose2ecs.aws.session import Clients
    from compose2ecs.model import DesiredState, DiscoverySpec, LogGroupSpec

DESCRIBE_SERVICES_BATCH = 10  # the API's limit of names per DescribeServices call
DESCRIBE_PARAMETERS_BATCH = 50  # values per DescribeParameters Name filter
SCALABLE_DIMENSION: Literal["ecs:service:DesiredCount"] = "ecs:service:DesiredCount"
DESCRIBE_SCALABLE_TARGETS_BATCH = 50  # resource ids per DescribeScalableTargets call
DESCRIBE_LOAD_BALANCERS_BATCH = 20  # the API's limit of ARNs or names per DescribeLoadBalancers call
SHARED_PREFIX_MIN = 8  # shorter shared log-group prefixes ("/ecs/") could page through a whole account
LIVE_SERVICE_STATUSES = ("ACTIVE", "DRAINING")
NO_ENTITY = frozenset({"NoSuchEntity"})
CLUSTER_MISSING = frozenset({"ClusterNotFoundException"})


def plain(value: Mapping[str, Any]) -> dict[str, Any]:
    """A boto3 response TypedDict as the plain dict the model carries."""
    return dict(value)


def decode_policy(document: Any) -> dict[str, Any]:
    """IAM policy documents are URL-encoded JSON on the wire; boto3 usually decodes them already."""
    if isinstance(document, str):
        decoded: dict[str, Any] = json.loads(urllib.parse.unquote(document))
        return decoded
    return dict(document)


def batches(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def shared_prefix(names: list[str]) -> str:
    """The one DescribeLogGroups prefix for `names`, or "" when one call per name is cheaper."""
    if len(names) == 1:
        return names[0]
    prefix = os.path.commonprefix(names)  # noqa: RUF071 - DescribeLogGroups prefixes are character-wise
    return prefix if len(prefix) >= SHARED_PREFIX_MIN else ""


_ELB_DESCRIBE = {
    "LoadBalancers": "describe_load_balancers",
    "TargetGroups": "describe_target_groups",
    "Listeners": "describe_listeners",
}


def _forwards(rule: dict[str, Any]) -> set[str]:
    """The target group ARNs a listener rule forwards to."""
    out = set()
    for action in rule.get("Actions") or []:
        if action.get("TargetGroupArn"):
            out.add(str(action["TargetGroupArn"]))
        for group in (action.get("ForwardConfig") or {}).get("TargetGroups") or []:
            out.add(str(group.get("TargetGroupArn")))
    return out


@dataclass
class _Pending:
    """The reads in flight."""

    cluster: Future[dict[str, Any] | None]
    services: list[Future[dict[str, dict[str, Any]]]]
    families: dict[str, Future[dict[str, Any] | None]]
    roles: dict[
        str,
        tuple[
            Future[dict[str, Any] | None],
            Future[tuple[str, ...] | None],
            Future[dict[str, dict[str, Any]] | None],
        ],
    ]
    log_groups: list[Future[dict[tuple[str, str], LogGroupState]]]
    security_group: Future[tuple[dict[str, Any] | None, dict[str, Any] | None]] | None
    namespace: Future[dict[str, Any] | None] | None
    dns_namespace: Future[dict[str, Any] | None] | None
    account: Future[str] | None
    file_system: Future[dict[str, Any] | None] | None
    file_parameters: Future[list[str]] | None
    secrets: Future[dict[str, dict[str, Any]]] | None
    network: Future[NetworkFacts] | None
    tagged: Future[Tagged]
    references: Future[References] | None
    balancers: Future[list[dict[str, Any]]] | None
    target_groups: Future[list[dict[str, Any]]] | None
    reused: Future[list[dict[str, Any]]] | None
    listeners: Future[dict[str, dict[str, Any]]] | None
    scaling: Future[dict[str, dict[str, Any]]] | None


class StateReader:
    """One read of the deployed state; each `_read_*` method is one unit of work for the pool."""

    def __init__(self, clients: Clients, max_workers: int) -> None:
        self.clients = clients
        self.max_workers = max_workers

    def read(self, desired: DesiredState, cluster: str) -> DeployedState:
        # A deployment known only by name may have a group to remove; one with a network of the
        # user's has groups only for load balancers of its own (else the tagging read finds any
        # left to remove, and they are read then).
        want_sg = desired.uses_project_network or desired.known_by_name or desired.project_groups
        # The network is always read: the project's default VPC, or the subnets ecs-params names.
        want_ec2 = want_sg or bool(desired.awsvpc_ids("subnets") or desired.awsvpc_ids("securityGroups"))
        # Every client is made before the threads start: sessions are not thread-safe.
        self.clients.prepare(
            ec2=want_ec2,
            servicediscovery=bool(desired.namespace or desired.discovery),
            log_regions={group.region for group in desired.log_groups},
            references=bool(desired.references or desired.file_parameters or desired.secrets),
            efs=desired.file_system is not None,
            elbv2=bool(
                desired.load_balancers
                or desired.target_groups
                or desired.reused_target_groups
                or desired.listener_rules
            ),
        )
        state = DeployedState()
        # Not `with`: its exit waits for every running call, and after the first failure (an
        # endpoint that never answers) the others would only add their own retry budgets.
        pool = ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="read-state")
        try:
            pending = self._submit(pool, desired, cluster, want_sg=want_sg, want_ec2=want_ec2)
            self._collect_ecs(pending, state)
            self._collect_rest(pending, state)
            self._read_what_the_files_dropped(desired, state)
            self._own_revisions_and_orphans(pool, desired, cluster, state)
            self._read_load_balancing(pool, pending, state)
            state.discovery = self._read_discovery(desired, pending, state)
            if pending.security_group is None and state.tagged.security_groups:
                state.security_group, state.lb_security_group = self._read_security_groups(desired)
                if desired.file_system is None:
                    # The project's group goes: a file system kept from an earlier volume may
                    # still have mount targets in it, which must go first.
                    state.file_system = self.read_file_system(desired.owner.creation_token)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)  # the first failure is the answer
            raise
        pool.shutdown(wait=True)
        return state

    def read_services(self, desired: DesiredState, cluster: str) -> DeployedState:
        """The services `desired` names and the deployment's tagged ones: what `down` and `scale` need."""
        self.clients.prepare(ec2=False, servicediscovery=False, log_regions=())
        state = DeployedState()
        names = [str(s["serviceName"]) for s in desired.services]
        with ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="read-services") as pool:
            tagged = pool.submit(self.read_tagged, desired.owner.tags(), cluster)
            reads = [
                pool.submit(self._read_services, cluster, b) for b in batches(names, DESCRIBE_SERVICES_BATCH)
            ]
            for read in reads:
                state.services.update(read.result())
            state.tagged = tagged.result()
            orphans = sorted(set(state.tagged.services) - set(names))
            for read in [
                pool.submit(self._read_services, cluster, b)
                for b in batches(orphans, DESCRIBE_SERVICES_BATCH)
            ]:
                state.orphans.update(read.result())
        return state

    def _submit(
        self, pool: ThreadPoolExecutor, desired: DesiredState, cluster: str, *, want_sg: bool, want_ec2: bool
    ) -> _Pending:
        names = [str(s["serviceName"]) for s in desired.services]
        return _Pending(
            cluster=pool.submit(self.read_cluster, cluster),
            services=[
                pool.submit(self._read_services, cluster, batch)
                for batch in batches(names, DESCRIBE_SERVICES_BATCH)
            ],
            families={
                str(td["family"]): pool.submit(self.read_task_definition, str(td["family"]))
                for td in desired.task_definitions
            },
            roles={
                role.name: (
                    pool.submit(self._read_role, role.name),
                    pool.submit(self._read_attached_policies, role.name),
                    pool.submit(self._read_inline_policies, role.name),
                )
                for role in desired.roles
            },
            log_groups=[
                pool.submit(self._read_log_groups, region, groups)
                for region, groups in _by_region(desired.log_groups).items()
            ],
            security_group=pool.submit(self._read_security_groups, desired) if want_sg else None,
            namespace=pool.submit(self._read_namespace, desired.namespace) if desired.namespace else None,
            dns_namespace=pool.submit(self._read_dns_namespace, desired.discovery)
            if desired.discovery
            else None,
            account=pool.submit(self._read_account) if desired.needs_account else None,
            secrets=pool.submit(self._read_secrets, desired) if desired.secrets else None,
            file_parameters=pool.submit(self.list_parameters, desired.file_parameter_prefix)
            if desired.file_parameters
            else None,
            file_system=pool.submit(self.read_file_system, desired.file_system.creation_token)
            if desired.file_system
            else None,
            network=pool.submit(self._read_network, desired) if want_ec2 else None,
            tagged=pool.submit(self.read_tagged, desired.owner.tags(), cluster),
            references=pool.submit(self._read_references, desired) if desired.references else None,
            # By name, in the first round: what the files name needs no wait for the tagging answer.
            balancers=pool.submit(
                self.elb_lookup, "LoadBalancers", "Names", [lb.name for lb in desired.load_balancers]
            )
            if desired.load_balancers
            else None,
            target_groups=pool.submit(
                self.elb_lookup, "TargetGroups", "Names", [tg.name for tg in desired.target_groups]
            )
            if desired.target_groups
            else None,
            scaling=pool.submit(self.read_scaling, cluster, names) if names else None,
            reused=pool.submit(
                self.elb_lookup,
                "TargetGroups",
                "TargetGroupArns",
                sorted({ref.target_group_arn for ref in desired.reused_target_groups}),
            )
            if desired.reused_target_groups
            else None,
            listeners=pool.submit(
                self.read_listeners, sorted({rule.listener_arn for rule in desired.listener_rules})
            )
            if desired.listener_rules
            else None,
        )

    @staticmethod
    def _collect_ecs(pending: _Pending, state: DeployedState) -> None:
        """The services and the latest ACTIVE revision of each family."""
        for services_f in pending.services:
            state.services.update(services_f.result())
        for family, latest_f in pending.families.items():
            latest = latest_f.result()
            if latest is not None:
                state.task_definitions[family] = latest

    @staticmethod
    def _collect_rest(pending: _Pending, state: DeployedState) -> None:
        state.cluster = pending.cluster.result()
        for name, (role_f, attached_f, inline_f) in pending.roles.items():
            role, attached, inline = role_f.result(), attached_f.result(), inline_f.result()
            if role is not None and attached is not None and inline is not None:
                state.roles[name] = RoleState(role, attached, inline)
        for groups_f in pending.log_groups:
            state.log_groups.update(groups_f.result())
        if pending.security_group is not None:
            state.security_group, state.lb_security_group = pending.security_group.result()
        state.namespace = pending.namespace.result() if pending.namespace else None
        state.account = pending.account.result() if pending.account else None
        state.file_system = pending.file_system.result() if pending.file_system else None
        if pending.secrets is not None:
            state.secrets = pending.secrets.result()
        if pending.file_parameters is not None:
            state.file_parameters = pending.file_parameters.result()
        if pending.network is not None:
            state.network = pending.network.result()
        state.tagged = pending.tagged.result()
        if pending.references is not None:
            state.references = pending.references.result()
        if pending.scaling is not None:
            state.scaling = pending.scaling.result()
        if pending.reused is not None:
            state.reused_target_groups = {str(tg["TargetGroupArn"]): tg for tg in pending.reused.result()}
        if pending.listeners is not None:
            state.foreign_listeners = pending.listeners.result()

    def _own_revisions_and_orphans(
        self, pool: ThreadPoolExecutor, desired: DesiredState, cluster: str, state: DeployedState
    ) -> None:
        """The second round, only where the first found something: it needs the tagged resources.

        A family's latest revision may be another deployment's (the same project in another
        cluster) or registered by hand; the plan compares with this deployment's own latest.
        Services tagged as this deployment's that the files do not define are its orphans.
        """
        owner = desired.owner
        own_latest: dict[str, str] = {}
        for arn in state.tagged.task_definitions:
            family = family_of(arn)
            if family in state.task_definitions and _revision(arn) > _revision(own_latest.get(family, "")):
                own_latest[family] = arn
        foreign = [
            family
            for family, latest in state.task_definitions.items()
            if not owner.owns(tags_dict(latest.get("tags")))
        ]
        refetch = {
            family: pool.submit(self.read_task_definition, own_latest[family])
            for family in foreign
            if family in own_latest
        }
        wanted = {str(s["serviceName"]) for s in desired.services}
        orphan_names = sorted(name for name in state.tagged.services if name not in wanted)
        orphan_reads = [
            pool.submit(self._read_services, cluster, batch)
            for batch in batches(orphan_names, DESCRIBE_SERVICES_BATCH)
        ]
        for family in foreign:
            state.foreign_latest[family] = state.task_definitions.pop(family)
            mine = refetch[family].result() if family in refetch else None
            if mine is not None and mine.get("status", "ACTIVE") == "ACTIVE":
                state.task_definitions[family] = mine
        for read in orphan_reads:
            state.orphans.update(read.result())

    # Application Auto Scaling ----------------------------------------------------------------

    def read_scaling(self, cluster: str, services: list[str]) -> dict[str, dict[str, Any]]:
        """The scalable targets of these ECS services, each with its policies ("Policies": by name).

        Read whether or not the files ask for autoscaling: one the files no longer ask for is
        deregistered, else it would go on changing the service's count.
        """
        aas = self.clients.autoscaling
        ids = [f"service/{cluster}/{name}" for name in services]
        found: dict[str, dict[str, Any]] = {}
        for batch in batches(ids, DESCRIBE_SCALABLE_TARGETS_BATCH):
            with aws_errors("application-autoscaling:DescribeScalableTargets", ",".join(batch)):
                answer = aas.describe_scalable_targets(
                    ServiceNamespace="ecs", ResourceIds=batch, ScalableDimension=SCALABLE_DIMENSION
                )
            for entry in answer.get("ScalableTargets", []):
                found[str(entry["ResourceId"]).rsplit("/", 1)[-1]] = plain(entry)
        for target in found.values():
            resource = str(target["ResourceId"])
            with aws_errors("application-autoscaling:DescribeScalingPolicies", resource):
                pages = aas.get_paginator("describe_scaling_policies").paginate(
                    ServiceNamespace="ecs", ResourceId=resource, ScalableDimension=SCALABLE_DIMENSION
                )
                target["Policies"] = {
                    str(p["PolicyName"]): plain(p) for page in pages for p in page.get("ScalingPolicies", [])
                }
        return found

    # Load balancers --------------------------------------------------------------------------

    def _read_load_balancing(self, pool: ThreadPoolExecutor, pending: _Pending, state: DeployedState) -> None:
        """The deployment's load balancers with their listeners, its target groups with their attributes.

        Those the files name were looked up by name in the first round; the tagging answer adds
        the deployment's others (no port publishes them any more). The tagging index lags behind
        ELBv2 both ways: it may list what was just deleted (a batch describe then fails as a
        whole, so each is looked up alone and the missing ones skipped), and miss what was just
        created (found by name all the same, its tags read apart).
        """
        tagged = state.tagged
        by_name = {
            "LoadBalancers": pending.balancers.result() if pending.balancers else [],
            "TargetGroups": pending.target_groups.result() if pending.target_groups else [],
        }
        if not (tagged.load_balancers or tagged.target_groups or any(by_name.values())):
            return
        elbv2 = self.clients.elbv2  # made here, before the pool's threads use it
        balancers_f = pool.submit(
            self._describe_elb, "LoadBalancers", by_name["LoadBalancers"], tagged.load_balancers
        )
        groups_f = pool.submit(
            self._describe_elb, "TargetGroups", by_name["TargetGroups"], tagged.target_groups
        )
        balancers, groups = balancers_f.result(), groups_f.result()

        def listeners(arn: str) -> list[dict[str, Any]]:
            with aws_errors("elasticloadbalancing:DescribeListeners", arn):
                pages = elbv2.get_paginator("describe_listeners").paginate(LoadBalancerArn=arn)
                return [plain(li) for page in pages for li in page.get("Listeners", [])]

        def attributes(arn: str) -> dict[str, str]:
            with aws_errors("elasticloadbalancing:DescribeTargetGroupAttributes", arn):
                found = elbv2.describe_target_group_attributes(TargetGroupArn=arn).get("Attributes", [])
            return {str(a["Key"]): str(a.get("Value", "")) for a in found}

        listener_f = {
            str(lb["LoadBalancerArn"]): pool.submit(listeners, str(lb["LoadBalancerArn"])) for lb in balancers
        }
        attribute_f = {
            str(tg["TargetGroupArn"]): pool.submit(attributes, str(tg["TargetGroupArn"])) for tg in groups
        }
        for lb in balancers:
            name = str(lb["LoadBalancerName"])
            state.load_balancers[name] = lb
            state.listeners[name] = listener_f[str(lb["LoadBalancerArn"])].result()
        for tg in groups:
            state.target_groups[str(tg["TargetGroupName"])] = {
                **tg,
                "Attributes": attribute_f[str(tg["TargetGroupArn"])].result(),
            }
        # A target group on someone else's load balancer: a rule of a listener ecs-params no longer
        # names (another listener of the same load balancer, maybe) forwards to it, and must go
        # before the group can. The listeners already read are not read again.
        known = {str(lb["LoadBalancerArn"]) for lb in balancers}
        others = sorted(
            {arn for tg in groups for arn in tg.get("LoadBalancerArns") or [] if arn not in known}
        )
        if others:
            ours = {str(tg["TargetGroupArn"]) for tg in groups}
            for arn, listener in self._read_listeners_of(others, set(state.foreign_listeners)).items():
                if any(ours & _forwards(rule) for rule in listener["Rules"]):
                    state.foreign_listeners[arn] = listener

    def _describe_elb(
        self, kind: str, found_by_name: list[dict[str, Any]], tags: dict[str, dict[str, str]]
    ) -> list[dict[str, Any]]:
        """The entries found by name, and by ARN those the tagging answer adds; each with "Tags".

        Tags come from the tagging answer, else (just created) from DescribeTags.
        """
        single = kind[:-1]  # LoadBalancer | TargetGroup
        found = {str(entry[f"{single}Arn"]): entry for entry in found_by_name}
        for entry in self.elb_lookup(kind, f"{single}Arns", sorted(arn for arn in tags if arn not in found)):
            found[str(entry[f"{single}Arn"])] = entry
        untagged = [arn for arn in found if arn not in tags]
        read = self._elb_tags(untagged) if untagged else {}
        return [{**entry, "Tags": tags.get(arn) or read.get(arn, {})} for arn, entry in found.items()]

    def read_listeners(self, arns: list[str]) -> dict[str, dict[str, Any]]:
        """The listeners ecs-params names (those that exist), with their load balancer and rules."""
        return self._with_rules(self.elb_lookup("Listeners", "ListenerArns", arns))

    def _read_listeners_of(self, balancers: list[str], read: set[str]) -> dict[str, dict[str, Any]]:
        """Every listener of these load balancers but those `read` already, with its rules."""
        found: list[dict[str, Any]] = []
        for arn in balancers:
            with aws_errors("elasticloadbalancing:DescribeListeners", arn):
                pages = self.clients.elbv2.get_paginator("describe_listeners").paginate(LoadBalancerArn=arn)
                found += [plain(li) for page in pages for li in page.get("Listeners", [])]
        return self._with_rules([li for li in found if str(li["ListenerArn"]) not in read])

    def _with_rules(self, listeners: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        elbv2 = self.clients.elbv2
        balancers = {
            str(lb["LoadBalancerArn"]): lb
            for lb in self.elb_lookup(
                "LoadBalancers", "LoadBalancerArns", sorted({str(li["LoadBalancerArn"]) for li in listeners})
            )
        }
        out: dict[str, dict[str, Any]] = {}
        for listener in listeners:
            arn = str(listener["ListenerArn"])
            with aws_errors("elasticloadbalancing:DescribeRules", arn):
                pages = elbv2.get_paginator("describe_rules").paginate(ListenerArn=arn)
                rules = [plain(rule) for page in pages for rule in page.get("Rules", [])]
            # The default rule carries no tags of its own: it is the listener's.
            tags = self._elb_tags([str(r["RuleArn"]) for r in rules if not r.get("IsDefault")])
            out[arn] = {
                **listener,
                "LoadBalancer": balancers.get(str(listener["LoadBalancerArn"])),
                "Rules": [{**rule, "Tags": tags.get(str(rule["RuleArn"]), {})} for rule in rules],
            }
        return out

    def elb_lookup(self, kind: str, key: str, values: list[str]) -> list[dict[str, Any]]:
        """One batch call per 20 values; a NotFound answer (one value is gone) means one call each."""
        missing = frozenset({"LoadBalancerNotFound", "TargetGroupNotFound", "ListenerNotFound"})
        method = getattr(self.clients.elbv2, _ELB_DESCRIBE[kind])
        action = f"elasticloadbalancing:Describe{kind}"
        out: list[dict[str, Any]] = []

        def describe(items: list[str]) -> Callable[[], Any]:
            return lambda: method(**{key: items})

        for batch in batches(values, DESCRIBE_LOAD_BALANCERS_BATCH):
            answer = call_or_none(action, ",".join(batch), describe(batch), missing)
            if answer is not None:
                out.extend(plain(entry) for entry in answer.get(kind, []))
                continue
            for value in batch if len(batch) > 1 else []:  # one value: its answer was the NotFound
                one = call_or_none(action, value, describe([value]), missing)
                out.extend(plain(entry) for entry in (one or {}).get(kind, []))
        return out

    def _elb_tags(self, arns: list[str]) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for batch in batches(arns, DESCRIBE_LOAD_BALANCERS_BATCH):
            with aws_errors("elasticloadbalancing:DescribeTags", ",".join(batch)):
                described = self.clients.elbv2.describe_tags(ResourceArns=batch).get("TagDescriptions", [])
            out.update({str(d["ResourceArn"]): tags_dict(d.get("Tags")) for d in described})
        return out

    # ECS -------------------------------------------------------------------------------------

    def read_cluster(self, name: str) -> dict[str, Any] | None:
        with aws_errors("ecs:DescribeClusters", name):
            response = self.clients.ecs.describe_clusters(clusters=[name], include=["TAGS"])
        for cluster in response.get("clusters", []):
            if cluster.get("status") == "ACTIVE":
                return plain(cluster)
        return None

    def _read_services(self, cluster: str, names: list[str]) -> dict[str, dict[str, Any]]:
        response = call_or_none(
            "ecs:DescribeServices",
            cluster,
            lambda: self.clients.ecs.describe_services(cluster=cluster, services=names, include=["TAGS"]),
            CLUSTER_MISSING,
        )
        if response is None:
            return {}
        return {
            str(s["serviceName"]): plain(s)
            for s in response.get("services", [])
            if s.get("status") in LIVE_SERVICE_STATUSES
        }

    def read_task_definition(self, name: str, *, request_tag: bool = False) -> dict[str, Any] | None:
        """`name` is a family (latest ACTIVE revision), `family:revision` or an ARN; None when absent.

        The gateway's REQUEST_TAG is left out unless `request_tag` (it is the gateway's own).
        """
        response = call_or_none(
            "ecs:DescribeTaskDefinition",
            name,
            lambda: self.clients.ecs.describe_task_definition(taskDefinition=name, include=["TAGS"]),
            frozenset({"ClientException"}),
            "Unable to describe task definition",
        )
        if response is None:
            return None
        task_definition = plain(response["taskDefinition"])
        task_definition["tags"] = [
            plain(tag) for tag in response.get("tags", []) if request_tag or tag.get("key") != REQUEST_TAG
        ]
        return task_definition

    def read_tagged(self, tags: dict[str, str], cluster: str) -> Tagged:
        """What carries `tags`: ECS services (in `cluster`), revisions, load balancers and groups."""
        services: dict[str, str] = {}
        revisions: set[str] = set()
        balancers: dict[str, dict[str, str]] = {}
        groups: dict[str, dict[str, str]] = {}
        security_groups: set[str] = set()
        with aws_errors("tag:GetResources", tags.get("compose2ecs:project", "")):
            pages = self.clients.tagging.get_paginator("get_resources").paginate(
                TagFilters=[{"Key": key, "Values": [value]} for key, value in tags.items()],
                ResourceTypeFilters=[
                    "ecs:service",
                    "ecs:task-definition",
                    "elasticloadbalancing:loadbalancer",
                    "elasticloadbalancing:targetgroup",
                    "ec2:security-group",
                    "servicediscovery:service",
                    "servicediscovery:namespace",
                ],
            )
            found = {
                str(r["ResourceARN"]): tags_dict(r.get("Tags"))
                for page in pages
                for r in page.get("ResourceTagMappingList", [])
            }
        discovery: dict[str, dict[str, str]] = {}
        for arn, resource_tags in found.items():
            resource = arn.split(":", 5)[-1]
            kind, _, rest = resource.partition("/")
            if arn.split(":")[2:3] == ["servicediscovery"]:
                discovery[arn] = resource_tags  # service/srv-..., namespace/ns-...
            elif kind == "security-group":
                security_groups.add(rest)
            elif kind == "loadbalancer":
                balancers[arn] = resource_tags
            elif kind == "targetgroup":
                groups[arn] = resource_tags
            elif kind == "task-definition":
                revisions.add(arn)
            elif kind == "service":
                # service/<cluster>/<name>: the ARN format ECS uses for every service since 2021.
                service_cluster, _, name = rest.rpartition("/")
                if service_cluster == cluster:
                    services[name] = arn
        return Tagged(
            services, frozenset(revisions), balancers, groups, frozenset(security_groups), discovery
        )

    # What the files reference ------------------------------------------------------------------

    def _read_references(self, desired: DesiredState) -> References:
        """Look up what the files name: secrets, parameters, EFS, the task role (metadata, no value).

        References to another region are not checked: the task reads them there.
        """
        region = desired.region
        checked: set[str] = set()
        missing: set[str] = set()
        parameters: dict[str, str] = {}  # parameter name -> reference
        secret_arns: dict[str, str] = {}
        for ref in desired.references:
            if ref.kind == "secret-name":
                arn = self._secret_arn(ref.value)
                checked.add(ref.value)
                if arn is None:
                    missing.add(ref.value)
                else:
                    secret_arns[ref.value] = arn
                continue
            if ref.value.startswith("arn:") and ref.value.split(":")[3:4] != [region] and ref.kind != "role":
                continue
            if ref.kind == "parameter":
                parameters[_parameter_name(ref.value)] = ref.value
                checked.add(ref.value)
                continue
            try:
                found = self._reference_exists(ref.kind, ref.value)
            except AwsError as error:
                if "AccessDenied" not in error.code:
                    raise
                continue  # another account's, or not readable by this identity: left to the task
            checked.add(ref.value)
            if not found:
                missing.add(ref.value)
        names = sorted(parameters)
        found_names: set[str] = set()
        for batch in batches(names, DESCRIBE_PARAMETERS_BATCH):
            with aws_errors("ssm:DescribeParameters", ",".join(batch)):
                pages = self.clients.ssm.get_paginator("describe_parameters").paginate(
                    ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": batch}]
                )
                found_names.update(str(p["Name"]) for page in pages for p in page.get("Parameters", []))
        missing.update(parameters[name] for name in names if name not in found_names)
        return References(frozenset(checked), frozenset(missing), secret_arns)

    def _reference_exists(self, kind: str, value: str) -> bool:
        if kind == "secret":
            return self._secret_exists(":".join(value.split(":")[:7]))
        if kind == "certificate":
            found = call_or_none(
                "acm:DescribeCertificate",
                value,
                lambda: self.clients.acm.describe_certificate(CertificateArn=value),
                frozenset({"ResourceNotFoundException"}),
            )
            return found is not None
        if kind == "efs-file-system":
            systems = call_or_none(
                "elasticfilesystem:DescribeFileSystems",
                value,
                lambda: self.clients.efs.describe_file_systems(FileSystemId=value.rsplit("/", 1)[-1]),
                frozenset({"FileSystemNotFound"}),
            )
            return systems is not None and bool(systems.get("FileSystems"))
        if kind == "efs-access-point":
            points = call_or_none(
                "elasticfilesystem:DescribeAccessPoints",
                value,
                lambda: self.clients.efs.describe_access_points(AccessPointId=value.rsplit("/", 1)[-1]),
                frozenset({"AccessPointNotFound"}),
            )
            return points is not None and bool(points.get("AccessPoints"))
        return self._read_role(value.rsplit("/", 1)[-1]) is not None

    def _secret_arn(self, name: str) -> str | None:
        """The ARN of the secret of that name (ECS wants the ARN), if it exists and is not deleted."""
        found = call_or_none(
            "secretsmanager:DescribeSecret",
            name,
            lambda: self.clients.secretsmanager.describe_secret(SecretId=name),
            frozenset({"ResourceNotFoundException"}),
        )
        return str(found["ARN"]) if found is not None and found.get("DeletedDate") is None else None

    def _secret_exists(self, secret: str) -> bool:
        found = call_or_none(
            "secretsmanager:DescribeSecret",
            secret,
            lambda: self.clients.secretsmanager.describe_secret(SecretId=secret),
            frozenset({"ResourceNotFoundException"}),
        )
        # A secret scheduled for deletion is still described, but no task can read it.
        return found is not None and found.get("DeletedDate") is None

    # IAM -------------------------------------------------------------------------------------

    def _read_role(self, name: str) -> dict[str, Any] | None:
        response = call_or_none(
            "iam:GetRole", name, lambda: self.clients.iam.get_role(RoleName=name), NO_ENTITY
        )
        if response is None:
            return None
        role = plain(response["Role"])
        role["AssumeRolePolicyDocument"] = decode_policy(role.get("AssumeRolePolicyDocument", {}))
        # GetRole returns Tags whenever the role has any (AWS and moto alike), so no ListRoleTags call.
        role["Tags"] = [plain(tag) for tag in role.get("Tags", [])]
        return role

    def _read_attached_policies(self, name: str) -> tuple[str, ...] | None:
        paginator = self.clients.iam.get_paginator("list_attached_role_policies")
        arns = call_or_none(
            "iam:ListAttachedRolePolicies",
            name,
            lambda: [
                str(policy["PolicyArn"])
                for page in paginator.paginate(RoleName=name)
                for policy in page.get("AttachedPolicies", [])
            ],
            NO_ENTITY,
        )
        return None if arns is None else tuple(sorted(arns))

    def _read_inline_policies(self, name: str) -> dict[str, dict[str, Any]] | None:
        paginator = self.clients.iam.get_paginator("list_role_policies")
        policy_names = call_or_none(
            "iam:ListRolePolicies",
            name,
            lambda: [
                str(p) for page in paginator.paginate(RoleName=name) for p in page.get("PolicyNames", [])
            ],
            NO_ENTITY,
        )
        if policy_names is None:
            return None
        documents: dict[str, dict[str, Any]] = {}
        for policy_name in policy_names:
            document = self._read_inline_policy(name, policy_name)
            if document is not None:  # else deleted between the two calls
                documents[policy_name] = document
        return documents

    def _read_inline_policy(self, role: str, policy: str) -> dict[str, Any] | None:
        response = call_or_none(
            "iam:GetRolePolicy",
            f"{role}/{policy}",
            lambda: self.clients.iam.get_role_policy(RoleName=role, PolicyName=policy),
            NO_ENTITY,
        )
        return None if response is None else decode_policy(response["PolicyDocument"])

    # CloudWatch Logs -------------------------------------------------------------------------

    def _read_log_groups(
        self, region: str, groups: list[LogGroupSpec]
    ) -> dict[tuple[str, str], LogGroupState]:
        logs = self.clients.logs(region)
        wanted = {group.name for group in groups}
        prefix = shared_prefix(sorted(wanted))
        prefixes = [prefix] if prefix else sorted(wanted)
        found: dict[str, dict[str, Any]] = {}
        for each in prefixes:
            with aws_errors("logs:DescribeLogGroups", each):
                for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=each):
                    for entry in page.get("logGroups", []):
                        if entry.get("logGroupName") in wanted:
                            found[str(entry["logGroupName"])] = plain(entry)
        states: dict[tuple[str, str], LogGroupState] = {}
        for name, group in found.items():
            arn = str(group.get("logGroupArn") or str(group.get("arn", "")).removesuffix(":*"))
            with aws_errors("logs:ListTagsForResource", name):
                tags = logs.list_tags_for_resource(resourceArn=arn).get("tags", {})
            retention = group.get("retentionInDays")
            states[region, name] = LogGroupState(
                name, region, int(retention) if retention else None, dict(tags), arn
            )
        return states

    # EC2 and Cloud Map -----------------------------------------------------------------------

    def _read_security_groups(
        self, desired: DesiredState
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """The deployment's own groups (the tasks', the load balancers'), in one call.

        Found by all the ownership tags, never by name alone; the name then tells the two apart.
        """
        owner = desired.owner
        ec2 = self.clients.ec2
        with aws_errors("ec2:DescribeSecurityGroups", owner.project):
            pages = ec2.get_paginator("describe_security_groups").paginate(
                Filters=[{"Name": f"tag:{key}", "Values": [value]} for key, value in owner.tags().items()]
            )
            groups = [plain(g) for page in pages for g in page.get("SecurityGroups", [])]
        groups.sort(key=lambda g: str(g.get("GroupId", "")))
        lb_name = desired.lb_security_group_name
        balancers = next((g for g in groups if g.get("GroupName") == lb_name), None)
        tasks = [g for g in groups if g.get("GroupName") != lb_name]
        named = [g for g in tasks if g.get("GroupName") == desired.security_group_name]
        chosen = named or tasks
        return (chosen[0] if chosen else None), balancers

    def _read_network(self, desired: DesiredState) -> NetworkFacts:
        """The subnets and security groups ecs-params names (those that exist), or the default VPC.

        Filters, not ids: DescribeSubnets(SubnetIds=[...]) fails on the first unknown id, and the
        preflight wants to name every one that is missing. One call per kind.
        """
        ec2 = self.clients.ec2
        subnets, groups = desired.awsvpc_ids("subnets"), desired.awsvpc_ids("securityGroups")
        # The load balancers' subnets ecs-params names are read with the tasks': one call.
        named = sorted({*subnets, *(s for lb in desired.load_balancers for s in lb.subnets)})
        found_subnets: dict[str, str] = {}
        found_zones: dict[str, str] = {}
        found_groups: dict[str, str] = {}
        if named:
            with aws_errors("ec2:DescribeSubnets", ",".join(named)):
                pages = ec2.get_paginator("describe_subnets").paginate(
                    Filters=[{"Name": "subnet-id", "Values": named}]
                )
                described = [s for p in pages for s in p.get("Subnets", [])]
            found_subnets = {str(s["SubnetId"]): str(s["VpcId"]) for s in described}
            found_zones = {str(s["SubnetId"]): str(s.get("AvailabilityZone", "")) for s in described}
        if groups:
            with aws_errors("ec2:DescribeSecurityGroups", ",".join(groups)):
                group_pages = ec2.get_paginator("describe_security_groups").paginate(
                    Filters=[{"Name": "group-id", "Values": groups}]
                )
                found_groups = {
                    str(g["GroupId"]): str(g.get("VpcId", ""))
                    for p in group_pages
                    for g in p.get("SecurityGroups", [])
                }
        if subnets:
            return NetworkFacts(
                checked=True, subnets=found_subnets, security_groups=found_groups, subnet_zones=found_zones
            )
        with aws_errors("ec2:DescribeVpcs", "default VPC"):
            vpcs = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}]).get("Vpcs", [])
        default = str(vpcs[0]["VpcId"]) if vpcs else None
        zones = None
        if default and (desired.file_system or any(not lb.subnets for lb in desired.load_balancers)):
            # A load balancer takes one subnet per zone, and an ALB needs two zones (the preflight).
            with aws_errors("ec2:DescribeSubnets", default):
                pages = ec2.get_paginator("describe_subnets").paginate(
                    Filters=[{"Name": "vpc-id", "Values": [default]}]
                )
                found = [s for page in pages for s in page.get("Subnets", [])]
            chosen = [s for s in found if s.get("DefaultForAz")] or found  # as default_vpc_subnets picks
            zones = {str(s["SubnetId"]): str(s.get("AvailabilityZone", "")) for s in chosen}
        return NetworkFacts(
            checked=True,
            subnets=found_subnets,
            security_groups=found_groups,
            default_vpc=default,
            default_zones=zones,
            subnet_zones=found_zones,
        )

    def list_secrets(self, prefix: str) -> dict[str, dict[str, Any]]:
        """The secrets named `prefix...`: name -> ListSecrets entry (metadata only, no value)."""
        with aws_errors("secretsmanager:ListSecrets", prefix):
            pages = self.clients.secretsmanager.get_paginator("list_secrets").paginate(
                Filters=[{"Key": "name", "Values": [prefix]}]
            )
            found = [plain(s) for page in pages for s in page.get("SecretList", [])]
        # The name filter matches prefixes of any word; keep the exact prefix.
        return {str(s["Name"]): s for s in found if str(s["Name"]).startswith(prefix)}

    def _read_secrets(self, desired: DesiredState) -> dict[str, dict[str, Any]]:
        """The deployment's secrets, each with "Matches": its stored value equals the files' value.

        The values are compared here and go no further: no field of the state holds one.
        """
        found = self.list_secrets(desired.secret_prefix)
        wanted = {s.name: s.value for s in desired.secrets}
        for name, entry in found.items():
            if name in wanted:
                with aws_errors("secretsmanager:GetSecretValue", name):
                    stored = self.clients.secretsmanager.get_secret_value(SecretId=str(entry["ARN"]))
                entry["Matches"] = stored.get("SecretString") == wanted[name]
        return found

    def _read_what_the_files_dropped(self, desired: DesiredState, state: DeployedState) -> None:
        """Kept secrets and file parameters the files no longer name, but the deployed revisions do.

        Read only then (no call for a project that never had any), so that `up` deletes them.
        """
        deployed = json.dumps(list(state.task_definitions.values()), default=str)
        if not desired.secrets and f":secret:{desired.secret_prefix}" in deployed:
            state.secrets = self._read_secrets(desired)
        if not desired.file_parameters and desired.file_parameter_prefix in deployed:
            state.file_parameters = self.list_parameters(desired.file_parameter_prefix)

    def list_parameters(self, prefix: str) -> list[str]:
        """The SSM parameters under `prefix` (names only: their values are never read)."""
        with aws_errors("ssm:DescribeParameters", prefix):
            pages = self.clients.ssm.get_paginator("describe_parameters").paginate(
                ParameterFilters=[{"Key": "Path", "Option": "Recursive", "Values": [prefix.rstrip("/")]}]
            )
            return sorted(str(p["Name"]) for page in pages for p in page.get("Parameters", []))

    def read_file_system(self, creation_token: str) -> dict[str, Any] | None:
        """The file system of this creation token, with "AccessPoints" and "MountTargets" (3 calls)."""
        efs = self.clients.efs
        with aws_errors("elasticfilesystem:DescribeFileSystems", creation_token):
            found = efs.describe_file_systems(CreationToken=creation_token).get("FileSystems", [])
        if not found:
            return None
        entry = plain(found[0])
        file_system_id = str(entry["FileSystemId"])
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="read-efs") as pool:
            points = pool.submit(self._access_points, file_system_id)
            targets = pool.submit(self.mount_targets, file_system_id)
            entry["AccessPoints"], entry["MountTargets"] = points.result(), targets.result()
        return entry

    def _access_points(self, file_system_id: str) -> list[dict[str, Any]]:
        with aws_errors("elasticfilesystem:DescribeAccessPoints", file_system_id):
            pages = self.clients.efs.get_paginator("describe_access_points").paginate(
                FileSystemId=file_system_id
            )
            return [plain(p) for page in pages for p in page.get("AccessPoints", [])]

    def mount_targets(self, file_system_id: str) -> list[dict[str, Any]]:
        with aws_errors("elasticfilesystem:DescribeMountTargets", file_system_id):
            pages = self.clients.efs.get_paginator("describe_mount_targets").paginate(
                FileSystemId=file_system_id
            )
            return [plain(t) for page in pages for t in page.get("MountTargets", [])]

    def _read_namespace(self, name: str) -> dict[str, Any] | None:
        """The Service Connect namespace, with its tags (`down --all` deletes only a tagged one)."""
        matches = self._namespaces_named(name)
        return self._with_sd_tags(matches[0]) if matches else None

    def _namespaces_named(self, name: str) -> list[dict[str, Any]]:
        with aws_errors("servicediscovery:ListNamespaces", name):
            pages = self.clients.servicediscovery.get_paginator("list_namespaces").paginate(
                Filters=[{"Name": "NAME", "Values": [name], "Condition": "EQ"}]
            )
            return [plain(ns) for page in pages for ns in page.get("Namespaces", [])]

    def _read_account(self) -> str:
        """The caller's account: the trust policy compose2ecs writes names it (confused deputy)."""
        with aws_errors("sts:GetCallerIdentity", "caller"):
            return str(self.clients.sts.get_caller_identity()["Account"])

    # Cloud Map service discovery (ecs-cli's) ---------------------------------------------------

    def _read_dns_namespace(self, spec: DiscoverySpec) -> dict[str, Any] | None:
        """The private DNS namespace ecs-params names, by id or by name, with its tags."""
        sd = self.clients.servicediscovery
        if spec.namespace_id:
            try:
                with aws_errors("servicediscovery:GetNamespace", spec.namespace_id):
                    namespace = plain(sd.get_namespace(Id=spec.namespace_id)["Namespace"])
            except AwsError as error:
                if error.code == "NamespaceNotFound":
                    return None
                raise
        else:
            found = self._namespaces_named(spec.namespace)
            # A name can be a DNS namespace and an HTTP one at once: the DNS one holds the records.
            found.sort(key=lambda ns: ns.get("Type") != "DNS_PRIVATE")
            if not found:
                return None
            namespace = found[0]
        return self._with_sd_tags(namespace)

    def _with_sd_tags(self, entry: dict[str, Any]) -> dict[str, Any]:
        with aws_errors("servicediscovery:ListTagsForResource", str(entry.get("Name", entry.get("Id")))):
            tags = self.clients.servicediscovery.list_tags_for_resource(ResourceARN=entry["Arn"]).get(
                "Tags", []
            )
        return {**entry, "Tags": [plain(tag) for tag in tags]}

    def _read_discovery(
        self, desired: DesiredState, pending: _Pending, state: DeployedState
    ) -> dict[str, Any]:
        """The namespace and the Cloud Map services of service discovery.

        "Namespace": the one ecs-params names. "Services": the service ecs-params names in it,
        those the deployment's ECS services register in, and those tagged as the deployment's
        (found even when nothing registers in them any more: a removal interrupted half-way).
        "OwnNamespaces": the private DNS namespaces tagged as the deployment's, each with the
        number of services in it that are not the deployment's ("Others"). Only when there is
        one of these: a project without service discovery makes no Cloud Map call.
        """
        namespace = pending.dns_namespace.result() if pending.dns_namespace else None
        registered = {
            str(r["registryArn"])
            for entry in (*state.services.values(), *state.orphans.values())
            for r in entry.get("serviceRegistries") or []
            if r.get("registryArn")
        }
        tagged = state.tagged.discovery
        if namespace is None and not registered and not tagged:
            return {}
        sd = self.clients.servicediscovery  # made now, with no read in flight
        services: dict[str, dict[str, Any]] = {}
        spec = desired.discovery
        if namespace is not None and spec is not None:
            for summary in self._sd_services(str(namespace["Id"])):
                if summary.get("Name") == spec.name:
                    services[str(summary["Arn"])] = summary
        for arn in sorted((registered | {a for a in tagged if ":service/" in a}) - set(services)):
            try:
                with aws_errors("servicediscovery:GetService", arn):
                    services[arn] = plain(sd.get_service(Id=arn.rsplit("/", 1)[-1])["Service"])
            except AwsError as error:
                if error.code != "ServiceNotFound":
                    raise
        services = {arn: self._with_sd_tags(entry) for arn, entry in services.items()}
        owner = desired.owner
        own_services = {a for a, e in services.items() if owner.owns(tags_dict(e.get("Tags")))}
        own_namespaces: dict[str, dict[str, Any]] = {}
        # Tagged as the deployment's; and, should the tagging index lag, the named one and those
        # of the deployment's own services, when their tags say they are its own.
        candidates = {a.rsplit("/", 1)[-1] for a in tagged if ":namespace/" in a}
        candidates |= {
            str(services[a]["NamespaceId"]) for a in own_services if services[a].get("NamespaceId")
        }
        if namespace is not None and owner.owns(tags_dict(namespace.get("Tags"))):
            candidates.add(str(namespace["Id"]))
        for namespace_id in sorted(candidates):
            if namespace is not None and namespace.get("Id") == namespace_id:
                entry = namespace
            else:
                try:
                    with aws_errors("servicediscovery:GetNamespace", namespace_id):
                        entry = self._with_sd_tags(plain(sd.get_namespace(Id=namespace_id)["Namespace"]))
                except AwsError as error:
                    if error.code == "NamespaceNotFound":
                        continue
                    raise
            if entry.get("Type") != "DNS_PRIVATE" or not owner.owns(tags_dict(entry.get("Tags"))):
                continue  # the Service Connect namespace is namespace.py's; another's stays
            inside = self._sd_services(namespace_id)
            others = [s for s in inside if str(s.get("Arn")) not in own_services]
            own_namespaces[namespace_id] = {**entry, "Others": len(others)}
        if namespace is None and not services and not own_namespaces:
            return {}
        return {"Namespace": namespace, "Services": services, "OwnNamespaces": own_namespaces}

    def _sd_services(self, namespace_id: str) -> list[dict[str, Any]]:
        """The Cloud Map services of one namespace (summaries, with their namespace)."""
        with aws_errors("servicediscovery:ListServices", namespace_id):
            pages = self.clients.servicediscovery.get_paginator("list_services").paginate(
                Filters=[{"Name": "NAMESPACE_ID", "Values": [namespace_id], "Condition": "EQ"}]
            )
            return [
                {**plain(s), "NamespaceId": namespace_id} for page in pages for s in page.get("Services", [])
            ]


def _parameter_name(reference: str) -> str:
    """An SSM parameter's name from its ARN (`parameter/a/b` is `/a/b`, `parameter/x` is `x`) or name."""
    if not reference.startswith("arn:"):
        return reference
    rest = reference.split(":parameter/", 1)[-1]
    return f"/{rest}" if "/" in rest else rest


def _revision(arn: str) -> int:
    tail = arn.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _by_region(groups: Iterable[LogGroupSpec]) -> dict[str, list[LogGroupSpec]]:
    out: dict[str, list[LogGroupSpec]] = {}
    for group in groups:
        out.setdefault(group.region, []).append(group)
    return out
