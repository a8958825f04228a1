"""Reports: incident metrics over a window, and the incident log as CSV. Thin: the ReportService decides."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from warroom.api.deps import runtime, viewer
from warroom.auth.actors import Actor
from warroom.reports.views import Report
from warroom.runtime import Warroom

router = APIRouter(tags=["reports"])

Runtime = Annotated[Warroom, Depends(runtime)]
Viewer = Annotated[Actor, Depends(viewer)]
Period = Annotated[str | None, Query(max_length=16, description="Back from now: 24h, 30d, 12w (default 30d).")]
Since = Annotated[datetime | None, Query(description="Start of the window (ISO 8601 with offset); not with period.")]
Until = Annotated[datetime | None, Query(description="End of the window, exclusive (default now).")]


@router.get("/api/v1/reports", response_model=Report)
def report(warroom: Runtime, actor: Viewer, period: Period = None, since: Since = None, until: Until = None) -> Report:
    """MTTD, MTTA, MTTM, MTTR by severity and service, incidents per week and month, detection, postmortems,
    action items and on-call load, over the incidents the caller may see."""
    return warroom.reports.report(actor, period, since, until)


@router.get("/api/v1/reports/incident-log.csv", response_class=Response)
def incident_log(
    warroom: Runtime, actor: Viewer, period: Period = None, since: Since = None, until: Until = None
) -> Response:
    """The incident log with the launch playbook's columns: Date, Time, Severity, Issue, Duration, RCA Owner,
    Status."""
    text = warroom.reports.incident_log(actor, period, since, until)
    headers = {"Content-Disposition": 'attachment; filename="incident-log.csv"'}
    return Response(text, media_type="text/csv; charset=utf-8", headers=headers)
