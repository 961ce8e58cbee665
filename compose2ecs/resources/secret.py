"""The compose secrets compose2ecs keeps in Secrets Manager (from `file:` or `environment:`).

Named `compose2ecs/<project>/<cluster>/<compose secret>` and tagged as the deployment's. The
reader compares the stored value with the files' and hands on only whether they match, so the
plan says "value changed" and nothing more; no message, plan or report holds a value. A secret
the files no longer name is deleted once the services have moved off it, and `down --all`
deletes the deployment's own, at once (no recovery window: the files hold the value, and the
name must be free for the next `up`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from compose2ecs.model import secret_arn, tags_dict
from compose2ecs.model.deployed import Action, FieldChange, Operation, ResourceChange, ResourceKind
from compose2ecs.resources.base import unknown, unless_denied

if TYPE_CHECKING:
    from compose2ecs.resources.base import Execution, Planning, Teardown

KIND = ResourceKind.SECRET
AFTER_SERVICES = frozenset({"delete_secret"})


def plan(planning: Planning) -> list[ResourceChange]:
    desired = planning.desired
    found = planning.deployed.secrets or {}
    out = []
    for spec in desired.secrets:
        entry = found.get(spec.name)
        if entry is None:
            create = Operation("create_secret", spec.name, (spec.name,))
            out.append(ResourceChange(KIND, spec.name, Action.CREATE, operations=(create,)))
        elif entry.get("Matches"):
            out.append(ResourceChange(KIND, spec.name, Action.NO_CHANGE))
        else:
            put = Operation("put_secret_value", spec.name, (str(entry["ARN"]), spec.name))
            change = FieldChange("value", "changed", "(hidden)", "(hidden)", sensitive=True)
            out.append(ResourceChange(KIND, spec.name, Action.UPDATE, (change,), "value", operations=(put,)))
    wanted = {s.name for s in desired.secrets}
    for name, entry in sorted(found.items()):
        if name not in wanted and desired.owner.owns(tags_dict(entry.get("Tags"))):
            delete = Operation("delete_secret", name, (str(entry["ARN"]),))
            out.append(
                ResourceChange(KIND, name, Action.DELETE, reason="no service reads it", operations=(delete,))
            )
    return out


def _value(execution: Execution, name: str) -> str:
    return next(s.value for s in execution.desired.secrets if s.name == name)


def execute(change: ResourceChange, execution: Execution) -> None:
    gateway = execution.run.gateway
    for operation in change.operations:
        if operation.call == "create_secret":
            (name,) = operation.args
            arn = gateway.create_secret(name, _value(execution, name), execution.desired.tags)
            execution.known[secret_arn(name)] = arn
            execution.did(operation, f"stored secret {name}")
        elif operation.call == "put_secret_value":
            arn, name = operation.args
            gateway.put_secret_value(arn, _value(execution, name))
            execution.did(operation, f"stored the new value of secret {name}")
        elif operation.call == "delete_secret":
            (arn,) = operation.args
            gateway.delete_secret(arn)
            execution.did(operation, f"deleted secret {change.name} ({change.reason})")
        else:
            raise unknown(operation)


def remove(teardown: Teardown) -> None:
    found = unless_denied(lambda: teardown.run.gateway.list_secrets(teardown.desired.secret_prefix))
    for name, entry in sorted((found or {}).items()):
        if not teardown.ours(tags_dict(entry.get("Tags"))):
            teardown.kept(f"secret {name}")
            continue
        teardown.run.gateway.delete_secret(str(entry["ARN"]))
        teardown.run.wrote("delete_secret", name, f"deleted secret {name}")
