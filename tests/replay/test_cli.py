"""`warroom replay` against the scripted history's store, read directly as the server's database."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.harness.alerting import FIXTURE
from tests.replay.script import UNTIL, ScriptedHistory, candidate_text, scripted_history
from warroom.cli.main import app as cli


@pytest.fixture
def history(database_url: str) -> Iterator[ScriptedHistory]:
    with scripted_history(database_url) as scripted:
        yield scripted


@pytest.fixture
def env(history: ScriptedHistory, tmp_path: Path) -> dict[str, str]:
    clock = tmp_path / "clock"
    clock.write_text(UNTIL.isoformat())
    return {
        "WARROOM_DATABASE_URL": history.run.app.warroom.settings.database_url,
        "WARROOM_PLAYBOOK": str(FIXTURE),  # the server's configured playbook: the current side
        "WARROOM_CLOCK_FILE": str(clock),
        "COLUMNS": "200",
    }


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["replay", *args], env=env)
    return result.exit_code, result.output


def candidate(tmp_path: Path, text: str | None = None) -> str:
    path = tmp_path / "candidate.yaml"
    path.write_text(candidate_text() if text is None else text, encoding="utf-8")
    return str(path)


def test_tables_show_what_the_candidate_would_change(env: dict[str, str], tmp_path: Path) -> None:
    code, output = run(env, "--playbook", candidate(tmp_path), "--since", "3h")
    assert code == 0, output
    assert "Replay of 3 stored alerts" in output and "nothing was sent" in output
    assert re.search(r"incidents\s+│\s+3\s+│\s+2\s+│\s+-1\s+│", output), output
    assert "Merged: 1 candidate incident(s)" in output
    assert "2 alerts (DiskFull; alertname=DiskFull, cluster=eu): 2 incident(s) -> 1" in output
    assert "Woken at night" in output


def test_json_for_scripts(env: dict[str, str], tmp_path: Path, history: ScriptedHistory) -> None:
    before = history.run.app.snapshot()
    code, output = run(env, "--playbook", candidate(tmp_path), "--since", "3h", "--json")
    assert code == 0, output
    report = json.loads(output)
    assert report["difference"]["incidents"] == {"before": 3, "after": 2, "delta": -1}
    assert report["difference"]["night_pages"] == {"before": 5, "after": 3, "delta": -2}
    assert report["current"]["incidents"] == 3 and report["candidate"]["incidents"] == 2
    assert report["until"] == UNTIL.isoformat()
    assert history.run.app.snapshot() == before


def test_a_candidate_that_does_not_load_prints_file_line_key_and_exits_2(env: dict[str, str], tmp_path: Path) -> None:
    broken = candidate_text().replace("group_by: [cluster]", "group_by: []")
    path = candidate(tmp_path, broken)
    code, output = run(env, "--playbook", path)
    assert code == 2
    line = broken.splitlines().index("      group_by: []") + 1
    assert f"{path}:{line}: alerting.routes[0].group_by: " in output


def test_bad_since_and_a_missing_store_are_refused(env: dict[str, str], tmp_path: Path) -> None:
    code, output = run(env, "--playbook", candidate(tmp_path), "--since", "2 business days")
    assert code == 2 and "business time" in output
    missing = {**env, "WARROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'nowhere.db'}"}
    code, output = run(missing, "--playbook", candidate(tmp_path))
    assert code == 1 and "no store at" in output
    assert not (tmp_path / "nowhere.db").exists()
