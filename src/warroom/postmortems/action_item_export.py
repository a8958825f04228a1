"""Action items out: CSV for spreadsheets, and issue bodies in Jira's and GitHub's own shapes.

Pure functions over read models. The Jira body is what `POST /rest/api/2/issue` takes; several of them
together are the body of `POST /rest/api/2/issue/bulk` (`{"issueUpdates": [...]}`). The GitHub body is what
`POST /repos/{owner}/{repo}/issues` takes; GitHub has no bulk endpoint, so several are a JSON array.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from warroom.postmortems.action_item_models import ActionItemView
from warroom.postmortems.action_item_rules import JIRA_PRIORITY, github_priority_label

CSV_COLUMNS = (
    "id",
    "incident",
    "title",
    "owner",
    "priority",
    "due",
    "due_date",
    "status",
    "overdue",
    "created",
    "closed",
    "external_key",
    "external_url",
)
LABEL = "action-item"


def _csv_safe(text: str) -> str:
    """Neutralise spreadsheet formulas in user text (CSV injection), as the timeline export does."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(items: Iterable[ActionItemView]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in items:
        writer.writerow(
            [
                item.id,
                item.incident,
                _csv_safe(item.title),
                _csv_safe(item.owner or ""),
                item.priority.value,
                item.due_at.isoformat() if item.due_at else "",
                item.due_date.isoformat() if item.due_date else "",
                item.status.value,
                "true" if item.overdue else "false",
                item.created_at.isoformat(),
                item.closed_at.isoformat() if item.closed_at else "",
                _csv_safe(item.external_key or ""),
                _csv_safe(item.external_url or ""),
            ]
        )
    return buffer.getvalue()


def issue_text(item: ActionItemView) -> str:
    """The issue's description: the item's own text, then where it came from (plain text, fine in both)."""
    lines = [item.description.strip()] if item.description.strip() else []
    lines += [
        "",
        f"Action item #{item.id} from {item.incident}: {item.incident_title}",
        f"Owner: {item.owner or 'unassigned'}",
        f"Priority: {item.priority.value}",
    ]
    if item.due_date:
        lines.append(f"Due: {item.due_date.isoformat()}")
    return "\n".join(lines).strip() + "\n"


def jira_issue(item: ActionItemView, project: str, issue_type: str = "Task") -> dict[str, Any]:
    fields: dict[str, Any] = {
        "project": {"key": project},
        "summary": item.title[:255],  # Jira's summary limit
        "description": issue_text(item),
        "issuetype": {"name": issue_type},
        "priority": {"name": JIRA_PRIORITY[item.priority]},
        "labels": [LABEL, item.incident],  # Jira labels cannot hold spaces
    }
    if item.due_date:
        fields["duedate"] = item.due_date.isoformat()
    return {"fields": fields}


def jira_bulk(items: Iterable[ActionItemView], project: str, issue_type: str = "Task") -> dict[str, Any]:
    return {"issueUpdates": [jira_issue(item, project, issue_type) for item in items]}


def github_issue(item: ActionItemView, logins: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Assignees only for owners with a known GitHub login: GitHub refuses unknown ones."""
    login = (logins or {}).get(item.owner or "")
    return {
        "title": item.title,
        "body": issue_text(item),
        "labels": [LABEL, item.incident, github_priority_label(item.priority)],
        "assignees": [login] if login else [],
    }


def github_issues(items: Iterable[ActionItemView], logins: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    return [github_issue(item, logins) for item in items]
