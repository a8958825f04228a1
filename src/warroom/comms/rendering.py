"""Filling a playbook message template: the fields a person must type, then the message or what is missing.

SEMANTICS ("Names and text"): a template never sends an unfilled placeholder. Every field the template needs
and was not given is reported at once, before anything is rendered; then the first incident value it lacks
(e.g. `incident.root_cause` before anyone wrote it) is reported by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from jinja2 import nodes

from warroom.errors import Problems
from warroom.playbook.schema import MessageTemplate
from warroom.templating import MissingValues, RenderError, parse, render

__all__ = [
    "MissingValues",
    "RenderError",
    "RenderedMessage",
    "field_names",
    "optional_fields",
    "render_message",
    "required_fields",
]

MAX_FIELD_LENGTH = 5_000
MAX_FIELDS = 100
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_GUARD_TESTS = frozenset({"defined", "undefined"})
_GUARD_FILTERS = frozenset({"default", "d"})


@dataclass(frozen=True)
class RenderedMessage:
    subject: str | None
    body: str


def field_names(template: MessageTemplate) -> dict[str, bool]:
    """Every `fields.X` the template names, in order of first use, with whether it is required.

    A use is optional when the template guards it: `fields.x is defined`, `fields.x | default(...)`,
    `fields.x or ...`, inside an `{% if %}` test, or in the body of an `{% if %}` whose test names it.
    """
    uses: dict[str, bool] = {}
    for text in (template.subject, template.body):
        if text is not None:
            _walk(parse(text), frozenset(), False, uses)
    return uses


def required_fields(template: MessageTemplate) -> list[str]:
    """The field names (without `fields.`) the template cannot render without, so a form asks for all of them."""
    return [name for name, required in field_names(template).items() if required]


def optional_fields(template: MessageTemplate) -> list[str]:
    return [name for name, required in field_names(template).items() if not required]


def render_message(template: MessageTemplate, context: dict[str, Any], fields: dict[str, str]) -> RenderedMessage:
    """The message, or MissingValues naming every missing field (then the first missing incident value).

    Field values are plain text; a blank one counts as not given. InvalidInput for a value that is not text
    or is too long.
    """
    given = _clean_fields(fields)
    missing = [f"fields.{name}" for name in required_fields(template) if name not in given]
    if missing:
        raise MissingValues(missing)
    values = {**context, "fields": given}
    subject = None
    if template.subject is not None:
        # One line: a newline in a subject would inject e-mail headers.
        subject = " ".join(render(template.subject, values).split())
    body = render(template.body, values).rstrip()
    return RenderedMessage(subject=subject, body=body)


def _clean_fields(fields: dict[str, Any]) -> dict[str, str]:
    problems = Problems()
    if len(fields) > MAX_FIELDS:
        problems.add("fields", f"at most {MAX_FIELDS} fields")
    given: dict[str, str] = {}
    for name, value in fields.items():
        if not isinstance(name, str) or not _FIELD_NAME.match(name):
            problems.add(f"fields.{name}", "a field name is letters, digits and '_' (e.g. next_update)")
        elif not isinstance(value, str):
            problems.add(f"fields.{name}", f"must be text, not {type(value).__name__}")
        elif len(value) > MAX_FIELD_LENGTH:
            problems.add(f"fields.{name}", f"at most {MAX_FIELD_LENGTH} characters")
        elif value.strip():
            given[name] = value.strip()
    problems.raise_if_any()
    return given


def _is_fields(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Name) and node.name == "fields"


def _field_of(node: nodes.Node) -> str | None:
    """`fields.x` or `fields['x']` -> "x"."""
    if isinstance(node, nodes.Getattr) and _is_fields(node.node):
        return str(node.attr)
    if (
        isinstance(node, nodes.Getitem)
        and _is_fields(node.node)
        and isinstance(node.arg, nodes.Const)
        and isinstance(node.arg.value, str)
    ):
        return node.arg.value
    return None


def _fields_in(node: nodes.Node) -> frozenset[str]:
    found = {_field_of(child) for child in node.find_all((nodes.Getattr, nodes.Getitem))}
    own = _field_of(node)
    return frozenset(name for name in (*found, own) if name is not None)


def _walk(node: nodes.Node, guarded: frozenset[str], optional: bool, uses: dict[str, bool]) -> None:
    name = _field_of(node)
    if name is not None:
        uses[name] = uses.get(name, False) or (not optional and name not in guarded)
        return
    if isinstance(node, nodes.If):
        _walk(node.test, guarded, True, uses)
        inside = guarded | _fields_in(node.test)
        for child in node.body:
            _walk(child, inside, optional, uses)
        for branch in node.elif_:
            _walk(branch, guarded, optional, uses)
        for child in node.else_:
            _walk(child, guarded, optional, uses)
        return
    if isinstance(node, nodes.CondExpr):
        _walk(node.test, guarded, True, uses)
        _walk(node.expr1, guarded | _fields_in(node.test), optional, uses)
        if node.expr2 is not None:
            _walk(node.expr2, guarded, optional, uses)
        return
    if isinstance(node, nodes.Test) and node.name in _GUARD_TESTS:
        _walk(node.node, guarded, True, uses)
        return
    if isinstance(node, nodes.Filter) and node.name in _GUARD_FILTERS and node.node is not None:
        _walk(node.node, guarded, True, uses)
        for argument in [*node.args, *(keyword.value for keyword in node.kwargs)]:
            _walk(argument, guarded, optional, uses)
        return
    if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr) and _is_fields(node.node.node):
        # A method of the mapping, not a field: `fields.get('x', 'default')` names x, optionally.
        first = node.args[0] if node.args else None
        if node.node.attr == "get" and isinstance(first, nodes.Const) and isinstance(first.value, str):
            uses.setdefault(first.value, False)
        for argument in node.args[1:]:
            _walk(argument, guarded, optional, uses)
        return
    if isinstance(node, nodes.Or | nodes.And):
        # `a or b` needs only one of them: the render names the one that is missing when both are.
        _walk(node.left, guarded, True, uses)
        _walk(node.right, guarded, True, uses)
        return
    for child in node.iter_child_nodes():
        _walk(child, guarded, optional, uses)
