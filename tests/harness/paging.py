"""Paging expectations in the manner of GoAlert's smoke tests.

The application pages through its real webhook channel to a loopback receiver; a test advances the manual
clock, lets the engine and the sender run, and states exactly which pages must have arrived since its last
statement. Any page it did not name fails the test, and so does a missing one.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from tests.harness.app import RunningApp, start_app
from tests.harness.webhook_receiver import WebhookReceiver
from warroom.clock import ManualClock
from warroom.playbook.schema import Playbook

PAGE_SECRET = "harness-page-secret"

Page = tuple[str, str]  # (person, method)


class Pager:
    def __init__(self, app: RunningApp, receiver: WebhookReceiver) -> None:
        self.app = app
        self.receiver = receiver
        self._seen = 0
        self.notices: list[dict[str, Any]] = []

    def tick(self, minutes: float = 0) -> datetime:
        """Let `minutes` pass on the manual clock, then run the engine and the sender."""
        now = self.app.clock.advance(timedelta(minutes=minutes)) if minutes else self.app.clock.now()
        self.app.warroom.engine.run_due()
        self.app.warroom.sender.deliver_due()
        return now

    def arrived(self) -> list[dict[str, Any]]:
        """Pages that reached the receiver since the last expectation, signatures verified.

        Communication notices ("update due", "deadline missed": kind `post`) reach the same webhook; they are
        kept apart in `notices` so that page expectations stay exact (tests/comms checks the notices)."""
        requests = self.receiver.requests()
        new = requests[self._seen :]
        self._seen = len(requests)
        bodies: list[dict[str, Any]] = []
        for request in new:
            expected = "sha256=" + hmac.new(PAGE_SECRET.encode(), request.body, hashlib.sha256).hexdigest()
            assert request.header("X-Warroom-Signature") == expected, "page signature does not verify"
            body = request.json
            (self.notices if body.get("kind") == "post" else bodies).append(body)
        return bodies

    def expect(self, *pages: Page) -> list[dict[str, Any]]:
        """Exactly these (person, method) pages arrived since the last expectation: no more, no fewer."""
        bodies = self.arrived()
        got = Counter((body["recipient"], body["method"]) for body in bodies)
        want = Counter(pages)
        assert got == want, f"pages: expected {sorted(want.elements())}, got {sorted(got.elements())}"
        return bodies

    def expect_people(self, *people: str) -> list[dict[str, Any]]:
        """Exactly these people were paged (by any methods) since the last expectation."""
        bodies = self.arrived()
        got = sorted({body["recipient"] for body in bodies})
        assert got == sorted(people), f"paged: expected {sorted(people)}, got {got}"
        return bodies

    def expect_nothing(self) -> None:
        self.expect()


@contextmanager
def paging_app(
    database_url: str, *, preset: str | None = None, playbook: Playbook | None = None, start: datetime | None = None
) -> Iterator[tuple[RunningApp, Pager]]:
    with WebhookReceiver() as receiver:
        app = start_app(
            database_url,
            playbook=playbook,
            preset=preset,
            clock=ManualClock(start) if start else None,
            page_webhook_url=receiver.url_for("/pages"),
            page_webhook_secret=PAGE_SECRET,
        )
        try:
            yield app, Pager(app, receiver)
        finally:
            app.client.close()
            app.warroom.close()
