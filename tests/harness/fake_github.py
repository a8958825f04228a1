"""The harness's fake GitHub REST API: a real HTTP server on loopback answering `POST /repos/{owner}/{repo}/issues`.

It checks what GitHub checks: a bearer (or `token`) credential, a User-Agent, the `application/vnd.github+json`
media type and a supported `X-GitHub-Api-Version`; the body needs a `title`, labels are strings, assignees must
be collaborators. Answers 201 with an issue (`number`, `html_url`, `labels`, `assignees`, ...); errors in
GitHub's shape `{"message", "errors"?, "documentation_url", "status"}` (401, 404, 410, 422). ``fail_next``
scripts failures, ``down`` answers 503. Every request is recorded with its headers, accepted or not.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.harness.loopback import LoopbackServer

ISSUES_PATH = re.compile(r"^/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)/issues$")
MEDIA_TYPE = "application/vnd.github+json"
API_VERSIONS = ("2022-11-28",)
DOCS = "https://docs.github.com/rest/issues/issues#create-an-issue"
Answer = tuple[int, dict[str, Any]]


@dataclass(frozen=True)
class GitHubRequest:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: Any
    status: int
    answer: dict[str, Any]

    @property
    def accepted(self) -> bool:
        return self.status == 201


def _error(status: int, message: str, errors: list[dict[str, Any]] | None = None) -> Answer:
    body: dict[str, Any] = {"message": message, "documentation_url": DOCS, "status": str(status)}
    if errors:
        body["errors"] = errors
    return status, body


class FakeGitHub(LoopbackServer):
    """``with FakeGitHub() as github: GitHubTracker(github.url, SecretStr(github.token), github.repo)``."""

    def __init__(
        self,
        token: str = "ghp_fakeToken0000000000000000000000000",
        repo: str = "acme/ops",
        collaborators: tuple[str, ...] = ("alice-gh", "bob-gh"),
    ) -> None:
        self.token = token
        self.repo = repo
        self.collaborators = collaborators
        self.web_url = "https://github.com"
        self.requests: list[GitHubRequest] = []
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
        self, status: int = 422, message: str = "Validation Failed", errors: list[dict[str, Any]] | None = None
    ) -> None:
        with self._lock:
            self._failures.append(_error(status, message, errors))

    def accepted(self) -> list[GitHubRequest]:
        with self._lock:
            return [request for request in self.requests if request.accepted]

    # ---- the REST API -------------------------------------------------------------------------------------

    def _answer(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> Answer:
        with self._lock:
            if self._down:
                return _error(503, "Service Unavailable")
        if not headers.get("user-agent"):
            return _error(
                403, "Request forbidden by administrative rules. Please make sure your request has a User-Agent header"
            )
        scheme, _, credential = headers.get("authorization", "").partition(" ")
        if scheme.lower() not in ("bearer", "token") or credential != self.token:
            return _error(401, "Bad credentials")
        if headers.get("accept") != MEDIA_TYPE:
            return _error(415, f"Unsupported 'Accept' header: {headers.get('accept')!r}; use {MEDIA_TYPE}")
        version = headers.get("x-github-api-version")
        if version not in API_VERSIONS:
            return _error(400, f"Invalid or unsupported API version: {version!r}")
        match = ISSUES_PATH.match(path)
        if method != "POST" or match is None or f"{match['owner']}/{match['repo']}" != self.repo:
            return _error(404, "Not Found")
        with self._lock:
            failure = self._failures.popleft() if self._failures else None
        if failure is not None:
            return failure
        try:
            body = json.loads(raw)
        except ValueError:
            return _error(400, "Problems parsing JSON")
        if not isinstance(body, dict):
            return _error(400, "Problems parsing JSON")
        problems = _validation_errors(body, self.collaborators)
        if problems:
            return _error(422, "Validation Failed", problems)
        return 201, self._create(body)

    def _create(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            number = len(self.issues) + 1
            issue = {
                "id": 1_000_000 + number,
                "node_id": f"I_fake{number}",
                "url": f"{self.url}/repos/{self.repo}/issues/{number}",
                "repository_url": f"{self.url}/repos/{self.repo}",
                "html_url": f"{self.web_url}/{self.repo}/issues/{number}",
                "number": number,
                "state": "open",
                "title": str(body["title"]),
                "body": body.get("body"),
                "user": {"login": "warroom-bot", "type": "Bot"},
                "labels": [
                    {"id": 500 + i, "name": name, "color": "ededed"} for i, name in enumerate(body.get("labels") or [])
                ],
                "assignees": [{"login": login} for login in body.get("assignees") or []],
                "comments": 0,
                "created_at": "2026-03-05T14:00:00Z",
                "updated_at": "2026-03-05T14:00:00Z",
                "closed_at": None,
            }
            self.issues.append(issue)
            return issue

    def _record(self, request: GitHubRequest) -> None:
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
                fake._record(GitHubRequest(self.command, self.path, headers, body, status, answer))
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("X-GitHub-Media-Type", "github.v3; format=json")
                self.end_headers()
                self.wfile.write(payload)

            do_POST = _serve
            do_GET = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def _validation_errors(body: dict[str, Any], collaborators: tuple[str, ...]) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    title = body.get("title")
    if title is None or (isinstance(title, str) and not title.strip()):
        errors.append({"resource": "Issue", "code": "missing_field", "field": "title"})
    elif not isinstance(title, str | int):
        errors.append({"resource": "Issue", "code": "invalid", "field": "title"})
    labels = body.get("labels", [])
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        errors.append({"resource": "Issue", "code": "invalid", "field": "labels"})
    assignees = body.get("assignees", [])
    if not isinstance(assignees, list):
        errors.append({"resource": "Issue", "code": "invalid", "field": "assignees"})
    else:
        for login in assignees:
            if login not in collaborators:
                errors.append({"value": login, "resource": "Issue", "field": "assignees", "code": "invalid"})
    return errors
