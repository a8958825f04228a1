"""`warroom playbook lint`: policy defects in a playbook that loads fine, the ones that hurt at 3 a.m.

Validation (warroom.playbook.loader) refuses a file that is structurally wrong; lint takes a valid playbook
and finds: escalations that reach one person, schedules with nobody on call, templates naming values that
do not exist, triage rules that never decide, escalations slower than the response target, and contact
methods nobody has. Pure: the playbook and the instant the 30-day look-ahead starts at, nothing else.
"""

from __future__ import annotations

from datetime import datetime

from warroom.playbook.lint import (
    contact_methods,
    coverage,
    escalation_depth,
    response_timeouts,
    template_fields,
    triage_reachability,
)
from warroom.playbook.lint.findings import KINDS, Finding, locate, ordered
from warroom.playbook.schema import Playbook

__all__ = ["KINDS", "Finding", "lint", "locate", "ordered"]


def lint(playbook: Playbook, now: datetime) -> list[Finding]:
    """Every finding, grouped by kind. `now` (aware) starts the 30-day window schedules are checked over."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("lint needs a timezone-aware 'now'")
    findings = [
        *escalation_depth.check(playbook),
        *coverage.check(playbook, now),
        *response_timeouts.check(playbook, now),
        *contact_methods.check(playbook),
        *triage_reachability.check(playbook),
        *template_fields.check(playbook),
    ]
    return ordered(findings)
