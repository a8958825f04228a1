"""Engine benchmark: how late do escalation steps fire with 10,000 escalations running at once?

A benchmark that prints figures, not a timed test. For each store (SQLite, PostgreSQL) and each run it
starts a fresh store and declares `--escalations` incidents of the fixture playbook
tests/engine/fixtures/escalation_load.yaml (an acknowledgement chain of 4 levels, 1 minute apart; level 3
pages two people). Then the real Engine thread (`engine.start()`, as `warroom serve` runs it) fires the
following steps while nothing else runs: no sender (pages stay in the outbox), no HTTP. Nobody
acknowledges. For every page row of a step after the first it reads `paged_at - due_at`: the lateness
the engine itself records. The first step fires inside the declaring transaction (lateness 0) and is
not counted.

The load, and why: 10,000 running escalations with 1-minute steps is a steady state in which about 167
steps come due every second, evenly. To get there without spending minutes declaring, the incidents are
declared as fast as possible (a separate runtime on a manual clock) with trigger times spread evenly over
one minute: incident i is triggered at B + i * spread / N. The engine's clock is then the system clock
shifted by a constant, chosen so that the first second step comes due 2 s after the engine starts; from
there time runs at real speed, the second steps come due over one real minute, the third over the next,
and so on. Only the difference between two instants matters for lateness, so the shift changes nothing
but when the measurement starts (the engine never compares its clock with anything else). Declaring is
setup and is not measured; its rate is printed.

Two lateness figures are printed. "recorded" is `paged_at - due_at` from the pages table. The engine
stamps `paged_at` with the `now` it read when it claimed a batch (up to 100 timers per transaction), so
this hides the time spent inside the batch. "visible" is measured here: for each fired timer, the
instant its transaction committed minus its due time, i.e. when the page really existed for the sender.

    .venv/bin/python bench/engine.py                                   # 10,000 escalations, 3 runs, both stores
    .venv/bin/python bench/engine.py --escalations 500 --runs 1 --steps 2 --spread 10   # a quick check
    .venv/bin/python bench/engine.py --runs 1 --profile               # py-spy samples the firing phase

Target: p99 lateness <= 1 s (recorded). Exits non-zero only if the bench could not run or steps are
missing/doubled; a missed target is reported, never a failure.
"""

from __future__ import annotations

import argparse
import collections
import os
import platform
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from machine_facts import machine  # bench/ is on sys.path when a bench runs as a script
from sqlalchemy import Connection, func, select

from warroom.auth.actors import SYSTEM
from warroom.clock import ManualClock
from warroom.engine.escalations import ESCALATION_TIMER
from warroom.engine.timers import Timer
from warroom.incidents.commands import DeclareIncident
from warroom.logging import configure_logging
from warroom.playbook.loader import load_playbook
from warroom.runtime import Warroom, build
from warroom.settings import Settings
from warroom.store.migrate import upgrade
from warroom.store.tables import pages

ROOT = Path(__file__).resolve().parent.parent
PLAYBOOK = ROOT / "tests" / "engine" / "fixtures" / "escalation_load.yaml"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
PG_BENCH_DB = "warroom_bench"
DATABASES = ("sqlite", "postgres")
TARGET_P99_MS = 1000.0
STEP = timedelta(minutes=1)  # the fixture's timeout at every level
PEOPLE_PER_LEVEL = (1, 1, 2, 1)  # the fixture's levels
START_MARGIN = timedelta(seconds=2)  # the first measured step is due this long after the engine starts


class BenchError(RuntimeError):
    """The bench could not run (setup failed): exit 2."""


class ShiftedClock:
    """The system clock minus a constant: real time flow, moved so the measured steps start when we want."""

    def __init__(self, offset: timedelta) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) - self.offset


@dataclass
class Run:
    escalations: int
    declare_s: float
    fired: int
    pages: int
    expected: int
    recorded_ms: list[float]  # paged_at - due_at, steps after the first
    visible_ms: list[float]  # commit instant - due_at, per fired timer
    batches: int
    engine_cpu: float  # share of one core used by this process during the firing phase
    profile: str = ""


@dataclass
class StoreResult:
    name: str
    version: str
    runs: list[Run] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# ---- stores ----------------------------------------------------------------------------------------------


