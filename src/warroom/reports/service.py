"""Reports: incident metrics over a window, and the incident log. Read-only; one read per report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from warroom.auth.actors import Actor
from warroom.clock import Clock
from warroom.playbook.registry import PlaybookRegistry
from warroom.playbook.schema import Playbook
from warroom.reports import followups, metrics, queries
from warroom.reports.incident_log import incident_log_csv
from warroom.reports.metrics import GroupStats, Measure
from warroom.reports.periods import ReportWindow, month_buckets, report_window, week_buckets
from warroom.reports.views import (
    ActionItemView,
    BucketView,
    DetectionView,
    DurationView,
    FrequencyView,
    GroupView,
    OnCallLoadView,
    PersonLoadView,
    PostmortemView,
    Report,
)
from warroom.store.database import Database

NOTES = (
    "MTTD = detected - started; MTTA = first acknowledgement - triggered; MTTM = mitigated - started (impact "
    "duration); MTTR = resolved - started, with resolved - detected beside it.",
    "Incidents are selected by trigger time; open ones count in the totals but not in MTTR (n of N).",
    "p50/p90 are nearest-rank percentiles (a real observed duration, no interpolation).",
    "Weeks are ISO weeks and months calendar months in the playbook's time zone; the first and last may be "
    "partial. Duplicates are left out.",
)


class ReportService:
    def __init__(self, db: Database, clock: Clock, playbooks: PlaybookRegistry) -> None:
        self.db = db
        self.clock = clock
        self.playbooks = playbooks

    def report(
        self, actor: Actor, period: str | None = None, since: datetime | None = None, until: datetime | None = None
    ) -> Report:
        now = self.clock.now()
        window = report_window(now, period, since, until)
        playbook = self.playbooks.active[1]
        sqlite = self.db.is_sqlite
        with self.db.read() as connection:
            found = queries.incident_set(connection, window, actor, sqlite)
            postmortems = queries.postmortem_records(connection, window, actor, sqlite)
            action_items = queries.action_item_records(connection, window, actor, sqlite)
            on_call = _on_call(connection, playbook, window, actor, sqlite)
        labels = self._labels(playbook, found.versions)
        records = found.records
        zone = ZoneInfo(playbook.timezone)
        order = playbook.severity_keys()
        measured = metrics.measure(records)
        overall = metrics.group_stats("all", measured)
        now_s = int(now.timestamp())
        return Report(
            since=window.since,
            until=window.until,
            period=window.period,
            generated_at=now,
            timezone=playbook.timezone,
            percentile_method=metrics.PERCENTILE_METHOD,
            incidents=overall.incidents,
            open=overall.open,
            duplicates_excluded=found.duplicates,
            overall=_group(overall, "All incidents"),
            by_severity=[_group(g, labels.get(g.key, g.key)) for g in metrics.by_severity(measured, order)],
            by_service=[_group(g, _service_name(playbook, g.key)) for g in metrics.by_service(measured)],
            weeks=_buckets(metrics.bucket_counts(records, week_buckets(window.since, window.until, zone))),
            months=_buckets(metrics.bucket_counts(records, month_buckets(window.since, window.until, zone))),
            most_severe=_frequency(records, playbook, window),
            detection=_detection(metrics.detection_counts(records)),
            postmortems=PostmortemView(**asdict(followups.postmortem_stats(postmortems, now_s))),
            action_items=_action_items(followups.action_item_stats(action_items, now_s)),
            on_call=on_call,
            notes=list(NOTES),
        )

    def incident_log(
        self, actor: Actor, period: str | None = None, since: datetime | None = None, until: datetime | None = None
    ) -> str:
        """The launch playbook's incident log (CSV) of the window's incidents, by start."""
        window = report_window(self.clock.now(), period, since, until)
        playbook = self.playbooks.active[1]
        commander = playbook.roles[0].key if playbook.roles else None  # every preset lists the commander first
        with self.db.read() as connection:
            rows = list(queries.incident_log_rows(connection, window, actor, self.db.is_sqlite, commander))
        labels = self._labels(playbook, {row.severity: row.playbook_version_id for row in rows})
        return incident_log_csv(rows, ZoneInfo(playbook.timezone), lambda row: labels.get(row.severity, row.severity))

    def _labels(self, playbook: Playbook, versions: dict[str, int]) -> dict[str, str]:
        """Severity labels from the active playbook; a key it no longer has, from the incident's own version."""
        labels = {severity.key: severity.label for severity in playbook.severities}
        for key, version in versions.items():
            if key not in labels:
                frozen = self.playbooks.get(version)
                labels[key] = next((s.label for s in frozen.severities if s.key == key), key)
        return labels


