"""`warroom integration|alert|maintenance ...`: alert sources, alerts and maintenance windows over the API."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from warroom.cli.client import ApiClient

integration_app = typer.Typer(help="Monitoring sources pointed at Warroom.", no_args_is_help=True)
alert_app = typer.Typer(help="Alerts received from monitoring.", no_args_is_help=True)
maintenance_app = typer.Typer(help="Maintenance windows: alerts are recorded, nobody is paged.", no_args_is_help=True)
out = Console()

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
KINDS = "alertmanager, events_v2, grafana, sentry, generic, heartbeat"


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, sort_keys=True))


@integration_app.command("create")
def create_integration(
    key: Annotated[str, typer.Argument(help="Short lowercase key, e.g. prod-alertmanager.")],
    kind: Annotated[str, typer.Option(help=KINDS)],
    service: Annotated[str, typer.Option(help="The service its alerts are about (routes may override).")],
    name: Annotated[str | None, typer.Option(help="Display name; default: the key.")] = None,
    grouping: Annotated[str, typer.Option(help="group (source's group key), alert, or integration.")] = "group",
    signing_secret: Annotated[str | None, typer.Option(help="Grafana HMAC secret or Sentry client secret.")] = None,
    map_: Annotated[
        list[str] | None, typer.Option("--map", help="generic: FIELD=$.json.path or FIELD={{ template }}")
    ] = None,
    interval: Annotated[str | None, typer.Option(help="heartbeat: e.g. 5m")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Create an integration. Prints its secret key and ingest URL once."""
    mapping: dict[str, str] = {}
    for item in map_ or []:
        field, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"{item!r}: write FIELD=VALUE, e.g. summary=$.title")
        mapping[field.strip()] = value.strip()
    body: dict[str, Any] = {"key": key, "name": name or key, "kind": kind, "service": service, "grouping": grouping}
    if signing_secret:
        body["signing_secret"] = signing_secret
    if mapping:
        body["mapping"] = mapping
    if interval:
        body["heartbeat_interval"] = interval
    created = ApiClient().json("POST", "/api/v1/integrations", json=body)
    if as_json:
        _print_json(created)
        return
    out.print(f"Created integration [bold]{created['key']}[/] ({created['kind']}, service {created['service']})")
    out.print("Secret key (shown once; it is stored only as a hash):")
    typer.echo(created["secret_key"])
    out.print("Point the source at:")
    typer.echo(created["ingest_url"])
    if created["kind"] == "events_v2":
        out.print("(use the secret key as the routing_key)")


@integration_app.command("list")
def list_integrations(as_json: JsonFlag = False) -> None:
    items = ApiClient().json("GET", "/api/v1/integrations")
    if as_json:
        _print_json(items)
        return
    table = Table("key", "kind", "service", "grouping", "key prefix", "state")
    for item in items:
        state = "disabled" if item["disabled_at"] else "enabled"
        table.add_row(item["key"], item["kind"], item["service"], item["grouping"], item["key_prefix"], state)
    out.print(table)


@integration_app.command("disable")
def disable_integration(key: str) -> None:
    ApiClient().json("POST", f"/api/v1/integrations/{key}/disable")
    out.print(f"Integration {key} disabled: its key is refused from now on.")


@alert_app.command("list")
def list_alerts(
    status: Annotated[str | None, typer.Option(help="open, triggered, acknowledged, resolved, suppressed")] = None,
    integration: Annotated[str | None, typer.Option()] = None,
    service: Annotated[str | None, typer.Option()] = None,
    incident: Annotated[str | None, typer.Option(help="INC-n")] = None,
    query: Annotated[str | None, typer.Option("--query", "-q", help="Text in the summary or alert name.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    as_json: JsonFlag = False,
) -> None:
    """List alerts, newest first, with their incident."""
    params = {
        "status": status,
        "integration": integration,
        "service": service,
        "incident": incident,
        "q": query,
        "limit": limit,
    }
    page = ApiClient().json("GET", "/api/v1/alerts", params={k: v for k, v in params.items() if v is not None})
    if as_json:
        _print_json(page)
        return
    table = Table("id", "status", "alert", "summary", "service", "incident", "seen", "last seen")
    for item in page["items"]:
        incident_cell = item["incident"] or (
            f"maintenance {item['suppressed_by_maintenance']}" if item["suppressed_by_maintenance"] else "-"
        )
        table.add_row(
            str(item["id"]),
            item["status"],
            item["alert_name"] or "-",
            item["summary"][:60],
            item["service"],
            incident_cell,
            str(item["event_count"]),
            item["last_seen_at"],
        )
    out.print(table)


@alert_app.command("show")
def show_alert(number: int, as_json: JsonFlag = False) -> None:
    item = ApiClient().json("GET", f"/api/v1/alerts/{number}")
    if as_json:
        _print_json(item)
        return
    out.print(f"[bold]alert {item['id']}[/] {item['summary']}")
    for name in ("status", "alert_name", "integration", "dedup_key", "service", "severity", "route", "incident"):
        out.print(f"  {name:<14}{item[name]}")
    for name, value in sorted(item["labels"].items()):
        out.print(f"  label {name}={value}")


@maintenance_app.command("create")
def create_maintenance(
    service: Annotated[str, typer.Option()],
    ends_at: Annotated[str, typer.Option(help="ISO 8601 with a zone, e.g. 2026-05-01T06:00:00Z")],
    reason: Annotated[str, typer.Option()],
    starts_at: Annotated[str | None, typer.Option(help="Default: now.")] = None,
) -> None:
    body = {"service": service, "ends_at": ends_at, "reason": reason}
    if starts_at:
        body["starts_at"] = starts_at
    window = ApiClient().json("POST", "/api/v1/maintenance", json=body)
    out.print(
        f"Maintenance window {window['id']} for {window['service']}: {window['starts_at']} to {window['ends_at']}"
    )


@maintenance_app.command("list")
def list_maintenance(past: Annotated[bool, typer.Option(help="Include windows that are over.")] = False) -> None:
    table = Table("id", "service", "starts", "ends", "active", "reason")
    for item in ApiClient().json("GET", "/api/v1/maintenance", params={"include_past": past}):
        table.add_row(
            str(item["id"]), item["service"], item["starts_at"], item["ends_at"], str(item["active"]), item["reason"]
        )
    out.print(table)


@maintenance_app.command("end")
def end_maintenance(number: int) -> None:
    ApiClient().json("POST", f"/api/v1/maintenance/{number}/end")
    out.print(f"Maintenance window {number} ended.")
