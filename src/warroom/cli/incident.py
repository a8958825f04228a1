"""`warroom incident ...`: run incidents against the API."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from warroom.cli.client import ApiClient

app = typer.Typer(help="Declare and run incidents (talks to WARROOM_URL with WARROOM_TOKEN).", no_args_is_help=True)
out = Console()

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _client() -> ApiClient:
    return ApiClient()


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, sort_keys=True))


def _parse_facts(facts: list[str]) -> dict[str, bool | float]:
    parsed: dict[str, bool | float] = {}
    for item in facts:
        key, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"{item!r}: write FACT=VALUE, e.g. error_rate_pct=12 or all_users_affected=true")
        lowered = value.strip().lower()
        if lowered in ("true", "yes"):
            parsed[key.strip()] = True
        elif lowered in ("false", "no"):
            parsed[key.strip()] = False
        else:
            try:
                parsed[key.strip()] = float(lowered.rstrip("%"))
            except ValueError:
                raise typer.BadParameter(f"{item!r}: value must be true/false or a number") from None
    return parsed


def _show(incident: dict[str, Any]) -> None:
    out.print(f"[bold]{incident['id']}[/] {incident['title']}")
    out.print(
        f"  severity  {incident['severity_label']}   status {incident['status']}"
        + ("   [yellow]private[/]" if incident["private"] else "")
    )
    if incident.get("triage_reason"):
        out.print(f"  triage    {incident['triage_reason']}")
    for name in ("started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at", "closed_at"):
        if incident.get(name):
            out.print(f"  {name.removesuffix('_at'):<13}{incident[name]}")
    for role in incident.get("roles", []):
        out.print(f"  {role['role_name']:<24}{role['person']}")
    if incident.get("allowed_statuses"):
        out.print(f"  next      {', '.join(incident['allowed_statuses'])}")


@app.command()
def declare(
    title: Annotated[str, typer.Argument(help="What is happening, briefly.")],
    severity: Annotated[str | None, typer.Option("--severity", "-s", help="Key or label; omit to triage.")] = None,
    fact: Annotated[list[str] | None, typer.Option("--fact", "-f", help="Impact fact FACT=VALUE (repeat).")] = None,
    summary: Annotated[str, typer.Option(help="Longer description.")] = "",
    service: Annotated[list[str] | None, typer.Option("--service", help="Affected service (repeat).")] = None,
    private: Annotated[bool, typer.Option("--private", help="Visible only to participants and admins.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Declare an incident."""
    body: dict[str, Any] = {
        "title": title,
        "summary": summary,
        "impact": _parse_facts(fact or []),
        "services": service or [],
        "private": private,
    }
    if severity:
        body["severity"] = severity
    incident = _client().json("POST", "/api/v1/incidents", json=body)
    _print_json(incident) if as_json else _show(incident)


