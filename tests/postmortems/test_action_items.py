"""Action items through the API: create, read, update, status moves, filters, privacy, postmortem links.

Both databases, manual clock. Every refusal is checked to change nothing (a full snapshot before and after).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.harness.app import RunningApp
from tests.postmortems.action_item_support import (
    add_item,
    add_postmortem,
    app_at_t0,
    audits,
    declare,
    events,
    timer_of,
)
from warroom.postmortems.action_item_records import link_action_items
from warroom.store.tables import action_items


@pytest.fixture
def app(database_url: str) -> Iterator[RunningApp]:
    running = app_at_t0(database_url)
    yield running
    running.client.close()
    running.warroom.close()


def test_create_reads_back_with_timeline_audit_and_timer(app: RunningApp) -> None:
    ref = declare(app)
    item = add_item(app, ref, owner="Alice", priority="High", due="2026-03-10", description="  Page at 80%  ")
    assert item["id"] == 1 and item["incident"] == ref and item["incident_title"] == "Checkout failing"
    assert item["owner"] == "alice"  # a playbook person, stored by key
    assert item["priority"] == "p1"
    assert item["due_at"] == "2026-03-10T23:00:00Z"  # end of 10 March in Berlin (UTC+1)
    assert item["due_date"] == "2026-03-10"
    assert item["status"] == "open" and item["overdue"] is False and item["closed_at"] is None
    assert item["description"] == "Page at 80%"
    assert item["allowed_statuses"] == ["in_progress", "done", "wont_do"]
    assert item["created_by"] == "responder" and item["postmortem_id"] is None
    assert app.call("GET", "/api/v1/action-items/1", who="viewer").json() == item
    assert app.call("GET", f"/api/v1/incidents/{ref}/action-items", who="viewer").json() == [item]
    added = events(app, 1, "action_item_added")
    assert [e.text for e in added] == [
        "Action item #1 added: Alert on connection pool usage (alice, due 2026-03-10, p1)"
    ]
    assert [a.action for a in audits(app)] == ["action_item.create"]
    timer = timer_of(app, 1)
    assert timer is not None and timer.due_at == datetime(2026, 3, 11, 8, 0, tzinfo=UTC)  # next opening, 09:00


def test_defaults_and_other_due_forms(app: RunningApp) -> None:
    ref = declare(app)
    bare = add_item(app, ref)
    assert (bare["owner"], bare["priority"], bare["due_at"]) == (None, "p2", None)
    assert timer_of(app, bare["id"]) is None  # nothing to remind without a due date
    assert add_item(app, ref, due="2w")["due_at"] == "2026-03-19T14:00:00Z"
    assert add_item(app, ref, due="5 business days")["due_at"] == "2026-03-12T14:00:00Z"
    assert add_item(app, ref, due="2026-03-09T12:00:00+01:00")["due_at"] == "2026-03-09T11:00:00Z"
    assert add_item(app, ref, owner="Comms team", due="2026-03-20")["owner"] == "Comms team"  # not a person: as typed
    assert add_item(app, ref, priority="P0")["priority"] == "p0"


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({"title": "   "}, "title", "cannot be empty"),
        ({"title": ""}, "title", "at least 1 character"),
        ({"priority": "urgent"}, "priority", "unknown priority 'urgent'"),
        ({"due": "next tuesday"}, "due", "is not a due date"),
        ({"due": "2026-03-04"}, "due", "is in the past"),
        ({"due": "2026-03-10T17:00"}, "due", "has no time zone"),
        ({"assignee": "alice"}, "assignee", "unknown field"),
        ({"title": "x" * 301}, "title", "at most 300 characters"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    app: RunningApp, body: dict[str, Any], field: str, reason: str
) -> None:
    ref = declare(app)
    before = app.snapshot()
    response = app.call("POST", f"/api/v1/incidents/{ref}/action-items", json={"title": "Fix it", **body})
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["errors"][0]["field"] == field and reason in problem["errors"][0]["reason"]
    assert app.snapshot() == before


def test_several_problems_are_reported_together(app: RunningApp) -> None:
    ref = declare(app)
    response = app.call(
        "POST", f"/api/v1/incidents/{ref}/action-items", json={"title": " ", "priority": "x", "due": "y"}
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["title", "priority", "due"]


def test_unknown_incident_and_item_are_not_found(app: RunningApp) -> None:
    before = app.snapshot()
    assert app.call("POST", "/api/v1/incidents/INC-9/action-items", json={"title": "x"}).status_code == 404
    assert app.call("GET", "/api/v1/action-items/9").status_code == 404
    assert app.call("PATCH", "/api/v1/action-items/9", json={"title": "y"}).status_code == 404
    assert app.call("POST", "/api/v1/action-items/9/status", json={"status": "done"}).status_code == 404
    assert app.call("GET", "/api/v1/action-items/nine").status_code == 422
    assert app.snapshot() == before


def test_viewers_read_and_responders_write(app: RunningApp) -> None:
    ref = declare(app)
    add_item(app, ref)
    before = app.snapshot()
    assert (
        app.call("POST", f"/api/v1/incidents/{ref}/action-items", who="viewer", json={"title": "x"}).status_code == 403
    )
    assert app.call("PATCH", "/api/v1/action-items/1", who="viewer", json={"title": "y"}).status_code == 403
    assert app.call("POST", "/api/v1/action-items/1/status", who="viewer", json={"status": "done"}).status_code == 403
    assert app.call("POST", "/api/v1/action-items/1/push", who="viewer", json={"tracker": "jira"}).status_code == 403
    assert app.client.get("/api/v1/action-items").status_code == 401
    assert app.snapshot() == before
    assert app.call("GET", "/api/v1/action-items", who="viewer").status_code == 200


def test_status_moves_closed_at_and_refusals(app: RunningApp) -> None:
    ref = declare(app)
    add_item(app, ref, owner="alice", due="2026-03-10")

    def move(status: str, note: str | None = None) -> Any:
        return app.call("POST", "/api/v1/action-items/1/status", json={"status": status, "note": note})

    app.clock.advance(timedelta(hours=1))
    assert move("in progress").json()["status"] == "in_progress"
    assert timer_of(app, 1) is not None  # still counting towards its due date
    app.clock.advance(timedelta(hours=1))
    done = move("done", "alert added").json()
    assert done["status"] == "done" and done["closed_at"] == "2026-03-05T16:00:00Z"
    assert done["allowed_statuses"] == ["open"]
    assert timer_of(app, 1) is None  # closed: nothing to remind

    before = app.snapshot()
    again = move("done")
    assert again.status_code == 409 and again.json()["allowed"] == ["open"]
    assert "already done" in again.json()["detail"]
    assert move("wont_do", "changed my mind").status_code == 409
    bad = move("finished")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"
    assert app.snapshot() == before

    reopened = move("open").json()
    assert reopened["status"] == "open" and reopened["closed_at"] is None
    assert timer_of(app, 1) is not None
    before = app.snapshot()
    no_reason = move("wont_do")
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "note"
    assert move("wont_do", "   ").status_code == 422
    assert app.snapshot() == before
    dropped = move("won't do", "superseded by the pool autoscaler").json()
    assert dropped["status"] == "wont_do" and dropped["closed_at"] is not None
    texts = [e.text for e in events(app, 1, "action_item_status_changed")]
    assert texts == [
        "Action item #1 open -> in_progress: Alert on connection pool usage",
        "Action item #1 in_progress -> done: Alert on connection pool usage (alert added)",
        "Action item #1 reopened: Alert on connection pool usage",
        "Action item #1 open -> wont_do: Alert on connection pool usage (superseded by the pool autoscaler)",
    ]
    assert [a.action for a in audits(app)].count("action_item.status") == 4


def test_update_changes_only_what_is_sent_and_moves_the_timer(app: RunningApp) -> None:
    ref = declare(app)
    add_item(app, ref, owner="alice", due="2026-03-10", description="keep")
    app.clock.advance(timedelta(minutes=5))
    changed = app.call(
        "PATCH", "/api/v1/action-items/1", json={"title": "Alert at 80% pool use", "owner": "Bob", "due": "2026-03-17"}
    ).json()
    assert (changed["title"], changed["owner"], changed["due_date"], changed["description"]) == (
        "Alert at 80% pool use",
        "bob",
        "2026-03-17",
        "keep",
    )
    assert changed["updated_at"] == "2026-03-05T14:05:00Z"
    timer = timer_of(app, 1)
    assert timer is not None and timer.due_at == datetime(2026, 3, 18, 8, 0, tzinfo=UTC)
    update = audits(app)[-1]
    assert update.action == "action_item.update" and update.detail["before"]["owner"] == "alice"

    cleared = app.call("PATCH", "/api/v1/action-items/1", json={"due": None, "owner": None}).json()
    assert cleared["due_at"] is None and cleared["owner"] is None
    assert timer_of(app, 1) is None

    before = app.snapshot()
    same = app.call("PATCH", "/api/v1/action-items/1", json={"title": "Alert at 80% pool use"})
    assert same.status_code == 200 and app.snapshot() == before  # nothing changed, nothing written
    for body, field in (({"title": None}, "title"), ({"priority": None}, "priority"), ({"due": "yesterday"}, "due")):
        response = app.call("PATCH", "/api/v1/action-items/1", json=body)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == field, response.text
    assert app.snapshot() == before


def test_list_filters(app: RunningApp) -> None:
    first, second = declare(app), declare(app, title="Search slow")
    add_item(app, first, title="A", owner="alice", due="2026-03-06")
    add_item(app, first, title="B", owner="bob", due="2026-03-20")
    add_item(app, second, title="C", owner="Alice")
    add_item(app, second, title="D", due="2026-03-07")
    app.call("POST", "/api/v1/action-items/4/status", json={"status": "done"})

    def titles(**params: Any) -> list[str]:
        response = app.call("GET", "/api/v1/action-items", who="viewer", params=params)
        assert response.status_code == 200, response.text
        return [item["title"] for item in response.json()]

    assert titles() == ["A", "D", "B", "C"]  # earliest due first, undated last
    assert titles(incident=second) == ["D", "C"]
    assert titles(owner="Alice") == ["A", "C"]  # the person, however it was typed
    assert titles(status=["open"]) == ["A", "B", "C"]
    assert titles(status=["done", "wont_do"]) == ["D"]
    assert titles(overdue="true") == []
    app.clock.set(datetime(2026, 3, 6, 23, 0, tzinfo=UTC))  # A is due at exactly this instant
    assert titles(overdue="true") == ["A"]  # half-open: overdue from the due instant on
    assert titles(overdue="false") == ["D", "B", "C"]
    assert app.call("GET", "/api/v1/action-items/1").json()["overdue"] is True
    bad = app.call("GET", "/api/v1/action-items", params={"status": "closed"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"
    assert app.call("GET", "/api/v1/action-items", params={"incident": "INC-99"}).status_code == 404


def test_items_of_a_private_incident_are_as_private_as_it(app: RunningApp) -> None:
    ref = declare(app, title="Credential leak", private=True)
    add_item(app, ref, title="Rotate the keys")
    before = app.snapshot()
    assert app.call("GET", "/api/v1/action-items", who="outsider").json() == []
    assert app.call("GET", "/api/v1/action-items/1", who="outsider").status_code == 404
    assert app.call("PATCH", "/api/v1/action-items/1", who="outsider", json={"title": "x"}).status_code == 404
    assert app.call("POST", "/api/v1/action-items/1/status", who="outsider", json={"status": "done"}).status_code == 404
    assert (
        app.call("POST", f"/api/v1/incidents/{ref}/action-items", who="outsider", json={"title": "x"}).status_code
        == 404
    )
    assert app.call("GET", "/api/v1/action-items/export", who="outsider").text.count("\n") == 1  # the header only
    assert app.snapshot() == before
    assert [i["title"] for i in app.call("GET", "/api/v1/action-items", who="admin").json()] == ["Rotate the keys"]


def test_items_link_to_the_incidents_postmortem(app: RunningApp) -> None:
    ref = declare(app)
    early = add_item(app, ref, title="Before the postmortem")
    assert early["postmortem_id"] is None
    postmortem = add_postmortem(app, 1)
    # A postmortem written later shows on earlier items at once, and is stored on their next write.
    assert app.call("GET", "/api/v1/action-items/1").json()["postmortem_id"] == postmortem
    assert add_item(app, ref, title="After")["postmortem_id"] == postmortem
    app.call("PATCH", "/api/v1/action-items/1", json={"priority": "p1"})
    with app.warroom.db.read() as connection:
        stored = dict(
            connection.execute(
                action_items.select().with_only_columns(action_items.c.id, action_items.c.postmortem_id)
            ).all()
        )
    assert stored == {1: postmortem, 2: postmortem}


def test_link_action_items_links_only_unlinked_items_of_that_incident(app: RunningApp) -> None:
    first, second = declare(app), declare(app)
    add_item(app, first)
    add_item(app, second)
    postmortem = add_postmortem(app, 1)
    with app.warroom.db.transaction() as tx:
        assert link_action_items(tx, 1, postmortem) == 1
        assert link_action_items(tx, 1, postmortem) == 0
    assert app.call("GET", "/api/v1/action-items/2").json()["postmortem_id"] is None
