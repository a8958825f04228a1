"""What a drill did, read back from the store it ran against: one timeline of entries, in simulated time.

Pages and notices are what the in-memory channels actually received (outbox rows marked sent: a page cancelled
by an acknowledgement before delivery is not a page). Escalations, reminders, missed deadlines and status
changes are the incident's own timeline events; the postmortem due date is the postmortem's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from warroom.incidents.views import incident_ref
from warroom.store.tables import communications, outbox, postmortems, timeline_events

# Timeline event kind -> drill entry kind.
_EVENT_KINDS = {
    "paged": "escalation",
    "page_failed": "escalation",
    "escalation_exhausted": "exhausted",
    "update_due": "reminder",
    "update_overdue": "overdue",
    "communication_missed": "missed",
    "response_missed": "response",
    "acknowledgement_missed": "response",
    "declared": "status",
    "acknowledged": "status",
    "mitigated": "status",
    "status_changed": "status",
}


@dataclass(frozen=True)
class Entry:
    at: datetime  # UTC
    kind: str
    incident: str  # the scenario's name for it ("A"), else INC-n
    subject: str  # the person, level, deadline key, channel or status the entry is about
    detail: dict[str, Any] = field(default_factory=dict)
    text: str = ""

    def as_json(self, start: datetime, zone: ZoneInfo) -> dict[str, Any]:
        return {
            "at": offset_text(self.at - start),
            "time": self.at.astimezone(zone).strftime("%a %Y-%m-%d %H:%M"),
            "kind": self.kind,
            "incident": self.incident,
            "subject": self.subject,
            **self.detail,
            "text": self.text,
        }


def offset_text(delta: Any) -> str:
    """'+0m', '+1h30m', '+2d4h': the entry's time from the drill's start."""
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{minutes}m" if minutes else ""]
    text = "".join(parts) + (f"{secs}s" if secs else "")
    return sign + (text or "0m")


def read_outcome(connection: Connection, names: dict[int, str], zone: ZoneInfo) -> list[Entry]:
    """Every entry of the drill, in time order (ties in the order they were recorded)."""

    def name(number: int | None) -> str:
        return "" if number is None else names.get(number, incident_ref(number))

    entries: list[tuple[datetime, int, Entry]] = []
    for row in connection.execute(
        select(timeline_events).where(timeline_events.c.kind.in_(list(_EVENT_KINDS))).order_by(timeline_events.c.id)
    ):
        entry = _from_event(row, name(row.incident_id))
        if entry is not None:
            entries.append((row.at, 0, entry))
    channel_of = {
        row.id: row.channel for row in connection.execute(select(communications.c.id, communications.c.channel))
    }
    for row in connection.execute(
        select(outbox).where(outbox.c.state == "sent").order_by(outbox.c.sent_at, outbox.c.id)
    ):
        entry = _from_message(row, name(row.incident_id), channel_of)
        if entry is not None:
            entries.append((row.sent_at, 1, entry))
    by_outbox = set(
        connection.execute(
            select(outbox.c.communication_id).where(outbox.c.communication_id.is_not(None)).distinct()
        ).scalars()
    )
    for row in connection.execute(
        select(communications).where(communications.c.delivered_at.is_not(None), communications.c.channel.is_not(None))
    ):
        if row.id not in by_outbox:  # the status page and records: delivered at once, not through the outbox
            entry = Entry(row.delivered_at, "message", name(row.incident_id), row.channel, {"kind": row.kind})
            entries.append((row.delivered_at, 1, entry))
    for row in connection.execute(select(postmortems).where(postmortems.c.due_at.is_not(None))):
        due = row.due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        detail = {"requirement": row.requirement, "owner": row.owner}
        text = f"postmortem due {due} ({row.requirement}), owner {row.owner or 'nobody'}"
        entries.append(
            (row.created_at, 2, Entry(row.created_at, "postmortem_due", name(row.incident_id), due, detail, text))
        )
    entries.sort(key=lambda item: (item[0], item[1]))
    return [entry for _at, _order, entry in entries]


def _from_event(row: Any, incident: str) -> Entry | None:
    kind = _EVENT_KINDS[row.kind]
    after = row.after or {}
    if kind == "escalation":
        if "policy" not in after or "level" not in after:
            return None  # a responder's manual page: its pages show, it is not a step of a chain
        detail = {"policy": after["policy"], "people": after.get("people", []), "round": after.get("round", 1)}
        return Entry(row.at, kind, incident, str(after["level"]), detail, row.text)
    if kind == "exhausted":
        return Entry(row.at, kind, incident, "true", {"policy": after.get("policy")}, row.text)
    if kind == "reminder":
        return Entry(row.at, kind, incident, str(after.get("owner") or ""), {}, row.text)
    if kind == "overdue":
        detail = {"owner": after.get("owner"), "escalated_to": after.get("escalated_to") or []}
        return Entry(row.at, kind, incident, "true", detail, row.text)
    if kind == "response":
        subject = "missed" if row.kind == "response_missed" else "ack_missed"
        return Entry(row.at, kind, incident, subject, {"severity": after.get("severity")}, row.text)
    if kind == "missed":
        return Entry(
            row.at, kind, incident, str(after.get("deadline", "")), {"channel": after.get("channel")}, row.text
        )
    status = row.kind if row.kind in ("declared", "acknowledged", "mitigated") else str(after.get("status", ""))
    detail = {"severity": after["severity"]} if row.kind == "declared" and "severity" in after else {}
    return Entry(row.at, kind, incident, status, detail, row.text) if status else None


def _from_message(row: Any, incident: str, channel_of: dict[int, str]) -> Entry | None:
    body = row.body or {}
    kind = body.get("kind") or ("page" if row.page_id is not None else "post")
    if kind == "page":
        detail = {"method": row.method, "level": body.get("level"), "policy": body.get("policy")}
        if body.get("paged_by"):
            detail["paged_by"] = body["paged_by"]
        return Entry(row.sent_at, "page", incident, str(row.recipient), detail, row.subject)
    if row.communication_id is not None:
        channel = channel_of.get(row.communication_id, row.channel)
        detail = {"via": row.channel, "address": row.address}
        return Entry(row.sent_at, "message", incident, channel, detail, row.subject)
    if kind == "post" and row.recipient:
        return Entry(row.sent_at, "notice", incident, str(row.recipient), {"method": row.method}, row.subject)
    return None
