"""The one sandboxed Jinja2 environment for text users write: playbook templates and integration mappings.

A missing value is an error when it is printed, iterated, compared or computed with (SEMANTICS: never send an
unfilled placeholder), and the error names it ("missing value: incident.root_cause"). A template may still
guard an optional value: `x or y`, `x is defined`, `x | default(...)` and `{% if x %}` see it as empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from functools import lru_cache, wraps
from typing import Any, NoReturn

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.runtime import Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import missing

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_MISSING_PREFIX = "missing value: "


class RenderError(ValueError):
    """A template could not be filled from what it was given."""


class MissingValues(RenderError):
    """Values the template needs and the context lacks, named as the template names them (`fields.eta`)."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        word = "missing value" if len(self.names) == 1 else "missing values"
        super().__init__(f"{word}: {', '.join(self.names)}")


class _MissingValueError(UndefinedError):
    """Raised inside Jinja for a value we can name; `render` turns it into MissingValues."""

    @property
    def name(self) -> str:
        return str(self.message or "").removeprefix(_MISSING_PREFIX)


class _Named(dict[Any, Any]):
    """A context mapping that knows where it sits ("incident.severity"), so a missing key can be named."""

    __slots__ = ("_warroom_path",)

    def __init__(self, items: dict[Any, Any], path: str) -> None:
        super().__init__(items)
        self._warroom_path = path

    def get(self, key: Any, default: Any = missing) -> Any:
        """`fields.get('eta')` of a missing key is missing (printing it fails), not the word None."""
        if key in self:
            return _wrap(self[key], f"{self._warroom_path}.{key}")
        return MissingValue(obj=self, name=key) if default is missing else default


def _wrap(value: Any, path: str) -> Any:
    if isinstance(value, dict) and not isinstance(value, _Named):
        return _Named(value, path)
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        return [_wrap(item, f"{path}[{index}]") for index, item in enumerate(value)]
    return value


def _path_of(obj: Any, name: Any) -> str | None:
    if obj is missing:
        return str(name)
    if isinstance(obj, _Named):
        return f"{obj._warroom_path}.{name}" if isinstance(name, str) else f"{obj._warroom_path}[{name!r}]"
    return None


class MissingValue(StrictUndefined):
    """Strict, except that it is falsy: `x or y`, `{% if x %}` and `default` work; printing it is an error."""

    __slots__ = ()

    def __init__(
        self,
        hint: str | None = None,
        obj: Any = missing,
        name: str | None = None,
        exc: type[TemplateError] = UndefinedError,
    ) -> None:
        path = _path_of(obj, name) if hint is None and exc is UndefinedError else None
        if path is not None:
            hint, exc = _MISSING_PREFIX + path, _MissingValueError
        super().__init__(hint, obj, name, exc)  # type: ignore[arg-type]

    def __bool__(self) -> bool:  # type: ignore[override]
        return False

    def fail(self) -> NoReturn:
        """Raise the error that names this value (for filters handed a missing value)."""
        self._fail_with_undefined_error()


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox (which also refuses to change lists and dicts it is given), where a context mapping's keys
    win over dict methods (`fields.items` is the field)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, _Named) and attribute in obj:
            return _wrap(obj[attribute], f"{obj._warroom_path}.{attribute}")
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, _Named) and isinstance(argument, str) and argument in obj:
            return _wrap(obj[argument], f"{obj._warroom_path}.{argument}")
        return super().getitem(obj, argument)


_environment = _Environment(undefined=MissingValue, autoescape=False)


def _defined(value: Any) -> Any:
    if isinstance(value, MissingValue):
        value.fail()
    if isinstance(value, Undefined):
        str(value)  # a strict undefined raises its own error
    return value


def _as_utc(value: Any) -> datetime:
    value = _defined(value)
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


def hhmm_filter(value: Any) -> str:
    """The UTC clock time: 14:05."""
    return _as_utc(value).strftime("%H:%M")


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"


def duration_filter(value: Any) -> str:
    """A span in words, the two largest units: "45 minutes", "2 hours 15 minutes", "1 day 3 hours".

    Whole minutes, rounded down (a message never claims more time than passed); "0 minutes" for zero.
    """
    value = _defined(value)
    if not isinstance(value, timedelta):
        raise RenderError(f"duration expects a time span, got {value!r}")
    if value < timedelta(0):
        raise RenderError(f"duration expects a positive time span, got {value}")
    if timedelta(0) < value < timedelta(minutes=1):
        return "less than a minute"
    minutes = int(value.total_seconds()) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    while len(parts) > 1 and parts[0][0] == 0:
        parts.pop(0)
    shown = [_count(number, unit) for number, unit in parts[:2] if number]
    return " ".join(shown) or "0 minutes"


