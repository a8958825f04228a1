"""The harness's fake Jira Cloud: a real HTTP server on loopback answering `POST /rest/api/2/issue`.

Basic auth with the account e-mail and API token; JSON bodies checked as Jira checks a create request against
its screens (project, summary, issue type, priority by name, `duedate` as YYYY-MM-DD, labels without spaces,
fields not on the screen refused). Answers 201 `{"id", "key", "self"}`; errors in Jira's shape
`{"errorMessages": [...], "errors": {field: message}}`. ``fail_next`` scripts failures, ``down`` answers 503.
Every request is recorded with its headers, accepted or not.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.harness.loopback import LoopbackServer

CREATE_PATH = "/rest/api/2/issue"
ISSUE_TYPES = ("Task", "Bug", "Story", "Epic")
PRIORITIES = ("Highest", "High", "Medium", "Low", "Lowest")
SCREEN_FIELDS = frozenset({"project", "summary", "description", "issuetype", "priority", "duedate", "labels"})
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
Answer = tuple[int, dict[str, Any]]


@dataclass(frozen=True)
class JiraRequest:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: Any
    status: int
    answer: dict[str, Any]

    @property
    def accepted(self) -> bool:
        return self.status == 201


def _error(status: int, messages: list[str] | None = None, errors: dict[str, str] | None = None) -> Answer:
    return status, {"errorMessages": messages or [], "errors": errors or {}}


class FakeJira(LoopbackServer):
    """``with FakeJira() as jira: JiraTracker(jira.url, jira.email, SecretStr(jira.api_token), jira.project)``."""

    def __init__(
        self, email: str = "warroom@example.com", api_token: str = "fake-jira-token-9c41", project: str = "OPS"
    ) -> None:
        self.email = email
        self.api_token = api_token
        self.project = project
        self.requests: list[JiraRequest] = []
        self.issues: list[dict[str, Any]] = []
        self._down = False
        self._failures: deque[Answer] = deque()
        self._lock = threading.Lock()
        self._serve(self._handler_class())

    # ---- scripting and inspection -------------------------------------------------------------------------

    def down(self, is_down: bool = True) -> None:
        with self._lock:
            self._down = is_down

    def fail_next(
        self, status: int = 400, messages: list[str] | None = None, errors: dict[str, str] | None = None
    ) -> None:
        with self._lock:
            self._failures.append(_error(status, messages, errors))

    def accepted(self) -> list[JiraRequest]:
        with self._lock:
            return [request for request in self.requests if request.accepted]

    # ---- the REST API -------------------------------------------------------------------------------------

    def _answer(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> Answer:
        with self._lock:
            if self._down:
                return _error(503, ["Service unavailable"])
        if not self._authorized(headers.get("authorization", "")):
            return _error(401, ["You are not authenticated. Authentication required to perform this operation."])
        if method != "POST" or path != CREATE_PATH:
            return _error(404, ["Not found"])
        if not headers.get("content-type", "").startswith("application/json"):
            return _error(415, ["Unsupported media type: send application/json"])
        with self._lock:
            failure = self._failures.popleft() if self._failures else None
        if failure is not None:
            return failure
        try:
            body = json.loads(raw)
        except ValueError:
            return _error(400, ["Unexpected character in the request body: not JSON"])
        fields = body.get("fields") if isinstance(body, dict) else None
        if not isinstance(fields, dict):
            return _error(400, ["Issue must contain 'fields'"])
        errors = _field_errors(fields, self.project)
        if errors:
            return _error(400, [], errors)
        with self._lock:
            number = len(self.issues) + 1
            issue_id = str(10000 + number)
            self.issues.append({"id": issue_id, "key": f"{self.project}-{number}", "fields": fields})
        return 201, {
            "id": issue_id,
            "key": f"{self.project}-{number}",
            "self": f"{self.url}/rest/api/2/issue/{issue_id}",
        }

    def _authorized(self, authorization: str) -> bool:
        scheme, _, encoded = authorization.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            return False
        return user == self.email and password == self.api_token

    def _record(self, request: JiraRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                headers = {name.lower(): value for name, value in self.headers.items()}
                status, answer = fake._answer(self.command, self.path, headers, raw)
                # Recorded before answering, so a caller whose request returned always finds it recorded.
                try:
                    body: Any = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode(errors="replace")
                fake._record(JiraRequest(self.command, self.path, headers, body, status, answer))
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_POST = _serve
            do_GET = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def _field_errors(fields: dict[str, Any], project: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name in fields:
        if name not in SCREEN_FIELDS:
            errors[name] = f"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown."
    if not isinstance(fields.get("project"), dict) or fields["project"].get("key") != project:
        errors["project"] = "valid project is required"
    summary = fields.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        errors["summary"] = "You must specify a summary of the issue."
    elif len(summary) > 255:
        errors["summary"] = "Summary must be less than 255 characters."
    if "description" in fields and not isinstance(fields["description"], str):
        errors["description"] = "Operation value must be a string"
    issue_type = fields.get("issuetype")
    if not isinstance(issue_type, dict) or issue_type.get("name") not in ISSUE_TYPES:
        errors["issuetype"] = "Specify an issue type"
    priority = fields.get("priority")
    if priority is not None and (not isinstance(priority, dict) or priority.get("name") not in PRIORITIES):
        errors["priority"] = "Specify the Priority (id or name) in the correct format"
    due = fields.get("duedate")
    if due is not None and (not isinstance(due, str) or not DATE.match(due)):
        errors["duedate"] = f"Error parsing date string: {due}"
    labels = fields.get("labels", [])
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        errors["labels"] = "Operation value must be an array of strings"
    else:
        spaced = next((label for label in labels if " " in label), None)
        if spaced is not None:
            errors["labels"] = f"The label '{spaced}' contains spaces which is invalid."
    return errors
