"""The active playbook, readable by people: severities, roles, escalation policies, channels, templates, runbooks."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from warroom.web.context import Runtime, Session, render

router = APIRouter()


@router.get("/playbook")
def playbook_page(request: Request, warroom: Runtime, session: Session) -> HTMLResponse:
    playbook = warroom.playbook
    names = {
        **{f"person:{p.key}": p.name for p in playbook.people},
        **{f"schedule:{s.key}": f"on call for {s.name}" for s in playbook.schedules},
        **{f"team:{t.key}": f"team {t.name}" for t in playbook.teams},
        **{f"role:{r.key}": f"the {r.name}" for r in playbook.roles},
        **{f"channel:{c.key}": c.name for c in playbook.channels},
        **{f"policy:{e.key}": e.name for e in playbook.escalation_policies},
    }
    return render(request, "playbook.html", session, names=names, version=warroom.playbooks.active[0])
