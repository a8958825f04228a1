"""Each month's MTTR (the reports page's chart): the mean of resolved - started over that month's resolved incidents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from warroom.reports import metrics
from warroom.reports.metrics import IncidentRecord
from warroom.reports.periods import month_buckets

SINCE = datetime(2026, 1, 1, tzinfo=UTC)
UNTIL = SINCE + timedelta(days=120)


@st.composite
def incidents(draw: st.DrawFn) -> IncidentRecord:
    started = draw(st.integers(int(SINCE.timestamp()) - 86_400, int(UNTIL.timestamp())))
    triggered = started + draw(st.integers(0, 3_600))
    resolved = draw(st.none() | st.integers(triggered, triggered + 5 * 86_400))
    return IncidentRecord(1, "sev1", (), "manual", started, triggered, triggered, resolved=resolved)


@given(st.lists(incidents(), max_size=40))
def test_each_months_mttr_is_the_mean_of_its_resolved_incidents(found: list[IncidentRecord]) -> None:
    buckets = month_buckets(SINCE, UNTIL, ZoneInfo("Europe/Berlin"))
    counts = metrics.bucket_counts(found, buckets)
    for count in counts:
        start, end = count.bucket.start.timestamp(), count.bucket.end.timestamp()
        mine = [r for r in found if start <= r.triggered < end]
        durations = [r.resolved - r.started for r in mine if r.resolved is not None]
        assert count.incidents == len(mine) and count.resolved == len(durations) <= count.incidents
        assert count.resolve_seconds == sum(durations)
