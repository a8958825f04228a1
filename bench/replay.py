"""Replay benchmark: `warroom replay --since 30d` over 10,000 stored alerts, for a candidate that changes grouping.

A benchmark that prints figures, not a timed test. It builds a fresh SQLite store holding 30 days of alert
history, inserted in bulk as the intake would have left it: three integrations (Alertmanager grouping by its
group key, Grafana, an Events v2 source), ~20 alert names over clusters, instances and environments, some
of them flapping (firing and clearing every few minutes for an hour), each alert in the incident its group had
open, incidents acknowledged after a few minutes (some never) and resolved after their alerts. The candidate is
the same playbook with one route added first: Alertmanager alerts grouped by `cluster` alone instead of by
Alertmanager's group key (alert name and cluster), which merges incidents. Then it times, several runs each:

  (a) `replay(db, current, candidate, since, until)` in this process: reading the history and two Simulations;
  (b) `warroom replay --playbook candidate.yaml --since 30d --json` as a subprocess against the store (once).

Both run on a pinned clock (the CLI reads WARROOM_CLOCK_FILE). It prints every run, the median, what the two
playbooks made of the history, the machine and the command.

    .venv/bin/python bench/replay.py                  # 10,000 alerts, 3 runs
    .venv/bin/python bench/replay.py --alerts 2000 --runs 1 --keep /tmp/replay.db
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from machine_facts import machine  # bench/ is on sys.path when a bench runs as a script
from sqlalchemy import insert

from warroom.alerts.integrations import key_digest
from warroom.clock import ManualClock
from warroom.playbook.loader import load_playbook, load_preset
from warroom.playbook.registry import PlaybookRegistry
from warroom.playbook.schema import AlertRoute, Playbook
from warroom.replay.service import replay
from warroom.store.database import Database
from warroom.store.migrate import upgrade
from warroom.store.tables import alerts, incidents, integrations

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DAYS = 30
CHUNK = 5_000
CLUSTERS = ["eu-west", "us-east", "ap-south"]
NAMES = [
    "HighErrorRate", "HighAPILatency", "DiskFull", "DiskWillFillIn4h", "NodeDown", "PodCrashLooping",
    "HighMemory", "HighCPU", "CertificateExpiry", "QueueBacklog", "ReplicationLag", "DatabaseConnections",
    "KubeJobFailed", "TargetDown", "ProbeFailed", "SlowQueries", "CacheEvictions", "TLSHandshakeErrors",
    "ErrorBudgetBurn", "DNSFailures",
]  # fmt: skip
FLAPPING = {"ProbeFailed", "TargetDown", "HighCPU"}
SOURCES = [  # key, kind, service, share of the alerts
    ("prom", "alertmanager", "workbench-api", 0.6),
    ("grafana", "grafana", "web-frontend", 0.25),
    ("checks", "events_v2", "workbench-api", 0.15),
]


# ---- the history -----------------------------------------------------------------------------------------


def history(count: int, seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(incidents, alerts) rows; alerts first seen over the DAYS days before NOW, in time order."""
    rng = random.Random(seed)
    start = NOW - timedelta(days=DAYS)
    firings: list[tuple[datetime, int, str, dict[str, str], timedelta]] = []
    while len(firings) < count:  # episodes: a storm over a cluster's nodes, a flapping probe, or one alert
        source = rng.choices(range(len(SOURCES)), [s[3] for s in SOURCES])[0]
        name = rng.choice(NAMES)
        cluster, env, team = (
            rng.choice(CLUSTERS),
            rng.choice(["prod", "prod", "staging"]),
            rng.choice(["sre", "platform"]),
        )
        at = start + timedelta(seconds=rng.randrange(DAYS * 86400 - 7200))
        nodes = rng.sample(range(12), min(12, 1 + int(rng.expovariate(1 / 3))))
        flapping = name in FLAPPING and rng.random() < 0.5
        for node in nodes[:1] if flapping else nodes:
            labels = {"alertname": name, "cluster": cluster, "instance": f"node-{node}", "env": env, "team": team}
            if flapping:  # fires and clears every few minutes for about an hour
                when = at
                for _ in range(rng.randrange(4, 12)):
                    firings.append((when, source, name, labels, timedelta(seconds=rng.randrange(60, 300))))
                    when += timedelta(seconds=rng.randrange(300, 600))
                continue
            when = at + timedelta(seconds=rng.randrange(120))
            firings.append((when, source, name, labels, timedelta(seconds=int(rng.expovariate(1 / 1800)) + 300)))
    firings = sorted(firings[:count], key=lambda firing: firing[0])
    incident_rows: list[dict[str, Any]] = []
    alert_rows: list[dict[str, Any]] = []
    open_groups: dict[tuple[int, str], dict[str, Any]] = {}
    open_keys: dict[tuple[int, str], datetime] = {}
    for at, source, name, labels, lasting in firings:
        dedup = f"{name}-{labels['cluster']}-{labels['instance']}"
        if open_keys.get((source, dedup), start) > at:  # still firing: a repeat, not a new alert
            continue
        resolved = at + lasting if at + lasting < NOW else None
        open_keys[(source, dedup)] = resolved or NOW
        group = f'{{}}:{{alertname="{name}", cluster="{labels["cluster"]}"}}' if source < 2 else dedup
        incident = open_groups.get((source, group))
        if incident is None or (incident["resolved_at"] is not None and incident["resolved_at"] <= at):
            acked = None if rng.random() < 0.08 else at + timedelta(seconds=int(rng.expovariate(1 / 240)) + 15)
            incident = dict(
                id=len(incident_rows) + 1, title=name, summary="", severity="sev2", declared_severity_label="SEV2",
                status="resolved" if resolved else "investigating", private=False, impact={},
                services=[SOURCES[source][2]], tags=["alert"], links=[], detection_source="alert",
                playbook_version_id=1, created_by=f"integration:{SOURCES[source][0]}", started_at=at,
                detected_at=at, triggered_at=at, acknowledged_at=acked,
                acknowledged_by="sre-engineer-1" if acked else None,
                resolved_at=resolved + timedelta(minutes=rng.randrange(1, 30)) if resolved else None,
                updated_at=at, revision=1, runbooks=[],
            )  # fmt: skip
            incident_rows.append(incident)
            open_groups[(source, group)] = incident
        elif resolved is not None and incident["resolved_at"] is not None:
            incident["resolved_at"] = max(incident["resolved_at"], resolved + timedelta(minutes=1))
        alert_rows.append(
            dict(
                integration_id=source + 1, dedup_key=dedup, status="resolved" if resolved else "triggered",
                summary=f"{name} on {labels['instance']} ({labels['cluster']})", source=labels["instance"],
                source_severity=rng.choice(["critical", "warning"]), alert_name=name,
                group_key=group if source < 2 else None,
                labels=labels, details={}, links=[], images=[], service=SOURCES[source][2], severity="sev2",
                route=None, incident_id=incident["id"], started_at=at, first_seen_at=at, last_seen_at=resolved or at,
                resolved_at=resolved, event_count=rng.randrange(1, 6),
            )
        )  # fmt: skip
    return incident_rows, alert_rows


