"""Secrets never reach a log line or a response: a whole run with every credential configured, then a search.

The run pages by every channel, fails deliveries (Slack 500s, Twilio down, a refused SMTP login), refuses
forged Slack, Twilio and link requests, and reads the API; every log record (at DEBUG, every logger) and
every response body is searched for every credential.
"""

from __future__ import annotations

import logging
import urllib.parse
from datetime import UTC, datetime

import pytest
from slack_sdk.signature import SignatureVerifier

from tests.harness.delivery import delivery_app

T0 = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
WRONG_SMTP_PASSWORD = "configured-but-refused-smtp-password-e21"


def test_no_credential_reaches_a_log_line_or_a_response(
    database_url: str, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    bodies: list[str] = []
    with delivery_app(database_url, start=T0, smtp_password=WRONG_SMTP_PASSWORD) as run:
        app, providers = run.app, run.providers
        secrets = [*providers.secrets(), WRONG_SMTP_PASSWORD]
        providers.slack.fail_next(2, status=500)
        providers.twilio.down(True)
        first = run.declare("Payments down", "sev1")
        run.declare("Reports late", "sev2")  # e-mail: the login is refused with the configured password
        for _ in range(6):
            run.tick(60)
        providers.twilio.down(False)
        run.tick(600)

        # Forged requests at every door that checks a secret.
        raw = urllib.parse.urlencode({"command": "/incident", "text": "help", "user_id": "U0ANA"}).encode()
        stamp = str(int(app.clock.now().timestamp()))
        forged = SignatureVerifier("not-the-secret").generate_signature(timestamp=stamp, body=raw)
        for path, headers, body in (
            ("/hooks/slack/commands", {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": forged}, raw),
            ("/hooks/slack/interactive", {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": forged}, raw),
            ("/hooks/twilio/sms", {"X-Twilio-Signature": "forged"}, b"From=%2B15550101&Body=ack+1"),
            ("/hooks/mattermost/commands", {}, b"token=wrong&text=help"),
        ):
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            response = app.client.post(path, content=body, headers=headers)
            assert 400 <= response.status_code < 500, (path, response.status_code)
            bodies.append(response.text)
        bodies.append(app.client.post("/ack/forged.token").text)
        for path in (
            "/api/v1/playbook",
            f"/api/v1/incidents/INC-{first}",
            f"/api/v1/incidents/INC-{first}/timeline",
            f"/api/v1/incidents/INC-{first}/escalations",
            "/openapi.json",
            "/metrics",
        ):
            response = app.call("GET", path)
            assert response.status_code == 200, (path, response.text)
            bodies.append(response.text)
        bodies.append(repr(app.warroom.settings))
        assert providers.smtp.auth_failures >= 1, "the refused login happened, so its error was logged"

    captured = capsys.readouterr()
    logged = [record.getMessage() for record in caplog.records] + [captured.out, captured.err]
    assert any("delivery_failed" in line for line in logged), "the failures were logged"
    for secret in secrets:
        for where, texts in (("a log line", logged), ("a response", bodies)):
            leaked = [text[:200] for text in texts if secret in text]
            assert not leaked, f"{secret[:6]}... reached {where}: {leaked[0]}"
