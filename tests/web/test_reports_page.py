"""The reports page: the ReportService's figures as tables and SVG charts over the chosen period; the CSV log."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

from tests.web.pages import create_account, declare, sign_in, web_app
from warroom.auth.actors import SYSTEM, AccessRole

SVG = "http://www.w3.org/2000/svg"


def _svgs(html: str) -> list[ET.Element]:
    found = []
    start = html.find("<svg")
    while start != -1:
        end = html.index("</svg>", start) + len("</svg>")
        found.append(ET.fromstring(html[start:end]))
        start = html.find("<svg", end)
    return found


def test_the_report_shows_the_services_figures_as_tables_and_charts(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app)
        csrf = sign_in(app.client)
        first = declare(app.client, csrf, "Checkout down", severity="sev1")
        declare(app.client, csrf, "Slow reports", severity="sev3")
        app.clock.advance(timedelta(minutes=90))
        app.client.post(f"/incidents/{first}/status", data={"csrf_token": csrf, "status": "resolved"})
        page = app.client.get("/reports")
        assert page.status_code == 200
        report = app.warroom.reports.report(SYSTEM, period="30d")
        assert report.incidents == 2 and report.overall.time_to_resolve.n == 1
        text = page.text
        for heading in ("Response times by severity", "Response times by service", "Detection",
                        "Postmortem completion", "Action-item closure", "On-call load"):  # fmt: skip
            assert heading in text
        for name in ("MTTD", "MTTA", "MTTM", "MTTR"):
            assert f">{name}</th>" in text
        assert "1h 30m" in text  # the resolved incident's MTTR, from the injected clock
        assert report.overall.time_to_resolve.note in text
        charts = {svg.attrib["aria-label"]: svg for svg in _svgs(text)}
        assert set(charts) == {"Incidents per week", "MTTR per month", "On-call load per person"}
        weekly = [rect for rect in charts["Incidents per week"].iter(f"{{{SVG}}}rect") if "data-value" in rect.attrib]
        assert sum(float(rect.attrib["data-value"]) for rect in weekly) == 2
        assert {rect.findtext(f"{{{SVG}}}title", "").split(": ")[1].split(" ")[0] for rect in weekly} == {
            "SEV-1",
            "SEV-3",
        }
        mttr = [dot.attrib["data-value"] for dot in charts["MTTR per month"].iter(f"{{{SVG}}}circle")]
        assert mttr == ["90"]  # minutes
        assert report.months[-1].mttr_seconds == 90 * 60
        pages = sum(person.pages for person in report.on_call.people)
        assert pages > 0
        bars = [r for r in charts["On-call load per person"].iter(f"{{{SVG}}}rect") if "data-value" in r.attrib]
        assert sum(float(bar.attrib["data-value"]) for bar in bars) == pages


def test_the_period_selector_changes_the_window_and_a_bad_period_names_the_field(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app, "vera", role=AccessRole.VIEWER, person=None)
        create_account(app)
        csrf = sign_in(app.client)
        declare(app.client, csrf, "Old outage", severity="sev2")
        app.clock.advance(timedelta(days=20))
        app.client.cookies.clear()
        sign_in(app.client, "vera")  # viewers read reports
        week = app.client.get("/reports?period=7d")
        assert week.status_code == 200 and 'value="7d" selected' in week.text
        assert "0 incidents" in week.text and "No data" in week.text
        month = app.client.get("/reports?period=30d").text
        assert "1 incidents" in month and "Old outage" not in month
        year = app.client.get("/reports?period=365d")
        assert year.status_code == 200 and year.text.count("<svg") == 3
        bad = app.client.get("/reports?period=<b>5y")
        assert bad.status_code == 400 and "period:" in bad.text and "<b>5y" not in bad.text


def test_the_incident_log_downloads_as_csv_for_a_signed_in_browser(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app)
        csrf = sign_in(app.client)
        declare(app.client, csrf, "Checkout down", severity="sev1")
        app.clock.advance(timedelta(minutes=1))  # the window ends at now, exclusive
        page = app.client.get("/reports?period=90d").text
        assert 'href="/reports/incident-log.csv?period=90d"' in page
        answer = app.client.get("/reports/incident-log.csv?period=90d")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
        assert "attachment" in answer.headers["content-disposition"]
        assert answer.text == app.warroom.reports.incident_log(SYSTEM, period="90d")
        assert "Checkout down" in answer.text
        app.client.cookies.clear()
        assert app.client.get("/reports/incident-log.csv", follow_redirects=False).status_code == 303
