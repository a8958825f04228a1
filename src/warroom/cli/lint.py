"""`warroom playbook lint FILE`: the policy defects of a playbook that validates (warroom.playbook.lint).

Exit 0 when clean, 1 when there are findings, 2 when the file does not load (the loader's file:line:key
errors). The 30-day schedule look-ahead starts at the configured clock's now (WARROOM_CLOCK_FILE in tests and
drills, else the system clock), as the server's would.
"""

from __future__ import annotations

import json
from datetime import datetime
from itertools import groupby
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from warroom.clock import Clock, FileClock, SystemClock
from warroom.playbook.lint import Finding, lint, locate
from warroom.playbook.loader import PlaybookError, PlaybookProblem, parse_playbook_lines
from warroom.playbook.schema import Playbook
from warroom.settings import Settings

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _clock() -> Clock:
    settings = Settings()
    return FileClock(settings.clock_file) if settings.clock_file else SystemClock()


def _read(file: Path) -> tuple[Playbook, list[Finding], datetime]:
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise PlaybookError([PlaybookProblem(str(file), 0, "", f"cannot read: {error.strerror}")]) from None
    except UnicodeDecodeError:
        raise PlaybookError([PlaybookProblem(str(file), 0, "", "not UTF-8 text")]) from None
    playbook, lines = parse_playbook_lines(text, str(file))
    now = _clock().now()
    return playbook, locate(lint(playbook, now), lines), now


def lint_file(
    file: Annotated[Path, typer.Argument(help="The playbook YAML file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print {file, findings} as JSON.")] = False,
) -> None:
    """Find policy defects in a valid playbook: one-person escalations, on-call gaps in the next 30 days,
    unknown template fields, dead triage rules, escalations slower than the response target, contact
    methods nobody has."""
    try:
        _, findings, now = _read(file)
    except PlaybookError as error:
        for problem in error.problems:
            err.print(f"[red]{problem}[/]", markup=True)
        raise typer.Exit(2) from None
    if as_json:
        report = {"file": str(file), "from": now.isoformat(), "findings": [f.to_json() for f in findings]}
        typer.echo(json.dumps(report, indent=2))
    elif not findings:
        out.print(f"{file}: no findings")
    else:
        for kind, group in groupby(findings, key=lambda finding: finding.kind):
            items = list(group)
            out.print(f"[bold]{kind}[/] ({len(items)})", markup=True)
            for finding in items:
                out.print(f"{file}:{finding.line or 1}: {kind}: {finding.message}", markup=False)
        out.print(f"{len(findings)} finding{'s' if len(findings) != 1 else ''}")
    raise typer.Exit(1 if findings else 0)
