"""Ingest benchmark: sustained events/s and p50/p99 latency of `POST /v2/enqueue` with dedup.

A benchmark that prints figures, not a timed test. For each store (SQLite, PostgreSQL) it starts a fresh
store and a real server (`warroom serve`, uvicorn) on a free port, creates an Events v2 integration, warms
up, then for each run drives the server with wrk (64 keep-alive connections by default):

  1. the no-op endpoint `POST /_bench/noop` (same body read and validated, no store): the ceiling;
  2. `POST /v2/enqueue`: triggers whose dedup keys are drawn from a pool (200 by default). Each run uses a
     fresh pool, so the first event of each key opens an alert and its incident and all the others are
     repeats attaching to the open alert.

It prints a table per run and the medians across runs, checks the store afterwards (open alerts <= keys
per pool, every 2xx counted in the alerts' event counts) and exits non-zero only if a request failed or
the store is wrong; a missed target is reported, never a failure.

The load generator is wrk (C): a Python client would take the CPU the server needs on a 2-core machine.

    .venv/bin/python bench/ingest.py --runs 3 --duration 10
    make bench            # installs wrk if missing, then runs this with the defaults
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import platform
import re
import resource
import shlex
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from machine_facts import machine  # bench/ is on sys.path when a bench runs as a script

BENCH_DIR = Path(__file__).resolve().parent
LUA_SCRIPT = BENCH_DIR / "enqueue.lua"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
PG_BENCH_DB = "warroom_bench"
DATABASES = ("sqlite", "postgres")
NOOP_PATH = "/_bench/noop"
ENQUEUE_PATH = "/v2/enqueue"
TARGET_RATE = 2000.0  # events/s on SQLite
TARGET_P99_MS = 50.0
TARGET_RATIO = 0.5  # of the no-op ceiling
CLK_TCK = os.sysconf("SC_CLK_TCK")


class BenchError(RuntimeError):
    """The bench could not run (setup failed): exit 2."""


# ---- wrk -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """One wrk invocation against one endpoint."""

    endpoint: str
    requests: int
    duration_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    non2xx: int
    codes: str
    socket_errors: int
    distinct_keys: int
    server_cpu: float  # share of one core used by the server process over the run
    wrk_cpu: float  # share of one core used by wrk
    other_cpu: float  # the rest of the machine, in cores: PostgreSQL's processes, and anything else running

    @property
    def rate(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    @property
    def failures(self) -> int:
        return self.non2xx + self.socket_errors


def wrk_binary() -> str | None:
    return shutil.which("wrk")


def wrk_version(wrk: str) -> str:
    done = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)
    found = re.search(r"wrk \S+", done.stdout or done.stderr)
    return found.group(0) if found else "wrk (unknown version)"


def parse_wrk(output: str) -> dict[str, str]:
    for line in output.splitlines():
        if line.startswith("BENCH "):
            return dict(item.split("=", 1) for item in line.split()[1:])
    raise BenchError(f"wrk printed no BENCH line; its output was:\n{output}")


def process_ticks(pid: int) -> int:
    """utime + stime of a process (all its threads), in clock ticks."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])


