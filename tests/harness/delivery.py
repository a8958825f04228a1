"""The application with every real channel configured, each pointed at its loopback fake.

Slack (FakeSlack), Twilio SMS and voice (FakeTwilio), e-mail (a real aiosmtpd server with STARTTLS and
AUTH), ntfy push (a webhook receiver). Tests advance the manual clock and call `tick()` to let the engine
and the sender run; every provider then holds exactly what was delivered.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.harness.app import RunningApp, start_app
from tests.harness.fake_slack import FakeSlack
from tests.harness.fake_twilio import FakeTwilio
from tests.harness.smtp_server import SmtpServer
from tests.harness.webhook_receiver import WebhookReceiver
from warroom.clock import ManualClock
from warroom.playbook.loader import load_playbook
from warroom.playbook.schema import Playbook

DELIVERY_PLAYBOOK = Path(__file__).parent.parent / "notify" / "fixtures" / "delivery.yaml"

SLACK_TOKEN = "xoxb-harness-bot-token-5d1e"
SLACK_SIGNING_SECRET = "harness-slack-signing-secret-91c2"
SMTP_USER = "pager"
SMTP_PASSWORD = "harness-smtp-password-4b7e"
NTFY_TOKEN = "tk_harness_ntfy_token_a8f0"
SECRET_KEY = "harness-ack-link-key-0c3d"


@dataclass
class Providers:
    slack: FakeSlack
    twilio: FakeTwilio
    smtp: SmtpServer
    ntfy: WebhookReceiver

    def secrets(self) -> list[str]:
        """Every credential the application was given: none may reach a log line or a response."""
        return [SLACK_TOKEN, SLACK_SIGNING_SECRET, SMTP_PASSWORD, NTFY_TOKEN, SECRET_KEY, self.twilio.auth_token]


@dataclass
class DeliveryRun:
    app: RunningApp
    providers: Providers

    def tick(self, seconds: float = 0) -> datetime:
        """Let time pass on the manual clock, then run the engine and the sender."""
        clock = self.app.clock
        now = clock.advance(timedelta(seconds=seconds)) if seconds else clock.now()
        self.app.warroom.engine.run_due()
        self.app.warroom.sender.deliver_due()
        return now

    def declare(self, title: str, severity: str, **fields: Any) -> int:
        response = self.app.call("POST", "/api/v1/incidents", json={"title": title, "severity": severity, **fields})
        assert response.status_code == 201, response.text
        number = int(response.json()["number"])
        self.tick()
        return number


@contextmanager
def delivery_app(
    database_url: str,
    *,
    start: datetime,
    playbook: Playbook | None = None,
    smtp_password: str = SMTP_PASSWORD,
    **settings: Any,
) -> Iterator[DeliveryRun]:
    with ExitStack() as stack:
        slack = stack.enter_context(FakeSlack(token=SLACK_TOKEN))
        twilio = stack.enter_context(FakeTwilio())
        smtp = stack.enter_context(SmtpServer("starttls", username=SMTP_USER, password=SMTP_PASSWORD))
        ntfy = stack.enter_context(WebhookReceiver())
        values: dict[str, Any] = {
            "public_url": "https://warroom.example",
            "secret_key": SECRET_KEY,
            "slack_api_url": slack.api_url,
            "slack_bot_token": SLACK_TOKEN,
            "slack_signing_secret": SLACK_SIGNING_SECRET,
            "twilio_api_url": twilio.url,
            "twilio_account_sid": twilio.account_sid,
            "twilio_auth_token": twilio.auth_token,
            "twilio_from": "+15550000",
            "smtp_host": smtp.host,
            "smtp_port": smtp.port,
            "smtp_security": "starttls",
            "smtp_username": SMTP_USER,
            "smtp_password": smtp_password,
            "smtp_ca_file": smtp.ca_file,
            "smtp_from": "Warroom <warroom@example.com>",
            "ntfy_url": ntfy.url,
            "ntfy_token": NTFY_TOKEN,
            **settings,
        }
        app = start_app(
            database_url, playbook=playbook or load_playbook(DELIVERY_PLAYBOOK), clock=ManualClock(start), **values
        )
        try:
            yield DeliveryRun(app, Providers(slack, twilio, smtp, ntfy))
        finally:
            app.client.close()
            app.warroom.close()
