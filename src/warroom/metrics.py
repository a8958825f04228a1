"""Prometheus metrics, exposed at /metrics. Counters live in the process's default registry.

Observations made inside a use case's transaction go through `after_commit`: they count only if the
transaction (and every savepoint around them) commits, so a rolled-back declare or a group-commit delivery
retried after a lost race is never counted twice.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import structlog
from prometheus_client import Counter, Histogram
from sqlalchemy import Connection, Engine, event

log = structlog.get_logger(__name__)

DELIVERIES = Counter(
    "warroom_deliveries",
    "Outbox delivery outcomes by channel: sent, failed (will retry), gave_up, deferred, cancelled.",
    ["channel", "outcome"],
)
PAGES = Counter("warroom_page_messages", "Page messages delivered, by contact method.", ["method"])
INCIDENTS = Counter("warroom_incidents", "Incidents opened (declared or from alerts), by severity key.", ["severity"])
PAGES_SENT = Counter(
    "warroom_pages", "People paged at an escalation step or by hand, by the incident's severity key.", ["severity"]
)
# Minutes are what acknowledgement targets are written in: 30 s up to 4 h.
ACK_BUCKETS = (30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 14400.0)
TIME_TO_ACKNOWLEDGE = Histogram(
    "warroom_time_to_acknowledge_seconds",
    "Seconds from trigger to the first acknowledgement of an incident, by severity key.",
    ["severity"],
    buckets=ACK_BUCKETS,
)


def incident_opened(tx: Connection, severity: str) -> None:
    after_commit(tx, INCIDENTS.labels(severity).inc)


def incident_acknowledged(tx: Connection, severity: str, seconds: float) -> None:
    after_commit(tx, partial(TIME_TO_ACKNOWLEDGE.labels(severity).observe, max(seconds, 0.0)))


def pages_sent(tx: Connection, severity: str, count: int) -> None:
    if count:
        after_commit(tx, partial(PAGES_SENT.labels(severity).inc, count))


# ---- after commit --------------------------------------------------------------------------------------


@dataclass
class _Pending:
    callbacks: list[Callable[[], None]] = field(default_factory=list)
    savepoints: list[int] = field(default_factory=list)  # len(callbacks) when each savepoint began


_lock = threading.Lock()
_hooked: weakref.WeakSet[Engine] = weakref.WeakSet()
_pending: weakref.WeakKeyDictionary[Connection, _Pending] = weakref.WeakKeyDictionary()


def after_commit(connection: Connection, callback: Callable[[], None]) -> None:
    """Run `callback` when `connection`'s transaction commits; forget it if the transaction or a savepoint
    enclosing the call rolls back. It runs as COMMIT is issued, after every statement succeeded: a COMMIT
    that itself fails (the connection lost at that instant) may still count once, which a counter tolerates."""
    _hook(connection.engine)
    _state(connection).callbacks.append(callback)


def _state(connection: Connection) -> _Pending:
    with _lock:
        state = _pending.get(connection)
        if state is None:
            state = _pending[connection] = _Pending()
        return state


def _hook(engine: Engine) -> None:
    with _lock:
        if engine in _hooked:
            return
        _hooked.add(engine)
    event.listen(engine, "savepoint", _on_savepoint)
    event.listen(engine, "release_savepoint", _on_release)
    event.listen(engine, "rollback_savepoint", _on_rollback_savepoint)
    event.listen(engine, "commit", _on_commit)
    event.listen(engine, "rollback", _on_rollback)


def _on_savepoint(connection: Connection, _name: Any) -> None:
    state = _state(connection)
    state.savepoints.append(len(state.callbacks))


def _on_release(connection: Connection, _name: Any, _context: Any) -> None:
    state = _pending.get(connection)
    if state is not None and state.savepoints:
        state.savepoints.pop()  # its callbacks now belong to the enclosing savepoint or transaction


def _on_rollback_savepoint(connection: Connection, _name: Any, _context: Any) -> None:
    state = _pending.get(connection)
    if state is None:
        return
    if state.savepoints:
        del state.callbacks[state.savepoints.pop() :]
    else:  # a savepoint begun before the engine was hooked encloses every callback registered since
        state.callbacks.clear()


def _on_commit(connection: Connection) -> None:
    with _lock:
        state = _pending.pop(connection, None)
    for callback in state.callbacks if state is not None else ():
        try:
            callback()
        except Exception:  # a metric must never fail a use case
            log.warning("metric_observation_failed", exc_info=True)


def _on_rollback(connection: Connection) -> None:
    with _lock:
        _pending.pop(connection, None)
