"""A broken playbook is refused with file:line:key, and the server will not start on it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from warroom.playbook.loader import PlaybookError, load_playbook, parse_playbook, preset_names

FIXTURE = Path(__file__).parent / "fixtures" / "minimal.yaml"


def broken(tmp_path: Path, old: str, new: str) -> Path:
    text = FIXTURE.read_text()
    assert old in text
    path = tmp_path / "broken.yaml"
    path.write_text(text.replace(old, new, 1))
    return path


def line_of(path: Path, needle: str) -> int:
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def problems(path: Path) -> list[str]:
    with pytest.raises(PlaybookError) as error:
        load_playbook(path)
    return [str(problem) for problem in error.value.problems]


def test_minimal_fixture_and_all_presets_load() -> None:
    assert load_playbook(FIXTURE).name == "Minimal team"
    assert set(preset_names()) >= {"energy-audit", "greenlang", "launch", "platform", "sre-team"}


def test_wrong_type_names_file_line_key(tmp_path: Path) -> None:
    path = broken(tmp_path, "response_target: 5m", "response_target: [5m]")
    assert problems(path) == [
        f"{path}:{line_of(path, 'response_target: [5m]')}: severities[0].response_target: "
        "a span is text such as '15m', '4h' or '5 business days'"
    ]


def test_rule_naming_unknown_severity(tmp_path: Path) -> None:
    path = broken(tmp_path, "    - severity: sev2\n", "    - severity: sev7\n")
    [message] = problems(path)
    assert message.startswith(f"{path}:{line_of(path, 'severity: sev7')}: triage.rules[1].severity: ")
    assert "unknown severity 'sev7'" in message


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    path = broken(tmp_path, "    label: SEV-1\n", "    label: SEV-1\n    label: SEV-0\n")
    [message] = problems(path)
    assert (
        message == f"{path}:{line_of(path, 'label: SEV-0')}: (top): duplicate key 'label' (first at line "
        f"{line_of(path, 'label: SEV-1')})"
    )


def test_duplicate_severity_key(tmp_path: Path) -> None:
    path = broken(tmp_path, "  - key: sev2\n", "  - key: sev1\n")
    found = problems(path)
    assert any(f":{line_of(path, 'label: SEV-2') - 1}: severities[1].key: duplicate key 'sev1'" in p for p in found)


def test_unknown_key_and_bad_reference_and_bad_template(tmp_path: Path) -> None:
    path = broken(tmp_path, "    name: Bob\n", "    name: Bob\n    pager: 42\n")
    assert problems(path) == [
        f"{path}:{line_of(path, 'pager: 42')}: people[1].pager: unknown key (not part of the playbook schema)"
    ]
    path = broken(tmp_path, "{schedule: primary}", "{schedule: tertiary}")
    [message] = problems(path)
    assert "escalation_policies[0].levels[0].targets[0].schedule: unknown schedule 'tertiary'" in message
    path = broken(tmp_path, '"INCIDENT {{ incident.title }}"', '"INCIDENT {{ incident.title "')
    [message] = problems(path)
    assert "templates[0].body: template syntax error" in message


def test_fact_type_mismatch_and_unknown_fact(tmp_path: Path) -> None:
    path = broken(tmp_path, "{fact: error_rate_pct, gt: 5}", "{fact: error_rate_pct, is: true}")
    assert "compare it with a numeric comparison" in problems(path)[0]
    path = broken(tmp_path, "{fact: error_rate_pct, gt: 5}", "{fact: error_budget, gt: 5}")
    assert "unknown fact 'error_budget'" in problems(path)[0]


def test_not_a_mapping_and_yaml_syntax() -> None:
    with pytest.raises(PlaybookError, match=r"x.yaml:1: \(top\): a playbook is a YAML mapping"):
        parse_playbook("- just\n- a list\n", "x.yaml")
    with pytest.raises(PlaybookError, match=r"x.yaml:3: \(top\): expected the node content"):
        parse_playbook("name: x\nseverities: [\n", "x.yaml")


def test_server_refuses_to_start_on_a_broken_playbook(tmp_path: Path) -> None:
    path = broken(tmp_path, "    - severity: sev2\n", "    - severity: sev7\n")
    env = {
        **os.environ,
        "WARROOM_PLAYBOOK": str(path),
        "WARROOM_DATABASE_URL": f"sqlite:///{tmp_path}/w.db",
        "WARROOM_PORT": "1",
        "COLUMNS": "300",
    }
    result = subprocess.run(
        [sys.executable, "-m", "warroom.cli.main", "serve"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "refusing to start" in result.stderr
    assert (
        f"{path}:{line_of(path, 'severity: sev7')}: triage.rules[1].severity: unknown severity 'sev7'" in result.stderr
    )
    assert not (tmp_path / "w.db").exists()  # validated before touching the database


def test_validate_command(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from warroom.cli.main import app

    runner = CliRunner()
    ok = runner.invoke(app, ["playbook", "validate", str(FIXTURE)])
    assert ok.exit_code == 0 and "ok" in ok.output
    path = broken(tmp_path, "response_target: 5m", "response_target: soon")
    bad = runner.invoke(app, ["playbook", "validate", str(path)], env={"COLUMNS": "300"})
    assert bad.exit_code == 2
    assert f"{path}:{line_of(path, 'response_target: soon')}: severities[0].response_target" in bad.output


@pytest.mark.parametrize("name", ["minimal", *preset_names()])
def test_playbooks_round_trip_through_their_stored_json(name: str) -> None:
    """The registry stores a playbook as JSON and reads it back for incidents started under it."""
    from warroom.playbook.loader import load_preset, playbook_digest
    from warroom.playbook.schema import Playbook

    playbook = load_playbook(FIXTURE) if name == "minimal" else load_preset(name)
    again = Playbook.model_validate(playbook.model_dump(mode="json", by_alias=True))
    assert again == playbook
    assert playbook_digest(again) == playbook_digest(playbook)


def test_the_policy_key_manual_is_reserved_for_pages_sent_by_hand(tmp_path: Path) -> None:
    from warroom.playbook.schema import EscalationPolicy

    with pytest.raises(ValueError, match="reserved for pages sent by hand"):
        EscalationPolicy.model_validate({"key": "manual", "name": "x", "levels": [{"targets": [{"person": "a"}]}]})
