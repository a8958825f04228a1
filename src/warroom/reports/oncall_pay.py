"""On-call pay from the playbook's compensation rules. Pure.

The platform playbook: "$500/week flat on-call stipend", "Additional $200 for each SEV-1 incident handled",
"Comp time: 4 hours off for each overnight page". Decisions where the source is silent:
- the stipend is prorated by the hours actually on call in the period (a week is 168 hours); hours on two
  schedules at once count once;
- a person "handled" an incident if they acknowledged it or held one of its roles;
- an overnight page is a page whose time, in the person's own time zone (else the playbook's), falls in
  [overnight_start, overnight_end), a window that may run past midnight.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from warroom.playbook.schema import Compensation

WEEK_HOURS = Decimal(168)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class PayLine:
    person: str
    currency: str
    on_call_hours: Decimal
    stipend: Decimal
    incidents_handled: dict[str, int] = field(default_factory=dict)  # by severity key
    incident_pay: Decimal = Decimal(0)
    overnight_pages: int = 0
    comp_time_hours: Decimal = Decimal(0)

    @property
    def total(self) -> Decimal:
        return self.stipend + self.incident_pay


def union_hours(intervals: Iterable[tuple[datetime, datetime]], start: datetime, end: datetime) -> Decimal:
    clipped = sorted((max(a, start), min(b, end)) for a, b in intervals if b > start and a < end)
    seconds = 0.0
    current_start: datetime | None = None
    current_end: datetime | None = None
    for a, b in clipped:
        if current_end is None or a > current_end:
            if current_start is not None and current_end is not None:
                seconds += (current_end - current_start).total_seconds()
            current_start, current_end = a, b
        elif b > current_end:
            current_end = b
    if current_start is not None and current_end is not None:
        seconds += (current_end - current_start).total_seconds()
    return (Decimal(seconds) / Decimal(3600)).quantize(CENT)


def is_overnight(at: datetime, zone: ZoneInfo, start: time, end: time) -> bool:
    local = at.astimezone(zone).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def on_call_pay(
    compensation: Compensation,
    period: tuple[datetime, datetime],
    on_call: Mapping[str, Sequence[tuple[datetime, datetime]]],
    handled: Sequence[tuple[str, str]],
    pages: Sequence[tuple[str, datetime]],
    zones: Mapping[str, ZoneInfo],
    default_zone: ZoneInfo,
) -> list[PayLine]:
    """One line per person who was on call, handled an incident or was paged in the period, by name."""
    start, end = period
    rates = {rule.severity: rule.amount for rule in compensation.per_incident}
    people = set(on_call) | {person for person, _ in handled} | {person for person, _ in pages}
    comp_per_page = (
        Decimal(compensation.comp_time_per_overnight_page.seconds) / Decimal(3600)
        if compensation.comp_time_per_overnight_page
        else Decimal(0)
    )
    lines = []
    for person in sorted(people):
        hours = union_hours(on_call.get(person, ()), start, end)
        stipend = (compensation.weekly_stipend * hours / WEEK_HOURS).quantize(CENT, ROUND_HALF_UP)
        counts: dict[str, int] = {}
        for who, severity in handled:
            if who == person:
                counts[severity] = counts.get(severity, 0) + 1
        incident_pay = sum((rates.get(sev, Decimal(0)) * n for sev, n in counts.items()), Decimal(0))
        overnight = 0
        if compensation.overnight_start is not None and compensation.overnight_end is not None:
            zone = zones.get(person, default_zone)
            overnight = sum(
                1
                for who, at in pages
                if who == person
                and start <= at < end
                and is_overnight(at, zone, compensation.overnight_start, compensation.overnight_end)
            )
        lines.append(
            PayLine(
                person=person,
                currency=compensation.currency,
                on_call_hours=hours,
                stipend=stipend,
                incidents_handled=counts,
                incident_pay=incident_pay.quantize(CENT),
                overnight_pages=overnight,
                comp_time_hours=(comp_per_page * overnight).quantize(CENT),
            )
        )
    return lines


def weeks(period: tuple[datetime, datetime]) -> Decimal:
    return (Decimal((period[1] - period[0]) / timedelta(hours=1)) / WEEK_HOURS).quantize(CENT)
