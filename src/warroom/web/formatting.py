"""How times and spans read on the pages: UTC, and relative to the injected clock's now."""

from __future__ import annotations

from datetime import datetime


def utc(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


def iso(value: datetime | None) -> str:
    return "" if value is None else value.isoformat()


def span(seconds: float | None) -> str:
    """'3d 4h', '1h 05m', '12 min', '40 s'."""
    if seconds is None:
        return ""
    total = int(abs(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes} min"
    return f"{secs} s"


def relative(value: datetime | None, now: datetime) -> str:
    """'12 min ago' or 'in 5 min'."""
    if value is None:
        return ""
    seconds = (value - now).total_seconds()
    if abs(seconds) < 1:
        return "now"
    return f"in {span(seconds)}" if seconds > 0 else f"{span(seconds)} ago"
