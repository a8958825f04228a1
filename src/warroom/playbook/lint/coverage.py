"""coverage_gap: times in the next 30 days when a schedule has nobody on call and so a page reaches nobody.

Computed from the schedule's shift boundaries (warroom.oncall.schedules.coverage_gaps, the same resolution
the engine pages with, the playbook's own overrides applied), not by sampling.

A schedule's empty hours are a finding only where they leave an escalation level empty: at that instant no
target of the level (a person, a team's members, another schedule, a role's default) would reach anyone. A
business-hours layer that is meant to be empty at night is fine when the same level also pages someone who
covers the night. A schedule only a team names (no paging level reaches it) is reported wherever it is
empty, because whoever asks the team's on-call then finds nobody.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from warroom.oncall.escalation_plan import PlannedTarget
from warroom.oncall.schedules import coverage_gaps, playbook_overrides
from warroom.playbook.lint.findings import COVERAGE_GAP, Finding
from warroom.playbook.lint.reach import PagingLevel, paging_levels, schedules_behind, span_words
from warroom.playbook.schema import Playbook, Schedule, Target

WINDOW = timedelta(days=30)
SHOWN_GAPS = 5
_ROLE_DEPTH = 3

Interval = tuple[datetime, datetime]


def check(playbook: Playbook, now: datetime) -> list[Finding]:
    start, end = now, now + WINDOW
    gaps = {s.key: coverage_gaps(s, start, end, playbook_overrides(s)) for s in playbook.schedules}
    # schedule key -> its uncovered intervals, and the levels left empty by them
    found: dict[str, list[Interval]] = {}
    emptied: dict[str, list[str]] = {}
    reached: set[str] = set()
    seen_levels: set[tuple[int, int]] = set()
    for severity in playbook.severities:
        if not severity.pages_anyone:
            continue
        for level in paging_levels(playbook, severity):
            if (level.policy_index, level.level_index) in seen_levels:
                continue
            seen_levels.add((level.policy_index, level.level_index))
            behind = [key for target in level.level.targets for key in schedules_behind(playbook, target)]
            reached.update(behind)
            if not behind:
                continue
            empty = _level_uncovered(playbook, level, gaps, (start, end))
            if empty:
                for key in dict.fromkeys(behind):
                    found[key] = _union([*found.get(key, []), *empty])
                    emptied.setdefault(key, []).append(f"{level.name} ({level.describe_targets()})")
    teams_only: dict[str, list[str]] = {}
    for team in playbook.teams:
        if team.schedule and team.schedule not in reached and gaps.get(team.schedule):
            found[team.schedule] = gaps[team.schedule]
            teams_only.setdefault(team.schedule, []).append(team.key)
    findings = []
    for index, schedule in enumerate(playbook.schedules):
        if found.get(schedule.key):
            findings.append(
                _finding(schedule, index, found[schedule.key], emptied.get(schedule.key, []), teams_only, now)
            )
    return findings


def _level_uncovered(
    playbook: Playbook, level: PagingLevel, gaps: dict[str, list[Interval]], window: Interval
) -> list[Interval]:
    """When none of the level's targets reaches anyone: the intersection of each target's empty times."""
    empty = [window]
    for target in level.level.targets:
        empty = _intersect(empty, _target_uncovered(playbook, target, gaps, window, 0))
        if not empty:
            break
    return empty


def _target_uncovered(
    playbook: Playbook, target: Target, gaps: dict[str, list[Interval]], window: Interval, depth: int
) -> list[Interval]:
    planned = PlannedTarget.of(target)
    if planned.kind == "person":
        return []
    if planned.kind == "schedule":
        return gaps.get(planned.key, [window])
    if planned.kind == "team":
        team = next((t for t in playbook.teams if t.key == planned.key), None)
        if team is None:
            return [window]
        if team.schedule:
            return gaps.get(team.schedule, [window])
        return [] if team.members else [window]
    role = next((r for r in playbook.roles if r.key == planned.key), None)
    if role is None or role.default is None or depth >= _ROLE_DEPTH:
        return [window]  # nobody holds a role when the first page goes out
    return _target_uncovered(playbook, role.default, gaps, window, depth + 1)


def _intersect(left: list[Interval], right: list[Interval]) -> list[Interval]:
    found = []
    for a_start, a_end in left:
        for b_start, b_end in right:
            start, end = max(a_start, b_start), min(a_end, b_end)
            if start < end:
                found.append((start, end))
    return _union(found)


def _union(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _local(instant: datetime, zone: ZoneInfo, day_of: datetime | None = None) -> str:
    local = instant.astimezone(zone)
    if day_of is not None and day_of.astimezone(zone).date() == local.date():
        return local.strftime("%H:%M %Z")
    return local.strftime("%a %Y-%m-%d %H:%M %Z")


def _finding(
    schedule: Schedule,
    index: int,
    gaps: list[Interval],
    emptied: list[str],
    teams_only: dict[str, list[str]],
    now: datetime,
) -> Finding:
    zone = ZoneInfo(schedule.timezone)
    total = sum((end - start).total_seconds() for start, end in gaps)
    shown = [
        f"{_local(start, zone)} to {_local(end, zone, start)} ({span_words((end - start).total_seconds())})"
        for start, end in gaps[:SHOWN_GAPS]
    ]
    more = f" and {len(gaps) - SHOWN_GAPS} more" if len(gaps) > SHOWN_GAPS else ""
    if emptied:
        consequence = f"then {'; '.join(emptied)} pages nobody"
    else:
        consequence = f"team {', '.join(teams_only.get(schedule.key, []))} has no on-call then"
    count = "1 gap" if len(gaps) == 1 else f"{len(gaps)} gaps"
    message = (
        f"schedule {schedule.key} ({schedule.timezone}) has nobody on call in the 30 days from "
        f"{_local(now, zone)}: {count}, {span_words(total)} in all: {'; '.join(shown)}{more}; {consequence}"
    )
    detail = {
        "schedule": schedule.key,
        "timezone": schedule.timezone,
        "gaps": [
            {"start": start.isoformat(), "end": end.isoformat(), "seconds": int((end - start).total_seconds())}
            for start, end in gaps
        ],
        "levels": emptied,
        "teams": teams_only.get(schedule.key, []),
    }
    return Finding(COVERAGE_GAP, f"schedules[{schedule.key}]", message, ("schedules", index), detail)
