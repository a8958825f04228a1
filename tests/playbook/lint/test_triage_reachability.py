"""unreachable_triage_rule: rules that can never decide, and a check that never calls a live rule dead."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.playbook.lint.fixture_files import kinds_and_places, line_of, lint_fixture, load_fixture
from warroom.playbook.lint import triage_reachability
from warroom.playbook.schema import Playbook, TriageRule
from warroom.playbook.triage import suggest_severity


def test_shadowed_out_of_range_and_contradictory_rules_are_found() -> None:
    findings = lint_fixture("unreachable_triage_rule")
    assert kinds_and_places(findings) == [
        ("unreachable_triage_rule", f"triage.rules[{index}]") for index in (1, 2, 3, 4, 5)
    ]
    messages = [finding.message for finding in findings]
    assert "rule 1 (-> SEV-1) comes earlier" in messages[0]
    assert "users_affected_pct > 100, but users_affected_pct is 0 to 100" in messages[1]
    assert "p95_latency_ms > 1000 and p95_latency_ms < 500 cannot all hold" in messages[2]
    assert "cosmetic is true and cosmetic is false" in messages[3]
    assert "cpu_pct = 50 and cpu_pct = 60" in messages[4]
    assert findings[1].line == line_of("unreachable_triage_rule", "users_affected_pct")  # the condition itself


def test_rules_validation_refuses_are_reported_for_playbooks_built_in_code() -> None:
    playbook = load_fixture("clean")
    rule = TriageRule.model_validate({"severity": "sev1", "all": [{"fact": "cosmetic", "gt": 1}]})
    unknown = TriageRule.model_validate({"severity": "sev1", "any": [{"fact": "weather", "is": True}]})
    triage = playbook.triage.model_copy(update={"rules": [rule, unknown]})
    findings = triage_reachability.check(playbook.model_copy(update={"triage": triage}))
    assert ["compares bool fact cosmetic with a number" in f.message for f in findings] == [True, False]
    assert "'weather', which the playbook does not declare" in findings[1].message


def test_the_clean_rules_are_live() -> None:
    assert triage_reachability.check(load_fixture("clean")) == []


_FACTS = ("error_rate_pct", "users_affected_pct", "cosmetic")
_BOUNDS = st.sampled_from([0, 5, 10, 50, 100])


@st.composite
def _conditions(draw: st.DrawFn) -> dict[str, object]:
    fact = draw(st.sampled_from(_FACTS))
    if fact == "cosmetic":
        return {"fact": fact, "is": draw(st.booleans())}
    ops = draw(st.sampled_from([("gt",), ("gte",), ("lt",), ("lte",), ("eq",), ("gt", "lt"), ("gte", "lte")]))
    return {"fact": fact, **{op: draw(_BOUNDS) for op in ops}}


@st.composite
def _rules(draw: st.DrawFn) -> dict[str, object]:
    rule: dict[str, object] = {"severity": draw(st.sampled_from(["sev1", "sev2"]))}
    groups = draw(st.sampled_from([("all",), ("any",), ("all", "any")]))
    for group in groups:
        rule[group] = draw(st.lists(_conditions(), min_size=1, max_size=3))
    return rule


@st.composite
def _facts(draw: st.DrawFn) -> dict[str, float | bool]:
    facts: dict[str, float | bool] = {}
    for fact in _FACTS:
        if draw(st.booleans()):
            continue
        facts[fact] = (
            draw(st.booleans()) if fact == "cosmetic" else float(draw(st.sampled_from([0, 3, 5, 7, 10, 50, 99, 100])))
        )
    return facts


@settings(max_examples=150, deadline=None)
@given(rules=st.lists(_rules(), min_size=1, max_size=4), cases=st.lists(_facts(), min_size=1, max_size=30))
def test_a_rule_reported_dead_never_decides(
    rules: list[dict[str, object]], cases: list[dict[str, float | bool]]
) -> None:
    base = load_fixture("clean")
    triage = base.triage.model_copy(update={"rules": [TriageRule.model_validate(rule) for rule in rules]})
    playbook: Playbook = base.model_copy(update={"triage": triage})
    dead = {finding.detail["rule"] for finding in triage_reachability.check(playbook)}
    for facts in cases:
        suggestion = suggest_severity(playbook, facts)
        assert suggestion.rule_index is None or suggestion.rule_index + 1 not in dead
