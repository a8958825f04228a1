"""The pieces a postmortem draft is built from, as plain functions: the timeline table, the key timestamps, the
5 Whys scaffold, the action-item list, the placeholders for what is not written yet, and the standard sections
every draft must have.

A placeholder is an HTML comment in fixed words (`<!-- root cause: not written yet -->`): invisible when the
Markdown is shown, easy to find, and what publishing checks for. The playbook's own guidance comments
(`<!-- e.g. ... -->`) are not placeholders.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from warroom.incidents.lifecycle import Stamps
from warroom.templating import duration_filter

PLACEHOLDER = re.compile(r"<!-- ([^<>]+?): not (?:written|recorded|assigned|known) yet -->")

_TIMESTAMP_WORDS = {
    "started_at": "impact started",
    "triggered_at": "triggered",
    "acknowledged_at": "acknowledged",
    "mitigated_at": "mitigated",
    "resolved_at": "resolved",
    "closed_at": "closed",
}
_WORDS = {"incident.commander": "incident lead", "postmortem.owner": "postmortem owner"}
_ASSIGNED = frozenset({"commander", "acknowledged_by", "owner", "author"})
_WRITTEN = frozenset({"root_cause", "resolution", "summary", "impact"})


def placeholder(name: str) -> str:
    """The placeholder of a value a template names ("incident.root_cause" -> root cause: not written yet)."""
    leaf = re.sub(r"\[\d+\]$", "", name).split(".")[-1]
    if leaf in _TIMESTAMP_WORDS or leaf.endswith("_at"):
        return f"<!-- {_TIMESTAMP_WORDS.get(leaf, leaf.removesuffix('_at').replace('_', ' '))}: not recorded yet -->"
    words = _WORDS.get(name, leaf.replace("_", " "))
    if leaf in _ASSIGNED or ".roles." in name:
        return f"<!-- {words}: not assigned yet -->"
    if name.startswith("fields.") or leaf in _WRITTEN:
        return f"<!-- {words}: not written yet -->"
    return f"<!-- {words}: not known yet -->"


def placeholders_in(markdown: str) -> list[str]:
    """What is still to write, in order, once each ("root cause", "why 1")."""
    return list(dict.fromkeys(match.group(1) for match in PLACEHOLDER.finditer(markdown)))


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(text.replace("|", "\\|").split())


# ---- the timeline table ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    actor: str
    kind: str
    text: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def event_and_action(entry: TimelineEntry) -> tuple[str, str]:
    """(what happened, the action taken): the action is the change an event made, where it made one."""
    before, after, text = entry.before or {}, entry.after or {}, entry.text
    if entry.kind == "declared" and text.startswith("Declared ") and ": " in text:
        head, _, rest = text.partition(": ")
        return rest, head
    if entry.kind == "status_changed" and "status" in before and "status" in after:
        return (after.get("note") or "Status changed"), f"Status {before['status']} -> {after['status']}"
    if entry.kind == "severity_changed":
        head, _, reason = text.partition(": ")
        return (reason or "Severity changed"), head
    if entry.kind == "mitigated":
        note = text.partition(": ")[2]
        return "Impact mitigated", note or "Mitigation recorded"
    if entry.kind in ("paged", "page_failed") and ": paged " in text:
        level, _, paged = text.rpartition(": paged ")
        return level, f"Paged {paged}"
    if entry.kind in ("role_assigned", "role_unassigned"):
        return ("Role assigned" if entry.kind == "role_assigned" else "Role released"), text
    if entry.kind == "reopened":
        return (text.partition(": ")[2] or "Reopened"), "Reopened"
    return text, ""


def timeline_table(entries: Sequence[TimelineEntry], person: Callable[[str], str]) -> str:
    """| Time (UTC) | Event | Action taken | By |: clock times alone when the whole incident fits in one UTC day."""
    if not entries:
        return "<!-- timeline: not written yet -->"
    one_day = len({entry.at.astimezone(UTC).date() for entry in entries}) == 1
    shape = "%H:%M" if one_day else "%Y-%m-%d %H:%M"
    rows = ["| Time (UTC) | Event | Action taken | By |", "|---|---|---|---|"]
    for entry in entries:
        event, action = event_and_action(entry)
        when = entry.at.astimezone(UTC).strftime(shape)
        rows.append(f"| {when} | {cell(event)} | {cell(action)} | {cell(person(entry.actor))} |")
    return "\n".join(rows)


# ---- key timestamps ----------------------------------------------------------------------------------------


def key_timestamps(stamps: Stamps) -> str:
    """The separate moments of SEMANTICS "Clocks and anchors" and the spans between them, computed, never typed."""

    def since(end: datetime | None, start: datetime | None, measure: str, start_words: str) -> str:
        if end is None or start is None:
            return ""
        return f"{duration_filter(max(end - start, timedelta(0)))} after {start_words} ({measure})"

    resolved = [
        since(stamps.resolved_at, stamps.detected_at, "time to resolve", "detected"),
        since(stamps.resolved_at, stamps.started_at, "duration", "impact started"),
    ]
    rows = [
        ("Impact started", "started_at", stamps.started_at, ""),
        (
            "Detected",
            "detected_at",
            stamps.detected_at,
            since(stamps.detected_at, stamps.started_at, "time to detect", "impact started"),
        ),
        ("Triggered", "triggered_at", stamps.triggered_at, ""),
        (
            "Acknowledged",
            "acknowledged_at",
            stamps.acknowledged_at,
            since(stamps.acknowledged_at, stamps.triggered_at, "time to acknowledge", "triggered"),
        ),
        (
            "Mitigated",
            "mitigated_at",
            stamps.mitigated_at,
            since(stamps.mitigated_at, stamps.detected_at, "time to mitigate", "detected"),
        ),
        ("Resolved", "resolved_at", stamps.resolved_at, "; ".join(part for part in resolved if part)),
    ]
    lines = ["| Moment | Time (UTC) | Delta |", "|---|---|---|"]
    for moment, name, at, delta in rows:
        shown = at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if at else placeholder(name)
        lines.append(f"| {moment} | {shown} | {delta} |")
    return "\n".join(lines)


# ---- 5 Whys and action items -------------------------------------------------------------------------------


def five_whys(problem: str | None, root_cause: str | None) -> str:
    """The scaffold: the problem as stated, five whys to answer, and the root cause they lead to."""
    lines = [f"**Problem:** {problem or placeholder('fields.problem')}", ""]
    lines += [f"{n}. Why? {placeholder(f'fields.why_{n}')}" for n in range(1, 6)]
    lines += ["", f"**Root cause:** {root_cause or placeholder('incident.root_cause')}"]
    return "\n".join(lines)


@dataclass(frozen=True)
class ActionItemLine:
    title: str
    owner: str | None
    priority: str
    due: date | None
    status: str
    external_key: str | None
    external_url: str | None


def action_item_list(items: Sequence[ActionItemLine]) -> str:
    """A task list: done ones ticked, won't-do ones struck through; owner, priority, due date and tracker key."""
    if not items:
        return placeholder("fields.action_items")
    lines = []
    for item in items:
        closed = item.status in ("done", "wont_do")
        title = f"~~{item.title}~~ (won't do)" if item.status == "wont_do" else item.title
        facts = [f"owner: {item.owner or 'nobody yet'}", f"priority: {item.priority}"]
        facts.append(f"due {item.due.isoformat()}" if item.due else "no due date")
        tracked = ""
        if item.external_key:
            tracked = f" [{item.external_key}]({item.external_url})" if item.external_url else f" {item.external_key}"
        lines.append(f"- [{'x' if closed else ' '}] {title} ({', '.join(facts)}){tracked}")
    return "\n".join(lines)


