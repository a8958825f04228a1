"""On call over HTTP: who is on call, overrides (and that pages follow them), gaps, calendar feeds, handoff, pay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from icalendar import Calendar

from tests.harness.paging import paging_app

SATURDAY_3AM = datetime(2026, 1, 10, 3, 0, tzinfo=UTC)  # energy-audit: primary engineer2, secondary engineer3
NEXT_HANDOFF = datetime(2026, 1, 13, 0, 0, tzinfo=UTC)  # rotations started on a Tuesday at 00:00


def test_who_is_on_call_and_an_override_that_the_pages_follow(database_url: str) -> None:
    with paging_app(database_url, preset="energy-audit", start=SATURDAY_3AM) as (app, pager):
        now = {item["schedule"]: item for item in app.call("GET", "/api/v1/oncall").json()}
        assert now["primary"]["people"] == ["engineer2"]
        assert datetime.fromisoformat(now["primary"]["until"]) == NEXT_HANDOFF
        body = {
            "kind": "replace",
            "person": "engineer1",
            "starts_at": SATURDAY_3AM.isoformat(),
            "ends_at": (SATURDAY_3AM + timedelta(hours=4)).isoformat(),
            "note": "engineer2 is on a plane",
        }
        created = app.call("POST", "/api/v1/schedules/primary/overrides", json=body)
        assert created.status_code == 201, created.text
        now = {item["schedule"]: item for item in app.call("GET", "/api/v1/oncall").json()}
        assert now["primary"]["people"] == ["engineer1"]
        app.call("POST", "/api/v1/incidents", json={"title": "Checkout down", "severity": "sev1"})
        pager.tick()
        pager.expect_people("engineer1")
        number = created.json()["id"]
        assert app.call("DELETE", f"/api/v1/schedules/primary/overrides/{number}").status_code == 204
        assert app.call("DELETE", f"/api/v1/schedules/primary/overrides/{number}").status_code == 404
        now = {item["schedule"]: item for item in app.call("GET", "/api/v1/oncall").json()}
        assert now["primary"]["people"] == ["engineer2"]


def test_bad_overrides_are_refused_and_change_nothing(database_url: str) -> None:
    with paging_app(database_url, preset="energy-audit", start=SATURDAY_3AM) as (app, _pager):
        before = app.snapshot()
        start, end = SATURDAY_3AM.isoformat(), (SATURDAY_3AM + timedelta(hours=1)).isoformat()
        cases = [
            ({"person": "nobody-here", "starts_at": start, "ends_at": end}, "person"),
            ({"person": "engineer1", "starts_at": "2026-01-10T03:00:00", "ends_at": end}, "starts_at"),
            ({"person": "engineer1", "starts_at": end, "ends_at": start}, "ends_at"),
            (
                {"person": "engineer1", "kind": "add", "replaces": "engineer2", "starts_at": start, "ends_at": end},
                "replaces",
            ),
        ]
        for body, field in cases:
            response = app.call("POST", "/api/v1/schedules/primary/overrides", json=body)
            assert response.status_code == 422, (body, response.text)
            assert field in [error["field"] for error in response.json()["errors"]], response.text
        missing = app.call("POST", "/api/v1/schedules/nope/overrides", json=cases[0][0])
        assert missing.status_code == 404
        viewer = app.call("POST", "/api/v1/schedules/primary/overrides", who="viewer", json=cases[0][0])
        assert viewer.status_code == 403
        assert app.snapshot() == before


def test_shifts_gaps_and_the_calendar_feed(database_url: str) -> None:
    with paging_app(database_url, preset="energy-audit", start=SATURDAY_3AM) as (app, _pager):
        shifts = app.call("GET", "/api/v1/schedules/primary/shifts").json()
        assert [s["person"] for s in shifts] == ["engineer2", "engineer3", "engineer1"]
        assert app.call("GET", "/api/v1/schedules/primary/gaps", params={"days": 30}).json() == []
        feed = app.call("POST", "/api/v1/calendar-feeds", json={"schedule": "primary"})
        assert feed.status_code == 201, feed.text
        path = feed.json()["url"].split("8080", 1)[1]
        response = app.client.get(path)  # no bearer token: the URL is the credential
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
        calendar = Calendar.from_ical(response.content)
        events = [c for c in calendar.walk("VEVENT")]
        covering = [e for e in events if e.decoded("DTSTART") <= SATURDAY_3AM < e.decoded("DTEND")]
        assert len(covering) == 1 and "engineer2" in str(covering[0]["SUMMARY"])
        assert app.client.get("/ical/not-a-token.ics").status_code == 404
        both = app.call("POST", "/api/v1/calendar-feeds", json={"schedule": "primary", "person": "engineer1"})
        assert both.status_code == 422


def test_handoff_summary_lists_what_the_next_person_needs(database_url: str) -> None:
    with paging_app(database_url, preset="energy-audit", start=SATURDAY_3AM) as (app, _pager):
        ref = app.call("POST", "/api/v1/incidents", json={"title": "Checkout down", "severity": "sev2"}).json()["id"]
        handoff = app.call("GET", "/api/v1/oncall/handoff", params={"schedule": "primary"}).json()
        assert handoff["outgoing"] == ["engineer2"] and handoff["incoming"] == ["engineer3"]
        assert datetime.fromisoformat(handoff["handoff_at"]) == NEXT_HANDOFF
        assert [item["id"] for item in handoff["open_incidents"]] == [ref]
        assert handoff["recent_incidents"] == [] and handoff["ongoing_issues"] == []


def test_on_call_pay_follows_the_platform_rules(database_url: str) -> None:
    """ "$500/week flat on-call stipend", "Additional $200 for each SEV-1 incident handled", "Comp time: 4 hours
    off for each overnight page" (overnight: 22:00-07:00, the preset's reading)."""
    with paging_app(database_url, preset="platform", start=datetime(2026, 1, 7, 3, 0, tzinfo=UTC)) as (app, pager):
        ref = app.call("POST", "/api/v1/incidents", json={"title": "Database down", "severity": "sev1"}).json()["id"]
        pager.tick()
        assert app.call("POST", f"/api/v1/incidents/{ref}/acknowledge").status_code == 200
        period = {"start": "2026-01-05T09:00:00+00:00", "end": "2026-01-12T09:00:00+00:00"}
        assert app.call("GET", "/api/v1/oncall/pay", params=period).status_code == 403  # admin only
        lines = {
            line["person"]: line for line in app.call("GET", "/api/v1/oncall/pay", who="admin", params=period).json()
        }
        sre = lines["sre-1"]  # on call the whole week, paged at 03:00
        assert Decimal(sre["on_call_hours"]) == 168 and Decimal(sre["stipend"]) == 500
        assert sre["overnight_pages"] == 1 and Decimal(sre["comp_time_hours"]) == 4
        assert "sre-2" not in lines  # not on call that week, never paged
        handler = lines["responder"]  # acknowledged the SEV-1
        assert handler["incidents_handled"] == {"sev1": 1} and Decimal(handler["total"]) == 200
        half = {"start": "2026-01-05T09:00:00+00:00", "end": "2026-01-09T09:00:00+00:00"}
        lines = {
            line["person"]: line for line in app.call("GET", "/api/v1/oncall/pay", who="admin", params=half).json()
        }
        assert Decimal(lines["sre-1"]["stipend"]) == Decimal("285.71")  # 96 h of 168, prorated
