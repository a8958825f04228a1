"""Rendering a template: the filters, what a missing value does, the fields a form must ask for, the sandbox."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warroom.comms.rendering import (
    MissingValues,
    RenderError,
    optional_fields,
    render_message,
    required_fields,
)
from warroom.errors import InvalidInput
from warroom.playbook.schema import MessageTemplate, TemplateKind
from warroom.templating import duration_filter, render

AT = datetime(2026, 3, 5, 14, 5, tzinfo=UTC)


def template(body: str, subject: str | None = None) -> MessageTemplate:
    return MessageTemplate(key="t", name="T", kind=TemplateKind.UPDATE, subject=subject, body=body)


def incident_values(**incident: Any) -> dict[str, Any]:
    return {"now": AT, "incident": {"title": "Checkout failing", "started_at": AT, **incident}}


# ---- filters ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("span", "words"),
    [
        (timedelta(0), "0 minutes"),
        (timedelta(seconds=20), "less than a minute"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(minutes=45, seconds=59), "45 minutes"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(hours=2, minutes=15), "2 hours 15 minutes"),
        (timedelta(days=1), "1 day"),
        (timedelta(days=1, hours=3, minutes=59), "1 day 3 hours"),
        (timedelta(days=2, minutes=5), "2 days"),
    ],
)
def test_duration_in_words(span: timedelta, words: str) -> None:
    assert render("{{ d | duration }}", {"d": span}) == words


_UNITS = {"day": timedelta(days=1), "hour": timedelta(hours=1), "minute": timedelta(minutes=1)}


@given(st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(days=400)))
def test_duration_never_overstates_and_misses_less_than_its_smallest_unit_below(span: timedelta) -> None:
    words = duration_filter(span)
    parts = re.fullmatch(r"(\d+) (day|hour|minute)s?(?: (\d+) (day|hour|minute)s?)?", words)
    assert parts is not None, words
    said = timedelta(0)
    units = [parts.group(2)] + ([parts.group(4)] if parts.group(4) else [])
    said += int(parts.group(1)) * _UNITS[parts.group(2)]
    if parts.group(3):
        said += int(parts.group(3)) * _UNITS[parts.group(4)]
    assert said <= span
    # The first unit shown and the next one down: what is left out is less than that next unit.
    names = list(_UNITS)
    finest = names[min(names.index(units[0]) + 1, len(names) - 1)]
    assert span - said < _UNITS[finest]


@pytest.mark.parametrize("value", ["2 hours", 90, None, AT])
def test_duration_refuses_what_is_not_a_span(value: Any) -> None:
    with pytest.raises(RenderError, match="duration expects a time span"):
        render("{{ d | duration }}", {"d": value})


def test_duration_refuses_a_negative_span() -> None:
    with pytest.raises(RenderError, match="positive"):
        render("{{ d | duration }}", {"d": timedelta(minutes=-5)})


def test_times_are_shown_in_utc() -> None:
    paris = AT.astimezone(timezone(timedelta(hours=1)))
    assert (
        render("{{ t | hhmm }}|{{ t | utc }}|{{ t | date }}", {"t": paris}) == "14:05|2026-03-05 14:05 UTC|2026-03-05"
    )
    assert render("{{ t | hhmm }}", {"t": datetime(2026, 3, 5, 23, 59)}) == "23:59"  # naive: already UTC
    with pytest.raises(RenderError, match="expected a time"):
        render("{{ t | hhmm }}", {"t": "14:05"})


# ---- missing values --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "{{ incident.root_cause }}",  # printed
        "{% for line in incident.root_cause %}{{ line }}{% endfor %}",  # iterated
        "{{ incident.root_cause == 'x' }}",  # compared
        "{{ incident.root_cause in ['x'] }}",
        "{{ (incident.root_cause - incident.started_at) }}",  # computed with
        "{{ incident.root_cause | length }}",
        "{{ incident.root_cause | utc }}",  # handed to our filters
        "{{ incident.root_cause | duration }}",
        "{{ incident.root_cause.text }}",  # looked into
    ],
)
def test_using_a_missing_value_is_an_error_that_names_it(text: str) -> None:
    with pytest.raises(MissingValues) as missing:
        render(text, incident_values())
    assert missing.value.names == ["incident.root_cause"]
    assert str(missing.value) == "missing value: incident.root_cause"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{ incident.root_cause or 'being investigated' }}", "being investigated"),
        ("{{ incident.root_cause is defined }}", "False"),
        ("{{ incident.root_cause | default('TBD') }}", "TBD"),
        ("{% if incident.root_cause %}{{ incident.root_cause }}{% else %}unknown{% endif %}", "unknown"),
        ("{% if not incident.root_cause %}unknown{% endif %}", "unknown"),
        ("{{ incident.title if incident.root_cause is undefined else '' }}", "Checkout failing"),
        ("{{ (incident.mitigated_at or incident.started_at) | hhmm }}", "14:05"),
    ],
)
def test_a_guarded_missing_value_renders(text: str, expected: str) -> None:
    assert render(text, incident_values()) == expected


def test_the_last_alternative_is_named_when_every_one_is_missing() -> None:
    with pytest.raises(MissingValues) as missing:
        render("{{ (incident.mitigated_at or incident.resolved_at) | utc }}", incident_values())
    assert missing.value.names == ["incident.resolved_at"]


def test_missing_values_inside_lists_and_at_the_top_are_named() -> None:
    values = incident_values(timeline=[{"at": AT, "text": "declared"}])
    with pytest.raises(MissingValues, match=re.escape("incident.timeline[0].actor")):
        render("{% for item in incident.timeline %}{{ item.actor }}{% endfor %}", values)
    with pytest.raises(MissingValues) as missing:
        render("{{ fields.eta }}", values)
    assert missing.value.names == ["fields"]


def test_a_key_of_the_context_wins_over_a_dict_method() -> None:
    assert render("{{ fields.items }}", {"fields": {"items": "two boxes"}}) == "two boxes"


# ---- the sandbox -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ incident.__class__.__init__.__globals__ }}",
        "{{ incident._warroom_path }}",
        "{{ now.__reduce_ex__(2) }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ (incident.title).format.__globals__ }}",
    ],
)
def test_the_sandbox_refuses_attribute_tricks(text: str) -> None:
    with pytest.raises(RenderError, match="unsafe") as refused:
        render(text, incident_values())
    assert not isinstance(refused.value, MissingValues)


def test_a_format_string_cannot_reach_attributes() -> None:
    with pytest.raises(RenderError):
        render("{{ '{0.__class__}'.format(incident.title) }}", incident_values())


# ---- the fields a person types ---------------------------------------------------------------------


def test_required_fields_are_the_unguarded_ones_in_order_subject_first() -> None:
    tpl = template(
        subject="[{{ fields.sev_word }}] {{ incident.title }}",
        body=(
            "{{ fields.what }} ETA {{ fields.eta | default('TBD') }}\n"
            "{% if fields.revenue is defined %}Revenue: {{ fields.revenue }}{% endif %}\n"
            "{% if fields.extra %}{{ fields.extra }} and {{ fields.also }}{% endif %}\n"
            "{{ fields.note or 'no note' }} {{ fields['next'] }} {{ fields.what }}\n"
            "{{ fields.a if fields.a is defined else fields.b }}"
        ),
    )
    assert required_fields(tpl) == ["sev_word", "what", "also", "next", "b"]
    assert optional_fields(tpl) == ["eta", "revenue", "extra", "note", "a"]


def test_methods_of_fields_are_not_fields() -> None:
    tpl = template("{{ fields.get('eta', 'TBD') }} {{ fields.get('owner') }} {% for k in fields.keys() %}{% endfor %}")
    assert required_fields(tpl) == [] and optional_fields(tpl) == ["eta", "owner"]
    assert render_message(template("{{ fields.get('eta', 'TBD') }}"), incident_values(), {}).body == "TBD"
    with pytest.raises(MissingValues) as missing:  # never the word "None" in a message
        render_message(template("Owner: {{ fields.get('owner') }}"), incident_values(), {})
    assert missing.value.names == ["fields.owner"]


def test_a_field_used_both_guarded_and_unguarded_is_required() -> None:
    tpl = template("{{ fields.eta | default('TBD') }} ... {{ fields.eta }}")
    assert required_fields(tpl) == ["eta"]


def test_every_missing_field_is_reported_at_once_before_rendering() -> None:
    tpl = template(subject="{{ fields.a }}", body="{{ incident.root_cause }} {{ fields.b }} {{ fields.c }}")
    with pytest.raises(MissingValues) as missing:
        render_message(tpl, incident_values(), {"b": "given", "c": "   "})  # blank is not given
    assert missing.value.names == ["fields.a", "fields.c"]
    assert str(missing.value) == "missing values: fields.a, fields.c"


def test_with_every_field_given_the_first_missing_incident_value_is_reported() -> None:
    tpl = template("{{ fields.a }}: {{ incident.root_cause }} / {{ incident.resolution }}")
    with pytest.raises(MissingValues) as missing:
        render_message(tpl, incident_values(), {"a": "x"})
    assert missing.value.names == ["incident.root_cause"]


def test_a_message_renders_with_fields_trimmed_and_a_one_line_subject() -> None:
    tpl = template(
        subject="{{ incident.title }} {{ fields.tag }}",
        body="ETA: {{ fields.eta }}\n{% if fields.note is defined %}Note: {{ fields.note }}\n{% endif %}\n\n",
    )
    message = render_message(tpl, incident_values(), {"eta": "  15:00 UTC\n", "tag": "a\r\nBcc: x@example.com"})
    assert message.subject == "Checkout failing a Bcc: x@example.com"  # no header injection
    assert message.body == "ETA: 15:00 UTC"


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"eta": 15}, "fields.eta: must be text, not int"),
        ({"eta": None}, "fields.eta: must be text, not NoneType"),
        ({"eta": ["a"]}, "fields.eta: must be text, not list"),
        ({"eta": "x" * 5_001}, "fields.eta: at most 5000 characters"),
        ({"bad name": "x"}, "fields.bad name: a field name is letters"),
    ],
)
def test_field_values_are_plain_text_of_bounded_length(fields: dict[str, Any], problem: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(problem)):
        render_message(template("{{ fields.eta }}"), incident_values(), fields)


def test_a_field_of_exactly_the_limit_is_accepted() -> None:
    body = render_message(template("{{ fields.eta }}"), incident_values(), {"eta": "x" * 5_000}).body
    assert len(body) == 5_000


@pytest.mark.parametrize(
    "text",
    ["{{ incident.roles.update({'scribe': 'Eve'}) }}", "{{ incident.timeline.append(1) }}", "{{ fields.clear() }}"],
)
def test_a_template_cannot_change_what_it_is_given(text: str) -> None:
    values = incident_values(roles={"scribe": "Sam"}, timeline=[])
    with pytest.raises(RenderError, match="unsafe"):
        render_message(template(text), values, {"a": "x"})
    assert values["incident"]["roles"] == {"scribe": "Sam"} and values["incident"]["timeline"] == []
