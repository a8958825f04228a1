"""Generic JSON: an integration's mapping of JSON paths and templates turns any body into events."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from warroom.alerts.adapters.generic import parse, parse_json_path, validate_mapping
from warroom.alerts.events import Action, AlertBatch, PayloadError, SourceConfig

# What a home-grown checker or a tool without a native integration tends to post (Nagios/Zabbix-style relays).
CHECK_RESULT: dict[str, Any] = {
    "host": "db-2.internal",
    "check": "disk_usage",
    "state": "CRITICAL",
    "output": "DISK CRITICAL - /var/lib/postgresql 96% used",
    "attempt": 3,
    "alert": {"id": "zbx-48213", "labels": {"name": "PostgresDiskFull", "team": "data"}, "priority": 5},
    "items": [{"id": "vfs.fs.size[/var/lib/postgresql,pused]", "value": 96.2}],
    "weird key": "odd but legal",
}


def deliver(doc: Any, mapping: Mapping[str, str] | None = None) -> AlertBatch:
    body = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    return parse(body, {}, SourceConfig(mapping=mapping or {}))


def errors_of(doc: Any, mapping: Mapping[str, str] | None = None) -> list[str]:
    with pytest.raises(PayloadError) as error:
        deliver(doc, mapping)
    return error.value.errors


def test_default_mapping_reads_the_obvious_names() -> None:
    doc = {
        "summary": "Queue backlog above 10k",
        "dedup_key": "queue-backlog/orders",
        "severity": "warning",
        "status": "firing",
        "alert_name": "QueueBacklog",
        "source": "rabbitmq-1",
        "extra": {"depth": 10412},
    }
    (event,) = deliver(doc).events
    assert event.action is Action.TRIGGER
    assert event.summary == "Queue backlog above 10k"
    assert event.dedup_key == "queue-backlog/orders"
    assert event.source_severity == "warning"
    assert event.alert_name == "QueueBacklog"
    assert event.source == "rabbitmq-1"
    assert event.group_key is None
    assert event.details == doc


def test_only_the_summary_is_required() -> None:
    (event,) = deliver({"summary": "something broke"}).events
    assert (event.dedup_key, event.source_severity, event.alert_name, event.source) == (None, None, None, None)
    assert event.action is Action.TRIGGER
    assert errors_of({"message": "something broke"}) == ["summary: $.summary not found in the body"]
    assert errors_of({"summary": None}) == ["summary: $.summary is null in the body"]
    assert errors_of({"summary": "   "}) == ["summary: $.summary is empty"]


def test_json_paths() -> None:
    mapping = {
        "summary": "$.output",
        "dedup_key": "$.items[0].id",
        "alert_name": "$.alert.labels.name",
        "severity": "$['state']",
        "source": '$["weird key"]',
        "group_key": "$.alert.labels['team']",
        "status": "$.items[5].state",  # not there: triggers
    }
    (event,) = deliver(CHECK_RESULT, mapping).events
    assert event.summary == "DISK CRITICAL - /var/lib/postgresql 96% used"
    assert event.dedup_key == "vfs.fs.size[/var/lib/postgresql,pused]"
    assert event.alert_name == "PostgresDiskFull"
    assert event.source_severity == "CRITICAL"
    assert event.source == "odd but legal"
    assert event.group_key == "data"
    assert event.action is Action.TRIGGER


def test_templates() -> None:
    mapping = {
        "summary": "{{ body.host }}: {{ body.check }} is {{ body.state | lower }}",
        "dedup_key": "{{ body.host }}/{{ body.check }}",
        "severity": "{% if body.alert.priority >= 4 %}critical{% else %}warning{% endif %}",
        "source": "zabbix",  # no expression: a constant
        "alert_name": "{{ body.not_there }}",  # undefined outside the summary: simply missing
    }
    (event,) = deliver(CHECK_RESULT, mapping).events
    assert event.summary == "db-2.internal: disk_usage is critical"
    assert event.dedup_key == "db-2.internal/disk_usage"
    assert event.source_severity == "critical"
    assert event.source == "zabbix"
    assert event.alert_name is None


def test_template_summary_needs_what_it_refers_to() -> None:
    errors = errors_of({"host": "web-1"}, {"summary": "{{ body.host }}: {{ body.check }}"})
    assert errors == ["summary: template refers to something the body lacks: 'dict object' has no attribute 'check'"]


def test_templates_are_sandboxed() -> None:
    errors = errors_of(CHECK_RESULT, {"summary": "{{ body.__class__.__mro__ }}"})
    assert errors == [
        "summary: template failed on this body: access to attribute '__class__' of 'dict' object is unsafe."
    ]
    errors = errors_of(CHECK_RESULT, {"summary": "{{ body.items.__globals__ }}"})
    assert len(errors) == 1 and errors[0].startswith("summary: template")


def test_template_failing_on_the_body_is_a_payload_error() -> None:
    errors = errors_of({"count": 0}, {"summary": "rate {{ 10 / body.count }}"})
    assert errors == ["summary: template failed on this body: division by zero"]


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("resolved", Action.RESOLVE),
        ("RESOLVE", Action.RESOLVE),
        ("OK", Action.RESOLVE),
        ("normal", Action.RESOLVE),
        ("inactive", Action.RESOLVE),
        ("Closed", Action.RESOLVE),
        ("recovered", Action.RESOLVE),
        (" up ", Action.RESOLVE),
        ("acknowledged", Action.ACKNOWLEDGE),
        ("Acknowledge", Action.ACKNOWLEDGE),
        ("ACK", Action.ACKNOWLEDGE),
        ("firing", Action.TRIGGER),
        ("down", Action.TRIGGER),
        ("CRITICAL", Action.TRIGGER),
        (0, Action.TRIGGER),
        (None, Action.TRIGGER),
    ],
)
def test_status_words(status: Any, action: Action) -> None:
    assert deliver({"summary": "s", "status": status}).events[0].action is action


def test_non_string_scalars_become_text() -> None:
    (event,) = deliver({"summary": 503, "dedup_key": 48213, "severity": 2.5, "source": False}).events
    assert (event.summary, event.dedup_key, event.source_severity, event.source) == ("503", "48213", "2.5", "False")


def test_objects_and_lists_at_a_scalar_key_are_refused() -> None:
    errors = errors_of({"summary": "s", "dedup_key": {"id": 1}, "severity": ["high"]})
    assert errors == [
        "dedup_key: $.dedup_key is an object, expected a single value",
        "severity: $.severity is a list, expected a single value",
    ]


def test_a_list_body_carries_several_events() -> None:
    batch = deliver(
        [
            {"summary": "disk full on db-1", "dedup_key": "disk/db-1", "status": "firing"},
            {"summary": "disk full on db-2", "dedup_key": "disk/db-2", "status": "ok"},
        ]
    )
    assert [(e.dedup_key, e.action) for e in batch.events] == [
        ("disk/db-1", Action.TRIGGER),
        ("disk/db-2", Action.RESOLVE),
    ]
    assert batch.events[1].details == {"summary": "disk full on db-2", "dedup_key": "disk/db-2", "status": "ok"}


def test_list_body_problems_name_the_item() -> None:
    assert errors_of([{"summary": "a"}, {"title": "b"}, {"summary": "c", "source": [1]}]) == [
        "[1].summary: $.summary not found in the body",
        "[2].source: $.source is a list, expected a single value",
    ]
    assert errors_of([{"summary": "a"}, "b", 3]) == ["[1]: must be an object", "[2]: must be an object"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"{'summary': 'x'}", "body: not valid JSON (line 1 column 2)"),
        (b"", "body: not valid JSON (line 1 column 1)"),
        (b"\x80abc", "body: not valid JSON (not UTF-8 text)"),
        (b"[" * 100_000, "body: not valid JSON (nested too deeply or a number too long)"),
        (b"[]", "body: at least one event"),
        (b'"disk full"', "body: must be a JSON object or a list of objects"),
        (b"42", "body: must be a JSON object or a list of objects"),
    ],
)
def test_bodies_that_are_not_objects(body: bytes, expected: str) -> None:
    assert errors_of(body) == [expected]


def test_validate_mapping() -> None:
    assert validate_mapping({}) == []
    assert (
        validate_mapping({"summary": "$.output", "dedup_key": "{{ body.host }}/{{ body.check }}", "source": "x"}) == []
    )
    assert validate_mapping(
        {
            "summary": "{{ body.host ",
            "dedup_key": "$.items[first].id",
            "severity": "$..level",
            "status": "",
            "priority": "$.priority",
            "group_key": "$['unclosed",
        }
    ) == [
        "summary: template does not compile: unexpected end of template, expected 'end of print statement'. (line 1)",
        "dedup_key: '$.items[first].id' is not a JSON path: "
        "expected an index like [0] or a quoted key like ['name'] at position 7",
        "severity: '$..level' is not a JSON path: expected a name after '.' at position 1",
        "status: must be a JSON path like $.summary or a template like {{ body.summary }}",
        "priority: unknown mapping key (known: summary, dedup_key, severity, status, alert_name, group_key, source)",
        'group_key: "$[\'unclosed" is not a JSON path: unclosed quote opened at position 2',
    ]


def test_a_bad_mapping_refuses_every_delivery() -> None:
    assert errors_of({"summary": "x"}, {"summary": "$.a b[", "colour": "red"}) == [
        "mapping.summary: '$.a b[' is not a JSON path: "
        "expected an index like [0] or a quoted key like ['name'] at position 5",
        "mapping.colour: unknown mapping key "
        "(known: summary, dedup_key, severity, status, alert_name, group_key, source)",
    ]


@pytest.mark.parametrize(
    ("path", "segments"),
    [
        ("$", ()),
        ("$.summary", ("summary",)),
        ("$.alert.labels.name", ("alert", "labels", "name")),
        ("$.items[0].id", ("items", 0, "id")),
        ("$[12][ 3 ]", (12, 3)),
        ("$['weird key']", ("weird key",)),
        ('$["it\'s"].x', ("it's", "x")),
        ("$['it\\'s']['back\\\\slash']", ("it's", "back\\slash")),
        ("$.a-b.c_d", ("a-b", "c_d")),
    ],
)
def test_parse_json_path(path: str, segments: tuple[str | int, ...]) -> None:
    assert parse_json_path(path) == segments


@pytest.mark.parametrize("path", ["summary", ".summary", "$.", "$.a.", "$[", "$[-1]", "$['a'", "$['a'x]", "$a", "$.a]"])
def test_bad_json_paths(path: str) -> None:
    with pytest.raises(ValueError, match=r"JSON path|position"):
        parse_json_path(path)


@given(key=st.text(), value=st.text(min_size=1).filter(str.strip))
@example(key="{{", value="0")  # found by hypothesis: a key with template braces is still a path
def test_any_key_can_be_reached_by_a_quoted_path(key: str, value: str) -> None:
    quoted = key.replace("\\", "\\\\").replace("'", "\\'")
    assert parse_json_path(f"$['{quoted}']") == (key,)
    (event,) = deliver({key: value}, {"summary": f"$['{quoted}']"}).events
    assert event.summary == value.strip()


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["summary", "status", "host", "items", "dedup_key", "x"]), children, max_size=5
        )
    ),
    max_leaves=25,
)
_mappings = st.sampled_from(
    [
        {},
        {"summary": "$.items[0].host", "dedup_key": "$.x['summary']", "status": "$.items[1]"},
        {"summary": "{{ body.host }} {{ body.items[0] }}", "severity": "{{ body.status | upper }}"},
        {"summary": "{{ body.summary ~ body.x }}", "group_key": "{{ body.items | length }}"},
    ]
)


@settings(max_examples=300, deadline=None)
@given(doc=_json, mapping=_mappings)
def test_any_json_is_parsed_or_refused_with_payload_errors(doc: Any, mapping: dict[str, str]) -> None:
    try:
        batch = deliver(json.dumps(doc).encode(), mapping)
    except PayloadError as error:
        assert error.errors
    else:
        assert batch.events
        assert all(event.summary for event in batch.events)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64))
def test_any_bytes_are_parsed_or_refused_with_payload_errors(body: bytes) -> None:
    try:
        deliver(body)
    except PayloadError as error:
        assert error.errors
