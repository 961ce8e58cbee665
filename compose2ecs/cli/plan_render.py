"""A `Plan` for people and programs: a coloured terminal listing, JSON data, a pull-request comment.

Secret-looking values (`FieldChange.sensitive`) are shown as `***` unless the caller asks for
values. Colour comes only from rich markup, so a Console with `no_color=True`, or one that does
not write to a terminal, prints plain text.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from compose2ecs.model.deployed import Action, FieldChange, Plan, ResourceChange

if TYPE_CHECKING:
    from rich.console import Console

MASK = "***"

# Summary order and wording: "2 to create, 1 to update, 1 new revision, ...".
_SUMMARY = (
    (Action.CREATE, "{} to create"),
    (Action.UPDATE, "{} to update"),
    (Action.NEW_REVISION, "{} new revision(s)"),
    (Action.REPLACE, "{} to replace"),
    (Action.DELETE, "{} to delete"),
    (Action.NO_CHANGE, "{} unchanged"),
)
_STYLE = {
    Action.CREATE: ("green", "+"),
    Action.UPDATE: ("yellow", "~"),
    Action.NEW_REVISION: ("yellow", "~"),
    Action.REPLACE: ("red", "-/+"),
    Action.DELETE: ("red", "-"),
    Action.NO_CHANGE: ("dim", " "),
}
IN_SYNC = "in sync: nothing to change"


def plan_json(plan: Plan, show_values: bool) -> dict[str, Any]:
    """The plan as data; sensitive values are "***" unless `show_values`."""
    return {
        "project": plan.project,
        "cluster": plan.cluster,
        "inSync": plan.in_sync,
        "summary": {action.value: count for action, count in _counts(plan).items()},
        "resources": [
            {
                "kind": r.kind.value,
                "name": r.name,
                "action": r.action.value,
                "reason": r.reason,
                "changes": [_change_json(c, show_values) for c in r.changes],
            }
            for r in plan.resources
        ],
    }


def plan_markdown(plan: Plan, show_values: bool) -> str:
    """A pull-request comment: summary, a table of resources, then each change in a diff block."""
    lines = [f"### compose2ecs plan: `{_cell(plan.project)}` on cluster `{_cell(plan.cluster)}`", ""]
    lines += [f"**{summary_line(plan)}**", ""]
    lines += ["| Resource | Name | Action |", "| --- | --- | --- |"]
    lines += [f"| {r.kind.value} | `{_cell(r.name)}` | {r.action.value} |" for r in plan.resources]
    for resource in plan.resources:
        if resource.action is Action.NO_CHANGE:
            continue
        reason = f" ({resource.reason})" if resource.reason else ""
        lines += ["", f"#### {resource.kind.value} `{_cell(resource.name)}`: {resource.action.value}{reason}"]
        body = [f"{sign} {text}" for sign, text in _change_lines(resource, show_values)]
        if body:
            fence = _fence("\n".join(body))
            lines += ["", f"{fence}diff", *body, fence]
    return "\n".join(lines) + "\n"


def print_plan(plan: Plan, console: Console, show_values: bool) -> None:
    """Per resource its action and changed fields (- before in red, + after in green), then a summary."""
    for resource in plan.resources:
        colour, symbol = _STYLE[resource.action]
        reason = f" [dim]({escape(resource.reason)})[/dim]" if resource.reason else ""
        console.print(
            f"[{colour}]{escape(symbol):>3} {resource.action.value}[/{colour}] "
            f"{resource.kind.value} [bold]{escape(resource.name)}[/bold]{reason}",
            highlight=False,
            soft_wrap=True,
        )
        for sign, text in _change_lines(resource, show_values):
            line_colour = "green" if sign == "+" else "red"
            console.print(
                f"      [{line_colour}]{sign} {escape(text)}[/{line_colour}]", highlight=False, soft_wrap=True
            )
    console.print(summary_line(plan), highlight=False, soft_wrap=True)


def summary_line(plan: Plan) -> str:
    """`1 to create, 2 to update, ...`, or `in sync: nothing to change`."""
    if plan.in_sync:
        return IN_SYNC
    counts = _counts(plan)
    return ", ".join(template.format(counts[action]) for action, template in _SUMMARY if counts[action])


def _counts(plan: Plan) -> Counter[Action]:
    counts: Counter[Action] = Counter({action: 0 for action, _ in _SUMMARY})
    counts.update(r.action for r in plan.resources)
    return counts


def _change_json(change: FieldChange, show_values: bool) -> dict[str, Any]:
    return {
        "path": change.path,
        "kind": change.kind,
        "before": _masked(change.before, change.sensitive, show_values),
        "after": _masked(change.after, change.sensitive, show_values),
        "sensitive": change.sensitive,
    }


def _masked(value: Any, sensitive: bool, show_values: bool) -> Any:
    return MASK if sensitive and not show_values and value is not None else value


def _text(value: Any, sensitive: bool, show_values: bool) -> str:
    if sensitive and not show_values:
        return MASK
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _change_lines(resource: ResourceChange, show_values: bool) -> list[tuple[str, str]]:
    """(sign, text) per line: a changed field is a `-` line with the old value and a `+` line with the new."""
    out: list[tuple[str, str]] = []
    for change in resource.changes:
        if change.kind in {"changed", "removed"}:
            out.append(("-", f"{change.path}: {_text(change.before, change.sensitive, show_values)}"))
        if change.kind in {"changed", "added"}:
            out.append(("+", f"{change.path}: {_text(change.after, change.sensitive, show_values)}"))
    return out


def _cell(text: str) -> str:
    # A table cell ends at `|`, and a code span at a backtick.
    return text.replace("|", "\\|").replace("`", "'")


def _fence(body: str) -> str:
    # A fence longer than any backtick run in the body, so values cannot close the block.
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    return "`" * max(3, longest + 1)