def machine_busy_ticks() -> int:
    """Clock ticks all CPUs spent busy (neither idle nor waiting for I/O) since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle, iowait = values[3], values[4]
    return sum(values[:8]) - idle - iowait


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Load:
    wrk: str
    connections: int
    threads: int
    keys: int

    def run(self, base_url: str, path: str, routing_key: str, prefix: str, seconds: int, server_pid: int) -> Measure:
        command = [
            self.wrk,
            f"-t{self.threads}",
            f"-c{self.connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            str(LUA_SCRIPT),
            base_url + path,
            "--",
            routing_key,
            str(self.keys),
            prefix,
        ]
        ticks, busy, wrk_cpu = process_ticks(server_pid), machine_busy_ticks(), children_cpu_seconds()
        started = time.monotonic()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        wall = time.monotonic() - started
        server_cpu = (process_ticks(server_pid) - ticks) / CLK_TCK / wall
        wrk_cpu = (children_cpu_seconds() - wrk_cpu) / wall
        other_cpu = max(0.0, (machine_busy_ticks() - busy) / CLK_TCK / wall - server_cpu - wrk_cpu)
        if done.returncode != 0:
            raise BenchError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
        n = parse_wrk(done.stdout)
        socket_errors = sum(int(n[k]) for k in ("err_connect", "err_read", "err_write", "err_timeout"))
        return Measure(
            endpoint=path,
            requests=int(n["requests"]),
            duration_s=int(n["duration_us"]) / 1e6,
            p50_ms=int(n["p50_us"]) / 1000,
            p90_ms=int(n["p90_us"]) / 1000,
            p99_ms=int(n["p99_us"]) / 1000,
            max_ms=int(n["max_us"]) / 1000,
            non2xx=int(n["non2xx"]),
            codes=n["codes"] or "-",
            socket_errors=socket_errors,
            distinct_keys=int(n["distinct_keys"]),
            server_cpu=server_cpu,
            wrk_cpu=wrk_cpu,
            other_cpu=other_cpu,
        )


# ---- the server ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def warroom_binary() -> str:
    beside = Path(sys.executable).parent / "warroom"
    if beside.exists():
        return str(beside)
    found = shutil.which("warroom")
    if found is None:
        raise BenchError("the `warroom` command is not installed: run `make install` and use .venv/bin/python")
    return found


def http(method: str, url: str, token: str | None = None, body: dict[str, Any] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        raise BenchError(f"{method} {url} answered {error.code}: {error.read().decode(errors='replace')}") from None


class Server:
    """`warroom serve` as a subprocess on a free port, with the no-op endpoint on."""

    def __init__(self, database_url: str, workdir: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        self.log_path = workdir / "server.log"
        self.env = dict(os.environ)
        playbook = self.env.get("WARROOM_PLAYBOOK")
        if playbook:  # the server runs in a scratch directory: keep a relative playbook path meaning the same
            self.env["WARROOM_PLAYBOOK"] = str(Path(playbook).resolve())
        self.env.update(
            WARROOM_DATABASE_URL=database_url,
            WARROOM_HOST="127.0.0.1",
            WARROOM_PORT=str(self.port),
            WARROOM_PUBLIC_URL=self.base_url,
            WARROOM_NOOP_ENDPOINT="1",
            WARROOM_LOG_LEVEL="warning",
        )
        self.process: subprocess.Popen[bytes] | None = None
        self.token = ""

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        warroom = warroom_binary()
        upgrade = subprocess.run(
            [warroom, "db", "upgrade"], cwd=self.workdir, env=self.env, capture_output=True, text=True, check=False
        )
        if upgrade.returncode != 0:
            raise BenchError(f"`warroom db upgrade` failed:\n{upgrade.stdout}{upgrade.stderr}")
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [warroom, "serve"], cwd=self.workdir, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"the server exited ({self.process.returncode}):\n{self.log_tail()}")
            with contextlib.suppress(OSError, BenchError, ValueError):
                if http("GET", self.base_url + "/healthz") == {"status": "ok"}:
                    break
            time.sleep(0.2)
        else:
            raise BenchError(f"the server did not answer /healthz within 60 s:\n{self.log_tail()}")
        tokens = re.findall(r"^(wr_\S+)\s*$", self.log_path.read_text(errors="replace"), re.MULTILINE)
        if not tokens:
            raise BenchError(f"the server printed no first admin token (a fresh store?):\n{self.log_tail()}")
        self.token = tokens[0]

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)  # uvicorn shuts down gracefully, then warroom.close()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    # ---- the API calls the bench needs ----

    def create_integration(self) -> str:
        answer = http("GET", self.base_url + "/api/v1/playbook", self.token)
        services = (answer.get("playbook") or {}).get("services") or []
        service = services[0]["key"] if services else "api"
        body = {"key": "bench", "name": "Bench", "kind": "events_v2", "service": service}
        created = http("POST", self.base_url + "/api/v1/integrations", self.token, body)
        key: str = created["secret_key"]
        return key

    def open_alerts(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            url = self.base_url + "/api/v1/alerts?status=open&limit=500" + (f"&cursor={cursor}" if cursor else "")
            page = http("GET", url, self.token)
            items.extend(page["items"])
            cursor = page.get("next_cursor")
            if not cursor:
                return items


# ---- stores ----------------------------------------------------------------------------------------------


def postgres_bench_url(admin_url: str) -> tuple[str | None, str]:
    """Drop and recreate the bench database; (its URL, the server version) or (None, why not)."""
    try:
        import psycopg
        from sqlalchemy.engine import make_url
    except ImportError as error:
        return None, f"cannot import {error.name}: run inside the project's venv"
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
            version = connection.execute("SHOW server_version").fetchone()
            connection.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
            connection.execute(f"CREATE DATABASE {PG_BENCH_DB}")
    except psycopg.Error as error:
        return None, f"cannot prepare database {PG_BENCH_DB} through {admin_url}: {str(error).strip()}"
    url = make_url(admin_url).set(database=PG_BENCH_DB).render_as_string(hide_password=False)
    return url, f"PostgreSQL {version[0] if version else '?'}"


# ---- profiling -------------------------------------------------------------------------------------------


def py_spy_binary() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def thread_of(frames: list[str]) -> str:
    joined = ";".join(frames)
    for marker, name in (
        ("GroupCommit._loop", "group-commit writer thread (all store work)"),
        ("Engine.start", "engine timer thread"),
        ("Runner.run (asyncio", "event loop thread (HTTP, FastAPI, parsing)"),
    ):
        if marker in joined:
            return name
    return "other threads (mostly threadpool workers waiting)"


def summarize_profile(raw: Path, top: int = 15) -> str:
    """Hot spots from py-spy's raw (collapsed) output: the deepest src/warroom frame of each sample, and self time."""
    ours: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    leaf: collections.Counter[str] = collections.Counter()
    threads: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = stack.split(";")
        leaf[frames[-1]] += count
        threads[thread_of(frames)] += count
        mine = [f for f in frames if "(warroom/" in f and "warroom/cli/serve.py" not in f]
        ours[mine[-1] if mine else "(outside src/warroom: uvicorn/starlette/asyncio/threads)"] += count
        for function in {re.sub(r":\d+\)$", ")", f) for f in mine}:
            inclusive[function] += count
    if not total:
        return "  (no samples)"

    def table(title: str, counter: collections.Counter[str]) -> list[str]:
        rows = [f"  {title}"]
        rows += [f"    {100 * n / total:5.1f}%  {name}" for name, n in counter.most_common(top)]
        return rows

    lines = [f"  {total} samples (100 per second per busy thread)"]
    lines += table("by thread:", threads)
    lines += table("where the time goes, by the deepest src/warroom frame (lines):", ours)
    lines += table("inclusive time of src/warroom functions:", inclusive)
    lines += table("self time (leaf frames, any module):", leaf)
    return "\n".join(lines)


