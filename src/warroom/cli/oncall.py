"""`warroom oncall now|schedule|override|handoff|pay|feed`: on-call over the API."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from warroom.cli.client import ApiClient

app = typer.Typer(help="Who is on call, schedules, overrides, handoff and on-call pay.", no_args_is_help=True)
override_app = typer.Typer(help="Replace, add or remove a person on a schedule for a window.", no_args_is_help=True)
app.add_typer(override_app, name="override")
out = Console()

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, sort_keys=True))


def _when(value: str, name: str) -> str:
    """ISO 8601 with an offset; 'now' and 'now+2h' / 'now+3d' for convenience."""
    text = value.strip()
    if text.startswith("now"):
        rest = text[3:]
        moment = datetime.now(UTC)  # the CLI's own "now": it runs on the user's machine, not in the server
        if rest:
            sign, amount, unit = rest[0], rest[1:-1], rest[-1]
            units = {"m": "minutes", "h": "hours", "d": "days"}
            if sign not in "+-" or not amount.isdigit() or unit not in units:
                raise typer.BadParameter(f"{value!r}: write now, now+90m, now+2h or now+3d", param_hint=name)
            delta = timedelta(**{units[unit]: int(amount)})
            moment = moment + delta if sign == "+" else moment - delta
        return moment.isoformat()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not an ISO 8601 time", param_hint=name) from None
    if parsed.tzinfo is None:
        raise typer.BadParameter(f"{value!r} needs a time zone offset, e.g. 2026-12-01T09:00+01:00", param_hint=name)
    return parsed.isoformat()


@app.command("now")
def now(as_json: JsonFlag = False) -> None:
    """Who is on call now, per schedule, and until when."""
    items = ApiClient().json("GET", "/api/v1/oncall")
    if as_json:
        _print_json(items)
        return
    table = Table("schedule", "on call", "until")
    for item in items:
        table.add_row(item["name"], ", ".join(item["people"]) or "[red]nobody[/]", item["until"] or "-")
    out.print(table)


@app.command("schedule")
def schedule(
    key: Annotated[str, typer.Argument(help="The schedule's key.")],
    start: Annotated[str, typer.Option(help="ISO time or now")] = "now",
    end: Annotated[str, typer.Option(help="ISO time or now+14d")] = "now+14d",
    gaps: Annotated[bool, typer.Option("--gaps", help="Show coverage gaps of the next 30 days instead.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """The final schedule (overrides applied) as shifts, or its coverage gaps."""
    client = ApiClient()
    if gaps:
        items = client.json("GET", f"/api/v1/schedules/{key}/gaps", params={"days": 30})
        if as_json:
            _print_json(items)
            return
        if not items:
            out.print("No coverage gaps in the next 30 days.")
        for gap in items:
            out.print(f"[red]gap[/] {gap['start']} -> {gap['end']}")
        return
    params = {"start": _when(start, "--start"), "end": _when(end, "--end")}
    items = client.json("GET", f"/api/v1/schedules/{key}/shifts", params=params)
    if as_json:
        _print_json(items)
        return
    table = Table("start", "end", "person", "from")
    for shift in items:
        table.add_row(shift["start"], shift["end"], shift["person"], shift["layer"] or "override")
    out.print(table)


@override_app.command("add")
def override_add(
    schedule: Annotated[str, typer.Argument(help="The schedule's key.")],
    person: Annotated[str, typer.Option(help="Who takes the shift (or is added/removed).")],
    start: Annotated[str, typer.Option(help="ISO time with offset, or now / now+2h")],
    end: Annotated[str, typer.Option(help="ISO time with offset, or now+8h")],
    kind: Annotated[str, typer.Option(help="replace, add or remove")] = "replace",
    replaces: Annotated[str | None, typer.Option(help="replace: only this person's time")] = None,
    note: Annotated[str | None, typer.Option()] = None,
    as_json: JsonFlag = False,
) -> None:
    body: dict[str, Any] = {
        "kind": kind,
        "person": person,
        "starts_at": _when(start, "--start"),
        "ends_at": _when(end, "--end"),
    }
    if replaces:
        body["replaces"] = replaces
    if note:
        body["note"] = note
    created = ApiClient().json("POST", f"/api/v1/schedules/{schedule}/overrides", json=body)
    if as_json:
        _print_json(created)
        return
    window = f"{created['starts_at']} -> {created['ends_at']}"
    out.print(f"Override {created['id']}: {created['kind']} {created['person']} {window}")


@override_app.command("list")
def override_list(schedule: Annotated[str, typer.Argument()], as_json: JsonFlag = False) -> None:
    items = ApiClient().json("GET", f"/api/v1/schedules/{schedule}/overrides")
    if as_json:
        _print_json(items)
        return
    table = Table("id", "kind", "person", "replaces", "start", "end", "by")
    for o in items:
        table.add_row(
            str(o["id"]), o["kind"], o["person"], o["replaces"] or "", o["starts_at"], o["ends_at"], o["created_by"]
        )
    out.print(table)


@override_app.command("remove")
def override_remove(schedule: Annotated[str, typer.Argument()], number: Annotated[int, typer.Argument()]) -> None:
    ApiClient().request("DELETE", f"/api/v1/schedules/{schedule}/overrides/{number}")
    out.print(f"Removed override {number} from {schedule}.")


@app.command("handoff")
def handoff(
    schedule: Annotated[str | None, typer.Option(help="Default: the playbook's first schedule.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """The handoff summary for the outgoing on-call."""
    params = {"schedule": schedule} if schedule else {}
    data = ApiClient().json("GET", "/api/v1/oncall/handoff", params=params)
    if as_json:
        _print_json(data)
        return
    out.print(
        f"[bold]On-call handoff[/] ({data['schedule']}): {', '.join(data['outgoing']) or 'nobody'} -> "
        f"{', '.join(data['incoming']) or 'nobody'} at {data['handoff_at'] or '-'}"
    )
    for title, key in (
        ("Open incidents", "open_incidents"),
        ("Ongoing issues (monitoring)", "ongoing_issues"),
        ("Recent incidents (this shift)", "recent_incidents"),
    ):
        out.print(f"\n[bold]{title}[/]")
        if not data[key]:
            out.print("  none")
        for item in data[key]:
            out.print(f"  {item['id']} [{item['severity']}] {item['title']} ({item['status']})", highlight=False)
    out.print("\n[bold]Upcoming maintenance[/]")
    if not data["upcoming_maintenance"]:
        out.print("  none")
    for window in data["upcoming_maintenance"]:
        out.print(
            f"  {window['service']}: {window['starts_at']} -> {window['ends_at']} {window['reason']}", highlight=False
        )
    out.print("\n[bold]Notes[/]")
    for note in data["notes"] or ["none"]:
        out.print(f"  {note}", highlight=False)


@app.command("pay")
def pay(
    start: Annotated[str, typer.Option(help="ISO time with offset")],
    end: Annotated[str, typer.Option(help="ISO time with offset")],
    as_json: JsonFlag = False,
) -> None:
    """On-call pay per person for a period, from the playbook's compensation rules (admin)."""
    params = {"start": _when(start, "--start"), "end": _when(end, "--end")}
    lines = ApiClient().json("GET", "/api/v1/oncall/pay", params=params)
    if as_json:
        _print_json(lines)
        return
    table = Table(
        "person", "on-call h", "stipend", "incidents", "incident pay", "overnight pages", "comp time h", "total"
    )
    for line in lines:
        handled = ", ".join(f"{k}: {v}" for k, v in sorted(line["incidents_handled"].items())) or "-"
        table.add_row(
            line["person"],
            str(line["on_call_hours"]),
            f"{line['stipend']} {line['currency']}",
            handled,
            str(line["incident_pay"]),
            str(line["overnight_pages"]),
            str(line["comp_time_hours"]),
            f"{line['total']} {line['currency']}",
        )
    out.print(table)


@app.command("feed")
def feed(
    schedule: Annotated[str | None, typer.Option(help="A schedule's calendar")] = None,
    person: Annotated[str | None, typer.Option(help="A person's own shifts")] = None,
) -> None:
    """Create an iCalendar subscribe URL. The URL is the credential: it is shown once."""
    created = ApiClient().json("POST", "/api/v1/calendar-feeds", json={"schedule": schedule, "person": person})
    typer.echo(created["url"])
