"""Any JSON a tool can POST, turned into events by the integration's mapping of JSON paths and Jinja2 templates.

A mapping value containing "{{" is a template rendered in a sandbox with the parsed body as `body`; one starting
with "$" is a JSON path (`$.a.b`, `$.items[0].id`, `$['odd key']`); anything else is a constant (a template with
no expressions). A body that is a list of objects carries one event per object.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from warroom.alerts.events import Action, AlertBatch, AlertEvent, PayloadError, SourceConfig

MAPPING_KEYS = ("summary", "dedup_key", "severity", "status", "alert_name", "group_key", "source")
DEFAULT_MAPPING: Mapping[str, str] = {
    "summary": "$.summary",
    "dedup_key": "$.dedup_key",
    "severity": "$.severity",
    "status": "$.status",
    "alert_name": "$.alert_name",
    "source": "$.source",
}
_RESOLVE_WORDS = frozenset({"resolved", "resolve", "ok", "normal", "inactive", "closed", "recovered", "up"})
_ACKNOWLEDGE_WORDS = frozenset({"acknowledged", "acknowledge", "ack"})
_ENVIRONMENT = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


@dataclass(frozen=True)
class _Path:
    text: str
    segments: tuple[str | int, ...]

    def lookup(self, doc: Any) -> tuple[bool, Any]:
        """(found, value): a path that leaves the document is "not found", never an error."""
        current = doc
        for segment in self.segments:
            if isinstance(segment, int):
                if not isinstance(current, list) or segment >= len(current):
                    return False, None
            elif not isinstance(current, dict) or segment not in current:
                return False, None
            current = current[segment]
        return True, current


@dataclass(frozen=True)
class _Template:
    text: str
    template: Template


def parse_json_path(text: str) -> tuple[str | int, ...]:
    """Split `$.a[0]['b c']` into ("a", 0, "b c"); ValueError names the position of the first problem."""
    if not text.startswith("$"):
        raise ValueError("a JSON path must start with '$'")
    segments: list[str | int] = []
    i, n = 1, len(text)
    while i < n:
        if text[i] == ".":
            j = i + 1
            while j < n and text[j] not in ".[]":
                j += 1
            if j == i + 1:
                raise ValueError(f"expected a name after '.' at position {i}")
            segments.append(text[i + 1 : j])
            i = j
        elif text[i] == "[" and i + 1 < n and text[i + 1] in "'\"":
            quote, j, chars = text[i + 1], i + 2, []
            while j < n and text[j] != quote:
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                chars.append(text[j])
                j += 1
            if j >= n:
                raise ValueError(f"unclosed quote opened at position {i + 1}")
            if j + 1 >= n or text[j + 1] != "]":
                raise ValueError(f"expected ']' at position {j + 1}")
            segments.append("".join(chars))
            i = j + 2
        elif text[i] == "[":
            close = text.find("]", i)
            inner = text[i + 1 : close].strip() if close != -1 else ""
            if close == -1 or not (inner.isascii() and inner.isdigit()):
                raise ValueError(f"expected an index like [0] or a quoted key like ['name'] at position {i}")
            segments.append(int(inner))
            i = close + 1
        else:
            raise ValueError(f"unexpected {text[i]!r} at position {i}; expected '.' or '['")
    return tuple(segments)


@lru_cache(maxsize=512)
def _compile(value: str) -> _Path | _Template:
    """Compiled once per distinct mapping value: every delivery of an integration uses the same few."""
    if value.startswith("$"):
        try:
            return _Path(value, parse_json_path(value))
        except ValueError:
            # "$['{{']" is a path to a key named "{{"; a value that is not a path but has template braces is a
            # template that happens to start with '$'.
            if "{{" not in value and "{%" not in value:
                raise
    return _Template(value, _ENVIRONMENT.from_string(value))


def validate_mapping(mapping: Mapping[str, str]) -> list[str]:
    """Every problem with a mapping, so creating an integration can refuse it instead of failing every delivery."""
    problems: list[str] = []
    for key, value in mapping.items():
        if key not in MAPPING_KEYS:
            problems.append(f"{key}: unknown mapping key (known: {', '.join(MAPPING_KEYS)})")
        elif not isinstance(value, str) or not value.strip():
            problems.append(f"{key}: must be a JSON path like $.summary or a template like {{{{ body.summary }}}}")
        else:
            try:
                _compile(value)
            except TemplateSyntaxError as error:
                problems.append(f"{key}: template does not compile: {error.message} (line {error.lineno})")
            except ValueError as error:
                problems.append(f"{key}: {value!r} is not a JSON path: {error}")
    return problems


def parse(body: bytes, headers: Mapping[str, str], config: SourceConfig) -> AlertBatch:
    """One event per object; every problem of every object is reported together."""
    problems = validate_mapping(config.mapping)
    if problems:
        raise PayloadError([f"mapping.{problem}" for problem in problems])
    extractors = {key: _compile(value) for key, value in {**DEFAULT_MAPPING, **config.mapping}.items()}
    doc = _load(body)
    if isinstance(doc, dict):
        items = [("", doc)]
    elif isinstance(doc, list) and doc:
        not_objects = [f"[{index}]: must be an object" for index, item in enumerate(doc) if not isinstance(item, dict)]
        if not_objects:
            raise PayloadError(not_objects)
        items = [(f"[{index}].", item) for index, item in enumerate(doc)]
    elif isinstance(doc, list):
        raise PayloadError(["body: at least one event"])
    else:
        raise PayloadError(["body: must be a JSON object or a list of objects"])

    errors: list[str] = []
    events: list[AlertEvent] = []
    for where, item in items:
        before = len(errors)
        values = {key: _extract(key, extractor, item, where, errors) for key, extractor in extractors.items()}
        if len(errors) == before:
            events.append(
                AlertEvent(
                    action=_action(values.get("status")),
                    dedup_key=values.get("dedup_key"),
                    summary=values.get("summary") or "",
                    source=values.get("source"),
                    source_severity=values.get("severity"),
                    alert_name=values.get("alert_name"),
                    group_key=values.get("group_key"),
                    details=item,
                )
            )
    if errors:
        raise PayloadError(errors)
    return AlertBatch(events=tuple(events))


def _extract(key: str, extractor: _Path | _Template, item: dict[str, Any], where: str, errors: list[str]) -> str | None:
    """One mapped value as text; missing is None, except the summary, which every alert needs."""
    required = key == "summary"
    if isinstance(extractor, _Template):
        try:
            text = extractor.template.render(body=item)
        except UndefinedError as error:
            if required:
                errors.append(f"{where}{key}: template refers to something the body lacks: {error.message}")
            return None
        except Exception as error:  # an operator's template meeting an untrusted body: any failure is the payload's
            errors.append(f"{where}{key}: template failed on this body: {error}")
            return None
    else:
        found, value = extractor.lookup(item)
        if not found or value is None:
            if required:
                errors.append(f"{where}{key}: {extractor.text} {'is null' if found else 'not found'} in the body")
            return None
        if isinstance(value, dict | list):
            kind = "an object" if isinstance(value, dict) else "a list"
            errors.append(f"{where}{key}: {extractor.text} is {kind}, expected a single value")
            return None
        text = value if isinstance(value, str) else str(value)
    text = text.strip()
    if not text and required:
        errors.append(f"{where}{key}: {extractor.text} is empty")
    return text or None


def _action(status: str | None) -> Action:
    word = (status or "").strip().lower()
    if word in _RESOLVE_WORDS:
        return Action.RESOLVE
    if word in _ACKNOWLEDGE_WORDS:
        return Action.ACKNOWLEDGE
    return Action.TRIGGER


def _load(body: bytes) -> Any:
    try:
        return json.loads(body)
    except json.JSONDecodeError as error:
        raise PayloadError([f"body: not valid JSON (line {error.lineno} column {error.colno})"]) from None
    except UnicodeDecodeError:
        raise PayloadError(["body: not valid JSON (not UTF-8 text)"]) from None
    except (ValueError, RecursionError):
        raise PayloadError(["body: not valid JSON (nested too deeply or a number too long)"]) from None
