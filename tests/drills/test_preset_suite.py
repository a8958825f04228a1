"""The drill suite shipped with the presets: every scenario passes, quotes its source playbook truthfully, and
together a preset's scenarios exercise every rule of it (issue 9's acceptance)."""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

from warroom.drills.runner import DrillResult, run_drill, scenario_playbook
from warroom.drills.scenario import Scenario, load_scenario
from warroom.drills.suite import DRILLS_DIR, source_document, suite_files
from warroom.playbook.loader import load_preset, preset_names
from warroom.playbook.schema import Playbook, PostmortemRequirement

SCENARIOS = suite_files("all")


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@cache
def played(path: Path) -> tuple[Scenario, DrillResult]:
    scenario = load_scenario(path)
    return scenario, run_drill(scenario, scenario_playbook(scenario, path))


def _words(text: str) -> str:
    return " ".join(text.replace("**", "").replace("`", "").split())


@pytest.mark.parametrize("path", SCENARIOS, ids=_id)
def test_the_drill_passes(path: Path) -> None:
    _scenario, result = played(path)
    assert result.passed, "\n".join(str(difference) for difference in result.differences)


@pytest.mark.parametrize("path", SCENARIOS, ids=_id)
def test_each_scenario_names_the_source_lines_it_checks(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.playbook == path.parent.name, "a preset's drills run against that preset"
    assert scenario.source, "name the source playbook document (presets/sources/*.md)"
    assert scenario.checks, "name the lines of the source playbook this scenario checks"
    assert scenario.expect, "a drill without expectations proves nothing"
    lines = source_document(scenario.source).read_text(encoding="utf-8").splitlines()
    for check in scenario.checks:
        assert check.line <= len(lines), f"line {check.line}: the source has {len(lines)} lines"
        assert _words(check.text) in _words(lines[check.line - 1]), (
            f"line {check.line} of {scenario.source} reads {lines[check.line - 1]!r}, not {check.text!r}"
        )


def test_every_preset_has_a_suite() -> None:
    assert sorted(path.name for path in DRILLS_DIR.iterdir() if path.is_dir()) == preset_names()
    for name in preset_names():
        assert len(suite_files(name)) >= 2, f"{name}: a suite of one scenario cannot cover a playbook"


class Coverage:
    """What a preset's passed drills verified: only entries of kinds a scenario is exact about count, since
    only those were compared one by one."""

    def __init__(self, playbook: Playbook) -> None:
        self.playbook = playbook
        self.declared: set[str] = set()
        self.paged: set[str] = set()  # severities whose pages were checked exactly
        self.responses: set[str] = set()  # severities whose response target was checked exactly
        self.levels: set[tuple[str, int]] = set()
        self.deadlines: set[str] = set()  # severities whose communication clocks were checked
        self.reminders: set[str] = set()
        self.postmortems: set[str] = set()
        self.approvals = 0

    def add(self, scenario: Scenario, result: DrillResult) -> None:
        exact = set(scenario.exact if scenario.exact is not None else {e.kind for e in scenario.expect if e.count})
        by_label = {severity.label: severity.key for severity in self.playbook.severities}
        severity_of: dict[str, str] = {}
        for entry in result.entries:
            if entry.kind == "status" and entry.subject == "declared":
                severity_of[entry.incident] = by_label[str(entry.detail["severity"])]
        self.declared.update(severity_of.values())
        kinds: dict[str, set[str]] = defaultdict(set)
        for entry in result.entries:
            kinds[severity_of.get(entry.incident, "?")].add(entry.kind)
            if entry.kind == "escalation" and "escalation" in exact:
                self.levels.add((str(entry.detail["policy"]), int(entry.subject)))
        for severity in severity_of.values():
            if "page" in exact:
                self.paged.add(severity)
            if "response" in exact:
                self.responses.add(severity)
            if "missed" in exact:
                self.deadlines.add(severity)
            if "reminder" in exact and "reminder" in kinds[severity]:
                self.reminders.add(severity)
            if "postmortem_due" in exact and "postmortem_due" in kinds[severity]:
                self.postmortems.add(severity)
        self.approvals += sum(1 for step in scenario.steps if step.approve is not None)


@pytest.mark.parametrize("preset", preset_names())
def test_a_presets_drills_exercise_every_rule(preset: str) -> None:
    playbook = load_preset(preset)
    coverage = Coverage(playbook)
    for path in suite_files(preset):
        scenario, result = played(path)
        coverage.add(scenario, result)
    missing: list[str] = []
    for severity in playbook.severities:
        key = severity.key
        if key not in coverage.declared:
            missing.append(f"{key}: never declared")
        if key not in coverage.responses:
            missing.append(f"{key}: its response target ({severity.response_target}) is never checked")
        if severity.pages_anyone and key not in coverage.paged:
            missing.append(f"{key}: its pages (people, methods, times) are never checked exactly")
        if any(d.within is not None for d in severity.communication) and key not in coverage.deadlines:
            missing.append(f"{key}: its communication deadlines are never checked (expect `missed` exactly)")
        if severity.update_cadence is not None and key not in coverage.reminders:
            missing.append(f"{key}: its update cadence ({severity.update_cadence}) is never checked")
        due = severity.postmortem.requirement is not PostmortemRequirement.SKIPPED and severity.postmortem.due
        if due and key not in coverage.postmortems:
            missing.append(f"{key}: its postmortem deadline ({severity.postmortem.due}) is never checked")
        # A backlog-only severity (its methods are `ticket`) starts no chain: there is nothing to page.
        for policy_key in severity.policy_keys() if severity.pages_anyone else []:
            policy = next(p for p in playbook.escalation_policies if p.key == policy_key)
            for number, _level in enumerate(policy.levels, start=1):
                if (policy_key, number) not in coverage.levels:
                    missing.append(f"{key}: escalation {policy_key} level {number} never checked")
    if playbook.security is not None and not coverage.approvals:
        missing.append("the security-incident path (approval before customer messages) is never drilled")
    assert not missing, f"{preset}: " + "; ".join(dict.fromkeys(missing))


def test_source_lines_are_quoted_not_paraphrased() -> None:
    """A check's text must be words of the line, not a summary: at least three words long."""
    for path in SCENARIOS:
        for check in load_scenario(path).checks:
            assert len(re.findall(r"\w+", check.text)) >= 3 or len(check.text) >= 10, f"{path}: {check.text!r}"
