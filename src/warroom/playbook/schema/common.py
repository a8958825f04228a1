"""Building blocks shared across the playbook schema."""

from __future__ import annotations

import re
from datetime import date, time
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from warroom.deadlines import BusinessCalendar, Span

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,62}$")


class Strict(BaseModel):
    """Every playbook object refuses keys it does not know: a typo is an error, not a silent no-op."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _check_key(value: str) -> str:
    if not KEY_PATTERN.match(value):
        raise ValueError(
            f"{value!r} is not a valid key: use lowercase letters, digits, '-' or '_' (at most 63 characters)"
        )
    return value


def _check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not an IANA time zone (e.g. 'Europe/Berlin', 'UTC')") from None
    return value


def _as_list(value: object) -> object:
    """A single string where a list is expected is read as a one-item list."""
    return [value] if isinstance(value, str) else value


def _parse_wall_time(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads 09:00 as the sexagesimal integer 540.
        return time(value // 60, value % 60)
    if isinstance(value, str):
        match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?", value.strip())
        if not match:
            raise ValueError(f"{value!r} is not a time of day: write HH:MM")
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour == 24 and minute == 0:
            return time(23, 59, 59, 999999)
        # Seconds appear when a stored playbook (JSON) is read back; people write HH:MM.
        second = int(match.group(3) or 0)
        micro = int((match.group(4) or "0").ljust(6, "0"))
        if hour > 23 or minute > 59 or second > 59:
            raise ValueError(f"{value!r} is not a time of day: write HH:MM")
        return time(hour, minute, second, micro)
    return value


Key = Annotated[str, AfterValidator(_check_key)]
TimeZoneName = Annotated[str, AfterValidator(_check_zone)]
TextList = Annotated[list[str], BeforeValidator(_as_list)]
WallTime = Annotated[time, BeforeValidator(_parse_wall_time)]


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @property
    def number(self) -> int:
        """Monday is 0, as datetime.weekday() counts."""
        return list(Weekday).index(self)


class Method(StrEnum):
    """How a person is reached. `ticket` means backlog only: nobody is paged."""

    PHONE = "phone"
    SMS = "sms"
    PUSH = "push"
    CHAT = "chat"
    EMAIL = "email"
    TICKET = "ticket"


class BusinessCalendarSpec(Strict):
    timezone: TimeZoneName = "UTC"
    workdays: list[Weekday] = Field(
        default_factory=lambda: [Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI]
    )
    opens: WallTime = time(9, 0)
    closes: WallTime = time(17, 0)
    holidays: list[date] = Field(default_factory=list)

    def calendar(self) -> BusinessCalendar:
        return BusinessCalendar(
            timezone=self.timezone,
            workdays=frozenset(day.number for day in self.workdays),
            opens=self.opens,
            closes=self.closes,
            holidays=frozenset(self.holidays),
        )


__all__ = [
    "BusinessCalendarSpec",
    "Key",
    "Method",
    "Span",
    "Strict",
    "TextList",
    "TimeZoneName",
    "WallTime",
    "Weekday",
]
