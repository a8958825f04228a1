"""`warroom drill`: the timeline for people, JSON for machines, and exit codes that say pass, differ or broken."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from warroom.cli.main import app as cli

WEEK = Path(__file__).parent.parent / "drills" / "fixtures" / "berlin-week.yaml"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def test_the_timeline_reads_as_who_was_paged_when() -> None:
    code, out, _ = run("drill", str(WEEK))
    assert code == 0
    assert "start Wed 2026-01-07 10:00 Europe/Berlin" in out
    assert "+0m Wed 10:00  A    page           alice by sms (chain level 1)" in out
    assert "+5m Wed 10:05  A    response       Not acknowledged within 5m (SEV-1 response target)" in out
    assert "+4d23h30m Mon 09:30  B    page           bob by phone (chain level 1)" in out


def test_check_passes_and_fails_with_the_differences_listed(tmp_path: Path) -> None:
    assert run("drill", str(WEEK), "--check")[0] == 0
    wrong = tmp_path / "wrong.yaml"
    minimal = WEEK.parent.parent.parent / "playbook" / "fixtures" / "minimal.yaml"
    text = WEEK.read_text(encoding="utf-8").replace(
        "{at: 5m, page: bob, incident: A}", "{at: 4m, page: bob, incident: A}"
    )
    wrong.write_text(text.replace("../../playbook/fixtures/minimal.yaml", str(minimal)), encoding="utf-8")
    code, out, _ = run("drill", str(wrong), "--check")
    assert code == 1
    assert "differs" in out
    assert "missing: +4m page bob [A] (it happened at +5m)" in out
    assert "unexpected: +5m page bob method=phone level=2 policy=chain [A]" in out


def test_json_is_the_whole_timeline(tmp_path: Path) -> None:
    code, out, _ = run("drill", str(WEEK), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["passed"] is True and report["timezone"] == "Europe/Berlin"
    first_page = next(entry for entry in report["timeline"] if entry["kind"] == "page")
    assert first_page == {
        "at": "+0m",
        "time": "Wed 2026-01-07 10:00",
        "kind": "page",
        "incident": "A",
        "subject": "alice",
        "method": "sms",
        "level": 1,
        "policy": "chain",
        "text": "[SEV-1] INC-1: Checkout down",
    }


def test_a_broken_scenario_exits_2_with_file_line_and_key(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "drill: x\nplaybook: greenlang\nstart: 2026-01-05 09:00\nsteps:\n  - {at: soon, resolve: {by: x}}\n"
    )
    code, _, err = run("drill", str(broken), "--check")
    assert code == 2
    assert f"{broken}:5: steps[0].at:" in err
    code, _, err = run("drill", str(tmp_path / "none.yaml"))
    assert code == 2 and "no such file or folder" in err
    code, _, err = run("drill", "--suite", "nonesuch")
    assert code == 2 and "no preset named 'nonesuch'" in err


def test_a_folder_runs_every_scenario_in_it(tmp_path: Path) -> None:
    minimal = WEEK.parent.parent.parent / "playbook" / "fixtures" / "minimal.yaml"
    text = WEEK.read_text(encoding="utf-8").replace("../../playbook/fixtures/minimal.yaml", str(minimal))
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(text, encoding="utf-8")
    code, out, _ = run("drill", str(tmp_path), "--check")
    assert code == 0
    assert out.count("pass ") == 2 and "+0m Wed 10:00" not in out  # several drills: verdicts, not timelines
    assert out.strip().endswith("2 drills, 2 passed, 0 with differences")
