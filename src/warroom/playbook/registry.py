"""Playbook versions: the active one, and the frozen one each incident started under."""

from __future__ import annotations

import threading

from sqlalchemy import Connection, insert, select

from warroom.clock import Clock
from warroom.playbook.loader import playbook_digest
from warroom.playbook.schema import Playbook
from warroom.store.database import Database
from warroom.store.tables import playbook_versions


class PlaybookRegistry:
    """Keeps every playbook version the server has run under; versions are immutable, so caching is safe."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._cache: dict[int, Playbook] = {}
        self._lock = threading.Lock()
        self._active: tuple[int, Playbook] | None = None

    def activate(self, playbook: Playbook, clock: Clock) -> int:
        digest = playbook_digest(playbook)
        with self._db.transaction() as tx:
            found = tx.execute(select(playbook_versions.c.id).where(playbook_versions.c.digest == digest)).scalar()
            if found is None:
                found = tx.execute(
                    insert(playbook_versions)
                    .values(
                        digest=digest,
                        name=playbook.name,
                        content=playbook.model_dump(mode="json", by_alias=True),
                        loaded_at=clock.now(),
                    )
                    .returning(playbook_versions.c.id)
                ).scalar_one()
        with self._lock:
            self._cache[found] = playbook
            self._active = (found, playbook)
        return int(found)

    @property
    def active(self) -> tuple[int, Playbook]:
        if self._active is None:
            raise RuntimeError("no playbook has been activated")
        return self._active

    def get(self, version_id: int, connection: Connection | None = None) -> Playbook:
        """The frozen playbook; `connection` lets a caller inside a transaction read it on that transaction."""
        with self._lock:
            cached = self._cache.get(version_id)
        if cached is not None:
            return cached
        query = select(playbook_versions.c.content).where(playbook_versions.c.id == version_id)
        if connection is not None:
            content = connection.execute(query).scalar_one()
        else:
            with self._db.read() as own:
                content = own.execute(query).scalar_one()
        playbook = Playbook.model_validate(content)
        with self._lock:
            self._cache[version_id] = playbook
        return playbook
