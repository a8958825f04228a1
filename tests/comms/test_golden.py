"""Every template of every preset, rendered for the scripted incident, matches its golden file.

Regenerate the golden files after an intended change with

    WARROOM_UPDATE_GOLDEN=1 .venv/bin/pytest -q tests/comms/test_golden.py

then read the diff: a golden file is what a customer, a leader or a responder receives.

tests/comms/golden/<preset>/<template-key>.txt holds "Subject: ..." and a blank line when the template has a
subject, then the body. `_postmortem.txt` is the preset's postmortem draft, rendered with the same context.
Values a person types when sending come from fixtures/fields.yaml. Each message is rendered when it would be
sent: start, update and "investigating"/"identified" messages at 14:15 (cause identified, no fix yet), the rest
at 15:05 (resolved at 15:00).
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.harness.app import RunningApp, start_app
from tests.harness.scripted_incident import RESOLVED, START, IncidentScript, scripted_incident
from warroom.clock import ManualClock
from warroom.comms.context import handoff_context, incident_context
from warroom.comms.rendering import MissingValues, render_message
from warroom.playbook.loader import preset_names
from warroom.playbook.schema import MessageTemplate, Playbook, TemplateKind

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
FIELDS: dict[str, str] = yaml.safe_load((HERE / "fixtures" / "fields.yaml").read_text())
PUBLIC_URL = "https://warroom.example.com"
UPDATE = os.environ.get("WARROOM_UPDATE_GOLDEN") == "1"
POSTMORTEM = "_postmortem"

# Kinds sent while the incident is still open: they must render before the root cause or the fix is known.
OPEN_KINDS = frozenset(
    {
        TemplateKind.INCIDENT_START,
        TemplateKind.UPDATE,
        TemplateKind.STATUS_INVESTIGATING,
        TemplateKind.STATUS_IDENTIFIED,
        TemplateKind.CUSTOMER_INITIAL,
        TemplateKind.CUSTOMER_UPDATE,
    }
)
IDENTIFIED = START + timedelta(minutes=12)
MID_INCIDENT = START + timedelta(minutes=15)
AFTER_RESOLUTION = RESOLVED + timedelta(minutes=5)


@pytest.fixture(params=preset_names())
def preset_app(request: pytest.FixtureRequest, database_url: str) -> Iterator[tuple[str, RunningApp]]:
    app = start_app(database_url, preset=request.param, clock=ManualClock(START - timedelta(hours=1)))
    yield request.param, app
    app.client.close()
    app.warroom.close()


def templates_of(playbook: Playbook) -> list[tuple[str, MessageTemplate]]:
    """(golden name, template): the playbook's message templates, and its postmortem draft as one more."""
    named = [(template.key, template) for template in playbook.templates]
    if playbook.postmortem is not None:
        draft = MessageTemplate(
            key="postmortem", name="Postmortem draft", kind=TemplateKind.OTHER, body=playbook.postmortem.template
        )
        named.append((POSTMORTEM, draft))
    return named


def rendered_text(app: RunningApp, number: int, template: MessageTemplate) -> str:
    playbook = app.warroom.playbook
    now = app.clock.now()
    if template.kind is TemplateKind.HANDOFF:
        context = handoff_context(playbook, now)
    else:
        with app.warroom.db.read() as connection:
            context = incident_context(connection, playbook, number, now, PUBLIC_URL)
    message = render_message(template, context, FIELDS)
    head = f"Subject: {message.subject}\n\n" if message.subject is not None else ""
    return head + message.body + "\n"


def test_every_template_matches_its_golden_file(preset_app: tuple[str, RunningApp]) -> None:
    preset, app = preset_app
    script = IncidentScript(app.warroom, app.clock)
    number = script.play(until=IDENTIFIED)
    app.clock.set(MID_INCIDENT)
    named = templates_of(app.warroom.playbook)
    texts = {name: rendered_text(app, number, t) for name, t in named if t.kind in OPEN_KINDS}
    script.play()
    app.clock.set(AFTER_RESOLUTION)
    texts |= {name: rendered_text(app, number, t) for name, t in named if t.kind not in OPEN_KINDS}

    folder = GOLDEN / preset
    differences: list[str] = []
    for name, text in texts.items():
        assert_reads_right(preset, name, text)
        path = folder / f"{name}.txt"
        if UPDATE:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        elif not path.exists():
            differences.append(f"{path.relative_to(HERE)}: no golden file (regenerate: WARROOM_UPDATE_GOLDEN=1)")
        elif path.read_text() != text:
            golden = path.read_text().splitlines(keepends=True)
            differences.append("".join(difflib.unified_diff(golden, text.splitlines(keepends=True), str(path), "now")))
    stale = {p.name for p in folder.glob("*.txt")} - {f"{name}.txt" for name in texts}
    if UPDATE:
        for file_name in stale:
            (folder / file_name).unlink()
    elif stale:
        differences.append(f"golden files of templates the preset no longer has: {sorted(stale)}")
    assert not differences, "\n".join(differences)


_PLACEHOLDER = re.compile(r"\[(?:Link|TBD|link|time|name|service|description|reason)[^\]]*\]")


def assert_reads_right(preset: str, name: str, text: str) -> None:
    """What no message may carry, whatever the golden file says."""
    where = f"{preset}/{name}"
    assert "None" not in text, where
    assert "Undefined" not in text and "{{" not in text and "{%" not in text, where
    assert not _PLACEHOLDER.search(text), where
    assert "+00:00" not in text and "T14:" not in text, f"{where}: a raw timestamp instead of a UTC time"


def test_a_template_needing_the_resolution_refuses_to_render_while_open(preset_app: tuple[str, RunningApp]) -> None:
    """Each preset has a message that names the root cause, the fix or the resolution time; while those are
    unknown it is refused by name, not sent with a blank."""
    _preset, app = preset_app
    number = scripted_incident(app.warroom, app.clock, until=IDENTIFIED)
    app.clock.set(MID_INCIDENT)
    refused: dict[str, list[str]] = {}
    for _name, template in templates_of(app.warroom.playbook):
        try:
            rendered_text(app, number, template)
        except MissingValues as error:
            refused[template.key] = error.names
    assert refused, "no template waits for the resolution"
    names: set[Any] = {name for names in refused.values() for name in names}
    assert names <= {"incident.root_cause", "incident.resolution", "incident.resolved_at", "incident.mitigated_at"}, (
        refused
    )
