"""`warroom postmortem ...`: read, edit and review an incident's postmortem, and list the overdue ones.

Editing is by file: `show REF --markdown > pm.md` prints the revision to stderr; `edit REF --file pm.md
--revision N` uploads it, refused if someone changed it since N (without --revision it uses the revision it
reads just before uploading).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from warroom.cli.client import ApiClient, err

app = typer.Typer(
    help="Postmortems: the draft written from the incident, its review and its deadline.", no_args_is_help=True
)
out = Console()

RefArgument = Annotated[str, typer.Argument(help="INC-n")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _path(ref: str) -> str:
    return f"/api/v1/incidents/{ref}/postmortem"


def _when(value: str | None) -> str:
    return value[:16].replace("T", " ") + " UTC" if value else "-"


def _summary(view: dict[str, Any]) -> None:
    overdue = " [red]OVERDUE[/]" if view["overdue"] else ""
    out.print(
        f"[bold]{view['incident']}[/] {view['incident_title']} [{view['severity_label']}]: postmortem "
        f"{view['state'].replace('_', ' ')} ({view['requirement']}), revision {view['revision']}{overdue}"
    )
    out.print(
        f"  owner: {view['owner'] or 'nobody'}; due: {_when(view['due_at'])}; review by: {_when(view['review_due_at'])}"
    )


@app.command()
def show(
    ref: RefArgument,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print only the Markdown (revision on stderr).")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Show an incident's postmortem: its state, owner, deadline, what is left to write, and the Markdown."""
    view = ApiClient().json("GET", _path(ref))
    if as_json:
        typer.echo(json.dumps(view, indent=2))
        return
    if markdown:
        typer.echo(view["markdown"], nl=False)
        err.print(f"{view['incident']} postmortem revision {view['revision']} ({view['state']})")
        return
    _summary(view)
    if view["skip_reason"]:
        out.print(f"  skipped: {view['skip_reason']}", markup=False)
    if view["placeholders"]:
        out.print(f"  still to write: {', '.join(view['placeholders'])}", markup=False)
    if view["next_reminder_at"]:
        out.print(f"  next reminder: {_when(view['next_reminder_at'])}")
    for report in view["reports"]:
        out.print(f"  report: {report['name']} -> warroom comms send {report['key']} --incident {view['incident']}")
    out.print(f"  can: {', '.join(view['allowed_actions']) or 'nothing (final)'}")
    out.print("")
    out.print(view["markdown"], markup=False, highlight=False)


@app.command()
def edit(
    ref: RefArgument,
    file: Annotated[Path, typer.Option("--file", "-f", help="The Markdown to upload.", exists=True, dir_okay=False)],
    revision: Annotated[int | None, typer.Option("--revision", help="The revision the file was read at.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Upload the postmortem's Markdown; refused when it changed since the revision it was read at."""
    client = ApiClient()
    if revision is None:
        revision = int(client.json("GET", _path(ref))["revision"])
    view = client.json("PUT", _path(ref), json={"markdown": file.read_text(encoding="utf-8"), "revision": revision})
    _done(view, as_json, f"saved revision {view['revision']}")


def _act(ref: str, action: str, body: dict[str, Any] | None, as_json: bool, said: str) -> None:
    view = ApiClient().json("POST", f"{_path(ref)}/{action}", json=body)
    _done(view, as_json, said)


def _done(view: dict[str, Any], as_json: bool, said: str) -> None:
    if as_json:
        typer.echo(json.dumps(view, indent=2))
        return
    out.print(f"{view['incident']} postmortem: {said}; now {view['state'].replace('_', ' ')}")
    if view["placeholders"]:
        out.print(f"  still to write: {', '.join(view['placeholders'])}", markup=False)


@app.command()
def submit(ref: RefArgument, as_json: JsonFlag = False) -> None:
    """Submit the draft for review."""
    _act(ref, "submit", None, as_json, "submitted for review")


@app.command()
def publish(ref: RefArgument, as_json: JsonFlag = False) -> None:
    """Publish a reviewed postmortem (every placeholder must be filled in or deleted)."""
    _act(ref, "publish", None, as_json, "published")


@app.command("send-back")
def send_back(
    ref: RefArgument,
    reason: Annotated[str | None, typer.Option("--reason", help="What to change.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Send a postmortem in review back to draft."""
    _act(ref, "send-back", {"reason": reason}, as_json, "sent back")


@app.command()
def skip(
    ref: RefArgument,
    reason: Annotated[str, typer.Option("--reason", help="Why no postmortem is written.")],
    as_json: JsonFlag = False,
) -> None:
    """Skip an optional postmortem, with a reason."""
    _act(ref, "skip", {"reason": reason}, as_json, "skipped")


@app.command()
def owner(
    ref: RefArgument, person: Annotated[str, typer.Argument(help="Who owns it")], as_json: JsonFlag = False
) -> None:
    """Give the postmortem to someone (they are told)."""
    _act(ref, "owner", {"owner": person}, as_json, f"owned by {person}")


@app.command()
def regenerate(ref: RefArgument, as_json: JsonFlag = False) -> None:
    """Write the draft again from the incident (drafts only; replaces its text)."""
    client = ApiClient()
    revision = int(client.json("GET", _path(ref))["revision"])
    view = client.json("POST", f"{_path(ref)}/regenerate", json={"revision": revision})
    _done(view, as_json, f"regenerated (revision {view['revision']})")


@app.command("list")
def list_postmortems(
    overdue: Annotated[bool, typer.Option("--overdue", help="Only required ones past their deadline.")] = False,
    state: Annotated[list[str] | None, typer.Option("--state", help="draft, in_review, published, skipped.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List postmortems, soonest due first."""
    params: dict[str, Any] = {"state": state or []}
    if overdue:
        params["overdue"] = "true"
    items = ApiClient().json("GET", "/api/v1/postmortems", params=params)
    if as_json:
        typer.echo(json.dumps(items, indent=2))
        return
    if not items:
        out.print("no overdue postmortems" if overdue else "no postmortems")
        return
    table = Table("Incident", "Title", "Severity", "State", "Owner", "Due (UTC)", "")
    for item in items:
        flag = "[red]overdue[/]" if item["overdue"] else ""
        table.add_row(
            item["incident"],
            item["incident_title"],
            item["severity_label"],
            item["state"].replace("_", " "),
            item["owner"] or "-",
            _when(item["due_at"]),
            flag,
        )
    out.print(table)
