"""`warroom report`: incident metrics over the API, as tables, JSON, or the incident log as CSV."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from warroom.cli.client import ApiClient

out = Console()
MEASURES = (
    ("time_to_detect", "MTTD"),
    ("time_to_acknowledge", "MTTA"),
    ("time_to_mitigate", "MTTM"),
    ("time_to_resolve", "MTTR"),
    ("time_to_resolve_from_detection", "resolve from detection"),
)


def report(
    period: Annotated[str | None, typer.Option(help="Back from now: 24h, 30d, 12w (default 30d)")] = None,
    since: Annotated[str | None, typer.Option(help="Start, ISO 8601 with offset (instead of --period)")] = None,
    until: Annotated[str | None, typer.Option(help="End, ISO 8601 with offset (default now)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON for scripts.")] = False,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="Print the incident log (the launch playbook's columns) as CSV.")
    ] = False,
) -> None:
    """Incident metrics: MTTD, MTTA, MTTM, MTTR by severity and service, incidents per week and month,
    detection, postmortems, action items and on-call load."""
    if as_json and as_csv:
        raise typer.BadParameter("give --json or --csv, not both", param_hint="--csv")
    params = {key: value for key, value in (("period", period), ("since", since), ("until", until)) if value}
    client = ApiClient()
    if as_csv:
        typer.echo(client.request("GET", "/api/v1/reports/incident-log.csv", params=params).text, nl=False)
        return
    data = client.json("GET", "/api/v1/reports", params=params)
    if as_json:
        typer.echo(json.dumps(data, indent=2, sort_keys=True))
        return
    render(data)


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h"


def percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.1f}%"


def _durations_table(title: str, groups: list[dict[str, Any]]) -> Table:
    table = Table(title=title, title_justify="left", show_lines=True)
    table.add_column("")
    table.add_column("incidents", justify="right")
    table.add_column("open", justify="right")
    for _, name in MEASURES:
        table.add_column(f"{name}\nmean / p50 / p90")
    for group in groups:
        cells = []
        for key, _ in MEASURES:
            value = group[key]
            figures = " / ".join(duration(value[f"{k}_seconds"]) for k in ("mean", "p50", "p90"))
            cells.append(f"{figures}\n[dim]{value['note']}[/]")
        table.add_row(group["label"], str(group["incidents"]), str(group["open"]), *cells)
    return table


def _buckets_table(title: str, buckets: list[dict[str, Any]], labels: dict[str, str]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("")
    table.add_column("incidents", justify="right")
    for label in labels.values():
        table.add_column(label, justify="right")
    for bucket in buckets:
        counts = [str(bucket["by_severity"].get(key, 0)) for key in labels]
        table.add_row(bucket["label"], str(bucket["incidents"]), *counts)
    return table


def _pairs(title: str, rows: list[tuple[str, str]]) -> Table:
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column("")
    table.add_column("", justify="right")
    for name, value in rows:
        table.add_row(name, value)
    return table


def render(data: dict[str, Any]) -> None:
    window = f"{data['since']} to {data['until']}" + (f" ({data['period']})" if data["period"] else "")
    out.print(f"[bold]Incidents {window}[/]: {data['incidents']} ({data['open']} open)", highlight=False)
    if data["duplicates_excluded"]:
        out.print(f"Duplicates left out: {data['duplicates_excluded']}", highlight=False)
    out.print(_durations_table("Response times", [data["overall"], *data["by_severity"]]))
    if data["by_service"]:
        out.print(_durations_table("By service", data["by_service"]))
    labels = {group["key"]: group["label"] for group in data["by_severity"]}
    out.print(_buckets_table(f"Per week ({data['timezone']})", data["weeks"], labels))
    out.print(_buckets_table(f"Per month ({data['timezone']})", data["months"], labels))
    top = data["most_severe"]
    out.print(
        _pairs(
            f"{top['label']} frequency",
            [
                ("incidents", str(top["incidents"])),
                ("per week", f"{top['per_week']:.2f}"),
                ("per month", f"{top['per_month']:.2f}"),
                ("last", top["last_at"] or "-"),
            ],
        )
    )
    detection = data["detection"]
    rows = [
        ("automated (alert)", f"{detection['automated']} ({percent(detection['automated_rate'])})"),
        ("user reported", f"{detection['user_reported']} ({percent(detection['user_reported_rate'])})"),
        ("declared by hand", f"{detection['manual']} ({percent(detection['manual_rate'])})"),
    ] + [(source, str(count)) for source, count in sorted(detection["other"].items())]
    out.print(_pairs("Detection", rows))
    pm = data["postmortems"]
    out.print(
        _pairs(
            "Postmortems",
            [
                ("required", str(pm["required"])),
                ("published", f"{pm['published']} ({percent(pm['completion_rate'])} complete)"),
                ("on time", f"{pm['on_time']} of {pm['on_time_eligible']} ({percent(pm['on_time_rate'])})"),
                ("overdue", str(pm["overdue"])),
                ("skipped", str(pm["skipped"])),
            ],
        )
    )
    items = data["action_items"]
    out.print(
        _pairs(
            "Action items created",
            [
                ("created", str(items["created"])),
                ("closed (done + won't do)", f"{items['closed']} ({percent(items['closure_rate'])})"),
                ("open / in progress", f"{items['open']} / {items['in_progress']}"),
                ("overdue", str(items["overdue"])),
            ],
        )
    )
    on_call = data["on_call"]
    table = Table(title="On-call load", title_justify="left")
    for name in ("person", "pages", "incidents", "night pages"):
        table.add_column(name, justify="left" if name == "person" else "right")
    for person in on_call["people"]:
        table.add_row(person["name"], str(person["pages"]), str(person["incidents"]), str(person["night_pages"]))
    out.print(table)
    window = "the playbook's overnight window" if on_call["night_source"] == "playbook" else "the default window"
    night = f"{on_call['night_start']}-{on_call['night_end']}"
    out.print(f"Night pages: {night} in each person's time zone ({window}).", highlight=False)
    for note in data["notes"]:
        out.print(f"[dim]{note}[/]", highlight=False)