# ---- standard sections -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StandardSection:
    key: str
    heading: str
    finds: re.Pattern[str]  # a heading naming this section (synonyms the presets use)
    anywhere: bool = False  # also found in the body text ("Use the 5 Whys technique")


STANDARD_SECTIONS = (
    StandardSection("timeline", "Timeline", re.compile(r"timeline|what happened", re.I)),
    StandardSection("key_timestamps", "Key timestamps", re.compile(r"key (?:timestamps|times|moments)", re.I)),
    StandardSection("five_whys", "5 Whys", re.compile(r"\b(?:5|five) whys\b", re.I), anywhere=True),
    StandardSection("root_cause", "Root cause", re.compile(r"root cause|why did it happen", re.I)),
    StandardSection("went_well", "What went well", re.compile(r"went well", re.I)),
    StandardSection(
        "went_wrong",
        "What went wrong",
        re.compile(r"went wrong|could be improved|improve|did ?n[o']t go well|went badly", re.I),
    ),
    StandardSection("action_items", "Action items", re.compile(r"action items?|follow[- ]?up", re.I)),
    StandardSection("lessons", "Lessons learned", re.compile(r"lessons?", re.I)),
)

_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def headings(markdown: str) -> list[str]:
    """ATX headings outside fenced code blocks."""
    found, fenced = [], False
    for line in markdown.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else _HEADING.match(line)
        if match:
            found.append(match.group(1))
    return found


def missing_sections(markdown: str) -> list[StandardSection]:
    titles = headings(markdown)
    return [
        section
        for section in STANDARD_SECTIONS
        if not any(section.finds.search(title) for title in titles)
        and not (section.anywhere and section.finds.search(markdown))
    ]


def complete_sections(markdown: str, bodies: dict[str, str]) -> str:
    """The draft with every standard section it lacks appended at the end, under its heading, in order."""
    missing = missing_sections(markdown)
    if not missing:
        return markdown.rstrip() + "\n"
    parts = [markdown.rstrip(), "", "<!-- Warroom's standard sections this template does not have: -->"]
    for section in missing:
        parts += ["", f"## {section.heading}", "", bodies[section.key].rstrip()]
    return "\n".join(parts) + "\n"
