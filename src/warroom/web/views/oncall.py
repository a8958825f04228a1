"""On call: who is on call now, each schedule's next four weeks, overrides (add, remove), the iCal subscribe link.

Times on the calendar are in each schedule's own zone (the zone its handoffs are written in); the override form
reads its times in the chosen schedule's zone too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from warroom.errors import WarroomError
from warroom.oncall.overrides import CreateOverride, OverrideView
from warroom.oncall.service import OnCallNow
from warroom.playbook.schema import Playbook
from warroom.playbook.schema.oncall import Target
from warroom.runtime import Warroom
from warroom.web.context import Form, Responder, Runtime, Session, error_status, field, redirect, render
from warroom.web.incident_forms import command_or_error
from warroom.web.oncall_calendar import CalendarWeek, calendar_weeks, form_time, week_starts
from warroom.web.sessions import WebSession

router = APIRouter(prefix="/oncall")


@dataclass(frozen=True)
class ScheduleCalendar:
    key: str
    name: str
    timezone: str
    now: OnCallNow | None
    weeks: list[CalendarWeek]
    overrides: list[OverrideView]


@dataclass(frozen=True)
class FirstLevel:
    policy: str
    name: str
    targets: list[str]  # who the first level pages now, in words


def _target_words(target: Target, playbook: Playbook, on_call: dict[str, OnCallNow], names: dict[str, str]) -> str:
    if target.schedule:
        now = on_call.get(target.schedule)
        people = ", ".join(names.get(p, p) for p in now.people) if now and now.people else "nobody"
        return f"{people} (on call for {now.name if now else target.schedule})"
    if target.person:
        return names.get(target.person, target.person)
    if target.team:
        team = next((t for t in playbook.teams if t.key == target.team), None)
        members = ", ".join(names.get(m, m) for m in team.members) if team else ""
        return f"team {team.name if team else target.team}" + (f" ({members})" if members else "")
    return f"whoever holds the incident role {target.role}"


def first_levels(playbook: Playbook, on_call: dict[str, OnCallNow], names: dict[str, str]) -> list[FirstLevel]:
    return [
        FirstLevel(p.key, p.name, [_target_words(t, playbook, on_call, names) for t in p.levels[0].targets])
        for p in playbook.escalation_policies
    ]


def oncall_values(warroom: Warroom) -> dict[str, Any]:
    playbook = warroom.playbook
    now = warroom.clock.now()
    on_call = {item.schedule: item for item in warroom.oncall.now(now)}
    names = {p.key: p.name for p in playbook.people}
    calendars = []
    for schedule in playbook.schedules:
        zone = ZoneInfo(schedule.timezone)
        bounds = week_starts(now.astimezone(zone).date(), zone)
        shifts = warroom.oncall.shifts(schedule.key, bounds[0], bounds[-1])
        overrides = warroom.overrides.list(schedule.key, now, bounds[-1])
        calendars.append(
            ScheduleCalendar(
                schedule.key,
                schedule.name,
                schedule.timezone,
                on_call.get(schedule.key),
                calendar_weeks(shifts, bounds, zone),
                overrides,
            )
        )
    return {
        "calendars": calendars,
        "first_levels": first_levels(playbook, on_call, names),
        "names": names,
        "kinds": ["replace", "add", "remove"],
        "feed": None,
        "form": {},
    }


def _page(
    request: Request, warroom: Warroom, session: WebSession, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    return render(request, "oncall.html", session, status_code=status_code, **{**oncall_values(warroom), **extra})


@router.get("")
def oncall_page(request: Request, warroom: Runtime, session: Session) -> HTMLResponse:
    return _page(request, warroom, session)


def _override(form: FormData, warroom: Warroom) -> tuple[str, CreateOverride | None, str | None]:
    key = field(form, "schedule")
    try:
        zone = ZoneInfo(warroom.oncall.schedule(key).timezone)
        starts_at: datetime = form_time(field(form, "starts_at"), "starts_at", zone)
        ends_at: datetime = form_time(field(form, "ends_at"), "ends_at", zone)
    except WarroomError as error:
        return key, None, f"schedule: {error.detail}" if not key or "no schedule" in error.detail else error.detail
    values = {
        "kind": field(form, "kind") or "replace",
        "person": field(form, "person"),
        "replaces": field(form, "replaces") or None,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "note": field(form, "note") or None,
    }
    command, problem = command_or_error(CreateOverride, values)
    return key, command, problem


@router.post("/overrides")
def create_override(request: Request, warroom: Runtime, session: Session, form: Form, actor: Responder) -> Response:
    key, command, problem = _override(form, warroom)
    if command is None:
        return _page(request, warroom, session, status_code=400, error=problem, form=dict(form))
    try:
        warroom.overrides.create(actor, key, command)
    except WarroomError as error:
        return _page(request, warroom, session, status_code=error_status(error), error=error.detail, form=dict(form))
    return redirect(f"/oncall#schedule-{key}")


@router.post("/overrides/{key}/{number}/remove")
def remove_override(
    request: Request, key: str, number: int, warroom: Runtime, session: Session, form: Form, actor: Responder
) -> Response:
    try:
        warroom.overrides.remove(actor, key, number)
    except WarroomError as error:
        return _page(request, warroom, session, status_code=error_status(error), error=error.detail)
    return redirect(f"/oncall#schedule-{key}")


@router.post("/feeds")
def create_feed(request: Request, warroom: Runtime, session: Session, form: Form, actor: Responder) -> HTMLResponse:
    """The subscribe URL is the credential: it is shown in this answer only, never put in a redirect."""
    schedule, person = field(form, "schedule") or None, field(form, "person") or None
    try:
        feed = warroom.oncall.create_feed(actor, schedule, person)
    except WarroomError as error:
        return _page(request, warroom, session, status_code=error_status(error), error=error.detail)
    response = _page(request, warroom, session, feed=feed)
    response.headers["Cache-Control"] = "no-store"
    return response