def postgres_bench_url(admin_url: str) -> tuple[str | None, str]:
    """Drop and recreate the bench database; (its URL, the server version) or (None, why not)."""
    import psycopg
    from sqlalchemy.engine import make_url

    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
            version = connection.execute("SHOW server_version").fetchone()
            connection.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
            connection.execute(f"CREATE DATABASE {PG_BENCH_DB}")
    except psycopg.Error as error:
        return None, f"cannot prepare database {PG_BENCH_DB} through {admin_url}: {str(error).strip()}"
    url = make_url(admin_url).set(database=PG_BENCH_DB).render_as_string(hide_password=False)
    return url, f"PostgreSQL {version[0] if version else '?'}"


@contextmanager
def fresh_store(name: str, args: argparse.Namespace) -> Iterator[str]:
    if name == "sqlite":
        with tempfile.TemporaryDirectory(prefix="warroom-bench-engine-") as directory:
            url = f"sqlite:///{directory}/warroom.db"
            upgrade(url)
            yield url
        return
    made, why = postgres_bench_url(args.postgres_admin_url)
    if made is None:
        raise BenchError(why)
    upgrade(made)
    yield made


# ---- one run ---------------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (0 < share <= 1) of a non-empty list."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, int(-(-share * len(ordered) // 1)) - 1))
    return ordered[index]


def declare_all(url: str, args: argparse.Namespace, start: datetime) -> float:
    """Declare the incidents with triggers spread over `spread` seconds from `start`; seconds it took."""
    clock = ManualClock(start)
    declarer = build(Settings(database_url=url), clock, migrate=False, playbook=load_playbook(PLAYBOOK))
    spread = timedelta(seconds=args.spread)
    began = time.monotonic()
    try:
        for number in range(args.escalations):
            clock.set(start + spread * number / args.escalations)
            declarer.incidents.declare(SYSTEM, DeclareIncident(title=f"Bench {number}", severity="sev1"))
    finally:
        declarer.close()
    return time.monotonic() - began


def instrument(runner: Warroom, clock: ShiftedClock) -> tuple[list[float], list[int]]:
    """Measure when each fired timer's transaction committed: wrap the handler and the engine's transactions."""
    visible_ms: list[float] = []
    batches = [0]
    in_flight: list[datetime] = []
    handler = runner.engine.handlers[ESCALATION_TIMER]

    def timed_handler(tx: Connection, timer: Timer, now: datetime) -> None:
        handler(tx, timer, now)
        in_flight.append(timer.due_at)

    runner.engine.register(ESCALATION_TIMER, timed_handler)
    transaction = runner.db.transaction

    @contextmanager
    def timed_transaction() -> Iterator[Connection]:
        in_flight.clear()
        with transaction() as tx:
            yield tx
        if in_flight:  # committed (an exception skips this)
            committed = clock.now()
            visible_ms.extend((committed - due).total_seconds() * 1000 for due in in_flight)
            batches[0] += 1
            in_flight.clear()

    runner.db.transaction = timed_transaction  # type: ignore[method-assign]
    return visible_ms, batches


def count_pages(runner: Warroom, last_level: int) -> int:
    with runner.db.read() as connection:
        return int(
            connection.execute(
                select(func.count()).select_from(pages).where(pages.c.level >= 1, pages.c.level <= last_level)
            ).scalar_one()
        )


def run_once(url: str, args: argparse.Namespace, profile: bool) -> Run:
    n = args.escalations
    last_level = args.steps - 1  # 0-based index of the last level measured
    expected = n * sum(PEOPLE_PER_LEVEL[1 : args.steps])
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)  # triggers in the past, any past will do
    declare_s = declare_all(url, args, base)
    # The engine's now at its start is the first second step's due time minus the margin.
    clock = ShiftedClock(datetime.now(UTC) + START_MARGIN - (base + STEP))
    runner = build(Settings(database_url=url), clock, migrate=False, playbook=load_playbook(PLAYBOOK))
    visible_ms, batches = instrument(runner, clock)
    fired = [0]
    run_due = runner.engine.run_due

    def counting_run_due() -> int:
        count = run_due()
        fired[0] += count
        return count

    runner.engine.run_due = counting_run_due  # type: ignore[method-assign]
    last_due = base + timedelta(seconds=args.spread) + STEP * last_level
    spy: subprocess.Popen[str] | None = None
    raw = Path(tempfile.gettempdir()) / f"warroom-bench-engine-{os.getpid()}.txt"
    try:
        if profile:
            spy = start_profiler(raw, seconds=int((last_due - clock.now()).total_seconds()) + 2)
        cpu = time.process_time()
        began = time.monotonic()
        runner.engine.start()
        while clock.now() < last_due + timedelta(seconds=1):
            time.sleep(0.5)
        deadline = time.monotonic() + args.settle
        paged = count_pages(runner, last_level)
        while paged < expected and time.monotonic() < deadline:
            time.sleep(0.5)
            paged = count_pages(runner, last_level)
        runner.engine.stop()
        engine_cpu = (time.process_time() - cpu) / (time.monotonic() - began)
        with runner.db.read() as connection:
            rows = connection.execute(
                select(pages.c.due_at, pages.c.paged_at).where(pages.c.level >= 1, pages.c.level <= last_level)
            ).all()
    finally:
        runner.close()
    run = Run(
        escalations=n,
        declare_s=declare_s,
        fired=fired[0],
        pages=len(rows),
        expected=expected,
        recorded_ms=[(r.paged_at - r.due_at).total_seconds() * 1000 for r in rows],
        visible_ms=visible_ms,
        batches=batches[0],
        engine_cpu=engine_cpu,
    )
    if spy is not None:
        run.profile = finish_profiler(spy, raw)
    return run


