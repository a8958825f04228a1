"""missing_contact_method: methods nobody has, and people a severity cannot reach by any of its methods."""

from __future__ import annotations

from tests.playbook.lint.fixture_files import kinds_and_places, line_of, lint_fixture, load_fixture
from warroom.playbook.lint import contact_methods
from warroom.playbook.schema import EscalationLevel, Method


def test_a_method_nobody_has_and_people_with_none_of_the_methods_are_found() -> None:
    findings = lint_fixture("missing_contact_method")
    assert sorted(kinds_and_places(findings)) == [
        ("missing_contact_method", "people[bob]"),
        ("missing_contact_method", "people[carol]"),
        ("missing_contact_method", "severities[sev1].notify_methods"),
    ]
    by_place = {finding.where: finding for finding in findings}
    severity = by_place["severities[sev1].notify_methods"]
    assert severity.line == line_of("missing_contact_method", "notify_methods:", after="key: sev1")
    assert severity.detail["methods"] == ["push"]
    # bob's e-mail field is not a contact method; his e-mail contact method is what the page falls back to.
    assert "first contact method, email, instead" in by_place["people[bob]"].message
    assert by_place["people[bob]"].line == line_of("missing_contact_method", "key: bob")
    assert "no contact method at all" in by_place["people[carol]"].message


def test_a_level_that_sets_its_own_methods_is_judged_by_them() -> None:
    playbook = load_fixture("clean")
    policy = playbook.escalation_policies[0]
    chat_only = EscalationLevel.model_validate({"targets": [{"person": "carol"}], "methods": ["chat"]})
    playbook = playbook.model_copy(
        update={"escalation_policies": [policy.model_copy(update={"levels": [policy.levels[0], chat_only]})]}
    )
    findings = contact_methods.check(playbook)
    assert kinds_and_places(findings) == [
        ("missing_contact_method", "escalation_policies[chain].levels[1].methods"),
        ("missing_contact_method", "people[carol]"),
    ]
    assert findings[0].loc == ("escalation_policies", 0, "levels", 1, "methods")
    assert "sms" in findings[1].message  # carol would be paged by her SMS number instead of chat


def test_methods_someone_has_are_fine() -> None:
    playbook = load_fixture("clean")
    assert playbook.severities[0].notify_methods == [Method.PHONE, Method.SMS]
    assert contact_methods.check(playbook) == []
