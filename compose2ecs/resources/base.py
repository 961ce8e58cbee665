"""What every resource kind module provides, and what the planner and the executor hand it.

A kind module (role.py, service.py, ...) is one AWS resource kind in one place:
- `KIND`, and the rule for which of the deployed resources of that kind are this deployment's;
- `plan(planning)`: desired vs deployed, normalised and compared, as ResourceChanges whose
  `operations` are the exact calls `up` makes, and the waits between them (pure: no AWS, no I/O);
- `execute(change, execution)`: carries out those operations through the Gateway;
- `remove(teardown)`: what `down` (or `down --all`) deletes, and what it keeps.
How the kind is read is one method of the concurrent reader in `aws/state.py`, which batches
reads across kinds (one tagging API call finds services and revisions alike).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar

from compose2ecs.errors import AwsError
from compose2ecs.model import (
    CLUSTER_TAG,
    FILE_SYSTEM_ARN,
    FILE_SYSTEM_ID,
    REQUEST_TAG,
    VOLUME_TAG,
    access_point_arn,
    access_point_id,
    secret_arn,
    tags_dict,
)
from compose2ecs.model.deployed import Action, FieldChange, Operation, ResourceChange, ResourceKind

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from compose2ecs.model import AccessPointSpec, DesiredState
    from compose2ecs.model.deployed import DeployedState
    from compose2ecs.resources.run import Run

_T = TypeVar("_T")

# The actions that write.
WRITES = frozenset({Action.CREATE, Action.UPDATE, Action.NEW_REVISION, Action.REPLACE, Action.DELETE})


class Planning(NamedTuple):
    """What a kind's planner sees: both states and the changes planned for the kinds before it."""

    desired: DesiredState
    deployed: DeployedState
    cluster: str
    planned: dict[ResourceKind, list[ResourceChange]]
    force_new_deployment: bool = False  # `up --force-new-deployment`: every running service redeploys


@dataclass
class Execution:
    """One `apply_plan` in progress: what AWS handed out so far, for the operations that follow."""

    run: Run
    desired: DesiredState
    deployed: DeployedState
    role_arns: dict[str, str] = field(default_factory=dict)
    task_definition_arns: dict[str, str] = field(default_factory=dict)  # family -> ARN to run
    group_id: str | None = None  # the project security group, once it exists
    default_subnets: tuple[str, list[str]] | None = None  # (VPC id, subnet ids), read once
    lb_group_id: str | None = None  # the load balancers' security group, once it exists
    # What ELBv2 handed out in this run, by name
    target_group_arns: dict[str, str] = field(default_factory=dict)
    load_balancers: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> entry
    rollouts: dict[str, str] = field(default_factory=dict)  # service -> revision ARN it must reach
    deleted: list[str] = field(default_factory=list)  # services deleted, to wait until they are gone
    seen_events: dict[str, set[str]] = field(default_factory=dict)
    # What Cloud Map handed out in this run (service discovery)
    namespace_id: str = ""
    registry_arn: str = ""
    # Placeholder -> value (the file system's and access points' ids and ARNs): what exists, then
    # what this run creates (model.resolve puts them into task definitions and policies)
    known: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.known.update(placeholders(self.deployed, self.desired))

    def did(self, operation: Operation, message: str) -> None:
        """Record an operation AWS accepted, and tell the user."""
        self.run.wrote(operation.call, operation.target, message)

    def default_vpc(self) -> tuple[str, list[str]]:
        if self.default_subnets is None:
            self.default_subnets = self.run.gateway.default_vpc_subnets()
        return self.default_subnets

    def tasks_vpc(self) -> str:
        """The VPC the tasks run in: the default one, or that of the subnets ecs-params names."""
        subnets = self.desired.awsvpc_ids("subnets")
        if not subnets:
            return self.default_vpc()[0]
        return self.deployed.network.subnets[subnets[0]]  # the preflight saw it exist


