"""The on-call page: who is on call, four weeks of shifts per schedule, overrides and the iCal link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from tests.web.pages import create_account, csrf_of, sign_in, web_app
from warroom.auth.actors import AccessRole
from warroom.oncall.schedules import Shift
from warroom.web.oncall_calendar import calendar_weeks, week_starts

SCRIPT = "<script>alert(1)</script>"


def _override(csrf: str, **extra: str) -> dict[str, str]:
    # The manual clock starts Monday 2026-01-05 09:00 UTC; the energy-audit schedules are in UTC.
    return {
        "csrf_token": csrf,
        "schedule": "primary",
        "kind": "replace",
        "person": "engineer3",
        "starts_at": "2026-01-06T09:00",
        "ends_at": "2026-01-07T09:00",
        "note": "swap for a dentist visit",
        **extra,
    }


def test_the_page_shows_who_is_on_call_and_four_weeks_of_shifts(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app)
        sign_in(app.client)
        page = app.client.get("/oncall")
        assert page.status_code == 200
        now = {item.schedule: item for item in app.warroom.oncall.now()}
        names = {p.key: p.name for p in app.warroom.playbook.people}
        assert names[now["primary"].people[0]] in page.text
        assert "Primary On-Call" in page.text and "Secondary On-Call" in page.text
        assert page.text.count('<h3 class="week">') == 4 * len(now)
        assert "Week of Mon 2026-01-05" in page.text and "Week of Mon 2026-01-26" in page.text
        assert "First level of each escalation policy" in page.text and "on call for Primary On-Call" in page.text


def test_an_override_is_added_shown_marked_and_removed_through_the_service(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app)
        csrf = sign_in(app.client)
        answer = app.client.post("/oncall/overrides", data=_override(csrf))
        assert answer.status_code == 200 and answer.url.path == "/oncall"
        start = app.clock.now()
        [stored] = app.warroom.overrides.list("primary", start, start + timedelta(days=30))
        assert (stored.person, stored.kind.value, stored.created_by) == ("engineer3", "replace", "engineer1")
        assert stored.starts_at == datetime(2026, 1, 6, 9, tzinfo=UTC) and stored.note == "swap for a dentist visit"
        assert 'class="override"' in answer.text and "swap for a dentist visit" in answer.text
        shifts = app.warroom.oncall.shifts("primary", stored.starts_at, stored.ends_at)
        assert {s.person for s in shifts} == {"engineer3"}

        removed = app.client.post(f"/oncall/overrides/primary/{stored.id}/remove", data={"csrf_token": csrf})
        assert removed.status_code == 200 and 'class="override"' not in removed.text
        assert app.warroom.overrides.list("primary", start, start + timedelta(days=30)) == []


def test_refused_overrides_name_the_field_and_change_nothing(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app)
        csrf = sign_in(app.client)
        before = app.snapshot()
        cases = [
            ({"person": "mallory"}, 400, "person: unknown person"),
            ({"ends_at": "2026-01-06T08:00"}, 400, "ends_at: must be after starts_at"),
            ({"starts_at": "tomorrow"}, 400, "starts_at"),
            ({"kind": "add", "replaces": "engineer1"}, 400, "replaces"),
            ({"schedule": "nope"}, 400, "no schedule"),
            ({"starts_at": "2026-01-01T09:00", "ends_at": "2026-01-02T09:00"}, 409, "already be over"),
        ]
        for change, status, words in cases:
            answer = app.client.post("/oncall/overrides", data=_override(csrf, **change))
            assert answer.status_code == status, (change, answer.text)
            assert words in answer.text, change
        assert app.client.post("/oncall/overrides/primary/999/remove", data={"csrf_token": csrf}).status_code == 404
        assert app.snapshot() == before


def test_viewers_read_the_page_but_cannot_change_overrides_or_make_feeds(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app)
        csrf = sign_in(app.client)
        app.client.post("/oncall/overrides", data=_override(csrf))
        [stored] = app.warroom.overrides.list("primary", app.clock.now(), app.clock.now() + timedelta(days=30))
        app.client.post("/signout", data={"csrf_token": csrf})
        create_account(app, "vic", role=AccessRole.VIEWER, person=None)
        csrf = sign_in(app.client, "vic")
        page = app.client.get("/oncall").text
        assert "Add an override" not in page and "Remove</button>" not in page
        before = app.snapshot()
        for path, data in [
            ("/oncall/overrides", _override(csrf)),
            (f"/oncall/overrides/primary/{stored.id}/remove", {"csrf_token": csrf}),
            ("/oncall/feeds", {"csrf_token": csrf, "schedule": "primary"}),
        ]:
            assert app.client.post(path, data=data).status_code == 403, path
        assert app.snapshot() == before


def test_the_ical_link_is_made_by_the_service_and_shown_once(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app)
        csrf = sign_in(app.client)
        answer = app.client.post("/oncall/feeds", data={"csrf_token": csrf, "schedule": "primary"})
        assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
        url = answer.text.split('aria-label="Subscribe URL"')[0].rsplit('value="', 1)[1].split('"')[0]
        assert "/ical/" in url and url.endswith(".ics")
        calendar = app.client.get(url[url.index("/ical/") :])
        assert calendar.status_code == 200 and b"BEGIN:VCALENDAR" in calendar.content
        assert url not in app.client.get("/oncall").text  # shown once
        before = app.snapshot()
        both = app.client.post("/oncall/feeds", data={"csrf_token": csrf, "schedule": "primary", "person": "ceo"})
        assert both.status_code == 400 and "schedule: name exactly one" in both.text
        assert app.snapshot() == before
        csrf_of(both.text)


def test_a_script_in_an_override_note_is_inert(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app)
        csrf = sign_in(app.client)
        app.client.post("/oncall/overrides", data=_override(csrf, note=SCRIPT))
        refused = app.client.post("/oncall/overrides", data=_override(csrf, person=SCRIPT, note=SCRIPT))
        for page in (app.client.get("/oncall"), refused):
            assert SCRIPT not in page.text and "&lt;script&gt;" in page.text


@given(
    offsets=st.lists(st.tuples(st.integers(0, 40 * 24), st.integers(1, 9 * 24)), max_size=12),
    zone=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]),
    day=st.dates(datetime(2025, 1, 1).date(), datetime(2027, 12, 31).date()),
)
def test_weeks_cut_shifts_at_local_midnights_and_lose_no_time(
    offsets: list[tuple[int, int]], zone: str, day: object
) -> None:
    tz = ZoneInfo(zone)
    bounds = week_starts(day, tz)  # type: ignore[arg-type]
    assert all(b.astimezone(tz).hour == 0 and b.astimezone(tz).weekday() == 0 for b in bounds)
    base = bounds[0] - timedelta(days=3)
    shifts = [Shift(base + timedelta(hours=a), base + timedelta(hours=a + b), f"p{a}", "l") for a, b in offsets]
    weeks = calendar_weeks(shifts, bounds, tz)
    assert len(weeks) == 4
    # Elapsed time in UTC: two datetimes in the same zone subtract as wall time, which is off across DST.
    shown = sum(((r.end.astimezone(UTC) - r.start.astimezone(UTC)) for w in weeks for r in w.rows), timedelta())
    inside = sum((max(timedelta(), min(s.end, bounds[-1]) - max(s.start, bounds[0])) for s in shifts), timedelta())
    assert shown == inside
    for week in weeks:
        assert all(week.start <= r.start < r.end <= week.end for r in week.rows)
