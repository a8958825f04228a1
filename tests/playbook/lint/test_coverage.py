"""coverage_gap: nobody on call in the next 30 days, where that leaves an escalation level empty."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.playbook.lint.fixture_files import NOW, kinds_and_places, line_of, lint_fixture, load_fixture
from warroom.deadlines import parse_span
from warroom.oncall.schedules import on_call_at, playbook_overrides
from warroom.playbook.lint import coverage
from warroom.playbook.schema import Restriction


def test_an_office_hours_schedule_alone_on_a_level_is_found_with_local_times() -> None:
    findings = lint_fixture("coverage_gap")
    assert kinds_and_places(findings) == [("coverage_gap", "schedules[primary]")]
    (finding,) = findings
    assert finding.line == line_of("coverage_gap", "key: primary")
    # Weekday evenings and weekends, in Berlin time, across the DST change of 2026-03-29.
    assert "Fri 2026-03-20 17:00 CET to Mon 2026-03-23 09:00 CET (2d 16h)" in finding.message
    assert "and 17 more" in finding.message and "chain level 1 (schedule primary) pages nobody" in finding.message
    gaps = finding.detail["gaps"]
    assert len(gaps) == 22
    after_dst = [g for g in gaps if g["start"].startswith("2026-03-30")]
    assert after_dst == [{"start": "2026-03-30T15:00:00+00:00", "end": "2026-03-31T07:00:00+00:00", "seconds": 57600}]


def test_hours_another_target_of_the_level_covers_are_not_a_gap() -> None:
    assert lint_fixture("coverage_gap_covered") == []


def test_a_rotation_that_has_not_started_yet_is_a_gap() -> None:
    findings = coverage.check(load_fixture("clean"), datetime(2026, 1, 1, tzinfo=UTC))
    assert [f.detail["gaps"] for f in findings] == [
        [{"start": "2026-01-01T00:00:00+00:00", "end": "2026-01-05T08:00:00+00:00", "seconds": 374400}]
    ]


@settings(max_examples=40, deadline=None)
@given(
    zone=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]),
    people=st.integers(min_value=1, max_value=3),
    shift_hours=st.integers(min_value=1, max_value=24 * 14),
    days_before=st.integers(min_value=0, max_value=400),
    now_offset=st.integers(min_value=0, max_value=365 * 24),
)
def test_a_rotation_without_restrictions_never_has_a_gap(
    zone: str, people: int, shift_hours: int, days_before: int, now_offset: int
) -> None:
    playbook = load_fixture("clean")
    now = datetime(2026, 1, 10, tzinfo=UTC) + timedelta(hours=now_offset)
    start = (now.astimezone(ZoneInfo(zone)) - timedelta(days=days_before, hours=1)).replace(tzinfo=None)
    schedule = playbook.schedules[0]
    layer = schedule.layers[0]
    rotation = layer.rotation.model_copy(
        update={
            "participants": ["alice", "bob", "carol"][:people],
            "start": start,
            "shift": parse_span(f"{shift_hours}h"),
        }
    )
    schedule = schedule.model_copy(
        update={"timezone": zone, "layers": [layer.model_copy(update={"rotation": rotation})]}
    )
    assert coverage.check(playbook.model_copy(update={"schedules": [schedule]}), now) == []


@settings(max_examples=30, deadline=None)
@given(
    opens=st.integers(min_value=0, max_value=23),
    hours=st.integers(min_value=1, max_value=23),
    now_offset=st.integers(min_value=0, max_value=300 * 24 * 4),
)
def test_every_reported_gap_is_a_time_nobody_is_on_call(opens: int, hours: int, now_offset: int) -> None:
    playbook = load_fixture("coverage_gap")
    schedule = playbook.schedules[0]
    layer = schedule.layers[0]
    window = Restriction.model_validate(
        {"days": layer.restrictions[0].days, "start": f"{opens:02d}:00", "end": f"{(opens + hours) % 24:02d}:00"}
    )
    schedule = schedule.model_copy(update={"layers": [layer.model_copy(update={"restrictions": [window]})]})
    playbook = playbook.model_copy(update={"schedules": [schedule]})
    now = NOW + timedelta(minutes=15 * now_offset)
    overrides = playbook_overrides(schedule)
    for finding in coverage.check(playbook, now):
        for gap in finding.detail["gaps"]:
            start, end = datetime.fromisoformat(gap["start"]), datetime.fromisoformat(gap["end"])
            assert now <= start < end <= now + coverage.WINDOW
            for instant in (start, start + (end - start) / 2, end - timedelta(seconds=1)):
                assert on_call_at(schedule, instant, overrides) == []
            if start > now:  # a gap is maximal: someone is on call just before it
                assert on_call_at(schedule, start - timedelta(seconds=1), overrides) != []