# ---- profiling -------------------------------------------------------------------------------------------


def start_profiler(raw: Path, seconds: int) -> subprocess.Popen[str] | None:
    py_spy = Path(sys.executable).parent / "py-spy"
    binary = str(py_spy) if py_spy.exists() else shutil.which("py-spy")
    if binary is None:
        print("  py-spy is not installed: `.venv/bin/pip install py-spy`; not profiling")
        return None
    command = [binary, "record", "-o", str(raw), "--format", "raw", "-d", str(seconds), "--pid", str(os.getpid())]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def finish_profiler(spy: subprocess.Popen[str], raw: Path, top: int = 18) -> str:
    _, error = spy.communicate(timeout=120)
    if not raw.exists():
        return f"  py-spy failed: {error.strip()}"
    inclusive: collections.Counter[str] = collections.Counter()
    leaf: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit() or "Engine.start" not in stack:
            continue  # the engine thread only
        count = int(count_text)
        total += count
        frames = stack.split(";")
        leaf[frames[-1]] += count
        for frame in {f.split(" (")[0] + " (" + f.split(" (")[1].split(":")[0] + ")" for f in frames if " (" in f}:
            inclusive[frame] += count
    if not total:
        return "  (no engine-thread samples)"
    lines = [f"  {total} samples of the engine thread (100/s while busy); raw stacks: {raw}", "  inclusive:"]
    lines += [f"    {100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(top)]
    lines += ["  self (leaf frames):"]
    lines += [f"    {100 * n / total:5.1f}%  {name}" for name, n in leaf.most_common(top // 2)]
    return "\n".join(lines)


# ---- output ----------------------------------------------------------------------------------------------


def figures(values: list[float]) -> tuple[float, float, float, float]:
    if not values:
        return (float("nan"),) * 4
    return percentile(values, 0.5), percentile(values, 0.9), percentile(values, 0.99), max(values)


def header() -> str:
    return (
        f"    {'':<9} {'pages':>7} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}   "
        f"{'visible p50':>11} {'p99':>8} {'max':>8}  {'timers/batch':>12} {'CPU':>5} {'declare/s':>9}"
    )


def row(label: str, run: Run) -> str:
    p50, p90, p99, top = figures(run.recorded_ms)
    v50, _v90, v99, vtop = figures(run.visible_ms)
    per_batch = run.fired / run.batches if run.batches else 0.0
    return (
        f"    {label:<9} {run.pages:>7} {p50:>8.1f} {p90:>8.1f} {p99:>8.1f} {top:>8.1f}   "
        f"{v50:>11.1f} {v99:>8.1f} {vtop:>8.1f}  {per_batch:>12.1f} {100 * run.engine_cpu:>4.0f}% "
        f"{run.escalations / run.declare_s if run.declare_s else 0.0:>9.0f}"
    )


def med(values: Any) -> float:
    return float(statistics.median(list(values)))


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--escalations", type=int, default=10_000, help="concurrent escalations (incidents)")
    parser.add_argument("--runs", type=int, default=3, help="runs per store; the summary quotes the medians")
    parser.add_argument(
        "--steps", type=int, default=3, choices=(2, 3, 4), help="steps per escalation, the first included"
    )
    parser.add_argument("--spread", type=int, default=60, help="seconds over which the triggers are spread")
    parser.add_argument("--settle", type=int, default=60, help="seconds to wait for stragglers after the last due")
    parser.add_argument("--databases", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument(
        "--postgres-admin-url",
        default=os.environ.get("WARROOM_BENCH_POSTGRES_URL", PG_ADMIN_URL),
        help=f"where to (re)create the {PG_BENCH_DB} database (default {PG_ADMIN_URL})",
    )
    parser.add_argument("--profile", action="store_true", help="py-spy samples the engine thread in the last run")
    args = parser.parse_args(argv)
    args.database_list = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = [d for d in args.database_list if d not in DATABASES]
    if unknown:
        parser.error(f"unknown database(s) {', '.join(unknown)}; use {', '.join(DATABASES)}")
    for name in ("escalations", "runs", "spread"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args


def bench_store(name: str, args: argparse.Namespace) -> StoreResult:
    version = f"SQLite {sqlite3.sqlite_version}" if name == "sqlite" else "PostgreSQL"
    result = StoreResult(name, version)
    print(f"\n== {name}: {args.escalations} escalations, steps 2..{args.steps} measured", flush=True)
    for number in range(1, args.runs + 1):
        with fresh_store(name, args) as url:
            run = run_once(url, args, profile=args.profile and number == args.runs)
        result.runs.append(run)
        print(header())
        print(row(f"run {number}", run))
        print(
            f"    declared {args.escalations} in {run.declare_s:.1f} s; fired {run.fired} timers in {run.batches} "
            f"committed batches; {run.pages} page rows of {run.expected} expected",
            flush=True,
        )
        if run.pages != run.expected:
            result.problems.append(f"run {number}: {run.pages} page rows, expected {run.expected}")
        if run.profile:
            print(f"\n  py-spy profile of the engine thread, {name} run {number}:\n{run.profile}")
    return result


def summary(results: list[StoreResult], args: argparse.Namespace) -> None:
    print("\n" + "=" * 110)
    print(f"SUMMARY: medians of {args.runs} run(s); {args.escalations} escalations, 1-minute steps,")
    print(f"  triggers spread over {args.spread} s (~{args.escalations / args.spread:.0f} steps due per second)")
    print(f"  machine: {machine()}; python {platform.python_version()}")
    print(f"  command: {shlex.join([sys.executable, *sys.argv])}  (cwd {Path.cwd()})")
    print(
        f"\n    {'store':<9} {'pages':>7} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}   "
        f"{'visible p50':>11} {'p99':>8} {'max':>8}  {'CPU':>5}  target p99 <= {TARGET_P99_MS:.0f} ms"
    )
    for r in results:
        if not r.runs:
            continue
        per_run = [figures(run.recorded_ms) for run in r.runs]
        visible = [figures(run.visible_ms) for run in r.runs]
        p99 = med(f[2] for f in per_run)
        print(
            f"    {r.name:<9} {med(run.pages for run in r.runs):>7.0f} {med(f[0] for f in per_run):>8.1f} "
            f"{med(f[1] for f in per_run):>8.1f} {p99:>8.1f} {med(f[3] for f in per_run):>8.1f}   "
            f"{med(v[0] for v in visible):>11.1f} {med(v[2] for v in visible):>8.1f} {med(v[3] for v in visible):>8.1f}"
            f"  {100 * med(run.engine_cpu for run in r.runs):>4.0f}%  {'met' if p99 <= TARGET_P99_MS else 'MISSED'}"
        )
    print(
        "  p50..max: paged_at - due_at (what the engine records); visible: when the step's transaction committed"
        " - due_at. CPU: this process (the engine thread) in % of one core while firing."
    )


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    configure_logging("warning")
    print(f"warroom engine bench: {shlex.join([sys.executable, *sys.argv])}")
    print(f"  machine: {machine()}; python {platform.python_version()}")
    results: list[StoreResult] = []
    try:
        for name in args.database_list:
            try:
                results.append(bench_store(name, args))
            except BenchError as error:
                print(f"\n== {name}: skipped: {error}")
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    if not any(r.runs for r in results):
        print("\nnothing was measured", file=sys.stderr)
        return 2
    summary(results, args)
    problems = [f"{r.name}: {p}" for r in results for p in r.problems]
    if problems:
        print("\nFAILED: steps missing or doubled:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