def build_store(path: Path, playbook: Playbook, count: int, seed: int) -> tuple[str, dict[str, int]]:
    url = f"sqlite:///{path}"
    upgrade(url)
    db = Database(url)
    PlaybookRegistry(db).activate(playbook, ManualClock(NOW - timedelta(days=DAYS + 1)))
    incident_rows, alert_rows = history(count, seed)
    with db.transaction() as tx:
        for number, (key, kind, service, _) in enumerate(SOURCES, start=1):
            tx.execute(
                insert(integrations).values(
                    id=number, key=key, name=key.title(), kind=kind, service=service, key_prefix="bench000",
                    key_hash=key_digest(f"bench-{key}"), grouping="group", mapping={},
                    created_at=NOW - timedelta(days=60), created_by="bench",
                )
            )  # fmt: skip
        for table, rows in ((incidents, incident_rows), (alerts, alert_rows)):
            for start in range(0, len(rows), CHUNK):
                tx.execute(insert(table), rows[start : start + CHUNK])
    db.dispose()
    return url, {"alerts": len(alert_rows), "incidents": len(incident_rows)}


def candidate_of(playbook: Playbook) -> Playbook:
    route = AlertRoute(name="one incident per cluster", match={"integration": "prom"}, group_by=["cluster"])
    alerting = playbook.alerting.model_copy(update={"routes": [route, *playbook.alerting.routes]})
    return playbook.model_copy(update={"alerting": alerting})


