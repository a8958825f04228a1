"""`warroom comms ...`: preview and send stakeholder messages, and see an incident's communication clocks."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from warroom.cli.client import ApiClient

app = typer.Typer(help="Stakeholder communication from the playbook's templates.", no_args_is_help=True)
out = Console()

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
FieldOption = Annotated[list[str] | None, typer.Option("--field", "-f", help="Template value NAME=VALUE (repeat).")]
IncidentOption = Annotated[str | None, typer.Option("--incident", "-i", help="INC-n the message is about.")]
ChannelOption = Annotated[str | None, typer.Option("--channel", "-c", help="Playbook channel (audience) key.")]
TemplateArgument = Annotated[str, typer.Argument(help="Template key (warroom comms templates).")]


def _fields(items: list[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter(f"{item!r}: write NAME=VALUE, e.g. eta='30 minutes'")
        fields[name.strip()] = value
    return fields


def _body(template: str, incident: str | None, channel: str | None, field: list[str] | None) -> dict[str, Any]:
    body: dict[str, Any] = {"template": template, "fields": _fields(field or [])}
    if incident:
        body["incident"] = incident
    if channel:
        body["channel"] = channel
    return body


@app.command()
def templates(as_json: JsonFlag = False) -> None:
    """List the playbook's message templates and the values each one asks for."""
    items = ApiClient().json("GET", "/api/v1/comms/templates")
    if as_json:
        typer.echo(json.dumps(items, indent=2))
        return
    table = Table("Key", "Kind", "Channel", "Asks for")
    for item in items:
        table.add_row(item["key"], item["kind"], item["channel"] or "-", ", ".join(item["required_fields"]) or "-")
    out.print(table)


@app.command()
def preview(
    template: TemplateArgument,
    incident: IncidentOption = None,
    channel: ChannelOption = None,
    field: FieldOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Render a message without sending it; lists what is missing."""
    result = ApiClient().json("POST", "/api/v1/comms/preview", json=_body(template, incident, channel, field))
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    out.print(f"[bold]{result['template']}[/] -> {result['channel_name']} ({result['audience']})")
    for delivery in result["deliveries"]:
        note = f"  [yellow]{delivery['note']}[/]" if delivery.get("note") else ""
        out.print(f"  via {delivery['channel']} to {delivery['address']}{note}")
    if result["missing"]:
        out.print(f"[red]missing values:[/] {', '.join(result['missing'])} (give them with --field NAME=VALUE)")
    for problem in result["problems"]:
        out.print(f"[red]cannot send:[/] {problem}")
    if result["subject"]:
        out.print(f"Subject: {result['subject']}")
    if result["body"] is not None:
        out.print(result["body"], markup=False, highlight=False)
    if not result["ready"]:
        raise typer.Exit(1)


@app.command()
def send(
    template: TemplateArgument,
    incident: IncidentOption = None,
    channel: ChannelOption = None,
    field: FieldOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Send a message to its audience (through the outbox)."""
    result = ApiClient().json("POST", "/api/v1/comms/send", json=_body(template, incident, channel, field))
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    out.print(f"sent #{result['id']} {result['subject']} -> {result['channel']}")


@app.command()
def clocks(ref: Annotated[str, typer.Argument(help="INC-n")], as_json: JsonFlag = False) -> None:
    """What the incident owes its stakeholders, and by when."""
    result = ApiClient().json("GET", f"/api/v1/incidents/{ref}/comms")
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    if result["next_update_due"]:
        out.print(f"next update due {result['next_update_due']} (owner: {result['update_owner'] or 'nobody'})")
    table = Table("Clock", "State", "Due (UTC)", "Met")
    for clock in result["clocks"]:
        table.add_row(clock["name"], clock["state"], (clock["due_at"] or "-")[:16], (clock["met_at"] or "-")[:16])
    out.print(table)
    for check in result["checklist"]:
        mark = {"done": "x", "late": "!", "missed": "!"}.get(check["state"], " ")
        out.print(f"  [{mark}] {check['text']}  ({check['detail']})", markup=False)


RefArgument = Annotated[str, typer.Argument(help="INC-n")]


@app.command()
def approve(ref: RefArgument, note: Annotated[str | None, typer.Option(help="Kept on the timeline.")] = None) -> None:
    """Approve customer communication of a security incident (only its approval role may)."""
    ApiClient().json("POST", f"/api/v1/incidents/{ref}/comms/approve", json={"note": note})
    out.print(f"customer communication of {ref} approved")


@app.command()
def breach(
    ref: RefArgument,
    at: Annotated[str | None, typer.Option(help="Back-date to detection, e.g. 2026-03-05T13:40Z.")] = None,
) -> None:
    """Flag a confirmed personal-data breach: the regulator clock starts."""
    result = ApiClient().json("POST", f"/api/v1/incidents/{ref}/comms/breach", json={"at": at} if at else {})
    clock = next((c for c in result["clocks"] if c["key"] == "regulator_notice"), None)
    out.print(f"breach flagged on {ref}" + (f"; regulator notice due {clock['due_at']}" if clock else ""))


@app.command()
def waive(
    ref: RefArgument,
    deadline: Annotated[str, typer.Argument(help="The clock's key (warroom comms clocks REF --json).")],
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why it does not apply.")],
) -> None:
    """Waive a communication clock that does not apply to this incident."""
    ApiClient().json("POST", f"/api/v1/incidents/{ref}/comms/clocks/{deadline}/waive", json={"reason": reason})
    out.print(f"{deadline} waived on {ref}")
