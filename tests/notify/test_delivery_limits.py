"""The per-channel rate limit as arithmetic: how many deliveries the last minute holds, and when the next fits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from warroom.notify.delivery_limits import allows_at

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@given(st.lists(st.integers(min_value=0, max_value=120), max_size=30), st.integers(min_value=1, max_value=10))
def test_the_next_delivery_fits_once_fewer_than_the_limit_are_within_the_minute(ages: list[int], limit: int) -> None:
    sent = [NOW - timedelta(seconds=age) for age in ages]
    within = sorted((at for at in sent if at > NOW - timedelta(minutes=1)), reverse=True)
    wait = allows_at(sent, NOW, limit)
    if len(within) < limit:
        assert wait is None
    else:
        assert wait == within[limit - 1] + timedelta(minutes=1) and wait > NOW


def test_a_delivery_exactly_a_minute_old_no_longer_counts() -> None:
    assert allows_at([NOW - timedelta(minutes=1)], NOW, 1) is None
    assert allows_at([NOW - timedelta(seconds=59)], NOW, 1) == NOW + timedelta(seconds=1)
