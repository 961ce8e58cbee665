"""Plan renderers: JSON data, a pull-request comment, a terminal listing; secrets masked unless asked."""

from __future__ import annotations

import io
import json

from rich.console import Console

from compose2ecs.cli.plan_render import plan_json, plan_markdown, print_plan, summary_line
from compose2ecs.model.deployed import Action, FieldChange, Plan, ResourceChange, ResourceKind


def sample_plan() -> Plan:
    return Plan(
        project="shop",
        cluster="shop",
        resources=[
            ResourceChange(ResourceKind.ROLE, "ecsTaskExecutionRole", Action.NO_CHANGE),
            ResourceChange(ResourceKind.LOG_GROUP, "/ecs/shop", Action.CREATE),
            ResourceChange(
                ResourceKind.TASK_DEFINITION,
                "shop-web",
                Action.NEW_REVISION,
                (
                    FieldChange("containerDefinitions[web].image", "changed", "nginx:1.26", "nginx:1.27"),
                    FieldChange(
                        "containerDefinitions[web].environment[DB_PASSWORD]",
                        "changed",
                        "hunter2",
                        "hunter3",
                        sensitive=True,
                    ),
                    FieldChange("containerDefinitions[web].environment[OLD]", "removed", "x", None),
                ),
                "registers shop-web:4",
            ),
            ResourceChange(
                ResourceKind.SERVICE,
                "web",
                Action.UPDATE,
                (FieldChange("taskDefinition", "changed", "shop-web:3", "shop-web:4 (new)"),),
                "new task definition",
            ),
            ResourceChange(
                ResourceKind.SERVICE,
                "worker",
                Action.REPLACE,
                (FieldChange("schedulingStrategy", "changed", "REPLICA", "DAEMON"),),
                "schedulingStrategy cannot be changed in place (REPLICA -> DAEMON)",
            ),
        ],
    )


def in_sync_plan() -> Plan:
    return Plan("shop", "shop", [ResourceChange(ResourceKind.CLUSTER, "shop", Action.NO_CHANGE)])


def render(plan: Plan, *, show_values: bool = False, terminal: bool = False, no_color: bool = True) -> str:
    out = io.StringIO()
    console = Console(
        file=out,
        width=100,
        no_color=no_color,
        force_terminal=terminal,
        color_system="standard" if terminal else "auto",
    )
    print_plan(plan, console, show_values)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# JSON.


def test_plan_json_masks_sensitive_values_only() -> None:
    data = plan_json(sample_plan(), show_values=False)

    changes = data["resources"][2]["changes"]
    assert changes[1] == {
        "path": "containerDefinitions[web].environment[DB_PASSWORD]",
        "kind": "changed",
        "before": "***",
        "after": "***",
        "sensitive": True,
    }
    assert changes[0]["after"] == "nginx:1.27"
    assert changes[2]["after"] is None
    assert "hunter" not in json.dumps(data)


def test_plan_json_shows_values_when_asked() -> None:
    data = plan_json(sample_plan(), show_values=True)

    assert data["resources"][2]["changes"][1]["after"] == "hunter3"


def test_plan_json_carries_the_summary_and_each_resource() -> None:
    data = plan_json(sample_plan(), show_values=False)

    assert data["project"] == "shop"
    assert data["inSync"] is False
    assert data["summary"] == {
        "create": 1,
        "update": 1,
        "new revision": 1,
        "replace": 1,
        "delete": 0,
        "no change": 1,
    }
    assert [(r["kind"], r["name"], r["action"]) for r in data["resources"]][:2] == [
        ("iam role", "ecsTaskExecutionRole", "no change"),
        ("log group", "/ecs/shop", "create"),
    ]
    json.dumps(data)  # plain data all the way down


# ---------------------------------------------------------------------------------------------
# Markdown.


