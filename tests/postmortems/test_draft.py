"""How the draft is built: placeholders instead of failures, the standard sections every draft gets, the
timeline's events and actions, the key timestamps, the action items, and the fallback to the default template."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.harness.app import fixture_playbook
from tests.harness.scripted_incident import IncidentScript
from tests.postmortems.helpers import RESPONDER, add_action_item, resolved_incident, running
from warroom.incidents.lifecycle import Stamps
from warroom.playbook.schema import PostmortemSpec
from warroom.postmortems.draft import write_draft
from warroom.postmortems.draft_sections import (
    STANDARD_SECTIONS,
    ActionItemLine,
    TimelineEntry,
    action_item_list,
    complete_sections,
    event_and_action,
    key_timestamps,
    missing_sections,
    placeholder,
    placeholders_in,
    timeline_table,
)
from warroom.templating import render_draft

T = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)


def test_placeholders_name_what_is_missing_in_words() -> None:
    assert placeholder("incident.root_cause") == "<!-- root cause: not written yet -->"
    assert placeholder("fields.what_went_well") == "<!-- what went well: not written yet -->"
    assert placeholder("incident.acknowledged_at") == "<!-- acknowledged: not recorded yet -->"
    assert placeholder("incident.commander") == "<!-- incident lead: not assigned yet -->"
    assert placeholder("incident.roles.scribe") == "<!-- scribe: not assigned yet -->"
    assert placeholder("incident.services") == "<!-- services: not known yet -->"
    text = "a <!-- root cause: not written yet --> b <!-- e.g. guidance stays --> <!-- root cause: not written yet -->"
    assert placeholders_in(text) == ["root cause"]


def test_a_template_renders_missing_values_as_placeholders() -> None:
    template = (
        "{{ incident.title }} | {{ incident.root_cause }} | {{ incident.resolved_at | utc }} | "
        "{{ (incident.resolved_at - incident.started_at) | duration }} | {% for s in incident.services %}{{ s }}"
        "{% endfor %}| {{ fields.why_1 }} | {{ fields.x | default('n/a') }} | "
        "{% if fields.y is defined %}Y{% endif %}| {{ incident.roles.scribe }}"
    )
    context = {"incident": {"title": "Checkout down", "started_at": T, "roles": {}}, "fields": {}}
    assert render_draft(template, context, placeholder) == (
        "Checkout down | <!-- root cause: not written yet --> | <!-- resolved: not recorded yet --> | "
        "<!-- resolved: not recorded yet --> | | <!-- why 1: not written yet --> | n/a | "
        "| <!-- scribe: not assigned yet -->"
    )


def test_every_standard_section_is_appended_when_missing_and_only_then() -> None:
    bodies = {section.key: f"({section.key})" for section in STANDARD_SECTIONS}
    bare = complete_sections("# Postmortem\n\nSome text.\n", bodies)
    assert [s.key for s in missing_sections(bare)] == []
    assert bare.index("## Timeline") < bare.index("## Key timestamps") < bare.index("## Lessons learned")
    written = (
        "# PM\n## Incident Timeline\n## Root Cause Analysis\nUse the 5 Whys technique.\n## Key timestamps\n"
        "## What went well\n## What Could Be Improved\n## Follow-up\n## Lessons Learned\n"
    )
    assert complete_sections(written, bodies) == written
    fenced = "# PM\n```\n## Timeline\n```\n"
    assert "timeline" in [s.key for s in missing_sections(fenced)]  # a heading inside code is not a section


def test_events_and_the_actions_they_took() -> None:
    def entry(kind: str, text: str, before: object = None, after: object = None) -> TimelineEntry:
        return TimelineEntry(T, "alice", kind, text, before, after)  # type: ignore[arg-type]

    assert event_and_action(entry("declared", "Declared SEV-1: Checkout down (no rule matched)")) == (
        "Checkout down (no rule matched)",
        "Declared SEV-1",
    )
    assert event_and_action(
        entry("status_changed", "Status a -> b: x", {"status": "identified"}, {"status": "monitoring", "note": "fix"})
    ) == ("fix", "Status identified -> monitoring")
    assert event_and_action(entry("mitigated", "Mitigated: rolled back")) == ("Impact mitigated", "rolled back")
    assert event_and_action(entry("mitigated", "Mitigated")) == ("Impact mitigated", "Mitigation recorded")
    assert event_and_action(entry("paged", "Chain level 1 (a: b): paged alice by sms")) == (
        "Chain level 1 (a: b)",
        "Paged alice by sms",
    )
    assert event_and_action(entry("severity_changed", "Severity upgraded SEV-2 -> SEV-1: worse")) == (
        "worse",
        "Severity upgraded SEV-2 -> SEV-1",
    )
    assert event_and_action(entry("note", "a | b")) == ("a | b", "")
    table = timeline_table([entry("note", "a | b\nc")], str.upper)
    assert table.splitlines()[-1] == "| 14:00 | a \\| b c |  | ALICE |"
    two_days = [entry("note", "x"), TimelineEntry(T + timedelta(days=1), "bob", "note", "y", None, None)]
    assert "| 2026-03-06 14:00 | y |  | bob |" in timeline_table(two_days, str)


def test_key_timestamps_not_recorded_yet_are_placeholders() -> None:
    table = key_timestamps(Stamps(started_at=T - timedelta(minutes=12), detected_at=T, triggered_at=T))
    assert "| Detected | 2026-03-05 14:00 | 12 minutes after impact started (time to detect) |" in table
    assert "| Acknowledged | <!-- acknowledged: not recorded yet --> |  |" in table
    assert "| Resolved | <!-- resolved: not recorded yet --> |  |" in table


def test_action_items_are_a_task_list() -> None:
    assert action_item_list([]) == "<!-- action items: not written yet -->"
    lines = action_item_list(
        [
            ActionItemLine(
                "Pool check", "alice", "p1", datetime(2026, 3, 12).date(), "open", "OPS-7", "https://j/OPS-7"
            ),
            ActionItemLine("Load test", None, "p2", None, "done", None, None),
            ActionItemLine("Rewrite", "bob", "p3", None, "wont_do", "OPS-9", None),
        ]
    ).splitlines()
    assert lines == [
        "- [ ] Pool check (owner: alice, priority: p1, due 2026-03-12) [OPS-7](https://j/OPS-7)",
        "- [x] Load test (owner: nobody yet, priority: p2, no due date)",
        "- [x] ~~Rewrite~~ (won't do) (owner: bob, priority: p3, no due date) OPS-9",
    ]


def test_action_items_recorded_before_resolution_are_in_the_draft(database_url: str) -> None:
    with running(database_url) as app:
        script = IncidentScript(app.warroom, app.clock)
        number = script.play(until=T + timedelta(minutes=40))
        add_action_item(app, number, "Refuse a pool below 20 at deploy", owner="alice", priority="p1",
                        due_at=datetime(2026, 3, 12, 23, 0, tzinfo=UTC))  # fmt: skip
        script.play()
        markdown = app.warroom.postmortems.get(RESPONDER, script.ref).markdown
    section = markdown.split("## Action items\n\n", 1)[1].split("\n\n", 1)[0]
    # Due at midnight of the 13th in the team's time zone (Europe/Berlin) is "by the end of the 12th".
    assert section == "- [ ] Refuse a pool below 20 at deploy (owner: alice, priority: p1, due 2026-03-12)"


def test_a_template_that_cannot_be_filled_falls_back_to_the_default(database_url: str) -> None:
    broken = fixture_playbook().model_copy(
        update={"postmortem": PostmortemSpec(template="# PM\n{{ incident.title.__class__.__mro__ }}")}
    )
    with running(database_url, playbook=broken) as app:
        script = resolved_incident(app)
        with app.warroom.db.read() as connection:
            markdown = write_draft(connection, broken, script.number or 0, app.clock.now(), "https://w", {})
    assert markdown.startswith("<!-- The playbook's postmortem template could not be filled (")
    assert "# Postmortem: INC-1 Elevated error rates on the API" in markdown
    assert "<!-- postmortem owner: not assigned yet -->" in markdown  # no owner given
    assert not missing_sections(markdown)
