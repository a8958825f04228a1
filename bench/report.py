"""Report benchmark: `warroom report --period 365d` over 100,000 stored incidents on SQLite.

A benchmark that prints figures, not a timed test. It builds a fresh SQLite store holding ~2 years of history
(100,000 incidents by default: a realistic mix of severities, services and detection sources, ~90% resolved,
with escalations, pages, postmortems and action items), inserted in bulk. Then it times, several runs each:

  (a) `ReportService.report(admin, period="365d")` in this process (the service call alone: SQL + statistics);
  (b) `warroom report --period 365d --json` as a subprocess against `warroom serve` on loopback: the command
      end to end, Python start-up of the CLI, HTTP, the server's work and JSON rendering included.

Both run on a pinned clock (the server reads WARROOM_CLOCK_FILE), so every run reports the same window. It
prints every run, the medians, the machine and the commands. Target: under 2 s on SQLite.

    .venv/bin/python bench/report.py                  # 100,000 incidents, 5 runs each
    .venv/bin/python bench/report.py --incidents 20000 --runs 3 --keep /tmp/report.db
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from machine_facts import machine  # bench/ is on sys.path when a bench runs as a script
from sqlalchemy import insert, select

from warroom.auth.actors import SYSTEM, AccessRole, Actor
from warroom.auth.tokens import create_token
from warroom.clock import ManualClock
from warroom.playbook.loader import load_preset
from warroom.playbook.registry import PlaybookRegistry
from warroom.playbook.schema import Playbook
from warroom.reports.service import ReportService
from warroom.store.database import Database
from warroom.store.migrate import upgrade
from warroom.store.tables import (
    action_items,
    escalations,
    incident_roles,
    incidents,
    pages,
    playbook_versions,
    postmortems,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TARGET_SECONDS = 2.0
CHUNK = 10_000
OPEN = ["investigating", "identified", "monitoring"]
DONE = ["resolved", "closed"]


# ---- the history -----------------------------------------------------------------------------------------


def _weights(count: int) -> list[float]:
    """Most severe rarest: 3%, 12%, 35%, 50% for four severities (the same shape for other counts)."""
    base = [3.0, 12.0, 35.0, 50.0, 50.0][:count]
    return [w / sum(base) for w in base]


def history(playbook: Playbook, version: int, count: int, seed: int) -> dict[str, list[dict[str, Any]]]:
    """Rows for every table, as plain dicts. Incidents spread uniformly over the 730 days before NOW."""
    rng = random.Random(seed)
    severities = playbook.severity_keys()
    weights = _weights(len(severities))
    services = [s.key for s in playbook.services] or ["api", "web", "db", "auth", "payments", "search"]
    people = [p.key for p in playbook.people] or ["alice", "bob", "carol", "dave"]
    commander = playbook.roles[0].key if playbook.roles else "incident_commander"
    sources = ["alert"] * 70 + ["manual"] * 20 + ["user_report"] * 10
    rows: dict[str, list[dict[str, Any]]] = {k: [] for k in ("incidents", "escalations", "pages", "pm", "ai", "roles")}
    span = 730 * 86400
    for number in range(1, count + 1):
        triggered = NOW - timedelta(seconds=rng.randrange(span))
        detect = timedelta(seconds=int(rng.expovariate(1 / 300)))
        started = triggered - timedelta(seconds=rng.randrange(120)) - detect
        detected = started + detect
        severity = rng.choices(severities, weights)[0]
        open_ = rng.random() < 0.10
        acked = None if rng.random() < 0.05 else triggered + timedelta(seconds=int(rng.expovariate(1 / 240)))
        mitigated = None if open_ and rng.random() < 0.5 else triggered + timedelta(minutes=rng.randrange(5, 240))
        resolved = None if open_ else (mitigated or triggered) + timedelta(minutes=rng.randrange(1, 600))
        status = rng.choice(OPEN if open_ else DONE)
        rows["incidents"].append(
            dict(
                id=number, title=f"Incident {number}", summary="", severity=severity,
                declared_severity_label=severity.upper(), status=status, private=rng.random() < 0.02, impact={},
                services=rng.sample(services, rng.choice([1, 1, 1, 2])), tags=[], links=[],
                detection_source=rng.choice(sources),
                duplicate_of=number - 1 if number > 1 and rng.random() < 0.01 else None,
                playbook_version_id=version, created_by="bench", started_at=started, detected_at=detected,
                triggered_at=triggered, acknowledged_at=acked, acknowledged_by="bench" if acked else None,
                mitigated_at=mitigated, resolved_at=resolved, closed_at=resolved if status == "closed" else None,
                updated_at=resolved or triggered, revision=1, runbooks=[],
            )
        )  # fmt: skip
        rows["escalations"].append(
            dict(
                id=number, incident_id=number, policy="bench", kind="acknowledgement", plan={}, state="stopped",
                anchor_at=triggered, level=0, round=0, started_at=triggered,
            )
        )  # fmt: skip
        for level in range(rng.choice([1, 1, 2, 3])):
            paged = triggered + timedelta(minutes=5 * level)
            rows["pages"].append(
                dict(
                    escalation_id=number, incident_id=number, level=level, round=0, person=rng.choice(people),
                    via="bench", methods=["sms"], due_at=paged, paged_at=paged,
                )
            )  # fmt: skip
        if rng.random() < 0.5:
            rows["roles"].append(
                dict(incident_id=number, role=commander, person=rng.choice(people), assigned_at=triggered,
                     assigned_by="bench")
            )  # fmt: skip
        if resolved is not None and severities.index(severity) < 2:
            due = resolved + timedelta(days=5)
            state = rng.choices(["published", "draft", "in_review", "skipped"], [70, 15, 10, 5])[0]
            published = resolved + timedelta(hours=rng.randrange(1, 200)) if state == "published" else None
            rows["pm"].append(
                dict(
                    id=len(rows["pm"]) + 1, incident_id=number, requirement="required", state=state,
                    owner=rng.choice(people), due_at=due, markdown="", created_at=resolved, updated_at=resolved,
                    updated_by="bench", published_at=published, revision=1,
                )
            )  # fmt: skip
            for _ in range(rng.randrange(0, 4)):
                created = resolved + timedelta(hours=rng.randrange(1, 72))
                item_status = rng.choices(["open", "in_progress", "done", "wont_do"], [25, 15, 50, 10])[0]
                closed = created + timedelta(days=3) if item_status in ("done", "wont_do") else None
                rows["ai"].append(
                    dict(
                        incident_id=number, postmortem_id=len(rows["pm"]), title="Fix it", description="",
                        priority="high", due_at=created + timedelta(days=14), status=item_status,
                        created_by="bench", created_at=created, updated_at=created, closed_at=closed,
                    )
                )  # fmt: skip
    return rows


def build_store(path: Path, preset: str, count: int, seed: int) -> tuple[str, float, dict[str, int]]:
    url = f"sqlite:///{path}"
    upgrade(url)
    db = Database(url)
    playbook = load_preset(preset)
    version = PlaybookRegistry(db).activate(playbook, ManualClock(NOW))
    started = time.monotonic()
    rows = history(playbook, version, count, seed)
    tables = [
        (incidents, "incidents"),
        (escalations, "escalations"),
        (pages, "pages"),
        (incident_roles, "roles"),
        (postmortems, "pm"),
        (action_items, "ai"),
    ]
    with db.transaction() as tx:
        for table, key in tables:
            batch = rows[key]
            for start in range(0, len(batch), CHUNK):
                tx.execute(insert(table), batch[start : start + CHUNK])
    with db.read() as connection:
        connection.exec_driver_sql("ANALYZE")
    db.dispose()
    return url, time.monotonic() - started, {key: len(batch) for key, batch in rows.items()}


# ---- timing ----------------------------------------------------------------------------------------------


def time_service(url: str, runs: int) -> tuple[list[float], dict[str, Any]]:
    db = Database(url)
    reports = ReportService(db, ManualClock(NOW), _registry(db))
    admin = Actor("bench", AccessRole.ADMIN)
    timings: list[float] = []
    report = None
    for _ in range(runs):
        started = time.perf_counter()
        report = reports.report(admin, period="365d")
        timings.append(time.perf_counter() - started)
    db.dispose()
    assert report is not None
    facts = {"incidents in the window": report.incidents, "open": report.open, "pages": report.on_call.pages}
    return timings, facts


def _registry(db: Database) -> PlaybookRegistry:
    """The store's playbook, active, as the server would have it."""
    registry = PlaybookRegistry(db)
    with db.read() as connection:
        content = connection.execute(select(playbook_versions.c.content)).scalar_one()
    registry.activate(Playbook.model_validate(content), ManualClock(NOW))
    return registry


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def served(url: str, preset: str, workdir: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """`warroom serve` on a free loopback port on the pinned clock; yields its URL and the CLI's environment."""
    warroom = str(Path(sys.executable).parent / "warroom")
    clock_file = workdir / "clock"
    clock_file.write_text(NOW.isoformat())
    db = Database(url)
    token = create_token(db, ManualClock(NOW), "bench", AccessRole.ADMIN, SYSTEM).token
    db.dispose()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, WARROOM_DATABASE_URL=url, WARROOM_PRESET=preset, WARROOM_PORT=str(port),
               WARROOM_HOST="127.0.0.1", WARROOM_CLOCK_FILE=str(clock_file), WARROOM_LOG_LEVEL="warning",
               WARROOM_ENGINE="false")  # fmt: skip
    env.pop("WARROOM_PLAYBOOK", None)
    log = (workdir / "server.log").open("wb")
    process = subprocess.Popen([warroom, "serve"], cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited:\n{(workdir / 'server.log').read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                if urllib.request.urlopen(f"{base}/healthz", timeout=2).status == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not answer /healthz within 60 s")
            time.sleep(0.2)
        yield base, dict(os.environ, WARROOM_URL=base, WARROOM_TOKEN=token)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def time_command(command: list[str], env: dict[str, str], runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, check=False)
        timings.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise RuntimeError(f"{shlex.join(command)} failed: {done.stderr.decode(errors='replace')}")
    return timings


def time_request(url: str, token: str, runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as answer:
            answer.read()
        timings.append(time.perf_counter() - started)
    return timings


def line(name: str, timings: list[float], target: bool = True) -> str:
    median = statistics.median(timings)
    runs = ", ".join(f"{t:.3f}" for t in timings)
    verdict = "met" if median < TARGET_SECONDS else "MISSED"
    goal = f"  target < {TARGET_SECONDS:.0f} s: {verdict}" if target else ""
    return f"  {name:<44} median {median:.3f} s  (runs: {runs}){goal}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--preset", default="platform", help="the playbook (its severities, services, people)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="write the store here and keep it (default: a scratch file)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="warroom-bench-report-") as scratch:
        workdir = Path(scratch)
        path = args.keep or workdir / "warroom.db"
        if path.exists():
            path.unlink()
        print(f"building {path}: {args.incidents} incidents over 730 days (preset {args.preset}) ...", flush=True)
        url, seconds, counts = build_store(path, args.preset, args.incidents, args.seed)
        sizes = ", ".join(f"{key} {n}" for key, n in counts.items())
        print(f"  built in {seconds:.1f} s: {sizes}; {path.stat().st_size / 1e6:.0f} MB", flush=True)
        service, facts = time_service(url, args.runs)
        warroom = str(Path(sys.executable).parent / "warroom")
        command = [warroom, "report", "--period", "365d", "--json"]
        with served(url, args.preset, workdir) as (base, env):
            cli = time_command(command, env, args.runs)
            request = time_request(f"{base}/api/v1/reports?period=365d", env["WARROOM_TOKEN"], args.runs)
        startup = time_command([warroom, "--help"], env, args.runs)
        print("\nRESULTS (wall clock, seconds)")
        print(f"  machine: {machine()}")
        print(f"  bench:   {shlex.join([sys.executable, *sys.argv])}")
        print(f"  command: WARROOM_URL=<served on loopback> WARROOM_TOKEN=... {shlex.join(command)}")
        print(f"  window:  365 days back from {NOW.isoformat()}: " + ", ".join(f"{k} {v}" for k, v in facts.items()))
        print(line("(a) ReportService.report(period='365d')", service))
        print(line("(b) warroom report --period 365d --json", cli))
        print("  where (b) goes:")
        print(line("    GET /api/v1/reports?period=365d alone", request, target=False))
        print(line("    CLI start-up alone (warroom --help)", startup, target=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
