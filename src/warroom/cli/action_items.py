"""`warroom action ...`: the action items incidents leave behind, tracked to done (or won't do)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from warroom.cli.client import ApiClient

app = typer.Typer(
    help="Action items: owner, priority, due date, status; export and push to Jira or GitHub.", no_args_is_help=True
)
out = Console()

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
ItemArgument = Annotated[int, typer.Argument(help="The action item's number.")]
OwnerOption = Annotated[str | None, typer.Option("--owner", "-o", help="A playbook person (key or name).")]
PriorityOption = Annotated[str | None, typer.Option("--priority", "-p", help="p0..p3 or highest/high/medium/low.")]
DueOption = Annotated[
    str | None, typer.Option("--due", "-d", help="2026-03-10 (end of that day), 2026-03-10T17:00Z, or 2w.")
]
DescriptionOption = Annotated[str | None, typer.Option("--description", help="What done looks like.")]


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2))


def _line(item: dict[str, Any]) -> str:
    """One item as Rich markup: user text escaped, so a title with [brackets] prints as typed."""
    due = item["due_date"] or "no due date"
    late = " [red]OVERDUE[/]" if item["overdue"] else ""
    who = escape(item["owner"] or "no owner")
    return f"#{item['id']} {item['incident']} \\[{item['priority']}] {item['status']} - {who}, {due}{late}"


@app.command()
def add(
    ref: Annotated[str, typer.Argument(help="INC-n")],
    title: Annotated[str, typer.Argument(help="What to do, in a line.")],
    owner: OwnerOption = None,
    priority: PriorityOption = None,
    due: DueOption = None,
    description: DescriptionOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Add an action item to an incident."""
    body: dict[str, Any] = {"title": title}
    for name, value in (("owner", owner), ("priority", priority), ("due", due), ("description", description)):
        if value is not None:
            body[name] = value
    item = ApiClient().json("POST", f"/api/v1/incidents/{ref}/action-items", json=body)
    if as_json:
        _print_json(item)
        return
    out.print(f"added {_line(item)}: {escape(item['title'])}", highlight=False)


@app.command("list")
def list_items(
    incident: Annotated[str | None, typer.Option("--incident", "-i", help="Only this incident (INC-n).")] = None,
    status: Annotated[list[str] | None, typer.Option("--status", "-s", help="open, in_progress, done, wont_do")] = None,
    owner: OwnerOption = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only open items past their due date.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """List action items, earliest due first."""
    params: list[tuple[str, str]] = [("status", s) for s in status or []]
    if incident:
        params.append(("incident", incident))
    if owner:
        params.append(("owner", owner))
    if overdue:
        params.append(("overdue", "true"))
    items = ApiClient().json("GET", "/api/v1/action-items", params=params)
    if as_json:
        _print_json(items)
        return
    if not items:
        out.print("no action items")
        return
    table = Table("#", "Incident", "Title", "Owner", "Priority", "Due", "Status", "Tracker")
    for item in items:
        due = (item["due_date"] or "-") + (" [red]overdue[/]" if item["overdue"] else "")
        table.add_row(
            str(item["id"]),
            item["incident"],
            escape(item["title"]),
            escape(item["owner"] or "-"),
            item["priority"],
            due,
            item["status"],
            item["external_key"] or "-",
        )
    out.print(table)


@app.command()
def show(item_id: ItemArgument, as_json: JsonFlag = False) -> None:
    """One action item in full."""
    item = ApiClient().json("GET", f"/api/v1/action-items/{item_id}")
    if as_json:
        _print_json(item)
        return
    out.print(f"{_line(item)}\n{escape(item['title'])}", highlight=False)
    if item["description"]:
        out.print(item["description"], markup=False, highlight=False)
    if item["external_key"]:
        out.print(f"tracker: {item['external_key']} {item['external_url']}", markup=False)


@app.command()
def edit(
    item_id: ItemArgument,
    title: Annotated[str | None, typer.Option("--title", help="A new title.")] = None,
    owner: OwnerOption = None,
    priority: PriorityOption = None,
    due: DueOption = None,
    description: DescriptionOption = None,
    clear_due: Annotated[bool, typer.Option("--clear-due", help="Remove the due date.")] = False,
    clear_owner: Annotated[bool, typer.Option("--clear-owner", help="Remove the owner.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Change an action item's title, owner, priority, due date or description."""
    body: dict[str, Any] = {}
    for name, value in (
        ("title", title),
        ("owner", owner),
        ("priority", priority),
        ("due", due),
        ("description", description),
    ):
        if value is not None:
            body[name] = value
    if clear_due:
        body["due"] = None
    if clear_owner:
        body["owner"] = None
    if not body:
        raise typer.BadParameter("nothing to change: give --title, --owner, --priority, --due or --description")
    item = ApiClient().json("PATCH", f"/api/v1/action-items/{item_id}", json=body)
    if as_json:
        _print_json(item)
        return
    out.print(f"updated {_line(item)}", highlight=False)


@app.command()
def status(
    item_id: ItemArgument,
    new_status: Annotated[str, typer.Argument(metavar="STATUS", help="open, in_progress, done or wont_do")],
    note: Annotated[str | None, typer.Option("--note", "-n", help="Why (required for wont_do).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Move an action item: in_progress, done, wont_do, or open to reopen it."""
    body: dict[str, Any] = {"status": new_status}
    if note is not None:
        body["note"] = note
    item = ApiClient().json("POST", f"/api/v1/action-items/{item_id}/status", json=body)
    if as_json:
        _print_json(item)
        return
    out.print(f"#{item['id']} is {item['status']}", highlight=False)


@app.command()
def export(
    format: Annotated[str, typer.Option("--format", "-f", help="csv, jira or github")] = "csv",
    incident: Annotated[str | None, typer.Option("--incident", "-i", help="Only this incident (INC-n).")] = None,
    status: Annotated[list[str] | None, typer.Option("--status", "-s", help="Only these statuses.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue items.")] = False,
    project: Annotated[str | None, typer.Option("--project", help="Jira project key (jira format).")] = None,
    output: Annotated[Path | None, typer.Option("--output", help="Write to this file instead of stdout.")] = None,
) -> None:
    """CSV, or issue bodies in Jira's (bulk create) or GitHub's shape."""
    params: list[tuple[str, str]] = [("format", format)] + [("status", s) for s in status or []]
    if incident:
        params.append(("incident", incident))
    if overdue:
        params.append(("overdue", "true"))
    if project:
        params.append(("project", project))
    text = ApiClient().request("GET", "/api/v1/action-items/export", params=params).text
    if output is not None:
        output.write_text(text, encoding="utf-8")
        out.print(f"wrote {output}")
        return
    typer.echo(text, nl=not text.endswith("\n"))


@app.command()
def push(
    item_id: ItemArgument,
    tracker: Annotated[str, typer.Option("--tracker", "-t", help="jira or github")],
    as_json: JsonFlag = False,
) -> None:
    """Create the item's issue in Jira or GitHub (once: a pushed item is not pushed again)."""
    result = ApiClient().json("POST", f"/api/v1/action-items/{item_id}/push", json={"tracker": tracker})
    if as_json:
        _print_json(result)
        return
    item = result["item"]
    verb = "pushed" if result["created"] else "already pushed"
    out.print(f"#{item['id']} {verb}: {item['external_key']} {item['external_url']}", markup=False, highlight=False)
