"""Drill benchmark: a 7-day scenario with 200 incidents, played by `warroom drill` (target: under 10 s).

A benchmark that prints figures, not a timed test. It writes a scenario against a preset (default sre-team):
200 incidents over 7 days at random minutes, all severities, half declared by hand and half opened by alerts;
most acknowledged after 1 to 20 minutes (some never, so chains run to their end), stakeholder updates from
the preset's templates, mitigations and resolutions. Then it times, several runs each:

  (a) `run_drill(scenario, playbook)` in this process: the simulation itself (store, engine, sender);
  (b) `warroom drill SCENARIO --json` as a subprocess: the command end to end, Python start-up included.

    .venv/bin/python bench/drill.py                     # 200 incidents, 7 days, 3 runs each
    .venv/bin/python bench/drill.py --incidents 400 --preset greenlang --keep /tmp/drill.yaml
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from machine_facts import machine  # bench/ is on sys.path when a bench runs as a script

from warroom.drills.runner import run_drill
from warroom.drills.scenario import Scenario
from warroom.playbook.loader import load_preset
from warroom.playbook.schema import Playbook, TemplateKind

WEEK_MINUTES = 7 * 24 * 60


def scenario_for(playbook: Playbook, preset: str, incidents: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    people = [person.key for person in playbook.people] or ["drill"]
    # Free-text updates to the audience the preset's update template goes to (templates may need fields).
    updates = [t.channel for t in playbook.templates if t.kind is TemplateKind.UPDATE and t.channel]
    starts = sorted(rng.sample(range(0, WEEK_MINUTES - 240), incidents))
    timed: list[tuple[int, int, dict[str, Any]]] = []  # (minute, order, step)
    for number, minute in enumerate(starts):
        name = f"I{number}"
        severity = rng.choice(playbook.severities).key
        if number % 2:
            step: dict[str, Any] = {"declare": {"incident": name, "title": f"Drill {number}", "severity": severity}}
        else:
            labels = {"alertname": f"Alert{number % 20}", "instance": f"host-{number}"}
            summary = f"Alert {number}"
            step = {"alert": {"incident": name, "summary": summary, "dedup_key": f"a{number}", "labels": labels}}
        timed.append((minute, 0, step))
        if rng.random() < 0.85:
            timed.append(
                (minute + rng.randint(1, 20), 1, {"acknowledge": {"incident": name, "by": rng.choice(people)}})
            )
        if updates and rng.random() < 0.5:
            body = f"Update on drill {number}: mitigation in progress."
            update = {"incident": name, "channel": rng.choice(updates), "subject": "Update", "body": body}
            timed.append((minute + rng.randint(10, 40), 2, {"send": update}))
        if rng.random() < 0.7:
            timed.append((minute + rng.randint(20, 60), 3, {"mitigate": {"incident": name, "by": rng.choice(people)}}))
        timed.append((minute + rng.randint(61, 239), 4, {"resolve": {"incident": name, "by": rng.choice(people)}}))
    timed.sort(key=lambda item: (item[0], item[1]))
    steps = [{"at": f"{minute}m", **step} for minute, _order, step in timed]
    return {
        "drill": f"{incidents} incidents over 7 days ({preset})",
        "playbook": preset,
        "start": "2026-03-02 00:00",
        "steps": steps,
        "expect": [{"status": "resolved", "count": incidents}],
        "exact": [],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--preset", default="sre-team")
    parser.add_argument("--incidents", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="Write the scenario here (else a temporary file).")
    args = parser.parse_args()

    playbook = load_preset(args.preset)
    data = scenario_for(playbook, args.preset, args.incidents, args.seed)
    path = args.keep or Path(tempfile.mkdtemp(prefix="warroom-drill-bench-")) / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    scenario = Scenario.model_validate(data)
    print(f"scenario: {path} ({len(scenario.steps)} steps, {args.incidents} incidents, 7 days, {args.preset})")
    print(f"machine:  {machine()}")

    in_process: list[float] = []
    for run in range(1, args.runs + 1):
        began = time.perf_counter()
        result = run_drill(scenario, playbook)
        elapsed = time.perf_counter() - began
        in_process.append(elapsed)
        pages = sum(1 for entry in result.entries if entry.kind == "page")
        escalations = sum(1 for entry in result.entries if entry.kind == "escalation")
        print(
            f"  run_drill run {run}: {elapsed:.2f} s ({len(result.entries)} timeline entries, {pages} pages, "
            f"{escalations} escalation steps, passed={result.passed})"
        )
        if not result.passed:
            print("    " + "\n    ".join(str(d) for d in result.differences[:5]))
    command = [str(Path(sys.executable).parent / "warroom"), "drill", str(path), "--json", "--check"]
    end_to_end: list[float] = []
    for run in range(1, args.runs + 1):
        began = time.perf_counter()
        finished = subprocess.run(command, capture_output=True, check=False)
        elapsed = time.perf_counter() - began
        end_to_end.append(elapsed)
        print(f"  `warroom drill --json --check` run {run}: {elapsed:.2f} s (exit {finished.returncode})")
        if finished.returncode:
            print(finished.stderr.decode()[-2000:])
    print(f"median run_drill:     {statistics.median(in_process):.2f} s")
    print(f"median warroom drill: {statistics.median(end_to_end):.2f} s   (target: under 10 s)")
    print(f"command: {' '.join(command)}")


if __name__ == "__main__":
    main()
