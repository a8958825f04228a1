"""The e-mail channel against a real aiosmtpd server: plain, STARTTLS + AUTH, implicit TLS, refusals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import pytest

from tests.harness.server import free_port
from tests.harness.smtp_server import SmtpServer
from tests.notify.channels import outbox_message
from warroom.clock import ManualClock
from warroom.notify.channels import DeliveryFailed
from warroom.notify.channels.email import EmailChannel, message_id
from warroom.notify.outbox import Message

PASSWORD = "s3cret-smtp-p4ss"
SENDER = "Warroom <warroom@example.org>"
BODY = {
    "kind": "page",
    "text": "Checkout is failing.",
    "incident": "INC-42",
    "ack_url": "https://warroom.example.org/ack/tok123",
}
NOW = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)


@pytest.fixture
def plain() -> Iterator[SmtpServer]:
    with SmtpServer("plain") as server:
        yield server


def _channel(server: SmtpServer, security: Any = "none", **overrides: Any) -> EmailChannel:
    options: dict[str, Any] = {
        "host": server.host,
        "port": server.port,
        "security": security,
        "username": None,
        "password": None,
        "sender": SENDER,
        "ca_file": server.ca_file,
        "timeout": 5,
        "clock": ManualClock(NOW),
    }
    options.update(overrides)
    return EmailChannel(**options)


def _page(address: str = "alice@example.org", key: str = "page:42:alice:email:1767603600") -> Message:
    return outbox_message("email", address, BODY, key=key)


def _failure(channel: EmailChannel, message: Message | None = None) -> DeliveryFailed:
    with pytest.raises(DeliveryFailed) as caught:
        channel.deliver(message or _page())
    assert PASSWORD not in str(caught.value)
    return caught.value


def test_a_page_arrives_with_its_headers_and_ack_link(plain: SmtpServer) -> None:
    delivered = _channel(plain).deliver(_page())

    [mail] = plain.received
    email = mail.message
    assert mail.envelope_from == "warroom@example.org" and mail.envelope_to == ["alice@example.org"]
    assert email["From"] == SENDER and email["To"] == "alice@example.org"
    assert email["Subject"] == "INC-42 SEV-1: checkout is failing"
    assert parsedate_to_datetime(email["Date"]) == NOW  # the injected clock, not the system's
    assert email["X-Warroom-Incident"] == "INC-42" and email["Auto-Submitted"] == "auto-generated"
    assert email["Message-ID"] == message_id("page:42:alice:email:1767603600") == delivered.provider_id
    content = email.get_content()
    assert content.startswith("Checkout is failing.")
    assert "Acknowledge: https://warroom.example.org/ack/tok123" in content.splitlines()


def test_a_repeat_of_one_message_has_the_same_message_id(plain: SmtpServer) -> None:
    channel = _channel(plain)
    channel.deliver(_page())
    channel.deliver(_page())
    channel.deliver(_page(key="page:42:bob:email:1767603600"))

    ids = [mail.message["Message-ID"] for mail in plain.received]
    assert ids[0] == ids[1] != ids[2] and ids[0].endswith("@warroom>") and len(ids[0]) == len("<@warroom>") + 32


def test_starttls_with_login_delivers() -> None:
    with SmtpServer("starttls", username="pager", password=PASSWORD) as server:
        _channel(server, "starttls", username="pager", password=PASSWORD).deliver(_page())

        [mail] = server.received
        assert mail.tls and mail.authenticated_as == "pager"


def test_implicit_tls_with_login_delivers() -> None:
    with SmtpServer("tls", username="pager", password=PASSWORD) as server:
        _channel(server, "tls", username="pager", password=PASSWORD).deliver(_page())

        [mail] = server.received
        assert mail.tls and mail.authenticated_as == "pager"


def test_a_wrong_password_is_permanent_and_never_quoted() -> None:
    with SmtpServer("starttls", username="pager", password="the-right-one") as server:
        failure = _failure(_channel(server, "starttls", username="pager", password=PASSWORD))

        assert failure.permanent and "535" in str(failure) and "pager" in str(failure)
        assert server.auth_failures >= 1 and server.received == []


def test_an_untrusted_certificate_is_refused() -> None:
    with SmtpServer("tls") as server:
        failure = _failure(_channel(server, "tls", ca_file=None))

        assert failure.permanent and "certificate" in str(failure)
        assert server.received == []


def test_starttls_wanted_but_not_offered_is_permanent(plain: SmtpServer) -> None:
    failure = _failure(_channel(plain, "starttls"))

    assert failure.permanent and "STARTTLS" in str(failure)


@pytest.mark.parametrize(
    ("stage", "code", "permanent", "phrase"),
    [
        ("DATA", 451, False, "451"),
        ("DATA", 554, True, "554"),
        ("RCPT", 550, True, "refused the recipient alice@example.org"),
        ("RCPT", 450, False, "refused the recipient"),
        ("MAIL", 553, True, "refused the sender"),
        ("MAIL", 421, False, "refused the sender"),
    ],
)
def test_refusals_map_to_permanent_or_transient(
    plain: SmtpServer, stage: Any, code: int, permanent: bool, phrase: str
) -> None:
    plain.fail_next(stage=stage, code=code, text="5.0.0 scripted" if code >= 500 else "4.0.0 scripted")

    failure = _failure(_channel(plain))

    assert failure.permanent is permanent and phrase in str(failure)
    assert plain.received == []


def test_a_temporary_failure_then_success(plain: SmtpServer) -> None:
    channel = _channel(plain)
    plain.fail_next(2, code=451)

    for _ in range(2):
        assert not _failure(channel).permanent
    channel.deliver(_page())

    assert len(plain.received) == 1


def test_an_unreachable_server_is_transient() -> None:
    channel = EmailChannel("127.0.0.1", free_port(), "none", None, None, SENDER, timeout=2)

    assert not _failure(channel).permanent


def test_a_bad_address_or_empty_text_is_refused_before_connecting(plain: SmtpServer) -> None:
    channel = _channel(plain)

    assert _failure(channel, _page(address="not an address")).permanent
    assert _failure(channel, _page(address="a@example.org\r\nBcc: x@example.org")).permanent
    assert _failure(channel, outbox_message("email", "a@example.org", {"kind": "post", "text": " "})).permanent
    assert plain.received == []


def test_an_unknown_security_mode_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="ssl"):
        EmailChannel("localhost", 25, "ssl", None, None, SENDER)  # type: ignore[arg-type]
