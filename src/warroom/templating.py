"""The one sandboxed Jinja2 environment for text users write: playbook templates and integration mappings.

Undefined values are errors (SEMANTICS: never send an unfilled placeholder).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

_environment = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def _as_utc(value: Any) -> datetime:
    if not isinstance(value, datetime):
        raise RenderError(f"expected a time, got {value!r}")
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def slug(value: Any) -> str:
    """Lowercase words joined by '-': what chat channel names allow."""
    return _NOT_SLUG.sub("-", str(value).lower()).strip("-")


def date_filter(value: Any) -> str:
    """The UTC date, 2026-12-01 (SEMANTICS: channel names are in UTC)."""
    return _as_utc(value).strftime("%Y-%m-%d")


def utc_filter(value: Any) -> str:
    """The UTC time people read: 2026-12-01 03:04 UTC."""
    return _as_utc(value).strftime("%Y-%m-%d %H:%M UTC")


_environment.filters.update({"slug": slug, "date": date_filter, "utc": utc_filter})


class RenderError(ValueError):
    """A template could not be filled from what it was given."""


def is_template(text: str) -> bool:
    return "{{" in text or "{%" in text


def template_problems(text: str) -> list[str]:
    try:
        _environment.parse(text)
    except TemplateSyntaxError as error:
        return [f"template syntax error on its line {error.lineno}: {error.message}"]
    return []


@lru_cache(maxsize=512)
def _compiled(text: str) -> Template:
    return _environment.from_string(text)


def render(text: str, context: dict[str, Any]) -> str:
    try:
        return _compiled(text).render(context)
    except TemplateError as error:  # undefined names, sandbox refusals, syntax
        raise RenderError(str(error.message or error)) from None
