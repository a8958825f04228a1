"""Scenario files: times, steps and expectations are validated with file:line:key errors, nothing guessed."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warroom.drills.scenario import DrillTime, load_scenario
from warroom.playbook.loader import PlaybookError

BERLIN = ZoneInfo("Europe/Berlin")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_offsets_are_elapsed_time_from_the_start() -> None:
    start = datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN)
    assert DrillTime.parse("0m").resolve(start) == start
    assert DrillTime.parse("+1h30m").resolve(start) == start + timedelta(minutes=90)
    # Elapsed across the spring-forward night: 24 hours later is 13:00 local on Sunday.
    assert DrillTime.parse("1d").resolve(start).astimezone(BERLIN).hour == 13


def test_a_weekday_time_is_the_first_such_wall_time_at_or_after_the_start() -> None:
    monday_nine = datetime(2026, 1, 5, 9, 0, tzinfo=BERLIN)
    assert DrillTime.parse("mon 09:00").resolve(monday_nine) == monday_nine
    assert DrillTime.parse("mon 08:59").resolve(monday_nine) == datetime(2026, 1, 12, 8, 59, tzinfo=BERLIN)
    assert DrillTime.parse("saturday 03:00").resolve(monday_nine) == datetime(2026, 1, 10, 3, 0, tzinfo=BERLIN)


@given(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)), st.integers(0, 6))
def test_a_weekday_time_is_on_that_weekday_within_a_week(naive: datetime, weekday: int) -> None:
    start = naive.replace(tzinfo=BERLIN)
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[weekday]
    at = DrillTime.parse(f"{day} 10:30").resolve(start)
    assert at >= start and at - start < timedelta(days=7, hours=1)
    assert (at.weekday(), at.hour, at.minute) == (weekday, 10, 30)


@pytest.mark.parametrize("text", ["soon", "mon 25:00", "funday 10:00", "2 business days", "-5m", ""])
def test_a_time_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        DrillTime.parse(text)


def test_errors_name_the_file_line_and_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "drill: broken\n"
        "playbook: greenlang\n"
        "start: 2026-01-05 09:00\n"
        "steps:\n"
        "  - {at: 5m, acknowledge: {incident: A}}\n"
        "  - {at: later, declare: {incident: B}}\n"
        "  - {at: 1m, declare: {}, resolve: {by: x}}\n"
        "expect:\n"
        "  - {at: 0m, page: alice, missed: x}\n",
    )
    with pytest.raises(PlaybookError) as error:
        load_scenario(path)
    text = str(error.value)
    assert f"{path}:5: steps[0].acknowledge.by: Field required" in text
    assert f"{path}:6: steps[1].at:" in text and "is not a span" in text
    assert f"{path}:7: steps[2]: a step has exactly one action" in text
    assert f"{path}:9: expect[0]: an expectation names exactly one of" in text


def test_unknown_keys_and_exact_kinds_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "drill: x\nstart: 2026-01-05 09:00\nexact: [pages]\nsteps: []\nwhen: now\n")
    with pytest.raises(PlaybookError) as error:
        load_scenario(path)
    assert "exact: unknown entry kind(s) pages" in str(error.value)
    assert "when: unknown key (not part of the drill scenario schema)" in str(error.value)


def test_a_file_that_is_not_a_mapping_or_not_there(tmp_path: Path) -> None:
    with pytest.raises(PlaybookError, match="a drill scenario is a YAML mapping"):
        load_scenario(write(tmp_path, "- just\n- a list\n"))
    with pytest.raises(PlaybookError, match="cannot read"):
        load_scenario(tmp_path / "missing.yaml")
