"""What other capabilities do when an incident changes, inside the same transaction (one use case, one
transaction). The escalation engine is the first; communication cadence and postmortems will follow."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection

from warroom.auth.actors import Actor
from warroom.incidents.lifecycle import Status


class IncidentHooks(Protocol):
    def incident_opened(self, tx: Connection, number: int, now: datetime) -> None: ...

    def incident_acknowledged(self, tx: Connection, number: int, actor: Actor, now: datetime) -> None: ...

    def incident_status_changed(self, tx: Connection, number: int, old: Status, new: Status, now: datetime) -> None: ...

    def severity_changed(self, tx: Connection, number: int, old: str, new: str, now: datetime) -> None: ...

    def progress(self, tx: Connection, number: int, now: datetime) -> None: ...
