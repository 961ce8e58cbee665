"""The ECS cluster: created when there is no ACTIVE one; its settings are not managed.

A cluster compose2ecs creates gets the FARGATE and FARGATE_SPOT capacity providers, so a
capacity-provider strategy can run on it. `down --all` deletes it only when it carries this
deployment's tags and no other service runs in it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from compose2ecs.model import tags_dict
from compose2ecs.model.deployed import Action, Operation, ResourceChange, ResourceKind
from compose2ecs.plan import CREATED_CLUSTER_PROVIDERS
from compose2ecs.resources.base import perform

if TYPE_CHECKING:
    from compose2ecs.resources.base import Execution, Planning, Teardown

KIND = ResourceKind.CLUSTER


def plan(planning: Planning) -> list[ResourceChange]:
    name = planning.cluster
    if planning.deployed.cluster is not None:
        return [ResourceChange(KIND, name, Action.NO_CHANGE)]
    create = Operation("create_cluster", name, (name, planning.desired.tags, CREATED_CLUSTER_PROVIDERS))
    return [ResourceChange(KIND, name, Action.CREATE, operations=(create,))]


def execute(change: ResourceChange, execution: Execution) -> None:
    for operation in change.operations:
        perform(operation, execution, {"create_cluster": "created cluster {0}"})


def remove(teardown: Teardown) -> None:
    run, name = teardown.run, teardown.run.options.cluster
    if teardown.deployed.cluster is None:
        return
    if not teardown.ours(tags_dict(teardown.deployed.cluster.get("tags"))):
        teardown.kept(f"cluster {name}")
        return
    # Read again: the count in `deployed` still includes the services deleted before.
    fresh = run.gateway.describe_cluster(name)
    if fresh is None:
        return
    others = int(fresh.get("activeServicesCount", 0))
    if others:
        run.progress.step(f"kept cluster {name}: {others} other service(s) still run in it")
        return
    run.gateway.delete_cluster(name)
    run.wrote("delete_cluster", name, f"deleted cluster {name}")
