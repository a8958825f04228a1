"""The postmortem use cases: created when the incident resolves (owner and due date per preset), never twice,
re-planned while a draft, and the review state machine with its refusals (which change nothing)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.harness.scripted_incident import RESOLVED, IncidentScript
from tests.postmortems.helpers import (
    RESPONDER,
    declare,
    outbox_subjects,
    postmortem_events,
    resolve,
    resolved_incident,
    running,
    team_playbook,
)
from warroom.audit.log import list_audit
from warroom.auth.actors import AccessRole, Actor
from warroom.errors import Conflict, NotFound
from warroom.incidents.commands import ChangeSeverity, UpdateIncident
from warroom.postmortems.postmortem_models import (
    AssignOwner,
    EditPostmortem,
    PostmortemFilter,
    RegeneratePostmortem,
    SendBack,
    SkipPostmortem,
)
from warroom.postmortems.states import PostmortemState
from warroom.store.tables import postmortems, timers

DUE = {
    "energy-audit": RESOLVED + timedelta(hours=48),
    "launch": RESOLVED + timedelta(hours=24),
    "greenlang": datetime(2026, 3, 12, 15, 0, tzinfo=UTC),  # 5 business days from Thursday: the next Thursday
    "platform": RESOLVED + timedelta(hours=48),
    "sre-team": RESOLVED + timedelta(hours=24),
}


@pytest.mark.parametrize("preset", sorted(DUE))
def test_created_when_the_incident_resolves_with_owner_and_due_date(database_url: str, preset: str) -> None:
    with running(database_url, preset) as app:
        script = IncidentScript(app.warroom, app.clock)
        script.play(until=RESOLVED - timedelta(minutes=1))
        with pytest.raises(NotFound, match="has no postmortem yet: it is written when the incident resolves"):
            app.warroom.postmortems.get(RESPONDER, script.ref)
        script.play()
        view = app.warroom.postmortems.get(RESPONDER, script.ref)
        commander = script.holders[app.warroom.playbook.roles[0].key]
        assert (view.state, view.requirement, view.owner) == (PostmortemState.DRAFT, "required", commander)
        assert view.due_at == DUE[preset] and view.created_at == RESOLVED
        assert view.next_reminder_at is not None and RESOLVED < view.next_reminder_at < view.due_at
        assert postmortem_events(app, script.number or 0) == []  # bookkeeping: the audit log, not the timeline
        with app.warroom.db.read() as connection:
            audit = list_audit(connection, f"postmortem:{view.id}")
        assert [(entry.action, entry.actor) for entry in audit] == [("postmortem.create", "warroom")]
        assert audit[0].detail["owner"] == commander and audit[0].detail["due_at"] == view.due_at.isoformat()


def test_the_owner_falls_back_to_the_commander_role_default(database_url: str) -> None:
    with running(database_url, playbook=team_playbook()) as app:
        ref = declare(app, "sev2")
        resolve(app, ref)
        view = app.warroom.postmortems.get(RESPONDER, ref)
    assert view.owner == "alice"  # nobody holds Incident Commander; the role's default person owns it
    assert view.due_at == datetime(2026, 3, 10, 13, 0, tzinfo=UTC)  # Thu 13:00 + 3 business days (Fri, Mon, Tue)


def test_skipped_and_optional_severities(database_url: str) -> None:
    with running(database_url, playbook=team_playbook()) as app:
        cosmetic, minor, critical = declare(app, "sev4"), declare(app, "sev3"), declare(app, "sev1")
        for ref in (cosmetic, minor, critical):
            resolve(app, ref)
        skipped = app.warroom.postmortems.get(RESPONDER, cosmetic)
        assert (skipped.state, skipped.requirement, skipped.markdown, skipped.due_at) == (
            "skipped",
            "skipped",
            "",
            None,
        )
        assert skipped.skip_reason == "SEV-4 skips the postmortem by the playbook's policy (Skip for cosmetic issues)"
        assert skipped.allowed_actions == [] and skipped.next_reminder_at is None
        optional = app.warroom.postmortems.get(RESPONDER, minor)
        assert (optional.state, optional.requirement, optional.next_reminder_at) == ("draft", "optional", None)
        assert optional.policy_note == "Optional: if there is something to learn"
        before = app.snapshot()
        with pytest.raises(Conflict, match="the severity requires this postmortem: it cannot be skipped"):
            app.warroom.postmortems.skip(RESPONDER, critical, SkipPostmortem(reason="busy"))
        assert app.snapshot() == before
        view = app.warroom.postmortems.skip(RESPONDER, minor, SkipPostmortem(reason="  nothing new to learn "))
        assert (view.state, view.skip_reason, view.allowed_actions) == ("skipped", "nothing new to learn", [])


def test_resolving_again_never_creates_a_second_postmortem(database_url: str) -> None:
    with running(database_url, playbook=team_playbook()) as app:
        ref = declare(app, "sev1")
        resolve(app, ref)
        first = app.warroom.postmortems.get(RESPONDER, ref)
        app.clock.advance(timedelta(hours=1))
        app.warroom.incidents.reopen(RESPONDER, ref, "errors are back")
        app.clock.advance(timedelta(hours=1))
        resolve(app, ref)
        again = app.warroom.postmortems.get(RESPONDER, ref)
        with app.warroom.db.read() as connection:
            assert connection.execute(select(func.count()).select_from(postmortems)).scalar() == 1
        assert again.id == first.id and again.created_at == first.created_at and again.revision == 1
        assert again.due_at == app.clock.now() + timedelta(hours=48)  # counted from the resolution that held
        with app.warroom.db.read() as connection:
            replanned = list_audit(connection, f"postmortem:{again.id}")[0]
        assert (replanned.action, replanned.detail["why"]) == ("postmortem.replan", "resolved again")
        assert replanned.detail["after"]["due_at"] == again.due_at.isoformat()


def test_a_severity_change_replans_only_a_draft(database_url: str) -> None:
    with running(database_url, playbook=team_playbook()) as app:
        ref = declare(app, "sev3")
        resolve(app, ref)
        resolved_at = app.clock.now()
        app.clock.advance(timedelta(hours=2))
        app.warroom.incidents.change_severity(RESPONDER, ref, ChangeSeverity(severity="sev1", reason="it was worse"))
        view = app.warroom.postmortems.get(RESPONDER, ref)
        assert (view.requirement, view.due_at) == ("required", resolved_at + timedelta(hours=48))
        assert view.next_reminder_at is not None and view.revision == 1
        app.warroom.postmortems.submit(RESPONDER, ref)
        app.warroom.incidents.change_severity(RESPONDER, ref, ChangeSeverity(severity="sev2", reason="not that bad"))
        assert app.warroom.postmortems.get(RESPONDER, ref).due_at == view.due_at  # submitted: the dates stand


def test_a_postmortem_skipped_by_policy_comes_back_when_the_severity_asks_for_one(database_url: str) -> None:
    with running(database_url, playbook=team_playbook()) as app:
        ref = declare(app, "sev4")
        resolve(app, ref)
        app.warroom.incidents.change_severity(RESPONDER, ref, ChangeSeverity(severity="sev1", reason="data loss"))
        view = app.warroom.postmortems.get(RESPONDER, ref)
        assert (view.state, view.requirement, view.skip_reason) == ("draft", "required", None)
        assert view.markdown.startswith("# Postmortem: ") and view.revision == 2


def test_the_review_state_machine_and_its_refusals(database_url: str) -> None:
    with running(database_url) as app:
        ref = resolved_incident(app).ref
        service = app.warroom.postmortems
        draft = service.get(RESPONDER, ref)
        assert draft.placeholders[:2] == ["why 1", "why 2"]

        def refused(action: object, match: str) -> Conflict:
            before = app.snapshot()
            with pytest.raises(Conflict, match=match) as error:
                action()  # type: ignore[operator]
            assert app.snapshot() == before, "a refusal changed something"
            return error.value

        error = refused(lambda: service.publish(RESPONDER, ref), "cannot publish the postmortem: submit it for review")
        assert error.extra["allowed"] == ["edit", "assign_owner", "submit", "regenerate"]
        refused(lambda: service.send_back(RESPONDER, ref, SendBack()), "it is not in review")
        view = service.submit(RESPONDER, ref)
        assert view.state == "in_review" and view.submitted_at == app.clock.now()
        error = refused(lambda: service.publish(RESPONDER, ref), r"still has \d+ placeholder\(s\) to fill in or delete")
        assert error.extra["placeholders"] == draft.placeholders
        refused(lambda: service.regenerate(RESPONDER, ref, RegeneratePostmortem(revision=1)), "send it back to draft")
        service.send_back(RESPONDER, ref, SendBack(reason="fill in the whys"))
        filled = "# Postmortem\n\nEverything written.\n<!-- e.g. a guidance comment may stay -->\n"
        assert service.edit(RESPONDER, ref, EditPostmortem(markdown=filled, revision=1)).revision == 2
        service.submit(RESPONDER, ref)
        published = service.publish(RESPONDER, ref)
        assert (published.state, published.published_at, published.overdue) == ("published", app.clock.now(), False)
        assert published.next_reminder_at is None and published.allowed_actions == []
        refused(lambda: service.edit(RESPONDER, ref, EditPostmortem(markdown="x", revision=2)), "it is published")
        events = postmortem_events(app, int(ref.removeprefix("INC-")))
        assert [event.split(" by ")[0] for event in events] == [
            "Postmortem submitted for review",
            "Postmortem sent back to draft",
            "Postmortem edited",
            "Postmortem submitted for review",
            "Postmortem published",
        ]


def test_a_stale_revision_is_refused_naming_the_current_one(database_url: str) -> None:
    with running(database_url) as app:
        ref = resolved_incident(app).ref
        service = app.warroom.postmortems
        mine = service.get(RESPONDER, ref).markdown + "\nMy edit.\n"
        bob = Actor("bob", AccessRole.RESPONDER)
        service.edit(bob, ref, EditPostmortem(markdown="Bob's version\n", revision=1))
        before = app.snapshot()
        with pytest.raises(Conflict, match="changed since revision 1: the current revision is 2 \\(by bob") as error:
            service.edit(RESPONDER, ref, EditPostmortem(markdown=mine, revision=1))
        assert error.value.extra == {"current_revision": 2}
        assert app.snapshot() == before
        unchanged = service.edit(RESPONDER, ref, EditPostmortem(markdown="Bob's version\r\n", revision=2))
        assert unchanged.revision == 2  # the same text (line endings aside) is no new revision


def test_regenerate_writes_the_draft_again_from_the_incident(database_url: str) -> None:
    with running(database_url) as app:
        ref = resolved_incident(app).ref
        service = app.warroom.postmortems
        service.edit(RESPONDER, ref, EditPostmortem(markdown="scratch\n", revision=1))
        app.clock.advance(timedelta(hours=1))
        app.warroom.incidents.update(RESPONDER, ref, UpdateIncident(root_cause="A pool of 5 connections."))
        with pytest.raises(Conflict, match="current revision is 2"):
            service.regenerate(RESPONDER, ref, RegeneratePostmortem(revision=1))
        view = service.regenerate(RESPONDER, ref, RegeneratePostmortem(revision=2))
        assert view.revision == 3 and "## Root cause\n\nA pool of 5 connections." in view.markdown


def test_assigning_an_owner_tells_them(database_url: str) -> None:
    with running(database_url, playbook=team_playbook()) as app:
        ref = declare(app, "sev1")
        resolve(app, ref)
        view = app.warroom.postmortems.assign_owner(RESPONDER, ref, AssignOwner(owner="bob"))
        assert view.owner == "bob"
        with pytest.raises(Conflict, match="bob already owns the postmortem"):
            app.warroom.postmortems.assign_owner(RESPONDER, ref, AssignOwner(owner="bob"))
        assert view.reports == []
        assert outbox_subjects(app, 1)[-1] == ("bob", "INC-1: you own the postmortem")


def test_a_private_incident_keeps_its_postmortem_private(database_url: str) -> None:
    with running(database_url, playbook=team_playbook()) as app:
        ref = declare(app, "sev1", private=True)
        resolve(app, ref)
        outsider = Actor("eve", AccessRole.RESPONDER)
        with pytest.raises(NotFound, match="no incident INC-1"):
            app.warroom.postmortems.get(outsider, ref)
        with pytest.raises(NotFound):
            app.warroom.postmortems.submit(outsider, ref)
        assert app.warroom.postmortems.search(outsider, PostmortemFilter()) == []
        assert [s.incident for s in app.warroom.postmortems.search(RESPONDER, PostmortemFilter())] == [ref]


def test_reminder_timers_stop_when_published(database_url: str) -> None:
    with running(database_url) as app:
        ref = resolved_incident(app).ref
        service = app.warroom.postmortems
        service.edit(RESPONDER, ref, EditPostmortem(markdown="done\n", revision=1))
        service.submit(RESPONDER, ref)
        service.publish(RESPONDER, ref)
        with app.warroom.db.read() as connection:
            kinds = connection.execute(select(timers.c.kind).where(timers.c.fired_at.is_(None))).scalars().all()
        assert "postmortem_reminder" not in kinds
