"""The incident lifecycle as pure functions: which status may follow which, and what each move stamps.

investigating -> identified -> monitoring -> resolved -> closed, with shortcuts forward, a step back
from monitoring when a fix does not hold, and reopen from resolved or closed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum


class Status(StrEnum):
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    CLOSED = "closed"


class DetectionSource(StrEnum):
    ALERT = "alert"
    USER_REPORT = "user_report"
    MANUAL = "manual"


OPEN_STATUSES = frozenset({Status.INVESTIGATING, Status.IDENTIFIED, Status.MONITORING})

# Moves made with the status action. Reopen (resolved/closed -> investigating) is its own use case.
_EDGES: dict[Status, tuple[Status, ...]] = {
    Status.INVESTIGATING: (Status.IDENTIFIED, Status.MONITORING, Status.RESOLVED),
    Status.IDENTIFIED: (Status.INVESTIGATING, Status.MONITORING, Status.RESOLVED),
    Status.MONITORING: (Status.INVESTIGATING, Status.IDENTIFIED, Status.RESOLVED),
    Status.RESOLVED: (Status.CLOSED,),
    Status.CLOSED: (),
}
_REOPENABLE = frozenset({Status.RESOLVED, Status.CLOSED})
_ORDER = [Status.INVESTIGATING, Status.IDENTIFIED, Status.MONITORING, Status.RESOLVED, Status.CLOSED]


class InvalidTransition(ValueError):
    def __init__(self, current: Status, target: Status, allowed: tuple[Status, ...]) -> None:
        self.current, self.target, self.allowed = current, target, allowed
        names = ", ".join(status.value for status in allowed) or "none"
        super().__init__(f"cannot move from {current.value} to {target.value}; allowed: {names}")


def allowed_moves(current: Status) -> tuple[Status, ...]:
    return _EDGES[current]


def is_forward(current: Status, target: Status) -> bool:
    """A forward status change counts as progress for progress escalation (SEMANTICS.md)."""
    return _ORDER.index(target) > _ORDER.index(current)


@dataclass(frozen=True)
class Stamps:
    """The key timestamps of an incident (SEMANTICS.md: separate, never merged)."""

    started_at: datetime
    detected_at: datetime
    triggered_at: datetime
    acknowledged_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None


def move(current: Status, target: Status, stamps: Stamps, now: datetime) -> Stamps:
    """Check a status change and return the timestamps it sets."""
    if target not in _EDGES[current]:
        raise InvalidTransition(current, target, _EDGES[current])
    if target is Status.MONITORING and stamps.mitigated_at is None:
        stamps = replace(stamps, mitigated_at=now)  # monitoring means impact stopped
    if target is Status.RESOLVED:
        stamps = replace(stamps, resolved_at=now, mitigated_at=stamps.mitigated_at or now)
    if target is Status.CLOSED:
        stamps = replace(stamps, closed_at=now)
    return stamps


def reopen(current: Status, stamps: Stamps) -> Stamps:
    if current not in _REOPENABLE:
        raise InvalidTransition(current, Status.INVESTIGATING, tuple(s for s in _REOPENABLE))
    return replace(stamps, resolved_at=None, closed_at=None)


def reopen_allowed(current: Status) -> bool:
    return current in _REOPENABLE


@dataclass(frozen=True)
class Durations:
    """Derived, never typed in (SEMANTICS.md, "Clocks and anchors")."""

    duration: timedelta | None  # resolved - started
    time_to_detect: timedelta  # detected - started
    time_to_acknowledge: timedelta | None  # acknowledged - triggered
    time_to_mitigate: timedelta | None  # mitigated - detected
    time_to_resolve: timedelta | None  # resolved - detected


def durations(stamps: Stamps) -> Durations:
    def between(end: datetime | None, start: datetime) -> timedelta | None:
        return None if end is None else end - start

    return Durations(
        duration=between(stamps.resolved_at, stamps.started_at),
        time_to_detect=stamps.detected_at - stamps.started_at,
        time_to_acknowledge=between(stamps.acknowledged_at, stamps.triggered_at),
        time_to_mitigate=between(stamps.mitigated_at, stamps.detected_at),
        time_to_resolve=between(stamps.resolved_at, stamps.detected_at),
    )
