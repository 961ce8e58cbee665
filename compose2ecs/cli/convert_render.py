"""The human view of `convert`: a summary of the requests, then the conversion report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from compose2ecs.errors import Location

if TYPE_CHECKING:
    from compose2ecs.errors import Problem
    from compose2ecs.model import DesiredState

_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}


def print_conversion(desired: DesiredState, console: Console | None = None) -> None:
    """Summary table and report on stdout; errors are listed last, so they stay on screen."""
    console = console or Console(highlight=False)
    table = Table(
        title=f"{desired.project} ({desired.layout} layout, {desired.region})", title_justify="left"
    )
    for column in ("resource", "name", "details"):
        table.add_column(column)
    services = {s["taskDefinition"]: s for s in desired.services}
    for task in desired.task_definitions:
        containers = ", ".join(c["name"] for c in task["containerDefinitions"])
        table.add_row(
            "task definition", task["family"], f"{task['cpu']} CPU / {task['memory']} MiB: {containers}"
        )
        service = services.get(task["family"])
        if service:
            launch = service.get("launchType") or "capacity providers"
            table.add_row("service", service["serviceName"], f"{service['desiredCount']} task(s), {launch}")
    for role in desired.roles:
        inline = ", ".join(role.inline_policies) or "no inline policy"
        table.add_row("iam role", role.name, f"AmazonECSTaskExecutionRolePolicy, {inline}")
    for group in desired.log_groups:
        retention = f"{group.retention_days} days" if group.retention_days else "never expires"
        table.add_row("log group", group.name, f"{group.region}, {retention}")
    console.print(table)
    problems = sorted(
        (p for p in desired.problems if p.severity != "error"),
        key=lambda p: (("info", "warning", "error").index(p.severity), p.location or Location("")),
    )
    if problems:
        console.print("\nConversion report:")
    for problem in problems:
        console.print(_line(problem), soft_wrap=True)
    errors = sum(p.severity == "error" for p in desired.problems)
    if errors:
        console.print(Text(f"\n{errors} problem(s) Fargate would refuse, listed on stderr.", "bold red"))


def _line(problem: Problem) -> Text:
    text = Text(f"{problem.severity}: ", _STYLE[problem.severity])
    text.append(f"[{problem.status}] ")
    text.append(problem.render())
    return text
