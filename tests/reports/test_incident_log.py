"""The launch playbook's incident log: Date | Time | Severity | Issue | Duration | RCA Owner | Status."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.reports.seed import Seeded, report_playbook, seed
from warroom.auth.actors import AccessRole, Actor
from warroom.reports.incident_log import duration_text
from warroom.reports.service import ReportService

ADMIN = Actor("admin", AccessRole.ADMIN)


@pytest.fixture
def seeded(database_url: str) -> Iterator[Seeded]:
    history = seed(database_url)
    yield history
    history.db.dispose()


def test_the_log_of_the_window_by_start_in_the_playbook_zone(seeded: Seeded) -> None:
    text = ReportService(seeded.db, seeded.clock, seeded.registry).incident_log(ADMIN, period="30d")
    # Started times are UTC 10:00, 08:00, 12:00, 09:00, 20:00 -> Berlin (CET, UTC+1) 11:00, 09:00, 13:00, ...
    # RCA owner: the postmortem's owner (B: bob), else the commander (A: alice, D: carol), else empty.
    # B's title would run as a formula in a spreadsheet: it gets a leading apostrophe.
    assert text.split("\r\n") == [
        "Date,Time,Severity,Issue,Duration,RCA Owner,Status",
        "2026-03-02,11:00,SEV-1,API and DB down,1 h 00 min,alice,Closed",
        "2026-03-10,09:00,SEV-1,'=cmd|' /C calc'!A0,2 h 00 min,bob,Resolved",
        '2026-03-16,13:00,SEV-2,"Slow search, EU",2 h 00 min,,Resolved',
        "2026-03-25,10:00,SEV-2,Disk filling,ongoing,carol,Investigating",
        "2026-03-28,21:00,SEV-1,Login errors,ongoing,,Monitoring",
        "",
    ]


def test_a_severity_the_playbook_no_longer_has_keeps_its_label(seeded: Seeded) -> None:
    """The playbook renames sev2 to `minor`: old incidents still read SEV-2 (from their own playbook version)."""
    playbook = report_playbook()
    minor = playbook.severities[1].model_copy(update={"key": "minor", "label": "Minor"})
    rules = [rule.model_copy(update={"severity": "minor"}) if rule.severity == "sev2" else rule
             for rule in playbook.triage.rules]  # fmt: skip
    triage = playbook.triage.model_copy(update={"default_severity": "minor", "rules": rules})
    renamed = playbook.model_copy(update={"severities": [playbook.severities[0], minor], "triage": triage})
    seeded.registry.activate(renamed, seeded.clock)
    reports = ReportService(seeded.db, seeded.clock, seeded.registry)
    assert "2026-03-25,10:00,SEV-2,Disk filling" in reports.incident_log(ADMIN, period="30d")
    assert [(g.key, g.label) for g in reports.report(ADMIN, period="30d").by_severity] == [
        ("sev1", "SEV-1"),
        ("sev2", "SEV-2"),  # unknown to the active playbook: after its severities
    ]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "ongoing"),
        (0, "0 min"),
        (23 * 60 + 59, "23 min"),  # the playbook's own example: whole minutes
        (3599, "59 min"),
        (3600, "1 h 00 min"),
        (47 * 3600 + 59 * 60, "47 h 59 min"),
        (48 * 3600, "2 d 0 h"),
        (3 * 86400 + 4 * 3600 + 59 * 60, "3 d 4 h"),
    ],
)
def test_durations_read_like_the_playbook(seconds: int | None, text: str) -> None:
    assert duration_text(seconds) == text