# ---- the run ---------------------------------------------------------------------------------------------


@dataclass
class StoreResult:
    name: str
    version: str
    runs: list[tuple[Measure, Measure]] = field(default_factory=list)  # (noop, enqueue) per run
    open_alerts: int = 0
    event_count_sum: int = 0
    incidents: int = 0  # distinct incidents the open alerts are attached to
    problems: list[str] = field(default_factory=list)
    profile: str = ""


def header() -> str:
    return (
        f"  {'endpoint':<20} {'events/s':>9} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'non-2xx':>7} {'sock err':>8} {'server CPU':>10} {'wrk CPU':>7} {'other CPU':>9}  status codes"
    )


def row(label: str, m: Measure) -> str:
    return (
        f"  {label:<20} {m.rate:>9.0f} {m.p50_ms:>8.1f} {m.p90_ms:>8.1f} {m.p99_ms:>8.1f} {m.max_ms:>8.1f} "
        f"{m.non2xx:>7} {m.socket_errors:>8} {100 * m.server_cpu:>9.0f}% {100 * m.wrk_cpu:>6.0f}% "
        f"{100 * m.other_cpu:>8.0f}%  {m.codes}"
    )


def bench_store(name: str, database_url: str, version: str, load: Load, args: argparse.Namespace) -> StoreResult:
    result = StoreResult(name, version)
    enqueue_measures: list[Measure] = []
    with tempfile.TemporaryDirectory(prefix=f"warroom-bench-{name}-") as scratch:
        if name == "sqlite":
            database_url = f"sqlite:///{Path(scratch) / 'warroom.db'}"
        server = Server(database_url, Path(scratch))
        try:
            server.start()
            routing_key = server.create_integration()
            print(f"\n== {name} ({version}): server pid {server.pid} on {server.base_url}", flush=True)

            def drive(path: str, prefix: str, seconds: int) -> Measure:
                measure = load.run(server.base_url, path, routing_key, prefix, seconds, server.pid)
                if path == ENQUEUE_PATH:
                    enqueue_measures.append(measure)
                time.sleep(1)  # requests wrk left in flight finish before the next measurement
                return measure

            if args.warmup > 0:
                drive(NOOP_PATH, f"{name}-warm", args.warmup)
                warm = drive(ENQUEUE_PATH, f"{name}-warm", args.warmup)
                print(f"  warm-up: {args.warmup} s no-op + {args.warmup} s enqueue ({warm.rate:.0f} events/s)")
            for number in range(1, args.runs + 1):
                prefix = f"{name}-r{number}"
                noop = drive(NOOP_PATH, prefix, args.duration)
                enqueue = drive(ENQUEUE_PATH, prefix, args.duration)
                result.runs.append((noop, enqueue))
                print(f"\n  {name} run {number}/{args.runs}: {args.duration} s each, {load.connections} connections")
                print(header())
                print(row("no-op (ceiling)", noop))
                print(row("/v2/enqueue", enqueue))
                repeats = enqueue.requests - enqueue.distinct_keys
                share = 100 * enqueue.distinct_keys / enqueue.requests if enqueue.requests else 0.0
                print(
                    f"  enqueue/no-op {enqueue.rate / noop.rate if noop.rate else 0:.2f}; mix: "
                    f"{enqueue.distinct_keys} new alerts+incidents ({share:.2f}%), {repeats} repeats",
                    flush=True,
                )
            if args.profile > 0:
                result.profile = profile_run(server, args, drive)
            check_store(server, result, enqueue_measures, load)
        finally:
            server.stop()
    return result


