"""How the people in a replay respond: as they really did. Deterministic, so two replays compare like with like.

The model (the same for both playbooks of a replay):
- A replayed incident answers to the real incident that its opening alert belonged to.
- It is acknowledged after the same delay as that real incident (real acknowledged_at - real triggered_at,
  never less than zero), counted from the replayed incident's own trigger, in the name of the same actor
  (`replay` when the store did not record one). An incident nobody acknowledged in reality is not acknowledged
  in the replay: its escalation runs its full chain.
- It resolves as its alerts resolve (the playbook's own all-clear rule, applied by the intake), and otherwise a
  person resolves it at the real incident's resolved time (or at once, if that time is already past when the
  replayed incident opens). A real incident that never resolved leaves its replayed one to the alerts.
- Alerts that join an open replayed incident change nothing here: the incident keeps the response of the
  alert that opened it. So merged incidents are answered as their first alert's incident was.
- Nobody touches an incident in any other way (no severity changes, no manual pages, no status updates).
"""

from __future__ import annotations

import contextlib
import heapq
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from warroom.auth.actors import AccessRole, Actor
from warroom.errors import Conflict
from warroom.incidents.commands import ChangeStatus
from warroom.incidents.lifecycle import Status
from warroom.incidents.service import IncidentService
from warroom.incidents.views import incident_ref
from warroom.replay.history import RealIncident

UNKNOWN_ACTOR = "replay"


class Response(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"


@dataclass(order=True, frozen=True)
class Planned:
    at: datetime
    order: int  # planning order: equal instants keep it
    response: Response = field(compare=False)
    number: int = field(compare=False)  # the replayed incident
    actor: str = field(compare=False)


class Responders:
    """Plans each replayed incident's response when it opens and carries it out when it falls due."""

    def __init__(self, real: dict[int, RealIncident]) -> None:
        self._real = real
        self._planned: list[Planned] = []
        self._count = 0

    def opened(self, number: int, at: datetime, real_number: int | None) -> None:
        real = self._real.get(real_number) if real_number is not None else None
        if real is None:
            return
        if real.acknowledged_at is not None:
            delay = max(real.acknowledged_at - real.triggered_at, timedelta(0))
            self._plan(at + delay, Response.ACKNOWLEDGE, number, real.acknowledged_by or UNKNOWN_ACTOR)
        if real.resolved_at is not None:
            self._plan(max(real.resolved_at, at), Response.RESOLVE, number, UNKNOWN_ACTOR)

    def next_at(self) -> datetime | None:
        return self._planned[0].at if self._planned else None

    def respond_until(self, incidents: IncidentService, instant: datetime) -> int:
        """Carry out every response due at or before `instant` (the caller's clock stands there). A response
        the incident no longer takes (already acknowledged at the source, already resolved) is skipped."""
        done = 0
        while self._planned and self._planned[0].at <= instant:
            planned = heapq.heappop(self._planned)
            actor = Actor(planned.actor, AccessRole.ADMIN)  # admin: private incidents are not hidden from it
            with contextlib.suppress(Conflict):
                if planned.response is Response.ACKNOWLEDGE:
                    incidents.acknowledge(actor, incident_ref(planned.number))
                else:
                    command = ChangeStatus(status=Status.RESOLVED, note="resolved when it was resolved in reality")
                    incidents.change_status(actor, incident_ref(planned.number), command)
                done += 1
        return done

    def _plan(self, at: datetime, response: Response, number: int, actor: str) -> None:
        self._count += 1
        heapq.heappush(self._planned, Planned(at, self._count, response, number, actor))
