"""Jira Cloud: create an issue with `POST /rest/api/2/issue` (basic auth: account e-mail and API token).

v2 rather than v3 because v2 takes the description as plain text; v3 wants Atlassian Document Format.
Answers: 201 `{"id", "key", "self"}`; errors `{"errorMessages": [...], "errors": {"field": "message"}}`.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import SecretStr

from warroom.postmortems.action_item_export import jira_issue
from warroom.postmortems.action_item_models import ActionItemView
from warroom.postmortems.trackers.base import TIMEOUT_SECONDS, TrackerError, TrackerIssue, post_json


class JiraTracker:
    name = "jira"
    display_name = "Jira"

    def __init__(
        self,
        base_url: str,
        email: str,
        api_token: SecretStr,
        project: str,
        issue_type: str = "Task",
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.project = project
        self.issue_type = issue_type
        self._email = email
        self._token = api_token
        self._transport = transport

    def issue_body(self, item: ActionItemView) -> dict[str, Any]:
        return jira_issue(item, self.project, self.issue_type)

    def create_issue(self, body: dict[str, Any]) -> TrackerIssue:
        with httpx.Client(
            base_url=self.base_url,
            auth=httpx.BasicAuth(self._email, self._token.get_secret_value()),
            headers={"Accept": "application/json", "User-Agent": "warroom"},
            timeout=TIMEOUT_SECONDS,
            transport=self._transport,
        ) as client:
            answer = post_json(self, client, "/rest/api/2/issue", body, explain)
        key = answer.get("key")
        if not isinstance(key, str) or not key:
            raise TrackerError(self.name, self.display_name, "the answer carried no issue key", 201)
        return TrackerIssue(key=key, url=f"{self.base_url}/browse/{key}")


def explain(status: int, answer: Any) -> str:
    """Jira's error body in one line: the general messages, then each field's."""
    if isinstance(answer, dict):
        parts = [str(message) for message in answer.get("errorMessages") or []]
        errors = answer.get("errors") or {}
        if isinstance(errors, dict):
            parts += [f"{field}: {message}" for field, message in errors.items()]
        if parts:
            return "; ".join(parts)
        if answer.get("message"):
            return str(answer["message"])
    text = str(answer).strip()
    return text or f"HTTP {status} with an empty body"
