"""Deadline arithmetic: spans as playbooks write them, and business time."""

from warroom.deadlines.business_calendar import BusinessCalendar
from warroom.deadlines.spans import Span, SpanKind, parse_span

__all__ = ["BusinessCalendar", "Span", "SpanKind", "parse_span"]
