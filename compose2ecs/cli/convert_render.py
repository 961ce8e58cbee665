"""The human view of `convert`: a summary of the requests, then the conversion report.

Plain aligned columns written with typer.echo, not rich: importing rich's console takes ~20 ms,
a quarter of a whole `convert` run, and bulk conversions run it once per project. Styles are
dropped by click when stdout is not a terminal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from compose2ecs.errors import Location

if TYPE_CHECKING:
    from compose2ecs.errors import Problem
    from compose2ecs.model import DesiredState


def _paint(text: str, severity: str) -> str:
    if severity == "error":
        return typer.style(text, fg="red", bold=True)
    if severity == "warning":
        return typer.style(text, fg="yellow")
    return typer.style(text, dim=True)


_HEADER = ("RESOURCE", "NAME", "DETAILS")


def summary_rows(desired: DesiredState) -> list[tuple[str, str, str]]:
    """One row per resource compose2ecs would create: kind, name, what it holds."""
    rows: list[tuple[str, str, str]] = []
    services = {s["taskDefinition"]: s for s in desired.services}
    for task in desired.task_definitions:
        containers = ", ".join(c["name"] for c in task["containerDefinitions"])
        rows.append(
            ("task definition", task["family"], f"{task['cpu']} CPU / {task['memory']} MiB: {containers}")
        )
        service = services.get(task["family"])
        if service:
            launch = service.get("launchType") or "capacity providers"
            rows.append(("service", service["serviceName"], f"{service['desiredCount']} task(s), {launch}"))
    for role in desired.roles:
        inline = ", ".join(role.inline_policies) or "no inline policy"
        managed = [arn.rsplit("/", 1)[-1] for arn in role.managed_policy_arns]
        rows.append(("iam role", role.name, ", ".join([*managed, inline])))
    if desired.file_system is not None:
        volumes = ", ".join(ap.volume for ap in desired.file_system.access_points)
        rows.append(("file system", desired.file_system.name, f"EFS, encrypted: {volumes}"))
    rows.extend(
        ("secret", secret.name, f"Secrets Manager, from compose secret {secret.source}")
        for secret in desired.secrets
    )
    if desired.file_parameters:
        rows.append(
            (
                "file parameters",
                desired.file_parameter_prefix,
                f"{len(desired.file_parameters)} SSM SecureString parameter(s): configs and host files",
            )
        )
    for group in desired.log_groups:
        retention = f"{group.retention_days} days" if group.retention_days else "never expires"
        rows.append(("log group", group.name, f"{group.region}, {retention}"))
    return rows


def print_conversion(desired: DesiredState) -> None:
    """Summary table and report on stdout; errors are listed last, so they stay on screen."""
    typer.echo(typer.style(f"{desired.project} ({desired.layout} layout, {desired.region})", bold=True))
    rows = summary_rows(desired)
    if rows:
        widths = [max(len(row[i]) for row in [_HEADER, *rows]) for i in range(2)]
        typer.echo()
        for index, (kind, name, details) in enumerate([_HEADER, *rows]):
            line = f"{kind:<{widths[0]}}  {name:<{widths[1]}}  {details}"
            typer.echo(typer.style(line, bold=True) if index == 0 else line)
    problems = sorted(
        (p for p in desired.problems if p.severity != "error"),
        key=lambda p: (("info", "warning", "error").index(p.severity), p.location or Location("")),
    )
    if problems:
        typer.echo("\nConversion report:")
    for problem in problems:
        typer.echo(_line(problem))
    errors = sum(p.severity == "error" for p in desired.problems)
    if errors:
        typer.echo(_paint(f"\n{errors} problem(s) Fargate would refuse, listed on stderr.", "error"))


def _line(problem: Problem) -> str:
    return f"{_paint(problem.severity + ':', problem.severity)} [{problem.status}] {problem.render()}"
