"""The pure lifecycle: allowed moves, stamps, derived durations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warroom.incidents.lifecycle import (
    InvalidTransition,
    Stamps,
    Status,
    allowed_moves,
    durations,
    move,
    reopen,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def stamps() -> Stamps:
    return Stamps(started_at=T0 - timedelta(minutes=5), detected_at=T0, triggered_at=T0)


def test_closed_is_reached_only_through_resolved() -> None:
    with pytest.raises(InvalidTransition) as error:
        move(Status.INVESTIGATING, Status.CLOSED, stamps(), T0)
    assert error.value.allowed == (Status.IDENTIFIED, Status.MONITORING, Status.RESOLVED)
    assert "allowed: identified, monitoring, resolved" in str(error.value)


def test_monitoring_stamps_mitigation_once() -> None:
    first = move(Status.IDENTIFIED, Status.MONITORING, stamps(), T0 + timedelta(minutes=10))
    again = move(Status.IDENTIFIED, Status.MONITORING, first, T0 + timedelta(minutes=50))
    assert first.mitigated_at == again.mitigated_at == T0 + timedelta(minutes=10)


def test_resolving_without_monitoring_counts_as_mitigated_then() -> None:
    resolved = move(Status.INVESTIGATING, Status.RESOLVED, stamps(), T0 + timedelta(hours=1))
    assert resolved.mitigated_at == resolved.resolved_at == T0 + timedelta(hours=1)


def test_durations_follow_semantics() -> None:
    s = Stamps(
        started_at=T0 - timedelta(minutes=10),
        detected_at=T0,
        triggered_at=T0 + timedelta(minutes=1),
        acknowledged_at=T0 + timedelta(minutes=4),
        mitigated_at=T0 + timedelta(minutes=20),
        resolved_at=T0 + timedelta(minutes=50),
    )
    d = durations(s)
    assert d.duration == timedelta(minutes=60)
    assert d.time_to_detect == timedelta(minutes=10)
    assert d.time_to_acknowledge == timedelta(minutes=3)
    assert d.time_to_mitigate == timedelta(minutes=20)
    assert d.time_to_resolve == timedelta(minutes=50)


def test_reopen_only_from_resolved_or_closed() -> None:
    with pytest.raises(InvalidTransition):
        reopen(Status.MONITORING, stamps())
    resolved = move(Status.MONITORING, Status.RESOLVED, stamps(), T0)
    assert reopen(Status.RESOLVED, resolved).resolved_at is None


@given(st.lists(st.tuples(st.sampled_from(list(Status)), st.integers(min_value=0, max_value=3600)), max_size=40))
def test_any_sequence_keeps_stamps_monotonic(steps: list[tuple[Status, int]]) -> None:
    status, current, now = Status.INVESTIGATING, stamps(), T0
    for target, seconds in steps:
        now += timedelta(seconds=seconds)
        if target not in allowed_moves(status):
            with pytest.raises(InvalidTransition):
                move(status, target, current, now)
            continue
        following = move(status, target, current, now)
        for name in ("mitigated_at", "resolved_at", "closed_at"):
            old, new = getattr(current, name), getattr(following, name)
            assert old is None or new is None or new >= old
        assert following.mitigated_at is None or following.mitigated_at >= current.detected_at
        status, current = target, following
    assert (status is Status.RESOLVED) == (current.resolved_at is not None and current.closed_at is None)
