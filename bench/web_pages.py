"""Web UI benchmark: server time per page with 10,000 incidents stored (SQLite).

A benchmark that prints figures, not a timed test. It migrates a fresh SQLite file, runs Warroom in-process on
a manual clock with the energy-audit playbook, and declares `--incidents` incidents through the incident
service (so each has its timeline, roles, escalation and pages like a real one). All but `--open` of them are
then marked closed in one UPDATE: setup only, to reach a realistic store quickly (closing each through the
service would not change what the pages read). One open incident gets notes and a sent update; one closed
incident is resolved through the service so it has a postmortem with an action item.

Each page is fetched through the ASGI app in-process (no sockets): the time is the server's, from the request
entering the app to the response body being complete. Each page is fetched `--runs` times after one warm-up;
the median and the maximum are printed in milliseconds.

    .venv/bin/python bench/web_pages.py                         # 10,000 incidents, 50 open, 9 runs
    .venv/bin/python bench/web_pages.py --incidents 1000 --runs 3

Target: every page under 200 ms (median). Exits non-zero only if a page does not answer 200.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.web.pages import create_account, sign_in, web_app

from warroom.auth.actors import AccessRole, Actor
from warroom.incidents.commands import AddNote, ChangeStatus, DeclareIncident
from warroom.incidents.lifecycle import Status
from warroom.postmortems.action_item_models import NewActionItem
from warroom.store.migrate import upgrade
from warroom.store.tables import incidents

TARGET_MS = 200.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--open", type=int, default=50)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/bench.db"
        upgrade(url)
        with web_app(url) as app:
            warroom = app.warroom
            actor = Actor("engineer1", AccessRole.RESPONDER)
            started = time.perf_counter()
            severities = ["sev1", "sev2", "sev3", "sev4"]
            for number in range(1, args.incidents + 1):
                warroom.incidents.declare(
                    actor,
                    DeclareIncident(title=f"Incident {number}: checkout errors", severity=severities[number % 4]),
                )
                if number % 500 == 0:
                    app.clock.advance(timedelta(minutes=7))
            declared_in = time.perf_counter() - started
            closed_below = args.incidents - args.open
            now = warroom.clock.now()
            with warroom.db.transaction() as tx:
                tx.execute(
                    update(incidents)
                    .where(incidents.c.id <= closed_below, incidents.c.id > 1)
                    .values(status=Status.CLOSED.value, resolved_at=now, closed_at=now)
                )
            resolved = "INC-1"
            warroom.incidents.change_status(actor, resolved, ChangeStatus(status=Status.RESOLVED, note="rolled back"))
            warroom.action_items.create(actor, resolved, NewActionItem(title="Add a canary stage"))
            busy = f"INC-{args.incidents}"
            for index in range(30):
                warroom.incidents.add_note(actor, busy, AddNote(text=f"note {index}", pinned=index % 10 == 0))
            create_account(app, "bench", person="engineer1")
            sign_in(app.client, "bench")

            pages = {
                "dashboard /": "/",
                "open incidents fragment": "/fragments/open-incidents",
                "incidents list": "/incidents",
                "incidents search": "/incidents?q=checkout&status=closed",
                "declare form": "/declare",
                f"incident page ({busy})": f"/incidents/{busy}",
                f"postmortem page ({resolved})": f"/incidents/{resolved}/postmortem",
                "on-call page": "/oncall",
                "alerts list": "/alerts",
                "playbook page": "/playbook",
                "reports (30d)": "/reports",
                "reports (365d)": "/reports?period=365d",
                "status page admin": "/status-admin",
                "postmortems list": "/postmortems",
                "action items list": "/action-items",
            }
            print(f"machine: {platform.machine()} {platform.processor() or ''} python {platform.python_version()}")
            print(f"store: SQLite, {args.incidents} incidents ({args.open} open), declared in {declared_in:.1f} s")
            print(f"{'page':<36} {'median ms':>10} {'max ms':>8}  target {TARGET_MS:.0f} ms")
            failed = False
            for name, path in pages.items():
                timings = []
                for run in range(args.runs + 1):
                    began = time.perf_counter()
                    answer = app.client.get(path)
                    elapsed = (time.perf_counter() - began) * 1000
                    if answer.status_code != 200:
                        print(f"{name}: HTTP {answer.status_code}", file=sys.stderr)
                        failed = True
                        break
                    if run:
                        timings.append(elapsed)
                if timings:
                    median = statistics.median(timings)
                    mark = "ok" if median < TARGET_MS else "OVER"
                    print(f"{name:<36} {median:>10.1f} {max(timings):>8.1f}  {mark}")
            return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