def profile_run(server: Server, args: argparse.Namespace, drive: Callable[[str, str, int], Measure]) -> str:
    """An extra enqueue run (not in the figures) with py-spy recording the server."""
    py_spy = py_spy_binary()
    if py_spy is None:
        return "  py-spy is not installed: `.venv/bin/pip install py-spy`"
    raw = server.workdir / "profile.txt"
    seconds = max(args.duration, args.profile + 2)
    command = [py_spy, "record", "-o", str(raw), "--format", "raw", "-d", str(args.profile), "--pid", str(server.pid)]
    if args.profile_gil:
        command.append("--gil")
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as spy:
        time.sleep(0.5)
        measure = drive(ENQUEUE_PATH, "profile", seconds)
        _, error = spy.communicate(timeout=60)
    if not raw.exists():
        return f"  py-spy failed: {error.strip()}"
    kept = Path(tempfile.gettempdir()) / f"warroom-bench-profile-{server.port}.txt"
    shutil.copy(raw, kept)
    lines = [
        f"  profiled enqueue run: {measure.rate:.0f} events/s, p99 {measure.p99_ms:.1f} ms under py-spy "
        f"({'GIL holder only' if args.profile_gil else 'all non-idle threads'}), raw stacks in {kept}",
        summarize_profile(raw),
    ]
    return "\n".join(lines)


