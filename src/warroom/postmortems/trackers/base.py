"""What every issue tracker client offers, and how its failures are told."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from warroom.errors import WarroomError
from warroom.postmortems.action_item_models import ActionItemView

TIMEOUT_SECONDS = 10.0
MAX_MESSAGE = 500


@dataclass(frozen=True)
class TrackerIssue:
    key: str  # OPS-12, or owner/repo#45
    url: str  # where a person opens it


class Tracker(Protocol):
    name: str  # jira | github
    display_name: str  # Jira | GitHub

    def issue_body(self, item: ActionItemView) -> dict[str, Any]: ...

    def create_issue(self, body: dict[str, Any]) -> TrackerIssue: ...


class TrackerError(WarroomError):
    """The tracker refused or could not be reached. Doors answer 502: the fault is upstream, not the caller's."""

    title = "Tracker error"

    def __init__(self, tracker: str, display_name: str, message: str, status: int | None = None) -> None:
        said = f"answered {status}" if status is not None else "could not be reached"
        super().__init__(f"{display_name} {said}: {message[:MAX_MESSAGE]}")
        self.tracker = tracker
        self.status = status
        self.message = message[:MAX_MESSAGE]


def post_json(
    tracker: Tracker,
    client: httpx.Client,
    path: str,
    body: dict[str, Any],
    explain: Any,
) -> dict[str, Any]:
    """POST and return the JSON answer of a 2xx; anything else is a TrackerError with the tracker's words.

    `explain(status, json_or_text)` turns the tracker's error body into one line.
    """
    try:
        response = client.post(path, json=body)
    except httpx.HTTPError as error:
        # The exception names the URL and the failure; the credentials travel in headers, never in it.
        raise TrackerError(tracker.name, tracker.display_name, f"{type(error).__name__}: {error}") from None
    try:
        answer: Any = response.json()
    except ValueError:
        answer = response.text
    if response.status_code >= 400:
        raise TrackerError(
            tracker.name, tracker.display_name, explain(response.status_code, answer), response.status_code
        )
    if not isinstance(answer, dict):
        raise TrackerError(tracker.name, tracker.display_name, "the answer was not a JSON object", response.status_code)
    return answer