def test_markdown_has_a_summary_table_row_per_resource() -> None:
    text = plan_markdown(sample_plan(), show_values=False)

    assert "| Resource | Name | Action |" in text
    assert "| task definition | `shop-web` | new revision |" in text
    assert "| iam role | `ecsTaskExecutionRole` | no change |" in text
    assert "**1 to create, 1 to update, 1 new revision(s), 1 to replace, 1 unchanged**" in text


def test_markdown_lists_changes_in_a_diff_block_with_masked_secrets() -> None:
    text = plan_markdown(sample_plan(), show_values=False)

    block = text.split("#### task definition `shop-web`: new revision (registers shop-web:4)\n\n```diff\n")[1]
    block = block.split("\n```")[0]
    assert block.splitlines() == [
        '- containerDefinitions[web].image: "nginx:1.26"',
        '+ containerDefinitions[web].image: "nginx:1.27"',
        "- containerDefinitions[web].environment[DB_PASSWORD]: ***",
        "+ containerDefinitions[web].environment[DB_PASSWORD]: ***",
        '- containerDefinitions[web].environment[OLD]: "x"',
    ]
    assert "hunter" not in text
    assert "#### iam role" not in text  # unchanged resources only appear in the table


def test_markdown_fence_outgrows_backticks_in_values() -> None:
    plan = Plan(
        "p",
        "c",
        [
            ResourceChange(
                ResourceKind.TASK_DEFINITION,
                "f",
                Action.NEW_REVISION,
                (FieldChange("containerDefinitions[a].command", "changed", ["echo ```"], ["x"]),),
            )
        ],
    )

    text = plan_markdown(plan, show_values=False)

    assert "````diff\n" in text
    assert text.rstrip().endswith("````")


def test_markdown_of_an_in_sync_plan_says_so() -> None:
    text = plan_markdown(in_sync_plan(), show_values=False)

    assert "**in sync: nothing to change**" in text
    assert "```" not in text


# ---------------------------------------------------------------------------------------------
# Terminal.


def test_print_plan_shows_before_and_after_lines_and_a_summary() -> None:
    text = render(sample_plan())

    lines = [line.strip() for line in text.splitlines()]
    assert "~ new revision task definition shop-web (registers shop-web:4)" in lines
    assert '- containerDefinitions[web].image: "nginx:1.26"' in lines
    assert '+ containerDefinitions[web].image: "nginx:1.27"' in lines
    assert '+ taskDefinition: "shop-web:4 (new)"' in lines
    assert (
        "-/+ replace service worker (schedulingStrategy cannot be changed in place (REPLICA -> DAEMON))"
        in lines
    )
    assert "no change iam role ecsTaskExecutionRole" in lines
    assert lines[-1] == "1 to create, 1 to update, 1 new revision(s), 1 to replace, 1 unchanged"


def test_print_plan_masks_secrets_unless_asked() -> None:
    assert "hunter" not in render(sample_plan())
    assert "- containerDefinitions[web].environment[DB_PASSWORD]: ***" in render(sample_plan())
    assert '+ containerDefinitions[web].environment[DB_PASSWORD]: "hunter3"' in render(
        sample_plan(), show_values=True
    )


def test_print_plan_to_a_file_has_no_escape_codes() -> None:
    assert "\x1b" not in render(sample_plan(), no_color=False)


def test_print_plan_with_no_color_on_a_terminal_has_no_colour_codes() -> None:
    text = render(sample_plan(), terminal=True)

    assert "\x1b[31m" not in text
    assert "\x1b[32m" not in text


def test_print_plan_colours_come_from_markup_on_a_terminal() -> None:
    text = render(sample_plan(), terminal=True, no_color=False)

    assert "\x1b[31m- containerDefinitions[web].image" in text  # red before
    assert "\x1b[32m+ containerDefinitions[web].image" in text  # green after


def test_an_in_sync_plan_prints_in_sync() -> None:
    assert render(in_sync_plan()).splitlines()[-1] == "in sync: nothing to change"
    assert summary_line(in_sync_plan()) == "in sync: nothing to change"
