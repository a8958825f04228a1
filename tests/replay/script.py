"""A scripted alert history, made by the real application on a manual clock, with every provider on loopback.

At T0 = 2026-01-06 02:00 UTC (03:00 in Berlin: night) three DiskFull alerts arrive one minute apart, each in a
source group of its own: a1 (cluster eu), a2 (eu), a3 (us). All are critical, so SEV-1, paged by the fixture's
chain: the primary schedule (alice this week), then after 5 minutes bob. People respond:
- a1's incident: alice acknowledges at T0+3m (3 minutes after it opened);
- a2's incident: nobody acknowledges (the chain pages alice, then bob at T0+6m);
- a3's incident: bob acknowledges at T0+12m (10 minutes after it opened, after the chain reached him).
The alerts resolve at T0+30m (the incidents go to monitoring), and a person resolves all three at T0+40m.
An older alert, two hours before, is outside the replay window.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.harness.alerting import FIXTURE, alerting_playbook, create_integration
from tests.harness.delivery import DeliveryRun, delivery_app
from tests.harness.webhook_receiver import WebhookReceiver
from warroom.alerts.events import Action, AlertBatch, AlertEvent
from warroom.auth.actors import AccessRole, Actor
from warroom.incidents.commands import ChangeStatus
from warroom.incidents.lifecycle import Status
from warroom.playbook.loader import parse_playbook
from warroom.playbook.schema import Playbook

T0 = datetime(2026, 1, 6, 2, 0, tzinfo=UTC)
SINCE = T0 - timedelta(hours=1)
UNTIL = T0 + timedelta(hours=2)
GROUP_BY_CLUSTER = """    - name: disks by cluster
      match: {alertname: DiskFull}
      group_by: [cluster]
"""


def candidate_text() -> str:
    text = FIXTURE.read_text(encoding="utf-8")
    return text.replace("  routes:\n", "  routes:\n" + GROUP_BY_CLUSTER, 1)


def candidate_playbook() -> Playbook:
    return parse_playbook(candidate_text(), "candidate.yaml")


def disk_full(key: str, cluster: str) -> AlertEvent:
    return AlertEvent(
        Action.TRIGGER,
        key,
        summary=f"Disk full on {key}",
        source=f"node-{key}",
        source_severity="critical",
        alert_name="DiskFull",
        group_key=f"group-{key}",  # three source groups: the current playbook keeps them apart
        labels={"alertname": "DiskFull", "cluster": cluster, "node": key},
    )


@dataclass
class ScriptedHistory:
    run: DeliveryRun
    pages: WebhookReceiver
    incidents: dict[str, int]  # alert key -> real incident

    def received(self) -> dict[str, int]:
        """How much every loopback provider has received so far."""
        providers = self.run.providers
        return {
            "page webhook": len(self.pages.requests()),
            "slack": len(providers.slack.received),
            "twilio": len(providers.twilio.requests),
            "smtp": len(providers.smtp.received),
            "ntfy": len(providers.ntfy.requests()),
        }


@contextmanager
def scripted_history(database_url: str) -> Iterator[ScriptedHistory]:
    with ExitStack() as stack:
        pages = stack.enter_context(WebhookReceiver())
        run = stack.enter_context(
            delivery_app(
                database_url,
                start=T0 - timedelta(hours=3),
                playbook=alerting_playbook(),
                page_webhook_url=pages.url_for("/pages"),
            )
        )
        yield ScriptedHistory(run, pages, _play(run))


def _play(run: DeliveryRun) -> dict[str, int]:
    app = run.app
    secret = create_integration(app, "events_v2", "checks")
    integration = app.warroom.integrations.by_secret_key(secret)

    def at(minutes: float, *events: AlertEvent) -> list[Any]:
        app.clock.set(T0 + timedelta(minutes=minutes))
        outcomes = app.warroom.alerts.receive(integration, AlertBatch(events)) if events else []
        run.tick()
        return outcomes

    people = {name: Actor(name, AccessRole.RESPONDER) for name in ("alice", "bob")}
    (old,) = at(-120, disk_full("old", "eu"))  # before the window: not replayed
    at(-110, AlertEvent(Action.RESOLVE, "old"))
    resolved = ChangeStatus(status=Status.RESOLVED, note="disks cleaned")
    app.warroom.incidents.change_status(people["alice"], f"INC-{old.incident_id}", resolved)
    incidents: dict[str, int] = {}
    for minute, (key, cluster) in enumerate((("a1", "eu"), ("a2", "eu"), ("a3", "us"))):
        (outcome,) = at(minute, disk_full(key, cluster))
        assert outcome.result == "created"
        incidents[key] = outcome.incident_id
    at(3)
    app.warroom.incidents.acknowledge(people["alice"], f"INC-{incidents['a1']}")
    for minute in (5, 6, 7, 10):
        at(minute)
    at(12)
    app.warroom.incidents.acknowledge(people["bob"], f"INC-{incidents['a3']}")
    at(30, *(AlertEvent(Action.RESOLVE, key) for key in incidents))
    at(40)
    for number in incidents.values():
        app.warroom.incidents.change_status(people["alice"], f"INC-{number}", resolved)
    at(60)
    app.clock.set(UNTIL)
    return incidents