def check_store(server: Server, result: StoreResult, enqueues: list[Measure], load: Load) -> None:
    """Dedup worked (one open alert per distinct key) and every event answered 2xx was counted."""
    alerts = server.open_alerts()
    result.open_alerts = len(alerts)
    result.event_count_sum = sum(int(a.get("event_count") or 0) for a in alerts)
    result.incidents = len({a["incident"] for a in alerts if a.get("incident")})
    pools = len(enqueues)
    distinct = sum(m.distinct_keys for m in enqueues)
    answered = sum(m.requests - m.non2xx for m in enqueues)
    in_flight = load.connections * pools  # wrk drops what is in flight when it stops; the server still commits it
    print(
        f"\n  store check: {result.open_alerts} open alerts on {result.incidents} incidents "
        f"for {distinct} distinct dedup keys sent "
        f"({pools} pools of at most {load.keys}); event counts add up to {result.event_count_sum} "
        f"for {answered} events answered 2xx (+ at most {in_flight} left in flight by wrk)"
    )
    if result.open_alerts > load.keys * pools or result.open_alerts > distinct:
        result.problems.append(f"dedup failed: {result.open_alerts} open alerts for {distinct} distinct keys")
    if result.event_count_sum < answered:
        result.problems.append(f"lost events: {answered} answered 2xx but the alerts count {result.event_count_sum}")
    if result.event_count_sum > answered + in_flight:
        result.problems.append(f"events counted twice: {result.event_count_sum} counted for {answered} answered")
    for noop, enqueue in result.runs:
        for m in (noop, enqueue):
            if m.failures:
                result.problems.append(
                    f"{m.endpoint}: {m.non2xx} non-2xx answers ({m.codes}), {m.socket_errors} socket errors"
                )


def summary(results: list[StoreResult], args: argparse.Namespace, wrk: str) -> None:
    print("\n" + "=" * 100)
    print(f"SUMMARY: medians of {args.runs} run(s) of {args.duration} s, {args.connections} keep-alive connections")
    print(f"  machine: {machine()}")
    print(f"  wrk: {wrk_version(wrk)}, {args.threads} threads; python {platform.python_version()}")
    print(f"  command: {shlex.join([sys.executable, *sys.argv])}  (cwd {Path.cwd()})")
    print(
        f"  load: PagerDuty Events v2 triggers, dedup keys drawn uniformly from a fresh pool of {args.keys} per run; "
        "the first event of a key opens an alert and an incident, the rest are repeats"
    )
    print(
        f"\n  {'store':<10} {'no-op ev/s':>10} {'p50 ms':>7} {'p99 ms':>7} {'enqueue ev/s':>12} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'enq/no-op':>9} {'server CPU':>10} {'other CPU':>9} {'new/run':>7}"
    )
    for r in results:
        if not r.runs:
            continue
        noop = [n for n, _ in r.runs]
        enq = [e for _, e in r.runs]
        ratio = statistics.median(e.rate / n.rate for n, e in r.runs if n.rate)
        print(
            f"  {r.name:<10} {med(m.rate for m in noop):>10.0f} {med(m.p50_ms for m in noop):>7.1f} "
            f"{med(m.p99_ms for m in noop):>7.1f} {med(m.rate for m in enq):>12.0f} {med(m.p50_ms for m in enq):>7.1f} "
            f"{med(m.p99_ms for m in enq):>7.1f} {ratio:>9.2f} {100 * med(m.server_cpu for m in enq):>9.0f}% "
            f"{100 * med(m.other_cpu for m in enq):>8.0f}% {med(m.distinct_keys for m in enq):>7.0f}"
        )
    print(
        "  CPU columns are in % of one core, during the enqueue runs. server: one Python process (one event loop,"
        " one GIL) tops out near 100%, where the server itself is the bottleneck. other: the rest of the machine,"
        " i.e. PostgreSQL's own processes on the postgres line; on the sqlite line it should be near 0"
    )
    for r in results:
        noisy = [m.other_cpu for pair in r.runs for m in pair]
        if r.name == "sqlite" and noisy and med(noisy) > 0.2:
            print(
                f"  WARNING: something else used {100 * med(noisy):.0f}% of a core during the sqlite runs (median):"
                " the machine was not quiet, so these figures are low; run again on a quiet machine"
            )
    print("\n  targets (SQLite; the PostgreSQL line is for reference):")
    for r in results:
        if not r.runs:
            continue
        rate = med(e.rate for _, e in r.runs)
        p99 = med(e.p99_ms for _, e in r.runs)
        ratio = statistics.median(e.rate / n.rate for n, e in r.runs if n.rate)
        checks = [
            f"events/s {rate:.0f} >= {TARGET_RATE:.0f}: {verdict(rate >= TARGET_RATE)}",
            f"p99 {p99:.1f} ms <= {TARGET_P99_MS:.0f} ms: {verdict(p99 <= TARGET_P99_MS)}",
            f"enqueue/no-op {ratio:.2f} >= {TARGET_RATIO}: {verdict(ratio >= TARGET_RATIO)}",
        ]
        label = r.name if r.name == "sqlite" else f"{r.name} (ref)"
        print(f"    {label:<16} " + "; ".join(checks))
    for r in results:
        if r.runs:
            print(
                f"  store check {r.name}: {r.open_alerts} open alerts on {r.incidents} incidents, "
                f"event counts sum {r.event_count_sum}: " + ("OK" if not r.problems else "FAILED")
            )
    for r in results:
        if r.profile:
            print(f"\n  py-spy profile, {r.name}:\n{r.profile}")


