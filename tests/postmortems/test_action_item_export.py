"""Action items out: CSV safe against formula injection, and issue bodies in Jira's and GitHub's shapes."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.harness.app import RunningApp
from tests.postmortems.action_item_support import add_item, app_at_t0, declare, sample_item
from warroom.postmortems.action_item_export import (
    CSV_COLUMNS,
    github_issue,
    github_issues,
    jira_bulk,
    jira_issue,
    to_csv,
)
from warroom.postmortems.action_item_rules import ItemStatus, Priority

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_columns_and_values() -> None:
    done = sample_item(
        id=8,
        status=ItemStatus.DONE,
        closed_at=datetime(2026, 3, 9, 10, 0, tzinfo=UTC),
        external_key="OPS-12",
        external_url="https://example.atlassian.net/browse/OPS-12",
    )
    header, first, second = rows(to_csv([sample_item(overdue=True), done]))
    assert tuple(header) == CSV_COLUMNS
    assert first == [
        "7",
        "INC-3",
        "Alert on connection pool usage",
        "alice",
        "p1",
        "2026-03-10T23:00:00+00:00",
        "2026-03-10",
        "open",
        "true",
        "2026-03-05T14:00:00+00:00",
        "",
        "",
        "",
    ]
    assert second[7:] == [
        "done",
        "false",
        "2026-03-05T14:00:00+00:00",
        "2026-03-09T10:00:00+00:00",
        "OPS-12",
        done.external_url,
    ]


@pytest.mark.parametrize("title", ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\r=1"])
def test_csv_neutralises_formulas(title: str) -> None:
    cell = rows(to_csv([sample_item(title=title, owner=title)]))[1][2]
    assert cell == "'" + title and rows(to_csv([sample_item(owner=title)]))[1][3] == "'" + title


@given(st.lists(st.text(max_size=40), min_size=1, max_size=5))
def test_csv_has_one_row_per_item_and_no_cell_starts_a_formula(titles: list[str]) -> None:
    items = [sample_item(id=index + 1, title=title or "x", owner=title or None) for index, title in enumerate(titles)]
    parsed = rows(to_csv(items))
    assert len(parsed) == len(items) + 1
    for row in parsed[1:]:
        assert len(row) == len(CSV_COLUMNS)
        assert not row[2].startswith(FORMULA_STARTS) and not row[3].startswith(FORMULA_STARTS)


def test_jira_issue_is_the_create_issue_body() -> None:
    body = jira_issue(sample_item(), "OPS", "Task")
    assert body == {
        "fields": {
            "project": {"key": "OPS"},
            "summary": "Alert on connection pool usage",
            "description": (
                "Page when the pool is 80% used.\n\nAction item #7 from INC-3: Checkout failing\n"
                "Owner: alice\nPriority: p1\nDue: 2026-03-10\n"
            ),
            "issuetype": {"name": "Task"},
            "priority": {"name": "High"},
            "labels": ["action-item", "INC-3"],
            "duedate": "2026-03-10",
        }
    }
    undated = jira_issue(sample_item(due_at=None, due_date=None, priority=Priority.P0, title="x" * 300), "OPS")
    assert "duedate" not in undated["fields"] and undated["fields"]["priority"] == {"name": "Highest"}
    assert len(undated["fields"]["summary"]) == 255
    assert (
        jira_bulk([sample_item(), sample_item(id=8)], "OPS")["issueUpdates"][1]["fields"]["description"].count("#8")
        == 1
    )


def test_github_issue_is_the_create_issue_body() -> None:
    body = github_issue(sample_item(), {"alice": "alice-gh"})
    assert body == {
        "title": "Alert on connection pool usage",
        "body": (
            "Page when the pool is 80% used.\n\nAction item #7 from INC-3: Checkout failing\n"
            "Owner: alice\nPriority: p1\nDue: 2026-03-10\n"
        ),
        "labels": ["action-item", "INC-3", "priority: p1"],
        "assignees": ["alice-gh"],
    }
    assert github_issue(sample_item(owner="Comms team"), {"alice": "alice-gh"})["assignees"] == []
    assert github_issue(sample_item(owner=None, description=""))["body"].startswith("Action item #7")
    assert len(github_issues([sample_item(), sample_item(id=8)])) == 2


# ---- the export endpoint ------------------------------------------------------------------------------------


@pytest.fixture
def app(database_url: str) -> Iterator[RunningApp]:
    running = app_at_t0(database_url, jira_project="OPS", github_logins={"alice": "alice-gh"})
    yield running
    running.client.close()
    running.warroom.close()


def test_export_formats_through_the_api(app: RunningApp) -> None:
    ref = declare(app)
    add_item(app, ref, title="=cmd|' /C calc'!A0", owner="alice", due="2026-03-10")
    add_item(app, ref, title="Second", priority="p3")
    before = app.snapshot()
    response = app.call("GET", "/api/v1/action-items/export", who="viewer")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="action-items.csv"'
    parsed = rows(response.text)
    assert [row[2] for row in parsed[1:]] == ["'=cmd|' /C calc'!A0", "Second"]

    jira = app.call("GET", "/api/v1/action-items/export", who="viewer", params={"format": "jira"}).json()
    assert [u["fields"]["project"] for u in jira["issueUpdates"]] == [{"key": "OPS"}, {"key": "OPS"}]
    assert jira["issueUpdates"][0]["fields"]["duedate"] == "2026-03-10"
    other = app.call("GET", "/api/v1/action-items/export", params={"format": "jira", "project": "SRE"}).json()
    assert other["issueUpdates"][0]["fields"]["project"] == {"key": "SRE"}

    github = app.call("GET", "/api/v1/action-items/export", params={"format": "github", "status": "open"}).json()
    assert [g["assignees"] for g in github] == [["alice-gh"], []]
    assert github[1]["labels"] == ["action-item", "INC-1", "priority: p3"]
    only_due = app.call("GET", "/api/v1/action-items/export", params={"format": "github", "owner": "alice"})
    assert [g["title"] for g in json.loads(only_due.text)] == ["=cmd|' /C calc'!A0"]  # JSON needs no neutralising

    bad = app.call("GET", "/api/v1/action-items/export", params={"format": "xml"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "format"
    assert app.snapshot() == before


def test_jira_export_needs_a_project(database_url: str) -> None:
    running = app_at_t0(database_url)
    try:
        response = running.call("GET", "/api/v1/action-items/export", params={"format": "jira"})
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "project"
    finally:
        running.client.close()
        running.warroom.close()
