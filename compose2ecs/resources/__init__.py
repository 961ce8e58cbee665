"""The AWS resource kinds compose2ecs manages, one module each, and the planner that walks them.

`KINDS` lists them in dependency order (what a resource needs is created before it): the file
system and its access points (the task role's policy names them), the secrets compose2ecs keeps
(the execution role's names them), roles, log groups, the SSM
parameters holding configs and host files, cluster,
security groups, the file system's mount targets (in the tasks' group), namespace, service
discovery, task definitions, target groups, load balancers, listeners, rules on existing
listeners, services, their autoscaling. The calls a kind lists in `AFTER_SERVICES` (deleting a
stale target group, revoking a rule) run after the services have rolled out, in reverse order,
since the running tasks may still use what they remove. Each module holds its kind's identity and
ownership rule, how it is normalised and compared, and the operations that create, update and
delete it (base.py). `plan_changes` asks each kind in that order, so a kind
can depend on the changes planned before it (a service on its family's new revision); `apply`
walks the same list to carry the operations out, and `down` walks REMOVAL_ORDER. Planning is pure:
values in, values out, no AWS client and no I/O.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from compose2ecs.model.deployed import Plan
from compose2ecs.resources import (
    access_point,
    cluster,
    discovery,
    file_system,
    listener,
    listener_rule,
    load_balancer,
    log_group,
    mount_target,
    namespace,
    parameter,
    role,
    scaling,
    secret,
    security_group,
    service,
    target_group,
    task_definition,
)
from compose2ecs.resources.base import Planning

if TYPE_CHECKING:
    from compose2ecs.model import DesiredState
    from compose2ecs.model.deployed import DeployedState, ResourceChange, ResourceKind
    from compose2ecs.resources.base import Kind

KINDS: tuple[Kind, ...] = (
    file_system,
    access_point,
    secret,
    role,
    log_group,
    parameter,
    cluster,
    security_group,
    mount_target,
    namespace,
    discovery,
    task_definition,
    target_group,
    load_balancer,
    listener,
    listener_rule,
    service,
    scaling,
)
# `down --all`: the services first (their tasks hold the rest), then the load balancers (with
# their listeners) and the target groups they forwarded to, then what deletes at once, then what
# may have to wait: the file system's mount targets (always: they sit in the tasks' group) and,
# with `--volumes`, its access points and the file system, then the security groups until the
# tasks' and the load balancers' network interfaces are released, the namespace until ECS has
# deregistered the Service Connect endpoints, the cluster last.
REMOVAL_ORDER: tuple[Kind, ...] = (
    scaling,
    service,
    listener_rule,
    listener,
    load_balancer,
    target_group,
    task_definition,
    parameter,
    secret,
    log_group,
    role,
    discovery,
    mount_target,
    access_point,
    file_system,
    security_group,
    namespace,
    cluster,
)
BY_KIND: dict[ResourceKind, Kind] = {kind.KIND: kind for kind in KINDS}


def plan_changes(
    desired: DesiredState, deployed: DeployedState, cluster_name: str, *, force_new_deployment: bool = False
) -> Plan:
    """Compare desired with deployed: the ResourceChanges of every kind, in apply order.

    `force_new_deployment`: services that need no change get a new deployment all the same (a
    moved image tag, new secret values: ECS resolves them per deployment).
    """
    planned: dict[ResourceKind, list[ResourceChange]] = {}
    for kind in KINDS:
        planned[kind.KIND] = kind.plan(
            Planning(desired, deployed, cluster_name, planned, force_new_deployment)
        )
    resources = [change for kind in KINDS for change in planned[kind.KIND]]
    return Plan(project=desired.project, cluster=cluster_name, resources=resources)


__all__ = ["BY_KIND", "KINDS", "REMOVAL_ORDER", "plan_changes"]
