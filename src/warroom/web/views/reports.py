"""The reports page: the ReportService's report over a chosen period, as tables and server-rendered charts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from warroom.reports.views import Report
from warroom.runtime import Warroom
from warroom.web import charts
from warroom.web.context import Runtime, Session, render

router = APIRouter()
PERIODS = ("7d", "30d", "90d", "365d")
DEFAULT_PERIOD = "30d"
MEASURES = (
    ("time_to_detect", "MTTD"),
    ("time_to_acknowledge", "MTTA"),
    ("time_to_mitigate", "MTTM"),
    ("time_to_resolve", "MTTR"),
)


def _in_unit(seconds: list[float | None]) -> tuple[list[float | None], str]:
    """Durations in minutes, hours or days, whichever reads best, so the axis ticks are round."""
    longest = max((value for value in seconds if value is not None), default=0.0)
    divisor, unit = (60.0, "min") if longest < 7_200 else (3_600.0, "h") if longest < 259_200 else (86_400.0, "d")
    return [None if value is None else value / divisor for value in seconds], unit


def _weekly_chart(report: Report, labels: dict[str, str]) -> Markup:
    keys = [key for key in labels if any(week.by_severity.get(key) for week in report.weeks)]
    keys += sorted({k for week in report.weeks for k in week.by_severity if k not in labels})
    series = [
        charts.Series(labels.get(key, key), [float(week.by_severity.get(key, 0)) for week in report.weeks])
        for key in keys
    ]
    return charts.stacked_bars(
        "Incidents per week",
        f"Incidents triggered per ISO week ({report.timezone}), stacked by severity.",
        [week.label for week in report.weeks],
        series,
    )


def _charts(warroom: Warroom, report: Report) -> dict[str, Markup]:
    labels = {severity.key: severity.label for severity in warroom.playbook.severities}
    mttr, unit = _in_unit([month.mttr_seconds for month in report.months])
    people = report.on_call.people
    return {
        "weekly": _weekly_chart(report, labels),
        "mttr": charts.line(
            "MTTR per month",
            f"Mean time to resolve (resolved - started, in {unit}) of the incidents triggered in each month; "
            "months without a resolved incident have no point.",
            [month.label for month in report.months],
            mttr,
            lambda value: f"{value:.3g} {unit}",
        ),
        "on_call": charts.horizontal_bars(
            "On-call load per person",
            f"Pages received per person in the period ({report.on_call.pages} in all).",
            [person.name for person in people],
            [float(person.pages) for person in people],
        ),
    }


@router.get("/reports")
def reports_page(
    request: Request, warroom: Runtime, session: Session, period: Annotated[str, Query(max_length=200)] = DEFAULT_PERIOD
) -> HTMLResponse:
    error = None
    status_code = 200
    if period not in PERIODS:
        error = f"period: {period[:40]!r} is not offered here; choose one of {', '.join(PERIODS)}"
        period, status_code = DEFAULT_PERIOD, 400
    report = warroom.reports.report(session.actor, period=period)
    return render(
        request,
        "reports.html",
        session,
        status_code=status_code,
        error=error,
        report=report,
        period=period,
        periods=PERIODS,
        measures=MEASURES,
        charts=_charts(warroom, report),
    )


@router.get("/reports/incident-log.csv")
def incident_log(
    warroom: Runtime, session: Session, period: Annotated[str, Query(max_length=16)] = DEFAULT_PERIOD
) -> Response:
    """The incident log CSV for a signed-in browser (the API's download needs a token)."""
    chosen = period if period in PERIODS else DEFAULT_PERIOD
    text = warroom.reports.incident_log(session.actor, period=chosen)
    headers = {"Content-Disposition": f'attachment; filename="incident-log-{chosen}.csv"'}
    return Response(text, media_type="text/csv; charset=utf-8", headers=headers)
