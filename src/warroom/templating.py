"""The one sandboxed Jinja2 environment for text users write: playbook templates and integration mappings.

Undefined values are errors (SEMANTICS: never send an unfilled placeholder).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

_environment = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


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
