"""The report over the seeded history (tests/reports/seed.py), every figure worked out by hand, on both stores."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.reports.seed import NOW, Seeded, at, incident, seed
from warroom.auth.actors import AccessRole, Actor
from warroom.errors import InvalidInput
from warroom.reports.service import ReportService
from warroom.reports.views import DurationView, Report

ADMIN = Actor("admin", AccessRole.ADMIN)
MINUTE = 60.0
HOUR = 3600.0


@pytest.fixture
def seeded(database_url: str) -> Iterator[Seeded]:
    history = seed(database_url)
    yield history
    history.db.dispose()


def service(history: Seeded) -> ReportService:
    return ReportService(history.db, history.clock, history.registry)


def figures(view: DurationView) -> tuple[int, int, float | None, float | None, float | None, str]:
    return view.n, view.of, view.mean_seconds, view.p50_seconds, view.p90_seconds, view.note


def test_the_window_and_the_overall_response_times(seeded: Seeded) -> None:
    report = service(seeded).report(ADMIN, period="30d")
    assert (report.since, report.until) == (datetime(2026, 2, 28, 12, tzinfo=UTC), NOW)
    # A, B, C, D, E; F is A's duplicate, G is before the window. D and E are open.
    assert (report.incidents, report.open, report.duplicates_excluded) == (5, 2, 1)
    overall = report.overall
    # TTD = detected - started: A 5m, B 0, C 20m, D 10m, E 0 -> [0, 0, 300, 600, 1200] s
    #   mean 2100/5 = 420; p50 = rank ceil(.5*5)=3 -> 300; p90 = rank ceil(.9*5)=5 -> 1200.
    assert figures(overall.time_to_detect) == (5, 5, 420.0, 300.0, 1200.0, "n=5 of 5")
    # TTA = acknowledged - triggered: A 4m, B 2m, D 5m, E 10m; C never acknowledged -> [120, 240, 300, 600]
    #   mean 1260/4 = 315; p50 rank 2 -> 240; p90 rank ceil(3.6)=4 -> 600.
    assert figures(overall.time_to_acknowledge) == (4, 5, 315.0, 240.0, 600.0, "n=4 of 5, 1 not acknowledged")
    # TTM = mitigated - started: A 40m, B 60m, C 80m, E 30m; D not mitigated -> [1800, 2400, 3600, 4800]
    #   mean 12600/4 = 3150; p50 rank 2 -> 2400; p90 rank 4 -> 4800.
    assert figures(overall.time_to_mitigate) == (4, 5, 3150.0, 2400.0, 4800.0, "n=4 of 5, 1 not mitigated")
    # MTTR = resolved - started: A 1h, B 2h, C 2h; D, E open -> [3600, 7200, 7200]
    #   mean 18000/3 = 6000; p50 rank ceil(1.5)=2 -> 7200; p90 rank ceil(2.7)=3 -> 7200.
    assert figures(overall.time_to_resolve) == (3, 5, 6000.0, 7200.0, 7200.0, "n=3 of 5, 2 open")
    # resolved - detected: A 55m, B 2h, C 100m -> [3300, 6000, 7200]; mean 16500/3 = 5500; p50 6000; p90 7200.
    assert figures(overall.time_to_resolve_from_detection) == (3, 5, 5500.0, 6000.0, 7200.0, "n=3 of 5, 2 open")


def test_by_severity_and_by_service(seeded: Seeded) -> None:
    report = service(seeded).report(ADMIN, period="30d")
    severities = {group.key: group for group in report.by_severity}
    assert [(g.key, g.label, g.incidents, g.open) for g in report.by_severity] == [
        ("sev1", "SEV-1", 3, 1),  # A, B, E (open)
        ("sev2", "SEV-2", 2, 1),  # C, D (open)
    ]
    # SEV-1 MTTR: A 3600, B 7200 -> mean 5400; p50 rank ceil(1)=1 -> 3600; p90 rank ceil(1.8)=2 -> 7200.
    assert figures(severities["sev1"].time_to_resolve) == (2, 3, 5400.0, 3600.0, 7200.0, "n=2 of 3, 1 open")
    # SEV-2 MTTA: only D (5m); C was never acknowledged.
    assert figures(severities["sev2"].time_to_acknowledge) == (
        1,
        2,
        300.0,
        300.0,
        300.0,
        "n=1 of 2, 1 not acknowledged",
    )
    # Services: an incident counts for each service it lists (A in api and db); D lists none.
    assert [(g.key, g.incidents, g.open) for g in report.by_service] == [("api", 3, 1), ("db", 2, 0), ("(none)", 1, 1)]
    db = next(g for g in report.by_service if g.key == "db")
    # db MTTR: A 3600, C 7200 -> mean 5400, p50 3600, p90 7200.
    assert figures(db.time_to_resolve) == (2, 2, 5400.0, 3600.0, 7200.0, "n=2 of 2")


def test_weeks_and_months_in_the_playbook_zone_with_empty_buckets(seeded: Seeded) -> None:
    report = service(seeded).report(ADMIN, period="30d")
    # since = Sat 2026-02-28 13:00 CET, in ISO week 9 (from Mon 02-23); until = Mon 03-30 14:00 CEST, week 14.
    assert [(w.label, w.incidents, w.by_severity) for w in report.weeks] == [
        ("2026-W09", 0, {}),
        ("2026-W10", 1, {"sev1": 1}),  # A, Mon 03-02 11:06 CET
        ("2026-W11", 1, {"sev1": 1}),  # B
        ("2026-W12", 1, {"sev2": 1}),  # C, Mon 03-16 13:20 CET
        ("2026-W13", 2, {"sev2": 1, "sev1": 1}),  # D; E on Sat 03-28 21:01 CET
        ("2026-W14", 0, {}),
    ]
    week13 = report.weeks[4]
    # Mon 03-23 00:00 CET = 03-22 23:00 UTC to Mon 03-30 00:00 CEST = 03-29 22:00 UTC: 167 hours (DST).
    assert (week13.start, week13.end) == (at(3, 22, 23), at(3, 29, 22))
    assert [(m.label, m.incidents, m.start) for m in report.months] == [
        ("2026-02", 0, at(1, 31, 23)),  # Feb 1 00:00 CET
        ("2026-03", 5, at(2, 28, 23)),  # Mar 1 00:00 CET
    ]


def test_frequency_detection_postmortems_action_items(seeded: Seeded) -> None:
    report = service(seeded).report(ADMIN, period="30d")
    top = report.most_severe
    # SEV-1 (the playbook's first severity): A, B, E over 30 days = 30/7 weeks and 30/30.436875 months.
    assert (top.severity, top.label, top.incidents, top.last_at) == ("sev1", "SEV-1", 3, at(3, 28, 20, 1))
    assert top.per_week == pytest.approx(3 / (30 / 7))  # 0.7
    assert top.per_month == pytest.approx(3 / (30 / 30.436875))  # 3.04
    detection = report.detection
    # alert: A, D, E; manual: B; user report: C.
    assert (detection.total, detection.automated, detection.manual, detection.user_reported) == (5, 3, 1, 1)
    assert (detection.automated_rate, detection.user_reported_rate, detection.other) == (0.6, 0.2, {})
    pm = report.postmortems
    # Of A..E (F, G left out): required A, B, C, E; published A, B -> completion 2/4.
    # On time: eligible = published A, B + C (due 03-18, passed) = 3; only A is strictly before its due date.
    assert (pm.total, pm.required, pm.published, pm.skipped, pm.overdue) == (5, 4, 2, 1, 1)
    assert (pm.completion_rate, pm.on_time_eligible, pm.on_time, pm.on_time_rate) == (0.5, 3, 1, 1 / 3)
    items = report.action_items
    # Created in the window: done, won't do, open (due 03-20: overdue), in progress (due 04-10), open (no due).
    assert (items.created, items.done, items.wont_do, items.open, items.in_progress) == (5, 1, 1, 2, 1)
    assert (items.closed, items.closure_rate, items.overdue) == (2, 0.4, 1)


def test_on_call_load_counts_night_pages_in_local_time_across_dst(seeded: Seeded) -> None:
    on_call = service(seeded).report(ADMIN, period="30d").on_call
    assert (on_call.night_start, on_call.night_end, on_call.night_source, on_call.pages) == (
        "22:00",
        "07:00",
        "default",
        8,
    )
    # bob (Berlin): 21:01 CET day, 22:30 CET night, 07:30 CEST day (after the change), 06:30 CEST night.
    # alice (New York): 05:06 EST night, 04:01 EDT night, 07:30 EDT day. carol (not in the playbook): Berlin.
    assert [(p.person, p.name, p.timezone, p.pages, p.incidents, p.night_pages) for p in on_call.people] == [
        ("bob", "Bob", "Europe/Berlin", 4, 2, 2),
        ("alice", "Alice", "America/New_York", 3, 2, 2),
        ("carol", "carol", "Europe/Berlin", 1, 1, 1),
    ]


def test_an_empty_window_reports_zeros_and_no_rates(seeded: Seeded) -> None:
    report = service(seeded).report(ADMIN, since=at(1, 1, 0), until=at(1, 8, 0))
    assert (report.incidents, report.open, report.duplicates_excluded, report.by_severity, report.by_service) == (
        0, 0, 0, [], [],
    )  # fmt: skip
    assert figures(report.overall.time_to_resolve) == (0, 0, None, None, None, "n=0 of 0")
    # Thu 2026-01-01 01:00 CET is in ISO week 2026-W01 (from Mon 2025-12-29); 01-08 is in W02.
    assert [(w.label, w.incidents) for w in report.weeks] == [("2026-W01", 0), ("2026-W02", 0)]
    assert [(m.label, m.incidents) for m in report.months] == [("2026-01", 0)]
    assert (report.most_severe.incidents, report.most_severe.last_at, report.most_severe.per_week) == (0, None, 0.0)
    assert (report.detection.automated_rate, report.postmortems.completion_rate) == (None, None)
    assert (report.action_items.closure_rate, report.on_call.people) == (None, [])


def test_a_viewer_sees_what_the_incident_list_shows_them(seeded: Seeded) -> None:
    version = seeded.version
    incident(seeded.db, version, "Secret", "sev2", at(3, 20, 9), at(3, 20, 9), at(3, 20, 9), private=True)
    admin = service(seeded).report(ADMIN, period="30d")
    viewer = service(seeded).report(Actor("viewer", AccessRole.VIEWER), period="30d")
    assert (admin.incidents, viewer.incidents) == (6, 5)
    assert "Secret" not in service(seeded).incident_log(Actor("viewer", AccessRole.VIEWER), period="30d")


def test_bad_windows_name_the_field(seeded: Seeded) -> None:
    reports = service(seeded)
    cases = [
        ({"period": "1m"}, "period"),
        ({"period": "0d"}, "period"),
        ({"period": "30d", "since": at(3, 1, 0)}, "period"),
        ({"since": at(3, 2, 0), "until": at(3, 1, 0)}, "since"),
        ({"since": datetime(2026, 3, 1)}, "since"),
        ({"period": "99999w"}, "period"),
    ]
    for arguments, field in cases:
        with pytest.raises(InvalidInput) as raised:
            reports.report(ADMIN, **arguments)  # type: ignore[arg-type]
        assert raised.value.problems[0].field == field, arguments


def test_the_report_is_json_ready(seeded: Seeded) -> None:
    report = service(seeded).report(ADMIN)  # default: 30 days
    assert report.period == "30d"
    assert Report.model_validate_json(report.model_dump_json()) == report
