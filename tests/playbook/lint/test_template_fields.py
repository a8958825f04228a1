"""unknown_template_field: names and attributes a template uses that its context never has."""

from __future__ import annotations

from tests.playbook.lint.fixture_files import kinds_and_places, line_of, lint_fixture, load_fixture
from warroom.playbook.lint import template_fields
from warroom.playbook.lint.template_context import message_context


def test_typos_and_unknown_names_are_found_in_subject_body_and_postmortem() -> None:
    findings = lint_fixture("unknown_template_field")
    assert sorted(kinds_and_places(findings)) == [
        ("unknown_template_field", "postmortem.template"),
        ("unknown_template_field", "templates[start].body"),
        ("unknown_template_field", "templates[start].body"),
        ("unknown_template_field", "templates[start].subject"),
    ]
    names = sorted(finding.detail["name"] for finding in findings)
    assert names == ["foo", "incident.severity.lable", "incident.sevrity", "incident.titel"]
    by_name = {finding.detail["name"]: finding for finding in findings}
    assert "(did you mean incident.severity?)" in by_name["incident.sevrity"].message
    assert by_name["incident.sevrity"].line == line_of("unknown_template_field", "body:")
    assert by_name["incident.titel"].line == line_of("unknown_template_field", "template:", after="postmortem:")


def test_fields_loops_guards_and_jinja_globals_are_allowed() -> None:
    text = (
        "{{ fields.anything }} {{ fields.get('eta') }} {% for e in incident.timeline %}{{ e.at }} {{ e.kind }}"
        "{% endfor %}{% set x = 1 %}{{ x }} {{ range(2) | list }} {{ incident.roles.incident_commander }}"
        "{{ incident.impact_facts.error_rate_pct }} {{ incident.links[0].url }} {{ incident.started_at.year }}"
    )
    assert template_fields.unknown_names(text, message_context()) == []


def test_a_loop_variable_takes_the_shape_of_the_list_it_walks() -> None:
    text = "{% for link in incident.links %}{{ link.href }}{% endfor %}{{ incident.links[0].titel }}"
    assert [name for name, _ in template_fields.unknown_names(text, message_context())] == [
        "link.href",
        "incident.links[0].titel",
    ]


def test_the_clean_templates_are_fine() -> None:
    assert template_fields.check(load_fixture("clean")) == []
