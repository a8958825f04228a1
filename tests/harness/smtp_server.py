"""The harness's SMTP server: a real aiosmtpd server on a loopback port that records every message it accepts.

Modes: ``plain``, ``starttls`` (STARTTLS required before anything else) and ``tls`` (implicit TLS). The certificate
comes from a ``trustme`` CA whose certificate is written to ``ca_file`` for the client to trust. With a username and
password, AUTH (PLAIN, LOGIN) is required and wrong credentials get ``535``. ``fail_next`` scripts refusals at
MAIL, RCPT or DATA (``451`` temporary, ``550`` permanent, ...).
"""

from __future__ import annotations

import email
import socket
import ssl
import tempfile
import threading
import time
import warnings
from collections import deque
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

Mode = Literal["plain", "starttls", "tls"]
Stage = Literal["MAIL", "RCPT", "DATA"]


@dataclass(frozen=True)
class ReceivedMail:
    envelope_from: str
    envelope_to: list[str]
    message: EmailMessage
    authenticated_as: str | None
    tls: bool


@dataclass(frozen=True)
class _Refusal:
    stage: Stage
    reply: str


class SmtpServer:
    """``with SmtpServer("starttls", username="pager", password="...") as smtp: ... smtp.received``."""

    def __init__(self, mode: Mode = "plain", *, username: str | None = None, password: str | None = None) -> None:
        self.mode = mode
        self.username = username
        self.password = password
        self.host = "127.0.0.1"
        self.received: list[ReceivedMail] = []
        self.auth_failures = 0
        self._refusals: deque[_Refusal] = deque()
        self._condition = threading.Condition()
        self._directory = tempfile.TemporaryDirectory(prefix="warroom-smtp-")
        ca = trustme.CA()
        self.ca_file = Path(self._directory.name) / "ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_file))
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(self.host, "localhost").configure_cert(tls)
        self.port = _free_port(self.host)
        options: dict[str, Any] = {}
        if mode == "starttls":
            options.update(tls_context=tls, require_starttls=True)
        if username is not None:
            # Implicit TLS is already encrypted, and aiosmtpd only counts STARTTLS; plain mode is a test setting.
            options.update(authenticator=self._authenticate, auth_required=True, auth_require_tls=mode == "starttls")
        self._controller = _Controller(
            _Handler(self), hostname=self.host, port=self.port, ssl_context=tls if mode == "tls" else None, **options
        )

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._controller.stop()
        self._directory.cleanup()

    def fail_next(
        self, count: int = 1, *, code: int = 451, text: str = "4.3.0 Try again later", stage: Stage = "DATA"
    ) -> None:
        """Refuse the next ``count`` commands of ``stage`` with ``code text``."""
        with self._condition:
            self._refusals.extend(_Refusal(stage, f"{code} {text}") for _ in range(count))

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[ReceivedMail]:
        """Block until ``count`` messages were accepted (waits on arrivals, never sleeps)."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while len(self.received) < count:
                if not self._condition.wait(deadline - time.monotonic()):
                    raise TimeoutError(f"{len(self.received)} of {count} e-mails arrived within {timeout} s")
            return list(self.received)

    # ---- called by aiosmtpd on its own thread ---------------------------------------------------------------------

    def _authenticate(
        self, _server: SMTP, _session: Session, _envelope: Envelope, _mechanism: str, data: Any
    ) -> AuthResult:
        accepted = (
            isinstance(data, LoginPassword)
            and data.login.decode() == self.username
            and data.password.decode() == self.password
        )
        if not accepted:
            with self._condition:
                self.auth_failures += 1
        # handled=False: aiosmtpd answers the refusal itself (535 5.7.8)
        return AuthResult(success=accepted, handled=False, auth_data=data if accepted else None)

    def _refusal(self, stage: Stage) -> str | None:
        with self._condition:
            refusal = next((r for r in self._refusals if r.stage == stage), None)
            if refusal is None:
                return None
            self._refusals.remove(refusal)
            return refusal.reply

    def _record(self, session: Session, envelope: Envelope) -> None:
        raw = envelope.original_content or envelope.content or b""
        parsed = email.message_from_bytes(raw if isinstance(raw, bytes) else raw.encode(), policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        login = session.auth_data.login if isinstance(session.auth_data, LoginPassword) else None
        mail = ReceivedMail(
            envelope_from=str(envelope.mail_from),
            envelope_to=list(envelope.rcpt_tos),
            message=parsed,
            authenticated_as=login.decode() if isinstance(login, bytes) else login,
            tls=self.mode == "tls" or session.ssl is not None,
        )
        with self._condition:
            self.received.append(mail)
            self._condition.notify_all()


class _Controller(Controller):
    def factory(self) -> SMTP:
        # With implicit TLS aiosmtpd warns that AUTH is allowed "without TLS": it only counts STARTTLS as TLS.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS", UserWarning)
            smtp: SMTP = super().factory()  # type: ignore[no-untyped-call]
            return smtp


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_MAIL(
        self, _smtp: SMTP, _session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        refused = self.server._refusal("MAIL")
        if refused:
            return refused
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, _smtp: SMTP, _session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        refused = self.server._refusal("RCPT")
        if refused:
            return refused
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, _smtp: SMTP, session: Session, envelope: Envelope) -> str:
        refused = self.server._refusal("DATA")
        if refused:
            return refused
        self.server._record(session, envelope)
        return "250 Message accepted for delivery"


def _free_port(host: str) -> int:
    # aiosmtpd's Controller connects to its port to check it is up, so it needs the number before it binds.
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])
