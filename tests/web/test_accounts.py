"""Local accounts: hashed passwords, clear refusals, and the `warroom account create` command."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tests.web.pages import PASSWORD, web_app, web_state
from warroom.auth.actors import SYSTEM, AccessRole
from warroom.cli.main import app as cli
from warroom.errors import Conflict, InvalidInput
from warroom.store.tables import accounts
from warroom.web.accounts import SignInRefused


def test_passwords_are_stored_only_as_argon2_hashes(database_url: str) -> None:
    with web_app(database_url) as app:
        service = web_state(app).accounts
        service.create(SYSTEM, "Ana", PASSWORD, AccessRole.RESPONDER, person="engineer1")
        with app.warroom.db.read() as connection:
            stored = connection.execute(select(accounts.c.username, accounts.c.password_hash)).one()
        assert stored.username == "ana" and stored.password_hash.startswith("$argon2id$")
        assert PASSWORD not in stored.password_hash
        account = service.sign_in("ana", PASSWORD)
        assert account.actor.name == "engineer1" and account.actor.role is AccessRole.RESPONDER
        with pytest.raises(SignInRefused):
            service.sign_in("ana", PASSWORD + "x")


def test_bad_accounts_are_refused_naming_the_field(database_url: str) -> None:
    with web_app(database_url) as app:
        service = web_state(app).accounts
        service.create(SYSTEM, "ana", PASSWORD, AccessRole.VIEWER)
        before = app.snapshot()
        with pytest.raises(Conflict, match="username"):
            service.create(SYSTEM, "ANA", PASSWORD, AccessRole.VIEWER)
        with pytest.raises(InvalidInput, match="password"):
            service.create(SYSTEM, "bea", "short", AccessRole.VIEWER)
        with pytest.raises(InvalidInput, match="username"):
            service.create(SYSTEM, "no spaces", PASSWORD, AccessRole.VIEWER)
        with pytest.raises(InvalidInput, match="person"):
            service.create(SYSTEM, "cid", PASSWORD, AccessRole.VIEWER, person="ghost", known_people={"engineer1"})
        assert app.snapshot() == before


def test_the_cli_creates_an_account_from_a_password_on_stdin(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WARROOM_DATABASE_URL", database_url)
    monkeypatch.setenv("WARROOM_PRESET", "energy-audit")
    result = CliRunner().invoke(
        cli, ["account", "create", "ana", "--role", "admin", "--person", "engineer1"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    with web_app(database_url) as app:
        assert web_state(app).accounts.sign_in("ana", PASSWORD).role is AccessRole.ADMIN
    ghost = CliRunner().invoke(cli, ["account", "create", "bea", "--person", "ghost"], input=PASSWORD + "\n")
    assert ghost.exit_code == 2 and "person" in ghost.output
