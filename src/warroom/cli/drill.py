"""`warroom drill`: rehearse a playbook on a simulated clock and print who would be paged when.

Runs locally: a throw-away store, in-memory channels, nothing sent. With `--check` the exit code says whether
the timeline is what the scenario expects (0), differs (1), or the scenario could not be played (2).
"""

from __future__ import annotations

import json
from itertools import groupby
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from warroom.drills.outcome import Entry, offset_text
from warroom.drills.runner import DrillError, DrillResult, run_drill, scenario_playbook
from warroom.drills.scenario import load_scenario
from warroom.drills.suite import suite_files
from warroom.playbook.loader import PlaybookError

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def drill(
    scenarios: Annotated[
        list[Path] | None, typer.Argument(help="Scenario files, or folders of them.", show_default=False)
    ] = None,
    playbook: Annotated[
        Path | None, typer.Option("--playbook", help="Run against this playbook file instead of the scenario's.")
    ] = None,
    suite: Annotated[
        str | None, typer.Option("--suite", help="Run the drills shipped with a preset ('all' for every preset).")
    ] = None,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 when the timeline differs from the expectations.")] = (
        False
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print the timelines and differences as JSON.")] = False,
    timeline: Annotated[
        bool, typer.Option("--timeline/--no-timeline", help="Print each timeline (default: when one scenario).")
    ] = False,
) -> None:
    """Play scenarios against the real engine on a manual clock; print every page, escalation, reminder,
    missed deadline and the postmortem due date."""
    try:
        files = _files(scenarios or [], suite)
    except (DrillError, PlaybookError) as error:
        raise _fail(error) from None
    results: list[DrillResult] = []
    for file in files:
        try:
            scenario = load_scenario(file)
            results.append(run_drill(scenario, scenario_playbook(scenario, file, playbook)))
        except (DrillError, PlaybookError) as error:
            raise _fail(error, file) from None
    if as_json:
        payload = [_as_json(file, result) for file, result in zip(files, results, strict=True)]
        typer.echo(json.dumps(payload[0] if len(payload) == 1 else payload, indent=2))
    else:
        for file, result in zip(files, results, strict=True):
            _print(file, result, timeline or len(files) == 1, check)
        if len(files) > 1:
            failed = sum(1 for result in results if not result.passed)
            out.print(f"{len(files)} drills, {len(files) - failed} passed, {failed} with differences")
    if check and any(not result.passed for result in results):
        raise typer.Exit(1)


def _files(paths: list[Path], suite: str | None) -> list[Path]:
    files: list[Path] = []
    if suite is not None:
        files.extend(suite_files(suite))
    for path in paths:
        if path.is_dir():
            found = sorted(path.rglob("*.yaml"))
            if not found:
                raise DrillError(f"{path}: no *.yaml scenarios in this folder")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise DrillError(f"{path}: no such file or folder")
    if not files:
        raise DrillError("give scenario files or folders, or --suite PRESET")
    return files


def _fail(error: Exception, file: Path | None = None) -> typer.Exit:
    if isinstance(error, PlaybookError):
        for problem in error.problems:
            err.print(f"[red]{escape(str(problem))}[/]")
    else:
        err.print(f"[red]{escape(f'{file}: ' if file else '')}{escape(str(error))}[/]")
    return typer.Exit(2)


def _as_json(file: Path, result: DrillResult) -> dict[str, Any]:
    return {
        "scenario": str(file),
        "drill": result.scenario.drill,
        "playbook": result.playbook.name,
        "start": result.start.astimezone(result.zone).isoformat(),
        "timezone": str(result.zone),
        "checks": [check.model_dump() for check in result.scenario.checks],
        "timeline": [entry.as_json(result.start, result.zone) for entry in result.entries],
        "differences": [{"what": d.what, "text": d.text} for d in result.differences],
        "passed": result.passed,
    }


def _print(file: Path, result: DrillResult, show_timeline: bool, check: bool) -> None:
    start_local = result.start.astimezone(result.zone)
    mark = "[green]pass[/]" if result.passed else "[red]differs[/]"
    heading = f"{escape(str(file))}: {escape(result.scenario.drill)}"
    out.print(f"{mark} {heading}" if check or result.scenario.expect else heading)
    if show_timeline:
        out.print(
            f"  playbook {escape(result.playbook.name)}, start {start_local:%a %Y-%m-%d %H:%M} {result.zone}, "
            f"{len(result.entries)} entries"
        )
        for line in timeline_lines(result.entries, result):
            out.print("  " + escape(line))
    for difference in result.differences:
        out.print(f"  [red]{escape(str(difference))}[/]")


def timeline_lines(entries: list[Entry], result: DrillResult) -> list[str]:
    """One line per moment and subject: a person's pages by four methods at once are one line."""
    lines: list[str] = []

    def key(entry: Entry) -> tuple[Any, ...]:
        level = entry.detail.get("level") if entry.kind == "page" else None
        return entry.at, entry.kind, entry.incident, entry.subject, level

    for (at, kind, incident, subject, _level), group in groupby(entries, key=key):
        items = list(group)
        when = f"{offset_text(at - result.start):>8} {at.astimezone(result.zone):%a %H:%M}"
        lines.append(f"{when}  {incident:<4} {kind:<14} {_describe(kind, subject, items)}")
    return lines


def _describe(kind: str, subject: str, items: list[Entry]) -> str:
    first = items[0]
    if kind == "page":
        methods = ", ".join(str(item.detail.get("method")) for item in items)
        chain = f" ({first.detail['policy']} level {first.detail['level']})" if first.detail.get("policy") else ""
        return f"{subject} by {methods}{chain}"
    if kind == "notice":
        return f"{subject} by {first.detail.get('method')}: {'; '.join(item.text for item in items)}"
    if kind == "message":
        return f"{subject}: {first.text}" + (f" (x{len(items)})" if len(items) > 1 else "")
    return "; ".join(item.text for item in items)
