"""Spans of time as playbooks write them: "5m", "1h30m", "1w", "4 business hours", "next business day".

A span is kept with the text it was written as, so a playbook round-trips unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema


class SpanKind(StrEnum):
    ELAPSED = "elapsed"
    BUSINESS_HOURS = "business_hours"
    BUSINESS_DAYS = "business_days"
    NEXT_BUSINESS_DAY = "next_business_day"


_UNITS = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "wk": 604800,
    "week": 604800,
    "weeks": 604800,
}
_ELAPSED_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]+)")
_BUSINESS = re.compile(r"^(\d+)\s+business\s+(hour|hours|day|days)$")


@dataclass(frozen=True)
class Span:
    """A duration in elapsed time, business hours or business days."""

    kind: SpanKind
    seconds: int = 0  # elapsed time, in seconds
    count: int = 0  # business hours or days
    text: str = ""

    @property
    def elapsed(self) -> timedelta:
        """The span as plain elapsed time; only meaningful for ELAPSED spans."""
        if self.kind is not SpanKind.ELAPSED:
            raise ValueError(f"{self.text!r} is business time, not elapsed time")
        return timedelta(seconds=self.seconds)

    @property
    def is_business(self) -> bool:
        return self.kind is not SpanKind.ELAPSED

    def __str__(self) -> str:
        return self.text

    def approx_seconds(self) -> int:
        """A rough size for comparing spans of different kinds (lint: timeout vs target)."""
        if self.kind is SpanKind.ELAPSED:
            return self.seconds
        if self.kind is SpanKind.BUSINESS_HOURS:
            return self.count * 3600
        if self.kind is SpanKind.BUSINESS_DAYS:
            return self.count * 86400
        return 86400

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        def validate(value: Any) -> Span:
            if isinstance(value, Span):
                return value
            if isinstance(value, int) and not isinstance(value, bool):
                raise ValueError("a span needs a unit, e.g. '15m', '4h', '5 business days'")
            if not isinstance(value, str):
                raise ValueError("a span is text such as '15m', '4h' or '5 business days'")
            return parse_span(value)

        return core_schema.no_info_plain_validator_function(
            validate, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )


def parse_span(text: str) -> Span:
    """Read a span; raise ValueError naming what was wrong."""
    raw = text
    norm = " ".join(text.strip().lower().split())
    if not norm:
        raise ValueError("empty span")
    if norm in ("immediate", "immediately", "0"):
        return Span(SpanKind.ELAPSED, seconds=0, text=raw)
    if norm == "next business day":
        return Span(SpanKind.NEXT_BUSINESS_DAY, text=raw)
    business = _BUSINESS.match(norm)
    if business:
        count = int(business.group(1))
        if count <= 0:
            raise ValueError(f"{raw!r}: business spans must be positive")
        kind = SpanKind.BUSINESS_HOURS if business.group(2).startswith("hour") else SpanKind.BUSINESS_DAYS
        return Span(kind, count=count, text=raw)
    compact = norm.replace(" ", "")
    pos = 0
    total = 0.0
    for match in _ELAPSED_PART.finditer(compact):
        if match.start() != pos:
            break
        unit = match.group(2)
        if unit not in _UNITS:
            raise ValueError(f"{raw!r}: unknown unit {unit!r} (use s, m, h, d, w or 'N business days/hours')")
        total += float(match.group(1)) * _UNITS[unit]
        pos = match.end()
    if pos != len(compact) or pos == 0:
        raise ValueError(
            f"{raw!r} is not a span: write e.g. '5m', '1h30m', '1w', '4 business hours', 'next business day'"
        )
    if total != int(total):
        raise ValueError(f"{raw!r}: spans are whole seconds")
    return Span(SpanKind.ELAPSED, seconds=int(total), text=raw)
