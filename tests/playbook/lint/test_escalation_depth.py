"""single_person_escalation: a paging severity whose chain can reach one person, or nobody at all."""

from __future__ import annotations

from tests.playbook.lint.fixture_files import kinds_and_places, line_of, lint_fixture, load_fixture
from warroom.playbook.lint import escalation_depth


def test_a_chain_that_comes_back_to_the_same_person_is_found() -> None:
    findings = lint_fixture("single_person_escalation")
    assert kinds_and_places(findings) == [("single_person_escalation", "severities[sev1].escalation_policy")]
    (finding,) = findings
    assert finding.line == line_of("single_person_escalation", "escalation_policy: chain")
    assert "only ever reach alice" in finding.message and "role incident_commander" in finding.message
    assert finding.detail["people"] == ["alice"]


def test_a_paging_severity_without_a_policy_pages_nobody_automatically() -> None:
    findings = lint_fixture("no_escalation_policy")
    assert kinds_and_places(findings) == [("single_person_escalation", "severities[sev1].escalation_policy")]
    # The key is absent: the line is the severity's own.
    assert findings[0].line == line_of("no_escalation_policy", "key: sev1")
    assert "nobody is paged automatically" in findings[0].message


def test_a_rotation_of_two_is_enough_and_backlog_severities_are_skipped() -> None:
    assert escalation_depth.check(load_fixture("clean")) == []
