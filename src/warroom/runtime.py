"""Assemble a running Warroom: store, clock, playbook and services. Doors receive one of these."""

from __future__ import annotations

from dataclasses import dataclass

from warroom.clock import Clock, SystemClock
from warroom.incidents.service import IncidentService
from warroom.playbook.loader import load_playbook, load_preset
from warroom.playbook.registry import PlaybookRegistry
from warroom.playbook.schema import Playbook
from warroom.settings import Settings
from warroom.store.database import Database
from warroom.store.migrate import upgrade


@dataclass
class Warroom:
    settings: Settings
    clock: Clock
    db: Database
    playbooks: PlaybookRegistry
    incidents: IncidentService

    @property
    def playbook(self) -> Playbook:
        return self.playbooks.active[1]

    def close(self) -> None:
        self.db.dispose()


def configured_playbook(settings: Settings) -> Playbook:
    """The playbook file if one is configured (or ./playbook.yaml exists), else the preset.

    Raises PlaybookError (file:line:key) on a broken playbook: the server must not start on it.
    """
    kind, path = settings.playbook_source()
    if kind == "file" and path is not None:
        return load_playbook(path)
    return load_preset(settings.preset)


def build(
    settings: Settings, clock: Clock | None = None, *, migrate: bool = True, playbook: Playbook | None = None
) -> Warroom:
    clock = clock or SystemClock()
    playbook = playbook or configured_playbook(settings)  # validate before touching the database
    if migrate:
        upgrade(settings.database_url)
    db = Database(settings.database_url)
    registry = PlaybookRegistry(db)
    registry.activate(playbook, clock)
    return Warroom(settings, clock, db, registry, IncidentService(db, clock, registry))
