"""Pushing action items to Jira and GitHub, against loopback fakes that check auth, headers and bodies.

The clients alone first (answers and failures in each tracker's words), then the use case through the API:
created once, stored, refused trackers answered 502 with nothing changed, and no token anywhere it should not be.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from tests.harness.app import RunningApp
from tests.harness.fake_github import FakeGitHub
from tests.harness.fake_jira import FakeJira
from tests.harness.server import free_port
from tests.postmortems.action_item_support import add_item, app_at_t0, declare, events, sample_item
from warroom.postmortems.trackers import GitHubTracker, JiraTracker, TrackerError, trackers_from_settings
from warroom.settings import Settings


@pytest.fixture
def jira() -> Iterator[FakeJira]:
    with FakeJira() as fake:
        yield fake


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        yield fake


def jira_client(fake: FakeJira, token: str | None = None) -> JiraTracker:
    return JiraTracker(fake.url, fake.email, SecretStr(token or fake.api_token), fake.project, "Task")


def github_client(fake: FakeGitHub, token: str | None = None, repo: str | None = None) -> GitHubTracker:
    return GitHubTracker(fake.url, SecretStr(token or fake.token), repo or fake.repo, logins={"alice": "alice-gh"})


# ---- the clients -------------------------------------------------------------------------------------------


def test_jira_creates_an_issue_with_basic_auth(jira: FakeJira) -> None:
    client = jira_client(jira)
    issue = client.create_issue(client.issue_body(sample_item()))
    assert (issue.key, issue.url) == ("OPS-1", f"{jira.url}/browse/OPS-1")
    [request] = jira.accepted()
    assert request.path == "/rest/api/2/issue" and request.headers["content-type"] == "application/json"
    assert request.headers["authorization"].startswith("Basic ")
    assert request.body["fields"]["priority"] == {"name": "High"} and request.body["fields"]["duedate"] == "2026-03-10"


def test_jira_refusals_come_back_in_its_words(jira: FakeJira) -> None:
    client = jira_client(jira)
    body = client.issue_body(sample_item())
    jira.fail_next(400, errors={"priority": "Field 'priority' cannot be set. It is not on the appropriate screen."})
    with pytest.raises(TrackerError) as refused:
        client.create_issue(body)
    assert refused.value.status == 400 and refused.value.tracker == "jira"
    assert (
        refused.value.detail
        == "Jira answered 400: priority: Field 'priority' cannot be set. It is not on the appropriate screen."
    )
    jira.fail_next(500, ["Internal server error"])
    with pytest.raises(TrackerError, match="Jira answered 500: Internal server error"):
        client.create_issue(body)
    with pytest.raises(TrackerError, match="Jira answered 401: You are not authenticated"):
        jira_client(jira, token="wrong").create_issue(body)
    with pytest.raises(TrackerError, match="project: valid project is required"):
        JiraTracker(jira.url, jira.email, SecretStr(jira.api_token), "NOPE").create_issue(
            JiraTracker(jira.url, jira.email, SecretStr(jira.api_token), "NOPE").issue_body(sample_item())
        )
    assert jira.accepted() == []


def test_github_creates_an_issue_with_its_headers(github: FakeGitHub) -> None:
    client = github_client(github)
    issue = client.create_issue(client.issue_body(sample_item()))
    assert (issue.key, issue.url) == ("acme/ops#1", "https://github.com/acme/ops/issues/1")
    [request] = github.accepted()
    assert request.path == "/repos/acme/ops/issues"
    assert request.headers["authorization"] == f"Bearer {github.token}"
    assert request.headers["accept"] == "application/vnd.github+json"
    assert request.headers["x-github-api-version"] == "2022-11-28"
    assert request.body["assignees"] == ["alice-gh"] and "priority: p1" in request.body["labels"]


def test_github_refusals_come_back_in_its_words(github: FakeGitHub) -> None:
    client = github_client(github)
    body = client.issue_body(sample_item())
    with pytest.raises(TrackerError, match=r"GitHub answered 422: Validation Failed \(assignees invalid\)"):
        client.create_issue({**body, "assignees": ["mallory"]})
    github.fail_next(502, "Server Error")
    with pytest.raises(TrackerError, match="GitHub answered 502: Server Error"):
        client.create_issue(body)
    with pytest.raises(TrackerError, match="GitHub answered 401: Bad credentials"):
        github_client(github, token="ghp_wrong").create_issue(body)
    with pytest.raises(TrackerError, match="GitHub answered 404: Not Found"):
        github_client(github, repo="acme/other").create_issue(body)
    assert github.accepted() == []


def test_an_unreachable_tracker_is_a_tracker_error() -> None:
    client = JiraTracker(f"http://127.0.0.1:{free_port()}", "a@example.com", SecretStr("t"), "OPS")
    with pytest.raises(TrackerError, match="Jira could not be reached: ConnectError") as refused:
        client.create_issue({"fields": {}})
    assert refused.value.status is None


def test_settings_say_what_a_tracker_lacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    trackers = trackers_from_settings(Settings(jira_url="https://x.atlassian.net", github_repo="no-slash"))
    assert trackers.configured == {}
    assert trackers.missing["jira"] == "set WARROOM_JIRA_EMAIL, WARROOM_JIRA_API_TOKEN, WARROOM_JIRA_PROJECT"
    assert trackers.missing["github"] == "set WARROOM_GITHUB_TOKEN"
    bad_repo = trackers_from_settings(Settings(github_token="t", github_repo="no-slash"))
    assert "must be 'owner/name'" in bad_repo.missing["github"]
    (tmp_path / "WARROOM_JIRA_API_TOKEN").write_text("from-a-file")
    monkeypatch.setenv("WARROOM_SECRETS_DIR", str(tmp_path))
    settings = Settings(jira_url="https://x.atlassian.net", jira_email="a@b.c", jira_project="OPS")
    assert settings.jira_api_token is not None and settings.jira_api_token.get_secret_value() == "from-a-file"
    assert "from-a-file" not in repr(settings)
    assert set(trackers_from_settings(settings).configured) == {"jira"}


# ---- the use case through the API ----------------------------------------------------------------------------


@pytest.fixture
def app(database_url: str, jira: FakeJira, github: FakeGitHub) -> Iterator[RunningApp]:
    running = app_at_t0(
        database_url,
        jira_url=jira.url,
        jira_email=jira.email,
        jira_api_token=jira.api_token,
        jira_project=jira.project,
        github_api_url=github.url,
        github_token=github.token,
        github_repo=github.repo,
        github_logins={"alice": "alice-gh"},
    )
    yield running
    running.client.close()
    running.warroom.close()


def push(app: RunningApp, item_id: int, tracker: str, who: str = "responder") -> Any:
    return app.call("POST", f"/api/v1/action-items/{item_id}/push", who=who, json={"tracker": tracker})


def test_push_creates_the_issue_once_and_stores_it(app: RunningApp, jira: FakeJira, github: FakeGitHub) -> None:
    ref = declare(app)
    add_item(app, ref, owner="alice", due="2026-03-10", priority="p0")
    add_item(app, ref, title="Load test concurrent connections")
    created = push(app, 1, "jira")
    assert created.status_code == 201, created.text
    item = created.json()["item"]
    assert created.json()["created"] is True
    assert (item["external_key"], item["external_url"]) == ("OPS-1", f"{jira.url}/browse/OPS-1")
    assert jira.issues[0]["fields"]["summary"] == "Alert on connection pool usage"
    assert jira.issues[0]["fields"]["priority"] == {"name": "Highest"}
    [event] = events(app, 1, "action_item_pushed")
    assert event.text == "Action item #1 pushed to Jira as OPS-1"

    before = app.snapshot()
    again = push(app, 1, "JIRA")
    assert again.status_code == 200 and again.json() == {"item": item, "created": False}
    assert len(jira.requests) == 1  # not pushed twice
    elsewhere = push(app, 1, "github")
    assert elsewhere.status_code == 409 and "already pushed to jira as OPS-1" in elsewhere.json()["detail"]
    assert github.requests == [] and app.snapshot() == before

    to_github = push(app, 2, "github").json()["item"]
    assert (to_github["external_key"], to_github["external_url"]) == (
        "acme/ops#1",
        "https://github.com/acme/ops/issues/1",
    )
    assert github.issues[0]["assignees"] == []  # no owner, no assignee
    listed = app.call("GET", "/api/v1/action-items", who="viewer").json()
    assert [i["external_key"] for i in listed] == ["OPS-1", "acme/ops#1"]


@pytest.mark.parametrize(
    ("tracker", "script", "status", "detail"),
    [
        ("jira", ("fail", 400), 400, "Jira answered 400: duedate: Error parsing date string"),
        ("jira", ("fail", 503), 503, "Jira answered 503: Service unavailable"),
        ("github", ("fail", 422), 422, "GitHub answered 422: Validation Failed (labels invalid)"),
        ("github", ("fail", 500), 500, "GitHub answered 500: Server Error"),
        ("github", ("down", 0), 503, "GitHub answered 503: Service Unavailable"),
    ],
)
def test_tracker_failures_are_502_and_change_nothing(
    app: RunningApp,
    jira: FakeJira,
    github: FakeGitHub,
    caplog: pytest.LogCaptureFixture,
    tracker: str,
    script: tuple[str, int],
    status: int,
    detail: str,
) -> None:
    ref = declare(app)
    add_item(app, ref, due="2026-03-10")
    kind, code = script
    if tracker == "jira":
        if code == 400:
            jira.fail_next(400, errors={"duedate": "Error parsing date string: 2026-03-10"})
        else:
            jira.down()
    elif kind == "down":
        github.down()
    elif code == 422:
        github.fail_next(422, errors=[{"resource": "Issue", "field": "labels", "code": "invalid"}])
    else:
        github.fail_next(500, "Server Error")
    caplog.set_level(logging.INFO)
    before = app.snapshot()
    response = push(app, 1, tracker)
    assert response.status_code == 502, response.text
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert problem["title"] == "Tracker error" and problem["tracker"] == tracker
    assert problem["tracker_status"] == status and problem["detail"].startswith(detail)
    assert app.snapshot() == before
    for secret in (jira.api_token, github.token):
        assert secret not in response.text and secret not in caplog.text


def test_push_refusals_before_any_tracker_is_called(database_url: str, jira: FakeJira) -> None:
    running = app_at_t0(database_url, jira_url=jira.url, jira_email=jira.email, jira_project="OPS")  # no token
    try:
        ref = declare(running)
        add_item(running, ref)
        private = declare(running, title="Leak", private=True)
        add_item(running, private)
        before = running.snapshot()
        missing = push(running, 1, "jira")
        assert missing.status_code == 422
        assert missing.json()["errors"] == [
            {"field": "tracker", "reason": "jira is not configured: set WARROOM_JIRA_API_TOKEN"}
        ]
        unknown = push(running, 1, "linear")
        assert unknown.status_code == 422 and "use jira or github" in unknown.json()["errors"][0]["reason"]
        assert push(running, 1, "github").json()["errors"][0]["reason"].startswith("github is not configured")
        assert push(running, 1, "jira", who="viewer").status_code == 403
        assert push(running, 9, "jira").status_code == 422  # configuration first: jira lacks its token
        assert running.snapshot() == before and jira.requests == []
    finally:
        running.client.close()
        running.warroom.close()


def test_an_outsider_cannot_push_an_item_of_a_private_incident(app: RunningApp, jira: FakeJira) -> None:
    ref = declare(app, title="Leak", private=True)
    add_item(app, ref)
    before = app.snapshot()
    assert push(app, 1, "jira", who="outsider").status_code == 404
    assert push(app, 9, "jira").status_code == 404
    assert app.snapshot() == before and jira.requests == []


def test_tokens_never_reach_responses_or_logs(
    app: RunningApp, jira: FakeJira, github: FakeGitHub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ref = declare(app)
    add_item(app, ref)
    add_item(app, ref)
    texts = [push(app, 1, "jira").text, push(app, 2, "github").text]
    texts += [app.call("GET", path).text for path in ("/api/v1/action-items", "/openapi.json")]
    texts += [app.call("GET", "/api/v1/action-items/export", params={"format": f}).text for f in ("csv", "github")]
    for secret in (jira.api_token, github.token):
        assert all(secret not in text for text in texts)
        assert secret not in caplog.text
        assert secret not in repr(app.snapshot())
