"""How times read for people on the page, in the feed and in e-mails: in the page's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def local_time(value: datetime, time_zone: str) -> str:
    """'Dec 1, 2026 - 11:00 CET'."""
    local = value.astimezone(ZoneInfo(time_zone))
    return f"{local.strftime('%b')} {local.day}, {local.year} - {local.strftime('%H:%M %Z')}"
