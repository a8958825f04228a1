"""Messages reach real (loopback) Slack and SMTP servers, and a clock is met by the real delivery only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from tests.harness.delivery import DeliveryRun, delivery_app
from warroom.playbook.loader import load_preset
from warroom.store.tables import timeline_events

T0 = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
FIELDS: dict[str, str] = yaml.safe_load((Path(__file__).parent / "fixtures" / "fields.yaml").read_text())
LEADERS = ["vp@energyaudit.example.com", "cto@energyaudit.example.com"]


def fields_for(run: DeliveryRun, template: str) -> dict[str, str]:
    listed = {t["key"]: t for t in run.app.call("GET", "/api/v1/comms/templates").json()}
    return {name: str(FIELDS[name]) for name in listed[template]["required_fields"]}


def send(run: DeliveryRun, ref: str, template: str) -> Any:
    response = run.app.call(
        "POST", "/api/v1/comms/send", json={"incident": ref, "template": template, "fields": fields_for(run, template)}
    )
    assert response.status_code == 201, response.text
    return response.json()


def clock(run: DeliveryRun, ref: str, key: str) -> dict[str, Any]:
    state = run.app.call("GET", f"/api/v1/incidents/{ref}/comms").json()
    return next(c for c in state["clocks"] if c["key"] == key)


def test_a_slack_post_and_a_leadership_email_arrive_and_meet_their_clocks(database_url: str) -> None:
    with delivery_app(
        database_url,
        start=T0,
        playbook=load_preset("energy-audit"),
        audience_recipients={"leadership-email": LEADERS},
    ) as run:
        run.providers.slack.add_channel("incidents")
        number = run.declare(
            "Sign-in failing for all users",
            "sev1",
            services=["auth"],
            impact_statement="Nobody can sign in",
            roles={"incident_commander": "engineer1"},
        )
        ref = f"INC-{number}"
        run.tick(5 * 60)
        sent = send(run, ref, "slack-incident-start")
        assert sent["reached_at"] is None  # queued, not yet delivered
        assert clock(run, ref, "incident-start-slack")["state"] == "running"
        run.tick()
        [post] = run.providers.slack.channel_named("incidents").messages  # type: ignore[union-attr]
        assert "Sign-in failing for all users" in post["text"]
        met = clock(run, ref, "incident-start-slack")
        assert met["state"] == "met" and met["met_at"].startswith("2026-03-05T14:05:00")

        run.tick(30 * 60)
        for call in (
            (
                "PATCH",
                f"/api/v1/incidents/{ref}",
                {"root_cause": "Expired OIDC client secret", "resolution": "Rotated the secret and restarted auth"},
            ),
            ("POST", f"/api/v1/incidents/{ref}/mitigation", {"note": "secret rotated"}),
            ("POST", f"/api/v1/incidents/{ref}/status", {"status": "resolved"}),
        ):
            response = run.app.call(call[0], call[1], json=call[2])
            assert response.status_code == 200, response.text
        send(run, ref, "leadership-summary")
        run.tick()
        mails = [m for m in run.providers.smtp.received if set(m.envelope_to) & set(LEADERS)]
        assert sorted(address for mail in mails for address in mail.envelope_to) == sorted(LEADERS)
        assert all("Expired OIDC client secret" in mail.message.get_content() for mail in mails)


def test_a_message_that_never_arrives_does_not_meet_the_clock(database_url: str) -> None:
    with delivery_app(database_url, start=T0, playbook=load_preset("energy-audit")) as run:
        # No #incidents channel exists in this Slack: the post fails for good ("channel_not_found").
        number = run.declare(
            "Sign-in failing for all users",
            "sev1",
            services=["auth"],
            impact_statement="Nobody can sign in",
            roles={"incident_commander": "engineer1"},
        )
        ref = f"INC-{number}"
        run.tick(60)
        send(run, ref, "slack-incident-start")
        run.tick()
        assert clock(run, ref, "incident-start-slack")["state"] == "running"
        run.tick(14 * 60)
        missed = clock(run, ref, "incident-start-slack")
        assert missed["state"] == "missed" and missed["met_at"] is None
        with run.app.warroom.db.read() as connection:
            kinds = (
                connection.execute(select(timeline_events.c.kind).where(timeline_events.c.incident_id == number))
                .scalars()
                .all()
            )
        assert "communication_missed" in kinds and "delivery_failed" in kinds
        assert run.app.clock.now() == T0 + timedelta(minutes=15)