def med(values: Any) -> float:
    return float(statistics.median(list(values)))


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """So that `kill` of the bench still stops the server it started (the finally blocks run)."""

    def interrupt(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs per store; the summary quotes the medians")
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint per run")
    parser.add_argument("--connections", type=int, default=64, help="concurrent keep-alive connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--databases", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--keys", type=int, default=200, help="dedup key pool size (per run)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per endpoint")
    parser.add_argument(
        "--postgres-admin-url",
        default=os.environ.get("WARROOM_BENCH_POSTGRES_URL", PG_ADMIN_URL),
        help=f"where to (re)create the {PG_BENCH_DB} database (default {PG_ADMIN_URL})",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="SECONDS",
        help="after the runs, an extra enqueue run with py-spy recording the server this long",
    )
    parser.add_argument("--profile-gil", action="store_true", help="py-spy samples only the thread holding the GIL")
    args = parser.parse_args(argv)
    args.database_list = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = [d for d in args.database_list if d not in DATABASES]
    if unknown:
        parser.error(f"unknown database(s) {', '.join(unknown)}; use {', '.join(DATABASES)}")
    for name in ("runs", "duration", "connections", "threads", "keys"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    wrk = wrk_binary()
    if wrk is None:
        print(
            "wrk (the load generator) is not installed. Get it with `apt-get install wrk` "
            "(Debian/Ubuntu, as root), or run `make bench`, which installs it and then runs this bench.",
            file=sys.stderr,
        )
        return 2
    load = Load(wrk, args.connections, args.threads, args.keys)
    print(f"warroom ingest bench: {shlex.join([sys.executable, *sys.argv])}")
    print(f"  machine: {machine()}; python {platform.python_version()}; {wrk_version(wrk)}")
    results: list[StoreResult] = []
    try:
        with sigterm_as_interrupt():
            for name in args.database_list:
                if name == "sqlite":
                    results.append(bench_store(name, "", f"SQLite {sqlite3.sqlite_version}", load, args))
                    continue
                url, version = postgres_bench_url(args.postgres_admin_url)
                if url is None:
                    print(f"\n== postgres: skipped: {version}")
                    continue
                results.append(bench_store(name, url, version, load, args))
    except BenchError as error:
        print(f"\nbench could not run: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    if not results:
        print("\nnothing was measured: every store asked for was skipped", file=sys.stderr)
        return 2
    summary(results, args, wrk)
    problems = [f"{r.name}: {p}" for r in results for p in r.problems]
    if problems:
        print("\nFAILED: the figures above do not count:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
