"""Signing in and out: local accounts, API tokens, generic refusals, the throttle, expiry and cookie flags."""

from __future__ import annotations

from datetime import timedelta

from tests.web.pages import PASSWORD, create_account, declare, sign_in, web_app
from warroom.auth.actors import AccessRole
from warroom.web.sessions import COOKIE

GENERIC = "The username or password is not right."


def _post_signin(client: object, **data: str) -> object:
    import re

    page = client.get("/signin")  # type: ignore[attr-defined]
    token = re.search(r'name="signin_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    return client.post("/signin", data={"signin_token": token, **data})  # type: ignore[attr-defined]


def test_pages_need_a_session_and_send_the_browser_to_sign_in(database_url: str) -> None:
    with web_app(database_url) as app:
        for path in ("/", "/incidents", "/declare", "/incidents/INC-1"):
            answer = app.client.get(path, follow_redirects=False)
            assert answer.status_code == 303 and answer.headers["location"] == "/signin", path
        htmx = app.client.get("/fragments/open-incidents", headers={"HX-Request": "true"}, follow_redirects=False)
        assert htmx.headers["HX-Redirect"] == "/signin"


def test_a_local_account_signs_in_and_out(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app, "ana", person="engineer1")
        csrf = sign_in(app.client, "Ana")  # usernames are case-insensitive
        dashboard = app.client.get("/")
        assert "engineer1 (responder)" in dashboard.text
        cookie = app.client.cookies.get(COOKIE)
        assert cookie
        out = app.client.post("/signout", data={"csrf_token": csrf}, follow_redirects=False)
        assert out.status_code == 303
        app.client.cookies.set(COOKIE, cookie)  # the old token is dead server-side, not just forgotten
        assert app.client.get("/", follow_redirects=False).status_code == 303


def test_wrong_password_and_unknown_user_get_the_same_words(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app, "ana")
        wrong = _post_signin(app.client, username="ana", password="not the password")
        unknown = _post_signin(app.client, username="nobody", password=PASSWORD)
        for answer in (wrong, unknown):
            assert answer.status_code == 401  # type: ignore[attr-defined]
            assert GENERIC in answer.text  # type: ignore[attr-defined]
        assert COOKIE not in app.client.cookies


def test_repeated_failures_throttle_that_username_for_a_while(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app, "ana")
        for _ in range(5):
            assert _post_signin(app.client, username="ana", password="guess guess").status_code == 401  # type: ignore[attr-defined]
        refused = _post_signin(app.client, username="ana", password=PASSWORD)
        assert refused.status_code == 401 and GENERIC in refused.text  # type: ignore[attr-defined]
        app.clock.advance(timedelta(minutes=6))
        sign_in(app.client, "ana")


def test_a_disabled_account_cannot_sign_in(database_url: str) -> None:
    from tests.web.pages import web_state
    from warroom.auth.actors import SYSTEM

    with web_app(database_url) as app:
        create_account(app, "ana")
        web_state(app).accounts.disable(SYSTEM, "ana")
        assert _post_signin(app.client, username="ana", password=PASSWORD).status_code == 401  # type: ignore[attr-defined]


def test_an_api_token_signs_in_as_its_name_and_role(database_url: str) -> None:
    with web_app(database_url) as app:
        answer = _post_signin(app.client, token=app.tokens["viewer"])
        assert answer.url.path == "/"  # type: ignore[attr-defined]
        assert "viewer (viewer)" in answer.text  # type: ignore[attr-defined]
        bad = _post_signin(app.client, token="wr_000000000000_" + "x" * 40)
        assert bad.status_code == 401  # type: ignore[attr-defined]


def test_the_sign_in_form_needs_its_own_token(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app, "ana")
        answer = app.client.post("/signin", data={"username": "ana", "password": PASSWORD})
        assert answer.status_code == 403
        assert COOKIE not in app.client.cookies


def test_sessions_end_after_idle_time_and_at_the_absolute_limit(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app, "ana")
        sign_in(app.client, "ana")
        app.clock.advance(timedelta(hours=11))
        assert app.client.get("/", follow_redirects=False).status_code == 200  # activity keeps it alive
        app.clock.advance(timedelta(hours=13))
        assert app.client.get("/", follow_redirects=False).status_code == 303
        sign_in(app.client, "ana")
        alive_for = 0  # active every 11 hours, still it ends 7 days (168 h) after sign-in
        while app.client.get("/", follow_redirects=False).status_code == 200:
            assert alive_for <= 168, "the session outlived its absolute limit"
            app.clock.advance(timedelta(hours=11))
            alive_for += 11
        assert alive_for == 176


def test_the_session_cookie_is_http_only_lax_and_secure_on_https(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app, "ana")
        answer = _post_signin(app.client, username="ana", password=PASSWORD)
        header = answer.history[0].headers["set-cookie"]  # type: ignore[attr-defined]
        assert "HttpOnly" in header and "SameSite=lax" in header and "Secure" not in header
    from tests.harness.app import start_app

    secure = start_app(database_url, preset="energy-audit", public_url="https://warroom.example")
    try:
        secure.client.base_url = "https://testserver"  # type: ignore[assignment]  # Secure cookies travel on https
        create_account(secure, "bea")  # the same database: ana exists already
        answer = _post_signin(secure.client, username="bea", password=PASSWORD)
        assert "Secure" in answer.history[0].headers["set-cookie"]  # type: ignore[attr-defined]
    finally:
        secure.client.close()
        secure.warroom.close()


def test_a_viewer_reads_but_cannot_declare(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app, "vic", role=AccessRole.VIEWER, person=None)
        csrf = sign_in(app.client, "vic")
        before = app.snapshot()
        answer = app.client.post("/declare", data={"csrf_token": csrf, "title": "nope"})
        assert answer.status_code == 403 and "responder" in answer.text
        assert app.snapshot() == before
        create_account(app, "ana")
        app.client.cookies.clear()
        declare(app.client, sign_in(app.client, "ana"))
