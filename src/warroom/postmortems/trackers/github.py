"""GitHub Issues: `POST /repos/{owner}/{repo}/issues` with a bearer token, the v3 media type and an API version.

Answers: 201 with the issue (`number`, `html_url`, ...); errors `{"message", "errors": [...],
"documentation_url"}` (401 bad credentials, 404 no such repository, 410 issues disabled, 422 validation).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from pydantic import SecretStr

from warroom.postmortems.action_item_export import github_issue
from warroom.postmortems.action_item_models import ActionItemView
from warroom.postmortems.trackers.base import TIMEOUT_SECONDS, TrackerError, TrackerIssue, post_json

API_VERSION = "2022-11-28"


class GitHubTracker:
    name = "github"
    display_name = "GitHub"

    def __init__(
        self,
        api_url: str,
        token: SecretStr,
        repo: str,
        logins: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        owner, _, name = repo.partition("/")
        if not owner or not name or "/" in name:
            raise ValueError(f"github_repo must be 'owner/name', not {repo!r}")
        self.api_url = api_url.rstrip("/")
        self.repo = repo
        self.logins = dict(logins or {})
        self._token = token
        self._transport = transport

    def issue_body(self, item: ActionItemView) -> dict[str, Any]:
        return github_issue(item, self.logins)

    def create_issue(self, body: dict[str, Any]) -> TrackerIssue:
        with httpx.Client(
            base_url=self.api_url,
            headers={
                "Authorization": f"Bearer {self._token.get_secret_value()}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": "warroom",  # GitHub refuses requests without one
            },
            timeout=TIMEOUT_SECONDS,
            transport=self._transport,
        ) as client:
            answer = post_json(self, client, f"/repos/{self.repo}/issues", body, explain)
        number, url = answer.get("number"), answer.get("html_url")
        if not isinstance(number, int) or not isinstance(url, str):
            raise TrackerError(self.name, self.display_name, "the answer carried no issue number or html_url", 201)
        return TrackerIssue(key=f"{self.repo}#{number}", url=url)


def explain(status: int, answer: Any) -> str:
    if isinstance(answer, dict):
        message = str(answer.get("message") or f"HTTP {status}")
        details = []
        for item in answer.get("errors") or []:
            if isinstance(item, dict):
                field, code = item.get("field"), item.get("code")
                details.append(str(item.get("message") or " ".join(str(p) for p in (field, code) if p)))
            else:
                details.append(str(item))
        return message + (f" ({'; '.join(d for d in details if d)})" if any(details) else "")
    text = str(answer).strip()
    return text or f"HTTP {status} with an empty body"
