"""The purpose-made broken playbooks, linted as the CLI lints them (lines included)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from warroom.playbook.lint import Finding, lint, locate
from warroom.playbook.loader import parse_playbook, parse_yaml_model
from warroom.playbook.schema import Playbook

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 3, 20, tzinfo=UTC)  # the window spans the Europe/Berlin DST change of 2026-03-29


def fixture_path(name: str) -> Path:
    return FIXTURES / f"{name}.yaml"


def load_fixture(name: str) -> Playbook:
    path = fixture_path(name)
    return parse_playbook(path.read_text(encoding="utf-8"), str(path))


def lint_fixture(name: str, now: datetime = NOW) -> list[Finding]:
    path = fixture_path(name)
    text = path.read_text(encoding="utf-8")
    playbook = parse_playbook(text, str(path))
    _, lines = parse_yaml_model(text, str(path), Playbook, "playbook")
    return locate(lint(playbook, now), lines)


def line_of(name: str, needle: str, after: str | None = None) -> int:
    """The 1-based line of the first line containing `needle` (after the first containing `after`)."""
    lines = fixture_path(name).read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and needle in line) + 1


def kinds_and_places(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(finding.kind, finding.where) for finding in findings]
