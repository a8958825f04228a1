"""Playing scenarios: the real engine on a drill clock, its timeline compared with the expectations, and
nothing leaving the process."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from tests.harness.webhook_receiver import WebhookReceiver
from warroom.drills.runner import DrillError, DrillResult, run_drill, scenario_playbook
from warroom.drills.scenario import Scenario, load_scenario
from warroom.drills.simulation import Simulation
from warroom.playbook.loader import load_playbook

FIXTURES = Path(__file__).parent / "fixtures"
WEEK = FIXTURES / "berlin-week.yaml"
MINIMAL = Path(__file__).parent.parent / "playbook" / "fixtures" / "minimal.yaml"


def scenario(**changes: object) -> Scenario:
    data = yaml.safe_load(WEEK.read_text(encoding="utf-8"))
    data.update(changes)
    return Scenario.model_validate(data)


def play(drill: Scenario) -> DrillResult:
    return run_drill(drill, load_playbook(MINIMAL))


def test_the_week_plays_as_the_playbook_says() -> None:
    drill = load_scenario(WEEK)
    result = run_drill(drill, scenario_playbook(drill, WEEK))
    assert result.passed, [str(d) for d in result.differences]
    pages = [
        (entry.at.astimezone(result.zone).strftime("%a %H:%M"), entry.subject, entry.detail["method"])
        for entry in result.entries
        if entry.kind == "page"
    ]
    # Alice has only SMS; Bob has no contact method of his own and is reached by the first one planned.
    assert pages == [("Wed 10:00", "alice", "sms"), ("Wed 10:05", "bob", "phone"), ("Mon 09:30", "bob", "phone")]


def test_a_page_nobody_expected_and_a_page_that_never_came_are_both_differences() -> None:
    expect = [
        {"at": "0m", "page": "alice", "method": "sms", "incident": "A"},
        {"at": "6m", "page": "bob", "incident": "A"},  # it came at 5m
        {"at": "mon 09:30", "page": "bob", "incident": "B"},
    ]
    result = play(scenario(expect=expect, exact=["page"]))
    assert [d.what for d in result.differences] == ["missing", "unexpected"]
    assert "+6m page bob" in result.differences[0].text and "(it happened at +5m" in result.differences[0].text
    assert result.differences[1].text.startswith("+5m page bob")


def test_count_zero_says_it_must_not_happen() -> None:
    expect = [{"page": "carol", "count": 0}, {"page": "bob", "incident": "A", "count": 0}]
    result = play(scenario(expect=expect, exact=None))  # only count-0 expectations: no kind is exact
    assert [d.what for d in result.differences] == ["forbidden"]
    assert "must not happen; it did at +5m" in result.differences[0].text


def test_a_step_the_service_refuses_stops_the_drill_naming_the_step() -> None:
    steps: list[dict[str, object]] = [
        {"at": "0m", "declare": {"incident": "A", "severity": "sev1"}},
        {"at": "1m", "acknowledge": {"incident": "Z", "by": "bob"}},
    ]
    with pytest.raises(DrillError, match=r"step 2 \(at 1m, acknowledge\): no incident named 'Z' yet"):
        play(scenario(steps=steps, expect=[]))
    steps[1] = {"at": "1m", "severity": {"incident": "A", "to": "sev9"}}
    with pytest.raises(DrillError, match=r"step 2 \(at 1m, severity\): severity: .*sev9"):
        play(scenario(steps=steps, expect=[]))


def test_a_refusal_can_be_the_expectation() -> None:
    steps = [
        {"at": "0m", "declare": {"incident": "A", "severity": "sev1"}},
        {"at": "1m", "resolve": {"incident": "A", "by": "bob"}},
        {"at": "2m", "refused": "nothing to acknowledge", "acknowledge": {"incident": "A", "by": "bob"}},
        {"at": "3m", "refused": "nothing to acknowledge", "status": {"incident": "A", "to": "closed"}},
    ]
    result = play(scenario(steps=steps, expect=[{"status": "closed", "incident": "A"}], exact=[]))
    assert [d.what for d in result.differences] == ["not refused"]
    assert "step 4 (at 3m, status) went through" in result.differences[0].text


def test_steps_may_not_go_back_in_time() -> None:
    steps = [{"at": "10m", "declare": {"incident": "A", "severity": "sev1"}}, {"at": "5m", "resolve": {"by": "bob"}}]
    with pytest.raises(DrillError, match="step 2 \\(at 5m\\) is earlier than the step before it"):
        play(scenario(steps=steps, expect=[]))


def test_alerts_open_and_join_incidents_through_the_real_intake() -> None:
    drill = Scenario.model_validate(
        {
            "drill": "two alerts of one group make one incident; its resolution by the source is recorded",
            "playbook": "greenlang",
            "start": "2026-01-05 09:00",
            "steps": [
                {"at": "0m", "alert": {"incident": "A", "summary": "Disk full", "dedup_key": "d1", "group_key": "g"}},
                {"at": "2m", "alert": {"summary": "Disk full too", "dedup_key": "d2", "group_key": "g"}},
                {"at": "3m", "acknowledge": {"by": "oncall-engineer-1"}},
            ],
            "exact": ["status"],
            "expect": [{"at": "0m", "status": "declared", "incident": "A"}, {"at": "3m", "status": "acknowledged"}],
        }
    )
    result = run_drill(drill, scenario_playbook(drill, None))
    assert result.passed, [str(d) for d in result.differences]
    resolve_without_key = {"at": "5m", "alert": {"action": "resolve", "summary": "Disk full"}}
    broken = Scenario.model_validate(
        {**drill.model_dump(), "steps": [*drill.model_dump()["steps"], resolve_without_key]}
    )
    with pytest.raises(DrillError, match=r"step 4 \(at 5m, alert\): resolving an alert needs the dedup_key"):
        run_drill(broken, result.playbook)


def test_nothing_leaves_the_process_whatever_the_host_configures(monkeypatch: pytest.MonkeyPatch) -> None:
    with WebhookReceiver() as receiver:
        # A host configured to page through a webhook and Slack: a drill must use none of it.
        monkeypatch.setenv("WARROOM_PAGE_WEBHOOK_URL", receiver.url_for("/pages"))
        monkeypatch.setenv("WARROOM_SLACK_API_URL", receiver.url_for("/slack/"))
        monkeypatch.setenv("WARROOM_SLACK_WEBHOOK_URL", receiver.url_for("/slack-hook"))
        result = play(load_scenario(WEEK))
        assert result.passed
        assert any(entry.kind == "page" for entry in result.entries)
        assert receiver.requests() == []


def test_the_throw_away_store_is_gone_afterwards() -> None:
    simulation = Simulation(load_playbook(MINIMAL), datetime(2026, 1, 7, 9, 0, tzinfo=UTC))
    directory = simulation._directory
    assert (directory / "drill.db").exists()
    simulation.close()
    assert not directory.exists()