@dataclass
class Teardown:
    """One `down` in progress."""

    run: Run
    desired: DesiredState
    deployed: DeployedState
    wait: bool = True  # for the deleted services to be gone
    volumes: bool = False  # `down --all --volumes`: the file system and its data go too
    file_system_read: bool = False  # the file system was looked up (file_system.state_for_teardown)
    file_system_volumes: list[str] = field(default_factory=list)  # the volumes it holds

    def ours(self, tags: dict[str, str]) -> bool:
        return self.desired.owner.owns(tags)

    def kept(self, what: str) -> None:
        self.run.progress.step(f"kept {what}: not created by compose2ecs for {self.desired.owner.label()}")

    def keep_shared(self, tags: dict[str, str], other_users: int) -> str:
        """Why a role or log group compose2ecs created stays ("" when this deployment removes it).

        Only its last user removes it, and never one this deployment did not create or use.
        """
        owner = self.desired.owner
        if CLUSTER_TAG not in tags:
            return "created before users were counted, so who else uses it is unknown"
        if other_users:
            return f"{other_users} other deployment(s) still use it"
        if not owner.owns(tags) and owner.user_tag not in tags:
            return f"not created by compose2ecs for {owner.label()}"
        return ""


def placeholders(deployed: DeployedState, desired: DesiredState | None = None) -> dict[str, str]:
    """The values of the placeholders translate leaves (model.resolve) for what is deployed."""
    spec = desired.file_system if desired is not None else None
    wanted = {p.volume: p for p in spec.access_points} if spec is not None else {}
    out = {secret_arn(name): str(entry["ARN"]) for name, entry in (deployed.secrets or {}).items()}
    out |= {secret_arn(f"named:{name}"): arn for name, arn in deployed.references.secret_arns.items()}
    entry = deployed.file_system
    if entry is None:
        return out
    out |= {FILE_SYSTEM_ID: str(entry["FileSystemId"]), FILE_SYSTEM_ARN: str(entry.get("FileSystemArn", ""))}
    for point in entry.get("AccessPoints", []):
        volume = tags_dict(point.get("Tags")).get(VOLUME_TAG)
        # Of two for one volume (a replacement interrupted), the one the files describe.
        if volume and (access_point_id(volume) not in out or point_matches(point, wanted.get(volume))):
            out[access_point_id(volume)] = str(point["AccessPointId"])
            out[access_point_arn(volume)] = str(point.get("AccessPointArn", ""))
    return out


def point_matches(point: Mapping[str, Any], spec: AccessPointSpec | None) -> bool:
    """The access point is what the files describe: its directory, who creates it, whom it acts as."""
    if spec is None:
        return False
    return _access_point_facts(point) == _access_point_facts(spec.request("", {}))


def _access_point_facts(point: Mapping[str, Any]) -> tuple[Any, ...]:
    # Compared field by field: AWS may add empty members (SecondaryGids) or spell modes its way.
    root = point.get("RootDirectory") or {}
    creation = root.get("CreationInfo") or {}
    user = point.get("PosixUser") or {}
    permissions = str(creation.get("Permissions", ""))
    return (
        root.get("Path", "/"),
        creation.get("OwnerUid"),
        creation.get("OwnerGid"),
        int(permissions, 8) if permissions.isdigit() else permissions,
        user.get("Uid"),
        user.get("Gid"),
    )


def planned_placeholders(planning: Planning) -> dict[str, str]:
    """`placeholders` of what stays: an access point this plan creates anew is not known yet."""
    known = placeholders(planning.deployed, planning.desired)
    for change in planning.planned.get(ResourceKind.ACCESS_POINT, []):
        for operation in change.operations:
            if operation.call == "create_access_point":
                volume = str(operation.args[0])
                known.pop(access_point_id(volume), None)
                known.pop(access_point_arn(volume), None)
    return known


class Kind(Protocol):
    """A resource kind module (see the module docstring)."""

    KIND: ResourceKind

    def plan(self, planning: Planning) -> list[ResourceChange]: ...

    def execute(self, change: ResourceChange, execution: Execution) -> None: ...

    def remove(self, teardown: Teardown) -> None: ...


def updated(
    kind: ResourceKind,
    name: str,
    changes: list[FieldChange],
    reason: str,
    operations: list[Operation] | tuple[Operation, ...] = (),
) -> ResourceChange:
    """UPDATE with these changes and operations, or NO_CHANGE when nothing differs."""
    if not changes:
        return ResourceChange(kind, name, Action.NO_CHANGE)
    return ResourceChange(kind, name, Action.UPDATE, tuple(changes), reason, operations=tuple(operations))


def is_tag(change: FieldChange) -> bool:
    return change.path == "tags" or change.path.startswith(("tags[", "tags."))


