"""Status page test helpers: a playbook with components, the running app, and the v2 JSON schemas."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from tests.harness.app import RunningApp, fixture_playbook, start_app
from warroom.clock import ManualClock
from warroom.playbook.schema import Component, Playbook

PUBLIC_URL = "https://status.example.com"
SCHEMAS = Path(__file__).parent / "schemas"
ENDPOINTS = [
    "status.json",
    "summary.json",
    "components.json",
    "incidents.json",
    "incidents/unresolved.json",
    "scheduled-maintenances.json",
    "scheduled-maintenances/upcoming.json",
    "scheduled-maintenances/active.json",
]
COMPONENTS = [
    Component(key="api", name="Public API", group="Platform", description="REST and webhooks"),
    Component(key="web", name="Web app", group="Platform"),
    Component(key="database", name="Database"),
    Component(key="email", name="E-mail delivery", group="Integrations"),
]


def status_playbook(components: list[Component] | None = None, name: str = "Minimal team") -> Playbook:
    return fixture_playbook().model_copy(
        update={"components": COMPONENTS if components is None else components, "name": name}
    )


@contextmanager
def status_app(
    database_url: str, playbook: Playbook | None = None, clock: ManualClock | None = None, **settings: Any
) -> Iterator[RunningApp]:
    settings.setdefault("public_url", PUBLIC_URL)
    app = start_app(database_url, playbook=playbook or status_playbook(), clock=clock, **settings)
    try:
        yield app
    finally:
        app.client.close()
        app.warroom.close()


@cache
def _registry() -> Registry:  # type: ignore[type-arg]
    resources = [
        (f"https://warroom.test/statuspage/v2/{path.name}", Resource.from_contents(json.loads(path.read_text())))
        for path in SCHEMAS.glob("*.json")
    ]
    return Registry().with_resources(resources)


def validator(endpoint: str) -> Draft202012Validator:
    """The validator of one endpoint's schema (incidents/unresolved.json -> incidents-unresolved.json)."""
    schema = json.loads((SCHEMAS / endpoint.replace("/", "-")).read_text())
    return Draft202012Validator(schema, registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_errors(endpoint: str, body: Any) -> list[str]:
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator(endpoint).iter_errors(body)]


def component_codes(app: RunningApp) -> dict[str, str]:
    """Component key -> public id."""
    response = app.call("GET", "/api/v1/status/components", who="viewer")
    assert response.status_code == 200, response.text
    return {item["key"]: item["code"] for item in response.json()}


def indicator(app: RunningApp) -> tuple[str, str]:
    status = app.client.get("/api/v2/status.json").json()["status"]
    return status["indicator"], status["description"]
