"""Whether the names the services use for each other resolve where they will run.

In compose, every service name is a host name. On Fargate that holds only in the `service`
layout, through Service Connect, and only for a service that publishes or exposes the port;
in the `project` layout the containers share one task and reach each other on `localhost`.
An app that reads `DB_HOST=db` then fails at its first connection, so the names are looked for
where apps keep them: environment values (a host, `db:5432`, a URL) and the command.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from compose2ecs.translate.report import APPROXIMATED

if TYPE_CHECKING:
    from compose2ecs.translate.container import Container
    from compose2ecs.translate.report import Report


@functools.cache
def _patterns() -> tuple[re.Pattern[str], tuple[re.Pattern[str], ...]]:
    """Compiled on first use: `convert` of a project with one service never needs them."""
    # A variable whose whole value may be a bare host name (`DB_HOST=db`); elsewhere a name counts
    # only as `name:port` or inside a URL, so `ROLE=worker` is not taken for the worker service.
    variable = re.compile(r"HOST|ADDR|SERVER|URL|URI|DSN|ENDPOINT|BROKER|PEERS|NODES|SEEDS", re.IGNORECASE)
    hosts = (
        re.compile(r"(?:^|[\s,;=@/(\[])([A-Za-z0-9][A-Za-z0-9_.-]*)(?::(\d+)|(?=/))"),  # db:5432, //db/
        re.compile(r"://(?:[^/@\s]*@)?([A-Za-z0-9][A-Za-z0-9_.-]*)(?::(\d+))?(?=$|[/?#\s,;])"),  # redis://db
    )
    return variable, hosts


def _mentions(text: str, names: set[str], *, bare: bool) -> list[tuple[str, str]]:
    """(name, port or "") for each service name `text` uses as a host: `name:port`, in a URL, or bare.

    One pass over the text per host form, whatever the number of services.
    """
    found: dict[str, str] = {}
    for pattern in _patterns()[1]:
        for match in pattern.finditer(text):
            if match.group(1) in names and match.group(1) not in found:
                found[match.group(1)] = match.group(2) or ""
    if bare and not found and text.strip() in names:
        found[text.strip()] = ""
    return sorted(found.items())


def check(containers: list[Container], layout: str, report: Report, *, connected: bool) -> None:
    """Report the service names that will not resolve (see the module docstring)."""
    names = sorted(c.service for c in containers)
    if len(names) == 1:
        return
    ports = {c.service: bool(c.definition.get("portMappings")) for c in containers}
    reached: dict[str, list[tuple[str, str, str]]] = {}  # target -> (service, what, port) using it
    for container in containers:
        others = set(names) - {container.service}
        base = ("services", container.service)
        uses: list[tuple[tuple[str | int, ...], str, str, str]] = []  # (path, what, target, port)
        for item in container.definition.get("environment", []):
            variable, value = str(item.get("name", "")), str(item.get("value", ""))
            bare = bool(_patterns()[0].search(variable))
            uses.extend(
                ((*base, "environment", variable), variable, target, port)
                for target, port in _mentions(value, others, bare=bare)
            )
        command = " ".join(str(part) for part in container.definition.get("command") or [])
        uses.extend(
            ((*base, "command"), "command", target, port)
            for target, port in _mentions(command, others, bare=False)
        )
        for path, what, target, port in uses:
            reached.setdefault(target, []).append((container.service, what, port))
            if layout == "project":
                subject = "its command" if what == "command" else what
                report.add(
                    path,
                    f"{subject} names service {target} as a host, which does not resolve in the project "
                    f"layout: the containers share one task and reach each other on localhost",
                    APPROXIMATED,
                    "service-name-in-one-task",
                    f"use --layout service (Service Connect resolves {target}), or write localhost",
                )
    if layout != "service" or not connected:
        return
    for target, users in sorted(reached.items()):
        if ports.get(target):
            continue
        by = ", ".join(f"{service}'s {what}" for service, what in sorted({(u[0], u[1]) for u in users}))
        port = next((u[2] for u in users if u[2]), "")
        example = f"expose: ['{port}']" if port else "e.g. expose: ['5432']"
        report.add(
            ("services", target),
            f"{by} reach {target} by name, but {target} publishes and exposes no port: Service "
            "Connect has nothing to give that name",
            APPROXIMATED,
            "service-without-port",
            f"add the port {target} listens on ({example})",
        )
