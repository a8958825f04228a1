"""The `warroom` command."""

from __future__ import annotations

import typer

from warroom.cli import admin, incident, serve

app = typer.Typer(help="Warroom: incident response from a playbook.", no_args_is_help=True)
app.add_typer(incident.app, name="incident")
app.add_typer(admin.playbook_app, name="playbook")
app.add_typer(admin.token_app, name="token")
app.add_typer(admin.db_app, name="db")
app.command("init")(admin.init)
app.command("serve")(serve.serve)

if __name__ == "__main__":
    app()