def ecs_tag_operations(
    arn: str, current_tags: list[dict[str, Any]] | None, wanted: dict[str, str]
) -> list[Operation]:
    """TagResource / UntagResource that make an ECS resource's tags `wanted` (aws:* tags stay: AWS's)."""
    current = tags_dict(current_tags)
    changed = {key: value for key, value in wanted.items() if current.get(key) != value}
    extra = sorted(
        key for key in current if key not in wanted and not key.startswith("aws:") and key != REQUEST_TAG
    )
    out = []
    if changed:
        out.append(Operation("tag_resource", arn, (arn, changed)))
    if extra:
        out.append(Operation("untag_resource", arn, (arn, extra)))
    return out


def elb_tag_operations(
    arn: str, current: dict[str, str] | None, wanted: dict[str, str]
) -> tuple[list[Operation], list[FieldChange]]:
    """AddTags / RemoveTags that make an ELBv2 resource's tags `wanted`, and the plan's changes."""
    current = dict(current or {})
    changed = {key: value for key, value in wanted.items() if current.get(key) != value}
    extra = sorted(key for key in current if key not in wanted and not key.startswith("aws:"))
    operations, fields = [], []
    if changed:
        operations.append(Operation("add_elb_tags", arn, (arn, changed)))
        fields += [
            FieldChange(f"tags.{k}", "changed" if k in current else "added", current.get(k), v)
            for k, v in sorted(changed.items())
        ]
    if extra:
        operations.append(Operation("remove_elb_tags", arn, (arn, extra)))
        fields += [FieldChange(f"tags.{k}", "removed", current[k]) for k in extra]
    return operations, fields


def run_elb_tag_operation(operation: Operation, execution: Execution, label: str) -> bool:
    """Carry out an operation of `elb_tag_operations`; False when `operation` is not one."""
    if operation.call == "add_elb_tags":
        arn, tags = operation.args
        execution.run.gateway.add_elb_tags(arn, tags)
        execution.did(operation, f"tagged {label}: {', '.join(sorted(tags))}")
        return True
    if operation.call == "remove_elb_tags":
        arn, keys = operation.args
        execution.run.gateway.remove_elb_tags(arn, keys)
        execution.did(operation, f"removed tags from {label}: {', '.join(keys)}")
        return True
    return False


def run_tag_operation(operation: Operation, execution: Execution, label: str) -> bool:
    """Carry out a tag operation of `ecs_tag_operations`; False when `operation` is not one."""
    gateway = execution.run.gateway
    if operation.call == "tag_resource":
        arn, tags = operation.args
        gateway.tag_resource(arn, tags)
        execution.did(operation, f"tagged {label}: {', '.join(sorted(tags))}")
        return True
    if operation.call == "untag_resource":
        arn, keys = operation.args
        gateway.untag_resource(arn, keys)
        execution.did(operation, f"removed tags from {label}: {', '.join(keys)}")
        return True
    return False


def perform(operation: Operation, execution: Execution, messages: dict[str, str]) -> Any:
    """Make the Gateway call `operation` names, record it, and tell the user what it did.

    `messages[operation.call]` is the message, formatted with the operation's arguments, its
    target (`{target}`) and the deployment's label (`{owner}`); a call the kind does not list is
    a bug, not a write.
    """
    if operation.call not in messages:
        raise unknown(operation)
    result = getattr(execution.run.gateway, operation.call)(*operation.args)
    execution.did(
        operation,
        messages[operation.call].format(
            *operation.args, target=operation.target, owner=execution.desired.owner.label()
        ),
    )
    return result


def unknown(operation: Operation) -> ValueError:
    return ValueError(f"no such operation for this kind: {operation.call}")


def unless_denied(read: Callable[[], _T]) -> _T | None:
    """`read()`, or None when AWS denies it.

    An identity that may not even list what compose2ecs creates (SSM parameters, secrets, file
    systems) never had it create any: `down --all` goes on without them.
    """
    try:
        return read()
    except AwsError as error:
        if "AccessDenied" not in error.code:
            raise
        return None


def retry_while_in_use(
    run: Run,
    delete: Callable[[], None],
    resource: str,
    codes: frozenset[str] = frozenset({"DependencyViolation"}),
) -> None:
    """Retry while AWS still sees `resource` in use (`codes`), until the run's timeout.

    The stopped tasks' network interfaces are released a few minutes after the service is gone, a
    load balancer's a while after it is deleted, and its listeners' hold on target groups likewise.
    """
    deadline = run.clock() + run.options.timeout
    while True:
        try:
            delete()
        except AwsError as error:
            if error.code not in codes or run.clock() >= deadline:
                raise
            run.progress.step(f"{resource} is still in use; retrying")
            run.sleep(run.options.poll_interval)
        else:
            return
