"""The five presets, linted at fixed instants: no findings.

Lint found real defects in three presets when it was written (greenlang's P2 reaching a second person only at
4 h against a 1 h response target; launch's Monday-night gap and push/chat/SMS nobody had; platform's SREs
without the chat handle SEV-3's second level needs); the presets were fixed, and this test keeps them clean.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from warroom.playbook.lint import lint
from warroom.playbook.loader import load_preset, preset_names

INSTANTS = (
    datetime(2026, 3, 2, tzinfo=UTC),  # a Monday midnight
    datetime(2026, 3, 27, 16, 45, tzinfo=UTC),  # a Friday afternoon, the EU DST change in the window
    datetime(2026, 10, 30, 23, 59, tzinfo=UTC),  # both DST changes of the autumn ahead
)


@pytest.mark.parametrize("now", INSTANTS, ids=lambda now: now.strftime("%Y-%m-%d"))
@pytest.mark.parametrize("preset", preset_names())
def test_a_preset_has_no_findings(preset: str, now: datetime) -> None:
    findings = lint(load_preset(preset), now)
    assert not findings, [finding.message for finding in findings]
