"""Driving the web UI through the TestClient: an account, signing in, the CSRF token of the current page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient

from tests.harness.app import RunningApp, start_app
from warroom.auth.actors import SYSTEM, AccessRole
from warroom.web.app import WebState

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
_SIGNIN = re.compile(r'name="signin_token" value="([^"]+)"')


@contextmanager
def web_app(database_url: str, preset: str = "energy-audit") -> Iterator[RunningApp]:
    app = start_app(database_url, preset=preset)
    try:
        yield app
    finally:
        app.client.close()
        app.warroom.close()


def web_state(app: RunningApp) -> WebState:
    state: WebState = app.client.app.state.web  # type: ignore[attr-defined]
    return state


def create_account(
    app: RunningApp, username: str = "ana", role: AccessRole = AccessRole.RESPONDER, person: str | None = "engineer1"
) -> None:
    web_state(app).accounts.create(SYSTEM, username, PASSWORD, role, person=person)


def sign_in(client: TestClient, username: str = "ana", password: str = PASSWORD) -> str:
    """Sign in through the form; returns the CSRF token of the session."""
    form = client.get("/signin")
    token = _SIGNIN.search(form.text)
    assert token, form.text
    answer = client.post("/signin", data={"signin_token": token.group(1), "username": username, "password": password})
    assert answer.status_code == 200 and answer.url.path == "/", answer.text
    return csrf_of(answer.text)


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def declare(client: TestClient, csrf: str, title: str = "Checkout failing", **extra: str) -> str:
    """Declare through the form; returns the incident reference (INC-n) it redirected to."""
    answer = client.post("/declare", data={"csrf_token": csrf, "title": title, **extra})
    assert answer.status_code == 200, answer.text
    path = answer.url.path
    assert path.startswith("/incidents/INC-"), path
    return path.rsplit("/", 1)[1]
