"""The one source of time. Nothing else in Warroom reads the system clock."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to: tests and drills advance it by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("time does not run backwards")
        with self._lock:
            self._now += delta
            return self._now

    def set(self, instant: datetime) -> datetime:
        if instant.tzinfo is None:
            raise ValueError("instant must be timezone-aware")
        with self._lock:
            instant = instant.astimezone(UTC)
            if instant < self._now:
                raise ValueError("time does not run backwards")
            self._now = instant
            return self._now


class FileClock:
    """The instant written in a file (ISO 8601), read at each call.

    Lets a test or a drill move the clock of a separate server process (the crash test kills and restarts
    one) without waiting for real time to pass. Set WARROOM_CLOCK_FILE; never used otherwise.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def now(self) -> datetime:
        instant = datetime.fromisoformat(self.path.read_text().strip())
        if instant.tzinfo is None:
            raise ValueError(f"{self.path}: the instant needs a time zone offset")
        return instant.astimezone(UTC)

    def set(self, instant: datetime) -> None:
        """Write the instant atomically, so a reader never sees half of it."""
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(instant.astimezone(UTC).isoformat())
        os.replace(temporary, self.path)
