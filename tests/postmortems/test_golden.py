"""The postmortem draft of the scripted incident, under every preset and under Warroom's default template,
matches its golden Markdown file.

Regenerate after an intended change with

    WARROOM_UPDATE_GOLDEN=1 .venv/bin/pytest -q tests/postmortems/test_golden.py

then read the diff: a golden file is the document a team starts its postmortem from.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import pytest

from tests.harness.scripted_incident import RESOLVED
from tests.postmortems.helpers import RESPONDER, resolved_incident, running
from warroom.playbook.loader import preset_names

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("WARROOM_UPDATE_GOLDEN") == "1"
DEFAULT = "default"  # the minimal fixture playbook: no postmortem template of its own


def assert_matches_golden(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.md"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text)
        return
    assert path.exists(), f"{path}: no golden file (regenerate: WARROOM_UPDATE_GOLDEN=1)"
    golden = path.read_text()
    diff = "".join(difflib.unified_diff(golden.splitlines(True), text.splitlines(True), str(path), "draft"))
    assert text == golden, diff


def assert_reads_right(name: str, text: str) -> None:
    """What no draft may carry, whatever the golden file says."""
    assert "None" not in text and "Undefined" not in text, name
    assert "{{" not in text and "{%" not in text, name
    assert "+00:00" not in text and not re.search(r"\dT\d\d:", text), f"{name}: a raw timestamp"
    assert text.endswith("\n") and not text.endswith("\n\n"), name
    for heading in ("timeline", "root cause", "went well", "action items", "lesson"):
        assert re.search(rf"^#+ .*{heading}", text, re.I | re.M), f"{name}: no {heading} section"
    assert re.search(r"^#+ .*(went wrong|could be improved)", text, re.I | re.M), name
    assert re.search(r"^#+ Key timestamps", text, re.M), name
    assert re.search(r"5 whys", text, re.I), name


@pytest.mark.parametrize("preset", [*preset_names(), DEFAULT])
def test_the_draft_of_the_scripted_incident_matches_its_golden_file(database_url: str, preset: str) -> None:
    with running(database_url, None if preset == DEFAULT else preset) as app:
        script = resolved_incident(app)
        view = app.warroom.postmortems.get(RESPONDER, script.ref)
    assert view.created_at == RESOLVED and view.revision == 1 and view.state == "draft"
    assert_reads_right(preset, view.markdown)
    assert_matches_golden(preset, view.markdown)


def test_the_golden_files_are_all_in_use() -> None:
    expected = {f"{name}.md" for name in [*preset_names(), DEFAULT]}
    assert {path.name for path in GOLDEN.glob("*.md")} == expected
