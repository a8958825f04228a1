"""The `warroom` command."""

from __future__ import annotations

import typer

from warroom.cli import accounts as account_cli
from warroom.cli import action_items as action_cli
from warroom.cli import admin, alerts, comms, drill, incident, oncall, serve
from warroom.cli import lint as lint_cli
from warroom.cli import postmortems as postmortem_cli
from warroom.cli import replay as replay_cli
from warroom.cli import report as report_cli

app = typer.Typer(help="Warroom: incident response from a playbook.", no_args_is_help=True)
app.add_typer(incident.app, name="incident")
app.add_typer(oncall.app, name="oncall")
app.add_typer(comms.app, name="comms")
app.add_typer(action_cli.app, name="action")
app.add_typer(postmortem_cli.app, name="postmortem")
app.add_typer(alerts.integration_app, name="integration")
app.add_typer(alerts.alert_app, name="alert")
app.add_typer(alerts.maintenance_app, name="maintenance")
admin.playbook_app.command("lint")(lint_cli.lint_file)
app.add_typer(admin.playbook_app, name="playbook")
app.add_typer(admin.token_app, name="token")
app.add_typer(account_cli.app, name="account")
app.add_typer(admin.db_app, name="db")
app.command("init")(admin.init)
app.command("serve")(serve.serve)
app.command("report")(report_cli.report)
app.command("replay")(replay_cli.replay_command)
app.command("drill")(drill.drill)

if __name__ == "__main__":
    app()
