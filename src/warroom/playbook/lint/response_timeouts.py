"""timeout_exceeds_response_target: a paging severity under which nobody but the first person is paged
before its response target is already missed.

SEMANTICS.md: a response target of N is met strictly before trigger + N (an acknowledgement at exactly N is
late), and an escalation timer fires at exactly its due time. A chain whose timeout equals the target pages
the next person at the instant the target is missed, which is the usual design ("no response in 5 min ->
secondary" beside "respond within 5 minutes"); only a second person paged *later* than the target is a
finding.

"The timeout" is read cumulatively, over all of the severity's policies together (they run side by side):
the question is when a second, different person is first paged. A first level that already pages two people,
or a second policy that pages someone else at once, answers it at minute 0 whatever the timeouts. Who a
schedule pages depends on the instant, so the answer is computed for incidents triggered at every instant
of the 30-day window where it can change (schedule boundaries shifted by each level's offset, business-day
edges for business-time targets). Only levels that page on every incident count: a `customer_facing` or
`security` level may not fire.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from warroom.oncall.escalation_plan import PlannedTarget
from warroom.oncall.schedules import final_shifts, playbook_overrides
from warroom.oncall.targets import resolve_targets
from warroom.playbook.lint.findings import TIMEOUT_EXCEEDS_RESPONSE_TARGET, Finding
from warroom.playbook.lint.reach import PagingLevel, paging_levels, schedules_behind, span_words
from warroom.playbook.schema import EscalationKind, Playbook, Severity

WINDOW = timedelta(days=30)


def check(playbook: Playbook, now: datetime) -> list[Finding]:
    findings: list[Finding] = []
    for severity in playbook.severities:
        if severity.pages_anyone:
            finding = _severity(playbook, severity, now)
            if finding is not None:
                findings.append(finding)
    return findings


def _severity(playbook: Playbook, severity: Severity, now: datetime) -> Finding | None:
    levels = sorted(
        (level for level in paging_levels(playbook, severity) if level.certain), key=lambda level: level.offset_seconds
    )
    if not levels:
        return None
    calendar = playbook.business_calendar.calendar()
    worst: tuple[float, datetime, PagingLevel, list[str], float] | None = None
    for trigger in _triggers(playbook, severity, levels, now):
        second = _second_person(playbook, levels, trigger)
        if second is None:
            continue  # one person at most at this instant: single_person_escalation / coverage_gap say so
        level, first_people = second
        target = (calendar.add(trigger, severity.response_target) - trigger).total_seconds()
        late = level.offset_seconds - target
        if late > 0 and (worst is None or late > worst[0]):
            worst = (late, trigger, level, first_people, target)
    if worst is None:
        return None
    _, trigger, level, first_people, target = worst
    return _finding(playbook, severity, trigger, level, first_people, target)


def _second_person(
    playbook: Playbook, levels: list[PagingLevel], trigger: datetime
) -> tuple[PagingLevel, list[str]] | None:
    """The level whose page first brings the number of people paged to two, and who was paged before it."""
    paged: list[str] = []
    for level in levels:
        at = trigger + timedelta(seconds=level.offset_seconds)
        targets = [PlannedTarget.of(target) for target in level.level.targets]
        for reached in resolve_targets(playbook, targets, at, {}, {}).people:
            if reached.person not in paged:
                if paged:
                    return level, paged
                paged.append(reached.person)
    return None


def _triggers(playbook: Playbook, severity: Severity, levels: list[PagingLevel], now: datetime) -> list[datetime]:
    """The trigger instants at which who is paged, or how long the target is, can change."""
    end = now + WINDOW
    offsets = sorted({level.offset_seconds for level in levels})
    reach = timedelta(seconds=offsets[-1])
    instants = {now}
    keys = {key for level in levels for target in level.level.targets for key in schedules_behind(playbook, target)}
    for schedule in playbook.schedules:
        if schedule.key not in keys:
            continue
        for shift in final_shifts(schedule, now, end + reach, playbook_overrides(schedule)):
            for edge in (shift.start, shift.end):
                instants.update(edge - timedelta(seconds=offset) for offset in offsets)
    if severity.response_target.is_business:
        # The target is shortest for an incident at the opening of business, or just before midnight.
        calendar = playbook.business_calendar.calendar()
        day = now.astimezone(calendar.zone).date()
        while (opening := datetime.combine(day, calendar.opens, tzinfo=calendar.zone)) < end:
            instants.add(opening)
            instants.add(datetime.combine(day + timedelta(days=1), time(), tzinfo=calendar.zone) - timedelta(seconds=1))
            day += timedelta(days=1)
    return sorted(instant.astimezone(UTC) for instant in instants if now <= instant < end)


def _finding(
    playbook: Playbook, severity: Severity, trigger: datetime, level: PagingLevel, first: list[str], target: float
) -> Finding:
    timing = "at" if level.policy.kind is EscalationKind.TIME_MATRIX else "timeout"
    # A chain level is late by the timeouts before it (a chain's first level pages at once, so never late).
    timed_level = level.level_index if timing == "at" else level.level_index - 1
    loc = ("escalation_policies", level.policy_index, "levels", timed_level, timing)
    where = f"escalation_policies[{level.policy.key}].levels[{timed_level}].{timing}"
    after = span_words(level.offset_seconds)
    message = (
        f"{severity.label} (response target {severity.response_target}): if {', '.join(first)} does not "
        f"acknowledge, nobody else is paged until {after} after the trigger ({level.name}: "
        f"{level.describe_targets()}), but the target is already missed at {span_words(target)} (an "
        f"acknowledgement at exactly {span_words(target)} is late); e.g. an incident triggered "
        f"{trigger.strftime('%a %Y-%m-%d %H:%M %Z')}"
    )
    detail = {
        "severity": severity.key,
        "response_target": str(severity.response_target),
        "target_seconds": int(target),
        "second_person_after_seconds": level.offset_seconds,
        "level": level.where,
        "first_paged": first,
        "example_trigger": trigger.isoformat(),
    }
    return Finding(TIMEOUT_EXCEEDS_RESPONSE_TARGET, where, message, loc, detail)
