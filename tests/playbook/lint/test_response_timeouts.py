"""timeout_exceeds_response_target: nobody but the first person paged before the response target is missed."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.playbook.lint.fixture_files import NOW, kinds_and_places, line_of, lint_fixture, load_fixture
from warroom.deadlines import parse_span
from warroom.playbook.lint import response_timeouts
from warroom.playbook.schema import EscalationLevel


def test_a_chain_timeout_longer_than_the_target_is_found_at_the_timeout() -> None:
    findings = lint_fixture("timeout_exceeds_response_target")
    assert kinds_and_places(findings) == [
        ("timeout_exceeds_response_target", "escalation_policies[chain].levels[0].timeout")
    ]
    (finding,) = findings
    assert finding.line == line_of("timeout_exceeds_response_target", "timeout: 10m")
    assert "nobody else is paged until 10m" in finding.message and "missed at 5m" in finding.message
    assert finding.detail["second_person_after_seconds"] == 600 and finding.detail["target_seconds"] == 300


def test_a_time_matrix_that_adds_someone_after_the_target_is_found_at_its_step() -> None:
    findings = lint_fixture("timeout_exceeds_response_target_matrix")
    assert kinds_and_places(findings) == [
        ("timeout_exceeds_response_target", "escalation_policies[chain].levels[1].at")
    ]
    assert findings[0].line == line_of("timeout_exceeds_response_target_matrix", "at: 15m")


def test_two_people_paged_at_once_meet_the_target_whatever_the_later_steps() -> None:
    assert lint_fixture("timeout_matrix_two_at_once") == []


def test_a_timeout_equal_to_the_target_pages_the_next_person_as_it_is_missed_and_is_fine() -> None:
    # clean.yaml: 5m target, 5m timeout (SEMANTICS: the timer fires at exactly the deadline).
    assert response_timeouts.check(load_fixture("clean"), NOW) == []


def test_the_second_person_is_who_differs_from_the_first_at_that_instant() -> None:
    # Level 2 pages bob: while bob holds the primary shift, nobody new is ever paged (no second person, so
    # no finding from this check); while alice holds it, bob arrives at 5m = the target: fine.
    playbook = load_fixture("clean")
    policy = playbook.escalation_policies[0]
    levels = [policy.levels[0], EscalationLevel.model_validate({"targets": [{"person": "bob"}]})]
    playbook = playbook.model_copy(update={"escalation_policies": [policy.model_copy(update={"levels": levels})]})
    assert response_timeouts.check(playbook, NOW) == []


def test_a_business_hours_target_is_measured_from_the_opening_of_business() -> None:
    playbook = load_fixture("timeout_exceeds_response_target")
    severity = playbook.severities[0].model_copy(update={"response_target": parse_span("1 business hours")})
    policy = playbook.escalation_policies[0]
    slow = policy.levels[0].model_copy(update={"timeout": parse_span("90m")})
    playbook = playbook.model_copy(
        update={
            "severities": [severity, *playbook.severities[1:]],
            "escalation_policies": [policy.model_copy(update={"levels": [slow, policy.levels[1]]})],
        }
    )
    (finding,) = response_timeouts.check(playbook, datetime(2026, 3, 20, tzinfo=UTC))
    assert finding.detail["target_seconds"] == 3600  # an incident at 09:00 on a workday
    assert finding.detail["example_trigger"].endswith("08:00:00+00:00")  # 09:00 CET