@app.command("list")
def list_incidents(
    status: Annotated[list[str] | None, typer.Option("--status", help="Filter by status (repeat).")] = None,
    severity: Annotated[list[str] | None, typer.Option("--severity", help="Filter by severity key (repeat).")] = None,
    service: Annotated[str | None, typer.Option(help="Filter by service.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 50,
    as_json: JsonFlag = False,
) -> None:
    """List incidents, newest first."""
    params: dict[str, Any] = {"limit": limit}
    if status:
        params["status"] = status
    if severity:
        params["severity"] = severity
    if service:
        params["service"] = service
    page = _client().json("GET", "/api/v1/incidents", params=params)
    if as_json:
        _print_json(page)
        return
    table = Table("ID", "Severity", "Status", "Title", "Triggered (UTC)")
    for item in page["items"]:
        table.add_row(item["id"], item["severity_label"], item["status"], item["title"], item["triggered_at"][:16])
    out.print(table)


@app.command()
def show(ref: str, as_json: JsonFlag = False) -> None:
    """Show one incident."""
    incident = _client().json("GET", f"/api/v1/incidents/{ref}")
    _print_json(incident) if as_json else _show(incident)


@app.command()
def status(
    ref: str,
    new_status: Annotated[str, typer.Argument(metavar="STATUS")],
    note: Annotated[str | None, typer.Argument()] = None,
    as_json: JsonFlag = False,
) -> None:
    """Move an incident to another status (investigating, identified, monitoring, resolved, closed)."""
    incident = _client().json("POST", f"/api/v1/incidents/{ref}/status", json={"status": new_status, "note": note})
    _print_json(incident) if as_json else _show(incident)


@app.command()
def severity(
    ref: str,
    new_severity: Annotated[str, typer.Argument(metavar="SEVERITY")],
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why (kept on the timeline).")],
    as_json: JsonFlag = False,
) -> None:
    """Change the severity, with the reason."""
    incident = _client().json(
        "POST", f"/api/v1/incidents/{ref}/severity", json={"severity": new_severity, "reason": reason}
    )
    _print_json(incident) if as_json else _show(incident)


@app.command()
def ack(ref: str, as_json: JsonFlag = False) -> None:
    """Acknowledge an incident."""
    incident = _client().json("POST", f"/api/v1/incidents/{ref}/acknowledge")
    _print_json(incident) if as_json else _show(incident)


@app.command()
def escalate(
    ref: str,
    reason: Annotated[str, typer.Option(help="Why: goes on the timeline.")],
    level: Annotated[int | None, typer.Option(help="Page this level now (1 = first); default the next one.")] = None,
    policy: Annotated[str | None, typer.Option(help="Which escalation policy; default the incident's first.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Escalate now: page the next level (or --level N) at once."""
    body: dict[str, object] = {"reason": reason}
    if level is not None:
        body["level"] = level
    if policy is not None:
        body["policy"] = policy
    state = _client().json("POST", f"/api/v1/incidents/{ref}/escalate", json=body)
    if as_json:
        _print_json(state)
        return
    for escalation in state["escalations"]:
        out.print(
            f"{escalation['name']}: level {escalation['level']} of {escalation['levels']} ({escalation['state']})",
            highlight=False,
        )
    for page in state["pages"][-5:]:
        out.print(
            f"  paged {page['person']} (level {page['level']}, {page['via']}) at {page['paged_at']}", highlight=False
        )


@app.command()
def role(
    ref: str,
    role_key: Annotated[str, typer.Argument(metavar="ROLE")],
    person: Annotated[str | None, typer.Argument(help="Omit with --remove.")] = None,
    remove: Annotated[bool, typer.Option("--remove", help="Unassign the role.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Assign (or --remove) an incident role, e.g. `role INC-4 incident_commander alice`."""
    client = _client()
    if remove:
        incident = client.json("DELETE", f"/api/v1/incidents/{ref}/roles/{role_key}")
    elif person is None:
        raise typer.BadParameter("name the person, or pass --remove")
    else:
        incident = client.json("PUT", f"/api/v1/incidents/{ref}/roles/{role_key}", json={"person": person})
    _print_json(incident) if as_json else _show(incident)


@app.command()
def note(ref: str, text: str, pin: Annotated[bool, typer.Option("--pin")] = False, as_json: JsonFlag = False) -> None:
    """Add a note to the timeline."""
    event = _client().json("POST", f"/api/v1/incidents/{ref}/notes", json={"text": text, "pinned": pin})
    _print_json(event) if as_json else out.print(f"noted on {event['incident']} at {event['at']}")


@app.command()
def describe(
    ref: str,
    impact: Annotated[str | None, typer.Option("--impact", help="What users experience, in words.")] = None,
    root_cause: Annotated[str | None, typer.Option("--root-cause", help="Why it happened.")] = None,
    resolution: Annotated[str | None, typer.Option("--resolution", help="What fixed it.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Write the words messages quote: the impact statement, the root cause, the resolution."""
    body = {
        key: value
        for key, value in (("impact_statement", impact), ("root_cause", root_cause), ("resolution", resolution))
        if value is not None
    }
    if not body:
        raise typer.BadParameter("give --impact, --root-cause or --resolution")
    incident = _client().json("PATCH", f"/api/v1/incidents/{ref}", json=body)
    _print_json(incident) if as_json else _show(incident)


@app.command()
def resolve(ref: str, note: Annotated[str | None, typer.Argument()] = None, as_json: JsonFlag = False) -> None:
    """Resolve an incident."""
    incident = _client().json("POST", f"/api/v1/incidents/{ref}/resolve", json={"note": note})
    _print_json(incident) if as_json else _show(incident)


@app.command()
def close(ref: str, note: Annotated[str | None, typer.Argument()] = None, as_json: JsonFlag = False) -> None:
    """Close a resolved incident."""
    incident = _client().json("POST", f"/api/v1/incidents/{ref}/close", json={"note": note})
    _print_json(incident) if as_json else _show(incident)


@app.command()
def reopen(ref: str, reason: Annotated[str | None, typer.Argument()] = None, as_json: JsonFlag = False) -> None:
    """Reopen a resolved or closed incident."""
    incident = _client().json("POST", f"/api/v1/incidents/{ref}/reopen", json={"reason": reason})
    _print_json(incident) if as_json else _show(incident)


@app.command()
def timeline(
    ref: str,
    format: Annotated[str, typer.Option("--format", help="table, md, csv or json")] = "table",
    as_json: JsonFlag = False,
) -> None:
    """Print the timeline (or export it as Markdown / CSV)."""
    client = _client()
    if format in ("md", "csv"):
        typer.echo(client.request("GET", f"/api/v1/incidents/{ref}/timeline", params={"format": format}).text, nl=False)
        return
    events = client.json("GET", f"/api/v1/incidents/{ref}/timeline")
    if as_json or format == "json":
        _print_json(events)
        return
    table = Table("Time (UTC)", "Event", "By", "")
    for event in events:
        table.add_row(
            event["at"][:19].replace("T", " "), event["text"], event["actor"], "📌" if event["pinned"] else ""
        )
    out.print(table)