def write_playbook(playbook: Playbook, path: Path) -> Path:
    content = playbook.model_dump(mode="json", by_alias=True, exclude_none=True)
    path.write_text(yaml.safe_dump(content, sort_keys=False, allow_unicode=True), encoding="utf-8")
    load_playbook(path)  # the file the CLI reads must load
    return path


# ---- timing ----------------------------------------------------------------------------------------------


def time_service(url: str, current: Playbook, candidate: Playbook, runs: int) -> tuple[list[float], Any]:
    db = Database(url)
    timings: list[float] = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = replay(db, current, candidate, NOW - timedelta(days=DAYS), NOW)
        timings.append(time.perf_counter() - started)
    db.dispose()
    return timings, result


def time_command(command: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{shlex.join(command)} failed ({done.returncode}): {done.stderr.decode(errors='replace')}")
    return seconds


def line(name: str, timings: list[float]) -> str:
    runs = ", ".join(f"{t:.2f}" for t in timings)
    return f"  {name:<48} median {statistics.median(timings):.2f} s  (runs: {runs})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--preset", default="sre-team", help="the current playbook")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep", type=Path, help="write the store here and keep it (default: a scratch file)")
    args = parser.parse_args(argv)
    current = load_preset(args.preset)
    candidate = candidate_of(current)
    with tempfile.TemporaryDirectory(prefix="warroom-bench-replay-") as scratch:
        workdir = Path(scratch)
        path = args.keep or workdir / "warroom.db"
        if path.exists():
            path.unlink()
        url, counts = build_store(path, current, args.alerts, args.seed)
        print(f"built {path}: {counts['alerts']} alerts, {counts['incidents']} incidents over {DAYS} days", flush=True)
        service, result = time_service(url, current, candidate, args.runs)
        candidate_file = write_playbook(candidate, workdir / "candidate.yaml")
        clock_file = workdir / "clock"
        clock_file.write_text(NOW.isoformat())
        env = dict(os.environ, WARROOM_DATABASE_URL=url, WARROOM_PRESET=args.preset, WARROOM_CLOCK_FILE=str(clock_file))
        env.pop("WARROOM_PLAYBOOK", None)
        warroom = str(Path(sys.executable).parent / "warroom")
        command = [warroom, "replay", "--playbook", str(candidate_file), "--since", f"{DAYS}d", "--json"]
        cli = time_command(command, env, workdir)
        print("\nRESULTS (wall clock, seconds)")
        print(f"  machine: {machine()}")
        print(f"  bench:   {shlex.join([sys.executable, *sys.argv])}")
        print(f"  command: WARROOM_DATABASE_URL=... WARROOM_CLOCK_FILE=... {shlex.join(command)}")
        before, after = result.current, result.candidate
        print(f"  replayed {result.alerts} alerts: incidents {before.incidents} -> {after.incidents}, pages "
              f"{before.pages} -> {after.pages}, night pages {before.night_pages} -> {after.night_pages}")  # fmt: skip
        print(line("(a) replay() in process, both playbooks", service))
        print(line("(b) warroom replay --since 30d --json (once)", [cli]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
