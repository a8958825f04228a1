"""`warroom replay --playbook CANDIDATE.yaml`: what a candidate playbook would have done with the stored alerts.

It reads the local store directly (WARROOM_DATABASE_URL, like `warroom db upgrade`), replays the history under
the configured playbook and under the candidate in throw-away simulations, and prints the difference. It never
writes to the store and never sends anything.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from warroom.clock import FileClock, SystemClock
from warroom.deadlines import parse_span
from warroom.playbook.loader import PlaybookError, load_playbook
from warroom.replay.difference import NamedChange, Regrouping
from warroom.replay.service import ReplayReport, replay
from warroom.replay.summary import PersonLoad
from warroom.runtime import configured_playbook
from warroom.settings import Settings
from warroom.store.database import Database

out = Console()
err = Console(stderr=True)


def replay_command(
    playbook: Annotated[Path, typer.Option("--playbook", help="The candidate playbook YAML file.")],
    since: Annotated[str, typer.Option(help="How far back: 24h, 30d, 12w (elapsed time).")] = "30d",
    until: Annotated[str | None, typer.Option(help="End, ISO 8601 with offset (default now).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the replay as JSON for scripts.")] = False,
) -> None:
    """Replay the stored alerts under the configured playbook and under a candidate; show what would differ
    (incidents, pages, people woken at night). Reads the store; writes and sends nothing."""
    try:
        candidate = load_playbook(playbook)
    except PlaybookError as error:
        raise _fail_playbook(error) from None
    settings = Settings()
    try:
        current = configured_playbook(settings)
    except PlaybookError as error:
        err.print("[red]error:[/] the configured playbook does not load:", highlight=False)
        raise _fail_playbook(error) from None
    clock = FileClock(settings.clock_file) if settings.clock_file else SystemClock()
    end = _until(until, clock.now())
    start = end - _span(since)
    db = _store(settings.database_url)
    try:
        report = replay(db, current, candidate, start, end)
    finally:
        db.dispose()
    if as_json:
        typer.echo(json.dumps(report.as_json(), indent=2, sort_keys=True))
        return
    render(report)


def _fail_playbook(error: PlaybookError) -> typer.Exit:
    for problem in error.problems:
        err.print(f"[red]{problem}[/]", highlight=False, soft_wrap=True)
    return typer.Exit(2)


def _span(text: str) -> timedelta:
    try:
        span = parse_span(text).elapsed
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--since") from None
    if span <= timedelta(0):
        raise typer.BadParameter("must be longer than nothing", param_hint="--since")
    return span


def _until(text: str | None, now: datetime) -> datetime:
    if text is None:
        return now
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an ISO 8601 time", param_hint="--until") from None
    if value.tzinfo is None:
        raise typer.BadParameter("give a time zone offset, e.g. 2026-01-05T09:00:00Z", param_hint="--until")
    return value.astimezone(UTC)


def _store(url: str) -> Database:
    """The server's store, read only: a missing SQLite file is an error, not a new empty store."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and not Path(parsed.database).is_file():
        err.print(f"[red]error:[/] no store at {parsed.database} (WARROOM_DATABASE_URL)", highlight=False)
        raise typer.Exit(1)
    db = Database(url)
    if not inspect(db.engine).has_table("alerts"):
        db.dispose()
        err.print("[red]error:[/] the store has no alerts table: run `warroom db upgrade` first", highlight=False)
        raise typer.Exit(1)
    return db


# ---- rendering ---------------------------------------------------------------------------------------


def render(report: ReplayReport) -> None:
    before, after, difference = report.current, report.candidate, report.difference
    window = f"{report.since.isoformat()} to {report.until.isoformat()}"
    out.print(
        f"[bold]Replay of {report.alerts} stored alerts[/] ({window}; {report.real_incidents} real incidents)",
        highlight=False,
    )
    out.print(f"current: {before.playbook}    candidate: {after.playbook}    nothing was sent", highlight=False)
    table = Table(title="What would differ", title_justify="left")
    for name in ("", "current", "candidate", "change"):
        table.add_column(name, justify="left" if not name else "right")
    for label, change in (
        ("incidents", difference.incidents),
        ("acknowledged", difference.acknowledged),
        ("pages", difference.pages),
        ("night pages", difference.night_pages),
        ("people woken at night", difference.people_woken_at_night),
        ("incidents escalated past level 1", difference.escalated_incidents),
    ):
        table.add_row(label, str(change.before), str(change.after), f"{change.delta:+d}")
    out.print(table)
    out.print(_named("Incidents by severity", "severity", difference.by_severity))
    out.print(_named("Pages by person", "person", difference.pages_by_person))
    out.print(_named("Woken at night (pages at night)", "person", difference.night_pages_by_person))
    methods = Table(title="Pages delivered by method (current -> candidate)", title_justify="left")
    methods.add_column("person")
    methods.add_column("current")
    methods.add_column("candidate")
    for person in sorted({p.person for p in before.people} | {p.person for p in after.people}):
        methods.add_row(person, _methods(before.people, person), _methods(after.people, person))
    out.print(methods)
    out.print(f"Merged: {difference.merges} candidate incident(s) gather alerts of several current ones.")
    for example in difference.merge_examples:
        out.print(f"  {_example(example)}", highlight=False)
    out.print(f"Split: {difference.splits} current incident(s) become several candidate ones.")
    for example in difference.split_examples:
        out.print(f"  {_example(example)}", highlight=False)


def _named(title: str, what: str, changes: list[NamedChange]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(what)
    for name in ("current", "candidate", "change"):
        table.add_column(name, justify="right")
    for change in changes:
        table.add_row(change.name, str(change.before), str(change.after), f"{change.after - change.before:+d}")
    return table


def _methods(people: list[PersonLoad], person: str) -> str:
    for load in people:
        if load.person == person:
            return ", ".join(f"{method} {count}" for method, count in sorted(load.by_method.items())) or "-"
    return "-"


def _example(example: Regrouping) -> str:
    labels = ", ".join(f"{name}={value}" for name, value in example.common_labels.items()) or "no label in common"
    real = ", ".join(f"INC-{number}" for number in example.real_incidents)
    return (
        f"{example.alerts} alerts ({', '.join(example.alert_names[:5])}; {labels}): "
        f"{example.incidents_before} incident(s) -> {example.incidents_after}" + (f" [real: {real}]" if real else "")
    )
