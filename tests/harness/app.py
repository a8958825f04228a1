"""The real application in-process on a manual clock, with one API token per access role."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from warroom.api.app import create_app
from warroom.auth.actors import SYSTEM, AccessRole
from warroom.auth.tokens import create_token
from warroom.clock import ManualClock
from warroom.playbook.loader import load_playbook, load_preset
from warroom.playbook.schema import Playbook
from warroom.runtime import Warroom, build
from warroom.settings import Settings
from warroom.store.tables import metadata

FIXTURES = Path(__file__).parent.parent / "playbook" / "fixtures"


def fixture_playbook(name: str = "minimal") -> Playbook:
    return load_playbook(FIXTURES / f"{name}.yaml")


@dataclass
class RunningApp:
    warroom: Warroom
    client: TestClient
    clock: ManualClock
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str = "responder") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def call(self, method: str, path: str, who: str = "responder", **kwargs: Any) -> Any:
        return self.client.request(method, path, headers={**self.headers(who), **kwargs.pop("headers", {})}, **kwargs)

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table: compare before and after to prove nothing changed."""
        with self.warroom.db.read() as connection:
            return {
                table.name: sorted(
                    (tuple(repr(value) for value in row) for row in connection.execute(select(table))),
                )
                for table in metadata.sorted_tables
            }


def start_app(
    database_url: str,
    playbook: Playbook | None = None,
    clock: ManualClock | None = None,
    preset: str | None = None,
    **settings_values: Any,
) -> RunningApp:
    clock = clock or ManualClock()
    if playbook is None:
        playbook = load_preset(preset) if preset else fixture_playbook()
    settings = Settings(database_url=database_url, **settings_values)
    warroom = build(settings, clock, migrate=False, playbook=playbook)
    app = RunningApp(warroom, TestClient(create_app(warroom), raise_server_exceptions=True), clock)
    for who, role in (
        ("admin", AccessRole.ADMIN),
        ("responder", AccessRole.RESPONDER),
        ("viewer", AccessRole.VIEWER),
        ("outsider", AccessRole.RESPONDER),
    ):
        app.tokens[who] = create_token(warroom.db, clock, who, role, SYSTEM).token
    return app