def _duration(stats: metrics.DurationStats, measure: Measure) -> DurationView:
    note = f"n={stats.n} of {stats.of}" + (f", {stats.missing} {metrics.MISSING[measure]}" if stats.missing else "")
    return DurationView(
        n=stats.n,
        of=stats.of,
        missing=stats.missing,
        missing_reason=metrics.MISSING[measure],
        mean_seconds=stats.mean,
        p50_seconds=stats.p50,
        p90_seconds=stats.p90,
        note=note,
    )


def _group(stats: GroupStats, label: str) -> GroupView:
    durations = {measure.value: _duration(value, measure) for measure, value in stats.durations.items()}
    return GroupView(key=stats.key, label=label, incidents=stats.incidents, open=stats.open, **durations)


def _service_name(playbook: Playbook, key: str) -> str:
    return next((service.name for service in playbook.services if service.key == key), key)


def _buckets(counts: Sequence[metrics.BucketCount]) -> list[BucketView]:
    return [
        BucketView(
            label=c.bucket.label, start=c.bucket.start, end=c.bucket.end, incidents=c.incidents,
            by_severity=c.by_severity, mttr_seconds=c.resolve_seconds / c.resolved if c.resolved else None,
        )
        for c in counts
    ]  # fmt: skip


def _frequency(records: Sequence[metrics.IncidentRecord], playbook: Playbook, window: ReportWindow) -> FrequencyView:
    """How often the playbook's most severe severity (its first) happened: "SEV-1 frequency"."""
    top = playbook.severities[0]
    found = metrics.frequency(records, top.key, (window.until - window.since).total_seconds())
    last = None if found.last is None else datetime.fromtimestamp(found.last, UTC)
    return FrequencyView(
        severity=top.key, label=top.label, incidents=found.incidents, per_week=found.per_week,
        per_month=found.per_month, last_at=last,
    )  # fmt: skip


def _detection(counts: dict[str, int]) -> DetectionView:
    total = sum(counts.values())
    known = {"alert", "user_report", "manual"}
    return DetectionView(
        total=total,
        automated=counts.get("alert", 0),
        user_reported=counts.get("user_report", 0),
        manual=counts.get("manual", 0),
        other={source: n for source, n in counts.items() if source not in known},
        automated_rate=metrics.ratio(counts.get("alert", 0), total),
        user_reported_rate=metrics.ratio(counts.get("user_report", 0), total),
        manual_rate=metrics.ratio(counts.get("manual", 0), total),
    )


def _action_items(stats: followups.ActionItemStats) -> ActionItemView:
    return ActionItemView(
        created=stats.created,
        open=stats.by_status.get("open", 0),
        in_progress=stats.by_status.get("in_progress", 0),
        done=stats.by_status.get("done", 0),
        wont_do=stats.by_status.get("wont_do", 0),
        closed=stats.closed,
        closure_rate=stats.closure_rate,
        overdue=stats.overdue,
    )


def _on_call(
    connection: Connection, playbook: Playbook, window: ReportWindow, actor: Actor, sqlite: bool
) -> OnCallLoadView:
    compensation = playbook.compensation
    if compensation and compensation.overnight_start is not None and compensation.overnight_end is not None:
        night, source = (compensation.overnight_start, compensation.overnight_end), "playbook"
    else:
        night, source = followups.DEFAULT_NIGHT, "default"
    people = {person.key: person for person in playbook.people}
    people_zones = {key: person.timezone for key, person in people.items() if person.timezone}
    names = {*people_zones.values(), playbook.timezone}
    spans = {name: followups.offset_spans(ZoneInfo(name), window.since, window.until) for name in names}
    loads = queries.on_call_load(
        connection, window, actor, sqlite, spans, people_zones, spans[playbook.timezone], followups.night_shift(night)
    )
    return OnCallLoadView(
        night_start=night[0].strftime("%H:%M"),
        night_end=night[1].strftime("%H:%M"),
        night_source=source,
        pages=sum(load.pages for load in loads),
        people=[
            PersonLoadView(
                person=load.person,
                name=people[load.person].name if load.person in people else load.person,
                timezone=people_zones.get(load.person, playbook.timezone),
                pages=load.pages,
                incidents=load.incidents,
                night_pages=load.night_pages,
            )
            for load in loads
        ],
    )
