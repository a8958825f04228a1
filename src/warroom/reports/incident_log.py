"""The incident log as the launch playbook keeps it ("Maintain a shared spreadsheet"), as CSV. Pure.

Columns, as the playbook writes them: Date | Time | Severity | Issue | Duration | RCA Owner | Status, e.g.
`2026-03-01 | 09:15 | P2 | DB connection leak | 23 min | [engineer] | Closed`. Decisions:
- Date and Time are when the impact started (the anchor of the duration), in the playbook's time zone;
- Duration = resolved - started (SEMANTICS.md), "ongoing" while open; "23 min", "2 h 05 min", "3 d 4 h";
- RCA Owner = the postmortem's owner, else the Incident Commander (the playbook's first role), else empty;
- a cell starting with = + - @ gets a leading apostrophe, so a spreadsheet never runs an alert's text as a
  formula (the log is meant for Google Sheets).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from warroom.reports.queries import LogRow

COLUMNS = ("Date", "Time", "Severity", "Issue", "Duration", "RCA Owner", "Status")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def duration_text(seconds: int | None) -> str:
    if seconds is None:
        return "ongoing"
    minutes = max(seconds, 0) // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def incident_log_csv(rows: Iterable[LogRow], zone: ZoneInfo, label: Callable[[LogRow], str]) -> str:
    """The CSV text (header first, RFC 4180 line ends); `label` names a row's severity."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        started = datetime.fromtimestamp(row.started, UTC).astimezone(zone)
        duration = None if row.resolved is None else row.resolved - row.started
        writer.writerow(
            [
                started.strftime("%Y-%m-%d"),
                started.strftime("%H:%M"),
                _cell(label(row)),
                _cell(row.title),
                duration_text(duration),
                _cell(row.rca_owner or ""),
                row.status.replace("_", " ").capitalize(),
            ]
        )
    return out.getvalue()
