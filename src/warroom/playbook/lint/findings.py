"""A lint finding: one policy defect, where it is in the playbook file, and what it would do at 3 a.m."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from warroom.playbook.loader import line_for
from warroom.playbook.references import Loc

SINGLE_PERSON_ESCALATION = "single_person_escalation"
COVERAGE_GAP = "coverage_gap"
UNKNOWN_TEMPLATE_FIELD = "unknown_template_field"
UNREACHABLE_TRIAGE_RULE = "unreachable_triage_rule"
TIMEOUT_EXCEEDS_RESPONSE_TARGET = "timeout_exceeds_response_target"
MISSING_CONTACT_METHOD = "missing_contact_method"

# The order findings are grouped and printed in.
KINDS: tuple[str, ...] = (
    SINGLE_PERSON_ESCALATION,
    COVERAGE_GAP,
    TIMEOUT_EXCEEDS_RESPONSE_TARGET,
    MISSING_CONTACT_METHOD,
    UNREACHABLE_TRIAGE_RULE,
    UNKNOWN_TEMPLATE_FIELD,
)


@dataclass(frozen=True)
class Finding:
    """`where` names the place by keys (`severities[sev1].escalation_policy`); `loc` is the same place by list
    index, as the loader's validation errors use it, so the YAML line can be looked up; `line` is filled in by
    `locate` when the file's text is at hand."""

    kind: str
    where: str
    message: str
    loc: Loc = ()
    detail: dict[str, Any] = field(default_factory=dict)
    line: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "where": self.where,
            "line": self.line,
            "message": self.message,
            "detail": self.detail,
        }


def locate(findings: Sequence[Finding], lines: Mapping[Loc, int]) -> list[Finding]:
    """The findings with the YAML line of their place (the nearest enclosing key the file spells out), from
    the line index the loader builds (warroom.playbook.loader.parse_yaml_model)."""
    return [replace(finding, line=line_for(finding.loc, dict(lines))) for finding in findings]


def ordered(findings: Sequence[Finding]) -> list[Finding]:
    """Grouped by kind (in KINDS order), then in file order."""
    return sorted(findings, key=lambda f: (KINDS.index(f.kind), f.line or 0, f.where))
