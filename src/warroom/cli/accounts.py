"""`warroom account create|disable`: local sign-in accounts of the web UI (run on the server, like `token create`)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console

from warroom.auth.actors import SYSTEM, AccessRole
from warroom.clock import SystemClock
from warroom.errors import WarroomError
from warroom.runtime import configured_playbook
from warroom.settings import Settings
from warroom.store.database import Database
from warroom.store.migrate import upgrade
from warroom.web.accounts import AccountService

out = Console()
err = Console(stderr=True)
app = typer.Typer(help="Web UI sign-in accounts.", no_args_is_help=True)


def _read_password() -> str:
    if sys.stdin.isatty():
        first = typer.prompt("Password", hide_input=True)
        if typer.prompt("Repeat it", hide_input=True) != first:
            err.print("[red]the two passwords differ[/]")
            raise typer.Exit(2)
        return str(first)
    return sys.stdin.readline().rstrip("\r\n")  # scripts pipe it in: never on the command line


@app.command("create")
def create(
    username: Annotated[str, typer.Argument(help="The sign-in name.")],
    role: Annotated[AccessRole, typer.Option("--role", help="viewer, responder or admin")] = AccessRole.RESPONDER,
    person: Annotated[str | None, typer.Option("--person", help="The playbook person this account is.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Display name.")] = None,
) -> None:
    """Create an account; the password is read from a prompt (or one line of standard input)."""
    settings = Settings()
    people = {p.key for p in configured_playbook(settings).people} if person else None
    password = _read_password()
    upgrade(settings.database_url)
    db = Database(settings.database_url)
    try:
        account = AccountService(db, SystemClock()).create(SYSTEM, username, password, role, name, person, people)
    except WarroomError as error:
        err.print(f"[red]{error.detail}[/]", highlight=False)
        raise typer.Exit(2) from None
    finally:
        db.dispose()
    out.print(f"account {account.username} ({account.role.value}) created; sign in at /signin")


@app.command("disable")
def disable(username: Annotated[str, typer.Argument(help="The sign-in name.")]) -> None:
    """Disable an account: it can no longer sign in."""
    settings = Settings()
    db = Database(settings.database_url)
    try:
        AccountService(db, SystemClock()).disable(SYSTEM, username)
    except WarroomError as error:
        err.print(f"[red]{error.detail}[/]", highlight=False)
        raise typer.Exit(2) from None
    finally:
        db.dispose()
    out.print(f"account {username} disabled")
