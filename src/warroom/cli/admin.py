"""Local admin commands: serve, init, db upgrade, token create, playbook validate|show."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from warroom.auth.actors import SYSTEM, AccessRole
from warroom.auth.tokens import create_token
from warroom.clock import SystemClock
from warroom.playbook.loader import PlaybookError, load_playbook, load_preset, preset_names, preset_path
from warroom.playbook.schema import Playbook
from warroom.settings import Settings
from warroom.store.database import Database
from warroom.store.migrate import upgrade

out = Console()
err = Console(stderr=True)

playbook_app = typer.Typer(help="Validate and inspect playbook files.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
db_app = typer.Typer(help="The database.", no_args_is_help=True)


def _fail_playbook(error: PlaybookError) -> typer.Exit:
    for problem in error.problems:
        err.print(f"[red]{problem}[/]", highlight=False, soft_wrap=True)
    return typer.Exit(2)


@playbook_app.command("validate")
def validate(file: Annotated[Path, typer.Argument(help="The playbook YAML file.")]) -> None:
    """Check a playbook; errors name file:line:key."""
    try:
        playbook = load_playbook(file)
    except PlaybookError as error:
        raise _fail_playbook(error) from None
    out.print(
        f"[green]ok[/] {file}: {playbook.name!r}, {len(playbook.severities)} severities, "
        f"{len(playbook.triage.rules)} triage rules, {len(playbook.escalation_policies)} escalation policies"
    )


def _span(value: object) -> str:
    return str(value) if value is not None else "-"


def _severity_table(playbook: Playbook) -> Table:
    table = Table(
        "Severity", "Name", "Respond", "Updates", "Resolve", "Methods", "Escalation", "Postmortem", title=playbook.name
    )
    for s in playbook.severities:
        postmortem = s.postmortem.requirement.value + (f" ({s.postmortem.due})" if s.postmortem.due else "")
        table.add_row(
            s.label,
            s.name,
            _span(s.response_target),
            _span(s.update_cadence),
            _span(s.resolution_target),
            ", ".join(m.value for m in s.notify_methods),
            s.escalation_policy or "-",
            postmortem,
        )
    return table


@playbook_app.command("show")
def show(
    preset: Annotated[str | None, typer.Option("--preset", help=f"One of: {', '.join(preset_names())}")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="A playbook file instead of the configured one.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show a playbook's severity scheme (the configured one unless --preset or --file)."""
    from warroom.runtime import configured_playbook

    try:
        if preset:
            playbook = load_preset(preset)
        elif file:
            playbook = load_playbook(file)
        else:
            playbook = configured_playbook(Settings())
    except PlaybookError as error:
        raise _fail_playbook(error) from None
    if as_json:
        typer.echo(json.dumps(playbook.model_dump(mode="json", by_alias=True), indent=2))
        return
    out.print(_severity_table(playbook))
    rules = Table("#", "Severity", "When", title="Triage (first match wins)")
    for index, rule in enumerate(playbook.triage.rules, start=1):
        conditions = [c.model_dump(exclude_none=True, by_alias=True) for c in rule.conditions()]
        rules.add_row(str(index), playbook.severity(rule.severity).label, rule.reason or json.dumps(conditions))
    out.print(rules)
    out.print(f"No rule matched: {playbook.severity(playbook.triage.default_severity).label}")


def init(
    preset: Annotated[str, typer.Option("--preset", help=f"One of: {', '.join(preset_names())}")],
    output: Annotated[Path, typer.Option("--output", "-o")] = Path("playbook.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write an editable playbook.yaml from a preset."""
    try:
        source = preset_path(preset)
    except PlaybookError as error:
        raise _fail_playbook(error) from None
    if output.exists() and not force:
        err.print(f"[red]error:[/] {output} exists; pass --force to overwrite it")
        raise typer.Exit(1)
    output.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    out.print(f"wrote {output} from preset {preset!r}; edit it, then `warroom playbook validate {output}`")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations."""
    settings = Settings()
    upgrade(settings.database_url)
    out.print("database is up to date")


@token_app.command("create")
def token_create(
    role: Annotated[AccessRole, typer.Option("--role", help="viewer, responder or admin")],
    name: Annotated[str | None, typer.Option("--name", help="Who uses it (shown as the actor).")] = None,
) -> None:
    """Create an API token; it is printed once and never stored in clear."""
    settings = Settings()
    upgrade(settings.database_url)
    db = Database(settings.database_url)
    try:
        issued = create_token(db, SystemClock(), name or role.value, role, SYSTEM)
    finally:
        db.dispose()
    out.print(f"token for {issued.name} ({issued.role.value}), shown once:")
    typer.echo(issued.token)
