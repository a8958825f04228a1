"""Run a chat slash command through the service layer, exactly as the HTTP API would, and word the reply.

Who acts (the trust boundary): a request that passed verification was sent by Slack (or Mattermost) on
behalf of `user_id` of our workspace, so the workspace is the boundary: anyone in it who can type the
command acts as a responder, as a responder API token would. A user linked to a playbook person (their
Slack or Mattermost user id is one of the person's `chat` contact methods) acts under the person's key,
so their acknowledgements stop their own pages. Anyone else acts as `slack:<user_name>` (or
`mattermost:<user_name>`); the name is only a label (users can rename themselves), so such callers
cannot acknowledge pages. Display names are never used to decide who the caller is.

Which incident: an explicit INC-42 / #42 wins; else the incident whose war-room channel the command was
typed in; else the reply asks to name it (`ack` alone falls back to the caller's latest unanswered page, and
`/page X "P0: ..."` declares the incident from its message first, as the playbooks page the IC before declaring).

Domain errors are ephemeral replies quoting the error (nothing changed); so are replies about private
incidents, which must not be posted into a channel.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass

import structlog
from pydantic import ValidationError

from warroom.auth.actors import AccessRole, Actor
from warroom.chat.commands import (
    Acknowledge,
    AssignRoleTo,
    ChatCommand,
    Close,
    Declare,
    Help,
    Mention,
    PageTarget,
    ParseError,
    PostUpdate,
    SetStatus,
    help_text,
    parse,
    severity_code,
)
from warroom.chat.rooms import incident_for_room
from warroom.engine.acknowledgements import PageAcknowledgements
from warroom.engine.escalation_records import PageView
from warroom.engine.escalations import EscalationService
from warroom.engine.manual_pages import manual_target
from warroom.errors import WarroomError
from warroom.incidents.commands import AddNote, AssignRole, ChangeStatus, DeclareIncident
from warroom.incidents.lifecycle import Status
from warroom.incidents.service import IncidentService
from warroom.incidents.views import IncidentView, incident_ref
from warroom.oncall.contacts import person_by_address
from warroom.playbook.registry import PlaybookRegistry
from warroom.playbook.schema import Person, Playbook, Role
from warroom.runtime import Warroom
from warroom.store.database import Database

log = structlog.get_logger(__name__)

PROVIDERS = ("slack", "mattermost")


@dataclass(frozen=True)
class ChatRequest:
    provider: str  # "slack" | "mattermost"
    command: str  # "/incident", "/inc", "/page", "/pd"
    text: str
    user_id: str
    user_name: str
    channel_id: str


@dataclass(frozen=True)
class Reply:
    text: str
    in_channel: bool = False

    def payload(self, provider: str) -> dict[str, str]:
        text = self.text
        if provider == "slack":  # Slack reads &, < and > as markup: escape them (Slack's formatting rules)
            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return {"response_type": "in_channel" if self.in_channel else "ephemeral", "text": text}


@dataclass(frozen=True)
class Caller:
    actor: Actor
    person: str | None  # the playbook person's key, when the chat user is linked to one


class _Refusal(Exception):
    """A reply that is not a domain error: no incident named, caller not linked, not supported."""


class SlashCommands:
    def __init__(
        self,
        db: Database,
        playbooks: PlaybookRegistry,
        incidents: IncidentService,
        escalations: EscalationService,
        acknowledgements: PageAcknowledgements,
    ) -> None:
        self.db = db
        self.playbooks = playbooks
        self.incidents = incidents
        self.escalations = escalations
        self.acknowledgements = acknowledgements

    @classmethod
    def of(cls, warroom: Warroom) -> SlashCommands:
        return cls(warroom.db, warroom.playbooks, warroom.incidents, warroom.escalations, warroom.acknowledgements)

    def run(self, request: ChatRequest) -> Reply:
        playbook = self.playbooks.active[1]
        severities = [(severity.key, severity.label) for severity in playbook.severities]
        try:
            command = parse(request.command, request.text, severities, slack_escaped=request.provider == "slack")
        except ParseError as error:
            return Reply(error.text)
        try:
            return self._dispatch(command, self.caller(request, playbook), request)
        except _Refusal as refusal:
            return Reply(str(refusal))
        except WarroomError as error:
            return Reply(f"Nothing changed: {error.detail}")
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'text'}: {e['msg']}" for e in error.errors())
            return Reply(f"Nothing changed: {problems}")

    @staticmethod
    def caller(request: ChatRequest, playbook: Playbook) -> Caller:
        person = person_by_address(playbook, ("chat",), request.user_id) if request.user_id else None
        if person is not None:
            return Caller(Actor(person.key, AccessRole.RESPONDER), person.key)
        label = "".join(request.user_name.split())[:100] or request.user_id[:100] or "unknown"
        return Caller(Actor(f"{request.provider}:{label}", AccessRole.RESPONDER), None)

    # ---- the commands --------------------------------------------------------------------------------

    def _dispatch(self, command: ChatCommand, caller: Caller, request: ChatRequest) -> Reply:
        actor = caller.actor
        if isinstance(command, Help):
            return Reply(help_text([severity.label for severity in self.playbooks.active[1].severities]))
        if isinstance(command, Declare):
            return self._declare(actor, command)
        if isinstance(command, Acknowledge):
            return self._acknowledge(caller, request, command.incident)
        if isinstance(command, PageTarget):
            return self._page(actor, request, command)
        ref = self._ref(request, command.incident)
        if isinstance(command, SetStatus):
            view = self.incidents.change_status(actor, ref, ChangeStatus(status=command.status, note=command.note))
            return _about(view, f"{view.id} is now {view.status.value}" + _suffix(command.note))
        if isinstance(command, Close):
            view = self.incidents.change_status(actor, ref, ChangeStatus(status=Status.RESOLVED, note=command.note))
            return _about(view, f"{view.id} resolved by {actor.name}" + _suffix(command.note))
        if isinstance(command, PostUpdate):
            self.incidents.add_note(actor, ref, AddNote(text=command.text))
            return _about(self.incidents.get(actor, ref), f"{ref} update from {actor.name}: {command.text}")
        if isinstance(command, AssignRoleTo):
            return self._assign(actor, ref, command, request.provider)
        return self._escalate(actor, ref, command.reason)

    def _declare(self, actor: Actor, command: Declare) -> Reply:
        view = self.incidents.declare(actor, DeclareIncident(title=command.title, severity=command.severity))
        return _about(view, self._declared(view))

    def _declared(self, view: IncidentView) -> str:
        text = f"{view.id} declared: [{view.severity_label}] {view.title}"
        if view.severity_needs_confirmation:
            text += (
                f"\nSeverity {view.severity_label} is triage's suggestion ({view.triage_reason}); confirm or change it."
            )
        _, pages = self.escalations.state(view.number)
        if pages:
            text += f"\nPaging: {_people(pages)}"
        return text

    def _acknowledge(self, caller: Caller, request: ChatRequest, explicit: int | None) -> Reply:
        if caller.person is None:
            raise _Refusal(
                f"You are not linked to a person in the playbook, so there is nobody to acknowledge as. Add your "
                f"{request.provider.capitalize()} user id ({request.user_id}) as a `chat` contact method of your "
                "person in the playbook."
            )
        number = explicit if explicit is not None else self._room_incident(request)
        if number is not None:
            self.incidents.get(caller.actor, incident_ref(number))  # what the caller may not see, they cannot ack
        acknowledged = self.acknowledgements.acknowledge(
            caller.person, incident_ref(number) if number is not None else None, request.provider
        )
        view = self.incidents.get(caller.actor, acknowledged.incident)
        if acknowledged.first:
            return _about(view, f"{view.id} acknowledged by {caller.person}: {view.title}")
        return _about(view, f"{caller.person}: {acknowledged.text}")

    def _assign(self, actor: Actor, ref: str, command: AssignRoleTo, provider: str) -> Reply:
        view = self.incidents.get(actor, ref)
        playbook = self.playbooks.get(view.playbook_version)
        role = find_role(playbook, command.role)
        if role is None:
            known = ", ".join(role.short or role.key for role in playbook.roles) or "no roles"
            raise _Refusal(f"Nothing changed: unknown role {command.role[:40]!r}; this playbook has {known}")
        person = find_person(playbook, command.person)
        if person is None:
            raise _Refusal(f"Nothing changed: {_unknown_person(command.person, provider)}")
        view = self.incidents.assign_role(actor, ref, role.key, AssignRole(person=person.key))
        return _about(view, f"{view.id}: {role.name} is now {person.name} ({person.key})")

    def _escalate(self, actor: Actor, ref: str, reason: str) -> Reply:
        view = self.incidents.get(actor, ref)  # escalate() itself does not check visibility
        _, before = self.escalations.state(view.number)
        self.escalations.escalate(actor, view.number, None, reason)
        return _about(view, f"{view.id} escalated by {actor.name}: {reason}" + self._paged_since(view, before))

    def _page(self, actor: Actor, request: ChatRequest, command: PageTarget) -> Reply:
        """Page anyone the playbook names about the incident named or of this war room. With no incident at
        all, the message declares one first, as the playbooks do (`/page incident-commander "P0: ..."`)."""
        target = self._target(command.target, request.provider)
        number = command.incident if command.incident is not None else self._room_incident(request)
        if number is not None:
            view = self.incidents.get(actor, incident_ref(number))  # page() itself does not check visibility
            paged = self.escalations.page(actor, view.number, target, command.message or "")
            return _about(view, f"{view.id}: paged {', '.join(paged)} by {actor.name}" + _suffix(command.message))
        if not command.message:
            typed = _typed(command.target)
            raise _Refusal(
                f'Which incident? Name it (/page INC-42 {typed} "message"), type it in the war-room channel, or '
                f'give the message to declare one: /page {typed} "P0: what is wrong"'
            )
        manual_target(self.playbooks.active[1], target)  # an unknown target declares nothing
        severities = [(severity.key, severity.label) for severity in self.playbooks.active[1].severities]
        try:
            declare = parse("/incident", "declare " + shlex.quote(command.message), severities)
        except ParseError as error:
            raise _Refusal(f"Nothing changed: {error.problem}") from None
        assert isinstance(declare, Declare)
        view = self.incidents.declare(actor, DeclareIncident(title=declare.title, severity=declare.severity))
        text = self._declared(view)
        try:
            paged = self.escalations.page(actor, view.number, target, command.message)
        except WarroomError as error:  # the incident stands; say that the page did not go out
            return _about(view, f"{text}\nPaging {_typed(command.target)} failed: {error.detail}")
        return _about(view, f"{text}\nPaged {', '.join(paged)} by {actor.name}")

    def _target(self, mention: Mention, provider: str) -> str:
        """A Slack @mention means the linked person; anything else is resolved by the escalation service."""
        if mention.user_id is None:
            return _typed(mention)
        person = find_person(self.playbooks.active[1], mention)
        if person is None:
            raise _Refusal(f"Nothing changed: {_unknown_person(mention, provider)}")
        return person.key

    # ---- helpers ---------------------------------------------------------------------------------------

    def _paged_since(self, view: IncidentView, before: Sequence[PageView]) -> str:
        escalations, pages = self.escalations.state(view.number)
        fresh = pages[len(before) :]  # pages are listed oldest first; these are the ones just sent
        if not fresh:
            return "\nNobody was paged (see the timeline)."
        names = {escalation.policy: escalation.name for escalation in escalations}
        levels = sorted({f"level {page.level} of {names.get(page.policy, page.policy)}" for page in fresh})
        return f"\nPaged {_people(fresh)} ({', '.join(levels)})"

    def _ref(self, request: ChatRequest, explicit: int | None) -> str:
        number = explicit if explicit is not None else self._room_incident(request)
        if number is None:
            raise _Refusal(
                'Which incident? Name it (e.g. /incident status INC-42 identified "..."), or type the command in '
                "the incident's war-room channel."
            )
        return incident_ref(number)

    def _room_incident(self, request: ChatRequest) -> int | None:
        if not request.channel_id:
            return None
        with self.db.read() as connection:
            return incident_for_room(connection, request.provider, request.channel_id)


# ---- names in a playbook -----------------------------------------------------------------------------------


def find_role(playbook: Playbook, typed: str) -> Role | None:
    """By key, short name or name; case, spaces, '-' and '_' do not matter ("ic", "incident-commander")."""
    wanted = severity_code(typed)
    return next(
        (
            role
            for role in playbook.roles
            if wanted in {severity_code(n) for n in (role.key, role.short, role.name) if n}
        ),
        None,
    )


def find_person(playbook: Playbook, mention: Mention) -> Person | None:
    """A linked chat user (by user id), else a person key, name or chat handle."""
    if mention.user_id:
        linked = person_by_address(playbook, ("chat",), mention.user_id)
        if linked is not None:
            return linked
    if not mention.name:
        return None
    name = mention.name.strip().lower()
    for person in playbook.people:
        if name in (person.key, person.name.lower()):
            return person
    return person_by_address(playbook, ("chat",), name)


def _unknown_person(mention: Mention, provider: str) -> str:
    if mention.user_id and not mention.name:
        return (
            f"{provider.capitalize()} user {mention.user_id} is not linked to a person in the playbook: add their user "
            "id as a `chat` contact method of their person"
        )
    return f"no person {_typed(mention)!r} in the playbook; name a person key or @mention a linked user"


def _typed(mention: Mention) -> str:
    return (mention.name or mention.user_id or "")[:60]


def _people(pages: Sequence[PageView]) -> str:
    return ", ".join(dict.fromkeys(page.person for page in pages))


def _suffix(text: str | None) -> str:
    return f": {text}" if text else ""


def _about(view: IncidentView, text: str) -> Reply:
    """In the channel, unless the incident is private: its existence is private too."""
    return Reply(text, in_channel=not view.private)
