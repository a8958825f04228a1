"""Ticking role and phase checklists: one transaction with a timeline event and audit entry; refusals change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.harness.app import RunningApp, start_app
from warroom.audit.log import list_audit
from warroom.auth.actors import AccessRole, Actor
from warroom.errors import Conflict, InvalidInput, NotFound
from warroom.incidents.checklists import ListSpec, checklists_of, current_phase
from warroom.incidents.commands import ChangeStatus, DeclareIncident
from warroom.incidents.lifecycle import Status
from warroom.playbook.loader import load_preset

ANA = Actor("ana", AccessRole.RESPONDER)
OUTSIDER = Actor("outsider", AccessRole.RESPONDER)


@pytest.fixture
def app(database_url: str) -> Iterator[RunningApp]:
    running = start_app(database_url, preset="energy-audit")
    yield running
    running.client.close()
    running.warroom.close()


def _declare(app: RunningApp, severity: str = "sev1", private: bool = False) -> str:
    view = app.warroom.incidents.declare(
        ANA, DeclareIncident(title="Checkout down", severity=severity, private=private)
    )
    return view.id


def test_the_lists_are_the_roles_and_the_phases_of_the_incidents_severity() -> None:
    playbook = load_preset("energy-audit")
    keys = [spec.key for spec in checklists_of(playbook, "sev1")]
    assert "role:incident_commander" in keys and "role:secondary_on_call" not in keys  # no checklist, no list
    assert "phase:response-sev1" in keys and "phase:response-sev2" not in keys
    assert keys.index("phase:detection") < keys.index("phase:triage") < keys.index("phase:resolution")
    assert "phase:response-sev3-4" in [spec.key for spec in checklists_of(playbook, "sev4")]


def test_ticking_records_who_and_when_with_a_timeline_event_and_an_audit_entry(app: RunningApp) -> None:
    ref = _declare(app)
    app.clock.advance(timedelta(minutes=3))
    state = app.warroom.checklists.tick(ANA, ref, "role:incident_commander", 1, True)
    commander = next(c for c in state.roles if c.key == "role:incident_commander")
    item = commander.items[1]
    assert item.done and item.done_by == "ana" and item.done_at == app.clock.now()
    assert not commander.items[0].done
    _, events = app.warroom.incidents.timeline(ANA, ref)
    assert events[-1].kind == "checklist_ticked" and item.text in events[-1].text and events[-1].actor == "ana"
    with app.warroom.db.read() as connection:
        audit = list_audit(connection, subject=f"incident:{ref.removeprefix('INC-')}")
    assert audit[0].action == "checklist.tick" and audit[0].detail == {"list": "role:incident_commander", "item": 1}

    state = app.warroom.checklists.tick(ANA, ref, "role:incident_commander", 1, False)
    commander = next(c for c in state.roles if c.key == "role:incident_commander")
    assert not commander.items[1].done and commander.items[1].done_by is None
    _, events = app.warroom.incidents.timeline(ANA, ref)
    assert events[-1].kind == "checklist_unticked"
    assert app.warroom.checklists.tick(ANA, ref, "role:incident_commander", 1, True).roles[0].items[1].done


def test_the_current_phase_moves_on_when_its_checklist_is_done(app: RunningApp) -> None:
    ref = _declare(app)
    state = app.warroom.checklists.state(ANA, ref)
    assert state.current_phase == "phase:detection"
    detection = state.phases[0]
    for item in detection.items:
        state = app.warroom.checklists.tick(ANA, ref, detection.key, item.index, True)
    assert state.current_phase == "phase:triage" and state.phases[0].complete
    # Ticking ahead does not skip the unfinished phase.
    state = app.warroom.checklists.tick(ANA, ref, "phase:resolution", 0, True)
    assert state.current_phase == "phase:triage"


def test_refusals_name_the_reason_and_change_nothing(app: RunningApp) -> None:
    ref = _declare(app)
    private = _declare(app, private=True)
    app.warroom.checklists.tick(ANA, ref, "phase:detection", 0, True)
    closed = _declare(app, severity="sev4")
    app.warroom.incidents.change_status(ANA, closed, ChangeStatus(status=Status.RESOLVED))
    app.warroom.incidents.change_status(ANA, closed, ChangeStatus(status=Status.CLOSED))
    before = app.snapshot()
    service = app.warroom.checklists
    with pytest.raises(NotFound, match="list_key"):
        service.tick(ANA, ref, "phase:nope", 0, True)
    with pytest.raises(NotFound, match="list_key"):
        service.tick(ANA, ref, "phase:response-sev2", 0, True)  # a phase of another severity
    with pytest.raises(InvalidInput, match="item_index"):
        service.tick(ANA, ref, "phase:detection", 99, True)
    with pytest.raises(InvalidInput, match="item_index"):
        service.tick(ANA, ref, "phase:detection", -1, True)
    with pytest.raises(Conflict, match="already ticked by ana"):
        service.tick(ANA, ref, "phase:detection", 0, True)
    with pytest.raises(Conflict, match="not ticked"):
        service.tick(ANA, ref, "phase:detection", 1, False)
    with pytest.raises(Conflict, match="closed"):
        service.tick(ANA, closed, "phase:detection", 0, True)
    with pytest.raises(NotFound):
        service.tick(OUTSIDER, private, "phase:detection", 0, True)  # private: answers like a missing one
    with pytest.raises(NotFound):
        service.state(OUTSIDER, private)
    with pytest.raises(NotFound):
        service.tick(ANA, "INC-999", "phase:detection", 0, True)
    assert app.snapshot() == before


def test_the_api_reads_and_ticks_and_a_viewer_may_only_read(app: RunningApp) -> None:
    ref = _declare(app)
    url = f"/api/v1/incidents/{ref}/checklists"
    answer = app.call("GET", url, who="viewer")
    assert answer.status_code == 200 and answer.json()["current_phase"] == "phase:detection"
    before = app.snapshot()
    refused = app.call("POST", f"{url}/phase:detection/items/0", who="viewer", json={"done": True})
    assert refused.status_code == 403
    assert app.snapshot() == before
    answer = app.call("POST", f"{url}/phase:detection/items/0", json={"done": True})
    assert answer.status_code == 200, answer.text
    assert answer.json()["phases"][0]["items"][0]["done_by"] == "responder"
    again = app.call("POST", f"{url}/phase:detection/items/0", json={"done": True})
    assert again.status_code == 409
    missing = app.call("POST", f"{url}/phase:nope/items/0", json={"done": True})
    assert missing.status_code == 404 and "list_key" in missing.text


_phases = st.lists(st.integers(min_value=0, max_value=4), max_size=6).map(
    lambda sizes: [ListSpec(f"phase:p{i}", "phase", f"P{i}", None, tuple("x" * n)) for i, n in enumerate(sizes)]
)


@given(_phases, st.data())
def test_the_current_phase_is_the_first_with_an_unticked_item(phases: list[ListSpec], data: st.DataObject) -> None:
    done = {p.key: data.draw(st.sets(st.integers(min_value=0, max_value=len(p.items)))) for p in phases}
    current = current_phase(phases, done)
    unfinished = [p.key for p in phases if not set(range(len(p.items))) <= done[p.key]]
    assert current == (unfinished[0] if unfinished else None)
