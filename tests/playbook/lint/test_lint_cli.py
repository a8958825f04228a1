"""`warroom playbook lint FILE`: exit codes, file:line: kind: message lines, --json, load errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.playbook.lint.fixture_files import NOW, fixture_path, line_of
from warroom.cli.main import app as cli


def run(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    clock = tmp_path / "clock"
    clock.write_text(NOW.isoformat())
    result = CliRunner().invoke(
        cli, ["playbook", "lint", *args], env={"WARROOM_CLOCK_FILE": str(clock), "COLUMNS": "300"}
    )
    return result.exit_code, result.stdout, result.stderr


def test_a_clean_playbook_exits_0(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path, str(fixture_path("clean")))
    assert code == 0 and out.strip().endswith("no findings")


def test_findings_print_as_file_line_kind_message_grouped_by_kind_and_exit_1(tmp_path: Path) -> None:
    path = fixture_path("missing_contact_method")
    code, out, _ = run(tmp_path, str(path))
    assert code == 1
    lines = out.strip().splitlines()
    assert lines[0] == "missing_contact_method (3)" and lines[-1] == "3 findings"
    expected = (
        f"{path}:{line_of('missing_contact_method', 'notify_methods:', after='key: sev1')}: missing_contact_method: "
    )
    assert any(line.startswith(expected) and "push will never be used" in line for line in lines)


def test_json_lists_every_finding_with_its_place(tmp_path: Path) -> None:
    path = fixture_path("coverage_gap")
    code, out, _ = run(tmp_path, str(path), "--json")
    assert code == 1
    report = json.loads(out)
    assert report["file"] == str(path) and report["from"] == NOW.isoformat()
    (finding,) = report["findings"]
    assert finding["kind"] == "coverage_gap" and finding["where"] == "schedules[primary]"
    assert finding["line"] == line_of("coverage_gap", "key: primary") and len(finding["detail"]["gaps"]) == 22


def test_the_window_starts_at_the_injected_clock(tmp_path: Path) -> None:
    # Before the rotation starts (2026-01-05 09:00 Berlin) the clean playbook's schedule is empty.
    clock = tmp_path / "clock"
    clock.write_text("2026-01-01T00:00:00+00:00")
    result = CliRunner().invoke(
        cli, ["playbook", "lint", str(fixture_path("clean")), "--json"], env={"WARROOM_CLOCK_FILE": str(clock)}
    )
    assert result.exit_code == 1
    assert [f["kind"] for f in json.loads(result.stdout)["findings"]] == ["coverage_gap"]


def test_a_file_that_does_not_load_prints_the_loader_error_and_exits_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    text = fixture_path("clean").read_text(encoding="utf-8").replace("response_target: 5m", "respond_within: 5m")
    broken.write_text(text, encoding="utf-8")
    code, out, err = run(tmp_path, str(broken))
    assert code == 2 and out == ""
    line = next(i for i, row in enumerate(text.splitlines(), start=1) if "respond_within" in row)
    assert f"{broken}:{line}: severities[0].respond_within: unknown key" in err
    code, _, err = run(tmp_path, str(tmp_path / "missing.yaml"))
    assert code == 2 and "cannot read" in err