_environment.filters.update(
    {"slug": slug, "date": date_filter, "utc": utc_filter, "hhmm": hhmm_filter, "duration": duration_filter}
)


def is_template(text: str) -> bool:
    return "{{" in text or "{%" in text


def template_problems(text: str) -> list[str]:
    try:
        _environment.parse(text)
    except TemplateSyntaxError as error:
        return [f"template syntax error on its line {error.lineno}: {error.message}"]
    return []


def parse(text: str) -> Any:
    """The template's syntax tree (jinja2.nodes.Template), for finding the names it uses."""
    return _environment.parse(text)


@lru_cache(maxsize=512)
def _compiled(text: str) -> Template:
    return _environment.from_string(text)


def render(text: str, context: dict[str, Any]) -> str:
    """Fill a template. Raises MissingValues naming the first value it lacks, RenderError for anything else."""
    named = {key: _wrap(value, key) for key, value in context.items()}
    try:
        return _compiled(text).render(named)
    except _MissingValueError as error:
        raise MissingValues([error.name]) from None
    except TemplateError as error:  # sandbox refusals, syntax, other undefined uses
        raise RenderError(str(error.message or error)) from None


# ---- drafts people complete (postmortems) --------------------------------------------------------------------
# A draft is not a message: a value the incident lacks must not stop it. It prints as a placeholder the caller
# words (an HTML comment), so people see what is left to write; messages above stay strict.

_placeholder: ContextVar[Callable[[str], str]] = ContextVar("warroom_draft_placeholder")


def missing_name(value: MissingValue) -> str:
    """The name a missing value is known by in the template ("incident.root_cause")."""
    hint = value._undefined_hint or ""
    return hint.removeprefix(_MISSING_PREFIX) if hint.startswith(_MISSING_PREFIX) else str(value._undefined_name)


def _is_blank(value: Any) -> bool:
    """A value that is merely missing (a sandbox refusal is not: it still fails)."""
    return isinstance(value, MissingValue) and issubclass(value._undefined_exception, UndefinedError)


class _Blank(MissingValue):
    """A missing value in a draft: prints as its placeholder; arithmetic, attributes, items and filters of it give
    the same blank; a loop over it runs zero times. A sandbox refusal still fails."""

    __slots__ = ()

    def _checked(self) -> _Blank:
        if not _is_blank(self):
            self._fail_with_undefined_error()
        return self

    def __str__(self) -> str:  # type: ignore[override]
        return _placeholder.get()(missing_name(self._checked()))

    def _same(self, *_args: Any, **_kwargs: Any) -> _Blank:
        return self._checked()

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _same  # type: ignore[assignment]
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _same  # type: ignore[assignment]
    __pow__ = __rpow__ = __pos__ = __neg__ = __call__ = __getitem__ = _same  # type: ignore[assignment]

    def __getattr__(self, name: str) -> Any:
        if name[:2] == "__":
            raise AttributeError(name)
        return self._checked()

    def __iter__(self) -> Iterator[Any]:  # type: ignore[override]
        self._checked()
        return iter(())

    def __len__(self) -> int:  # type: ignore[override]
        self._checked()
        return 0

    def __eq__(self, other: object) -> bool:  # type: ignore[override]
        return other is self

    def __hash__(self) -> int:  # type: ignore[override]
        return id(self)


def _passes_blanks(function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that hands a missing value on unchanged (the placeholder prints once, where it is output)."""
    position = 1 if getattr(function, "jinja_pass_arg", None) is not None else 0

    @wraps(function)
    def filtered(*args: Any, **kwargs: Any) -> Any:
        if len(args) > position and _is_blank(args[position]):
            return args[position]
        return function(*args, **kwargs)

    return filtered


def _print_missing(value: Any) -> Any:
    return _placeholder.get()(missing_name(value)) if _is_blank(value) else value


_draft_environment = _environment.overlay(undefined=_Blank, finalize=_print_missing)
_draft_environment.filters = {
    name: function if name in ("default", "d") else _passes_blanks(function)
    for name, function in _environment.filters.items()
}


@lru_cache(maxsize=64)
def _draft_template(text: str) -> Template:
    return _draft_environment.from_string(text)


def render_draft(text: str, context: dict[str, Any], placeholder: Callable[[str], str]) -> str:
    """Fill a draft people will complete: a value the context lacks prints as `placeholder(name)` instead of
    failing. RenderError only for what no placeholder can stand in for (syntax, sandbox refusals)."""
    named = {key: _wrap(value, key) for key, value in context.items()}
    token = _placeholder.set(placeholder)
    try:
        return _draft_template(text).render(named)
    except TemplateError as error:
        raise RenderError(str(error.message or error)) from None
    finally:
        _placeholder.reset(token)
