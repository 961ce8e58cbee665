"""Listener rules on existing listeners: what compose2ecs adds to a load balancer that is not its own.

ecs-params `run_params.ports.<port>.listener_arn` names an Application Load Balancer's listener
that stays the user's. compose2ecs adds one rule per such port (host and path conditions, a
priority) forwarding to a target group of its own, and tags the rule; a rule is this
deployment's when it carries the ownership tags, and only those are ever changed or deleted. The
listener, its default action, its other rules and its load balancer are never touched.

A rule is known by the listener and the target group it forwards to. Its conditions and action
change in place (ModifyRule), its priority with SetRulePriorities. Without a priority in
ecs-params a new rule goes after every rule on the listener (the highest number plus one), so it
never shadows a rule that was there first; a rule that exists keeps its number.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from compose2ecs.model.deployed import Action, FieldChange, Operation, ResourceChange, ResourceKind
from compose2ecs.resources.base import unknown, updated
from compose2ecs.resources.target_group import name_of, target_group_arn

if TYPE_CHECKING:
    from compose2ecs.model import ListenerRuleSpec
    from compose2ecs.resources.base import Execution, Planning, Teardown

KIND = ResourceKind.LISTENER_RULE
# A rule goes once the services have left its target group, and before the group (see the executor).
AFTER_SERVICES = frozenset({"delete_rule"})
MAX_PRIORITY = 50000


def listener_label(listener_arn: str, listener: dict[str, Any] | None) -> str:
    """`shared-alb:443`: the load balancer's name (from the ARN) and the listener's port."""
    parts = listener_arn.split(":listener/", 1)[-1].split("/")
    name = parts[1] if len(parts) > 1 else listener_arn
    port = listener.get("Port") if listener else None
    return f"{name}:{port}" if port else name


def _label(spec: ListenerRuleSpec, listener: dict[str, Any] | None) -> str:
    return f"{listener_label(spec.listener_arn, listener)} {spec.text()}"


def forwards_to(rule: dict[str, Any]) -> str:
    """The name of the target group a rule forwards to ("" when none)."""
    for action in rule.get("Actions") or []:
        if action.get("TargetGroupArn"):
            return name_of(str(action["TargetGroupArn"]))
        for group in (action.get("ForwardConfig") or {}).get("TargetGroups") or []:
            return name_of(str(group.get("TargetGroupArn", "")))
    return ""


def _values(rule: dict[str, Any], field: str) -> list[str]:
    for condition in rule.get("Conditions") or []:
        if condition.get("Field") != field:
            continue
        config = condition.get("HostHeaderConfig" if field == "host-header" else "PathPatternConfig")
        return [str(v) for v in (config or {}).get("Values") or condition.get("Values") or []]
    return []


def _comparable(spec: ListenerRuleSpec, priority: int) -> dict[str, Any]:
    return {
        "Hosts": list(spec.hosts),
        "Paths": list(spec.paths),
        "Priority": priority,
        "TargetGroup": spec.target_group,
    }


def _deployed(rule: dict[str, Any]) -> dict[str, Any]:
    return {
        "Hosts": _values(rule, "host-header"),
        "Paths": _values(rule, "path-pattern"),
        "Priority": _priority(rule),
        "TargetGroup": forwards_to(rule),
    }


def _priority(rule: dict[str, Any]) -> int:
    text = str(rule.get("Priority", ""))
    return int(text) if text.isdigit() else 0  # the default rule's is "default"


def own_rules(planning_or_teardown: Planning | Teardown, listener: dict[str, Any]) -> list[dict[str, Any]]:
    """The rules of `listener` this deployment tagged as its own."""
    owner = planning_or_teardown.desired.owner
    return [
        r for r in listener.get("Rules") or [] if not r.get("IsDefault") and owner.owns(r.get("Tags") or {})
    ]


def next_priority(listener: dict[str, Any] | None, taken: set[int]) -> int:
    """After every rule on the listener and every number this plan gave out already.

    Past the last number AWS allows, the lowest free one (the preflight refuses a full listener).
    """
    numbers = {_priority(rule) for rule in (listener or {}).get("Rules") or []} | taken
    after = max(numbers, default=0) + 1
    if after <= MAX_PRIORITY:
        return after
    return next((n for n in range(1, MAX_PRIORITY + 1) if n not in numbers), MAX_PRIORITY)


def plan(planning: Planning) -> list[ResourceChange]:
    desired, deployed = planning.desired, planning.deployed
    updates: list[ResourceChange] = []
    creates: list[ResourceChange] = []
    found = _match(planning)
    matched = {str(rule["RuleArn"]) for rule in found.values()}
    given: dict[str, set[int]] = {}  # listener -> priorities this plan gives new rules
    moves: dict[str, list[dict[str, Any]]] = {}  # listener -> the own rules' new priorities
    first_update: dict[str, int] = {}  # listener -> the index in `updates` that carries its moves
    for index, spec in enumerate(desired.listener_rules):
        listener = deployed.foreign_listeners.get(spec.listener_arn)
        label = _label(spec, listener)
        if index not in found:
            taken = given.setdefault(spec.listener_arn, set())
            priority = spec.priority or next_priority(listener, taken)
            taken.add(priority)
            wanted = _comparable(spec, priority)
            added = tuple(FieldChange(k, "added", after=v) for k, v in wanted.items() if v != [])
            create = Operation("create_rule", label, (spec, priority))
            creates.append(ResourceChange(KIND, label, Action.CREATE, added, operations=(create,)))
            continue
        rule = found[index]
        have = _deployed(rule)
        wanted = _comparable(spec, spec.priority or have["Priority"])
        fields = [FieldChange(k, "changed", have[k], v) for k, v in wanted.items() if have[k] != v]
        operations = []
        if any(f.path in {"Hosts", "Paths", "TargetGroup"} for f in fields):
            operations.append(Operation("modify_rule", label, (spec, str(rule["RuleArn"]))))
        if have["Priority"] != wanted["Priority"]:
            moves.setdefault(spec.listener_arn, []).append(
                {"RuleArn": str(rule["RuleArn"]), "Priority": wanted["Priority"]}
            )
        first_update.setdefault(spec.listener_arn, len(updates))
        updates.append(updated(KIND, label, fields, "conditions", operations))
    for listener_arn, moved in moves.items():
        # One call per listener: two own rules that swap numbers never meet (AWS checks the new
        # order as a whole).
        at = first_update[listener_arn]
        change = updates[at]
        move = Operation("set_rule_priorities", change.name, (moved,))
        action = Action.UPDATE if change.action is Action.NO_CHANGE else change.action
        updates[at] = dataclasses.replace(change, action=action, operations=(*change.operations, move))
    # The moves first: a new rule may take a number an own rule leaves.
    changes = [*updates, *creates]
    for arn, listener in sorted(deployed.foreign_listeners.items()):
        for rule in own_rules(planning, listener):
            if str(rule["RuleArn"]) in matched:
                continue
            label = f"{listener_label(arn, listener)} -> {forwards_to(rule)}"
            delete = Operation("delete_rule", label, (str(rule["RuleArn"]),))
            reason = "ecs-params no longer asks for it"
            changes.append(ResourceChange(KIND, label, Action.DELETE, reason=reason, operations=(delete,)))
    return changes


def _match(planning: Planning) -> dict[int, dict[str, Any]]:
    """Each wanted rule's own deployed rule, by its index in the files.

    The one forwarding to its target group, else one with its conditions (its target group was
    replaced: a new container port), else one at the priority ecs-params gives (everything else
    changed: it is modified in place, where a new rule would meet the old one's number).
    """
    desired, deployed = planning.desired, planning.deployed
    found: dict[int, dict[str, Any]] = {}
    used: set[str] = set()
    for by in ("both", "target group", "conditions", "priority"):
        for index, spec in enumerate(desired.listener_rules):
            if index in found:
                continue
            for rule in own_rules(planning, deployed.foreign_listeners.get(spec.listener_arn) or {}):
                have = _deployed(rule)
                group = have["TargetGroup"] == spec.target_group
                conditions = (have["Hosts"], have["Paths"]) == (list(spec.hosts), list(spec.paths))
                same = {
                    "both": group and conditions,  # first: two rules may forward to one group
                    "target group": group,
                    "conditions": conditions,
                    "priority": spec.priority is not None and have["Priority"] == spec.priority,
                }[by]
                if same and str(rule["RuleArn"]) not in used:
                    found[index] = rule
                    used.add(str(rule["RuleArn"]))
                    break
    return found


def _actions(spec: ListenerRuleSpec, execution: Execution) -> list[dict[str, Any]]:
    return [{"Type": "forward", "TargetGroupArn": target_group_arn(spec.target_group, execution)}]


def execute(change: ResourceChange, execution: Execution) -> None:
    gateway = execution.run.gateway
    for operation in change.operations:
        match operation.call:
            case "create_rule":
                spec, priority = operation.args
                gateway.create_rule(
                    {
                        "ListenerArn": spec.listener_arn,
                        "Conditions": spec.conditions(),
                        "Priority": priority,
                        "Actions": _actions(spec, execution),
                        "Tags": [{"Key": k, "Value": v} for k, v in execution.desired.tags.items()],
                    }
                )
                execution.did(
                    operation, f"added rule {change.name} (priority {priority}) -> {spec.target_group}"
                )
            case "modify_rule":
                spec, arn = operation.args
                gateway.modify_rule(
                    {"RuleArn": arn, "Conditions": spec.conditions(), "Actions": _actions(spec, execution)}
                )
                execution.did(operation, f"updated rule {change.name} -> {spec.target_group}")
            case "set_rule_priorities":
                (moved,) = operation.args
                gateway.set_rule_priorities(moved)
                numbers = ", ".join(str(m["Priority"]) for m in moved)
                execution.did(
                    operation, f"set the priorities of rules on {change.name.split()[0]} ({numbers})"
                )
            case "delete_rule":
                gateway.delete_rule(operation.args[0])
                execution.did(operation, f"deleted rule {change.name} ({change.reason})")
            case _:
                raise unknown(operation)


def remove(teardown: Teardown) -> None:
    """The deployment's own rules; the listeners and their load balancers stay, with every other rule."""
    for arn, listener in sorted(teardown.deployed.foreign_listeners.items()):
        label = listener_label(arn, listener)
        for rule in own_rules(teardown, listener):
            teardown.run.gateway.delete_rule(str(rule["RuleArn"]))
            teardown.run.wrote("delete_rule", label, f"deleted rule on {label} -> {forwards_to(rule)}")
        teardown.kept(f"listener {label}")
