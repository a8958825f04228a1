"""The e-mail channel: one message per outbox row over SMTP (plain, STARTTLS or implicit TLS), with login.

The Message-ID is derived from the idempotency key, so a repeat sent after a crash carries the same id and a
mail client shows it once. TLS always verifies the server's certificate (against `ca_file` when given).
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from contextlib import suppress
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Literal

from warroom.clock import Clock, SystemClock
from warroom.notify.channels import Delivered, DeliveryFailed
from warroom.notify.outbox import Message

Security = Literal["none", "starttls", "tls"]
SECURITY_MODES: tuple[str, ...] = ("none", "starttls", "tls")


def message_id(idempotency_key: str) -> str:
    """The same key gives the same Message-ID on every attempt."""
    return f"<{hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]}@warroom>"


class EmailChannel:
    name = "email"

    def __init__(
        self,
        host: str,
        port: int,
        security: Security,
        username: str | None,
        password: str | None,
        sender: str,
        ca_file: Path | None = None,
        timeout: float = 10,
        *,
        clock: Clock | None = None,
    ) -> None:
        if security not in SECURITY_MODES:
            raise ValueError(f"SMTP security must be one of {', '.join(SECURITY_MODES)}, not {security!r}")
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self._password = password
        self.sender = sender
        self.timeout = timeout
        self.clock: Clock = clock or SystemClock()
        # Loaded once: a missing or unreadable CA file is a configuration error at start, not per message.
        self._tls = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)

    def deliver(self, message: Message) -> Delivered:
        email = self.compose(message)
        try:
            self._send(email, str(message.address))
        except (smtplib.SMTPException, OSError) as error:
            raise self._failure(error, str(message.address)) from None
        return Delivered(provider_id=str(email["Message-ID"]))

    def compose(self, message: Message) -> EmailMessage:
        address = (message.address or "").strip()
        if "@" not in address or any(c in address for c in "\r\n<>,; "):
            raise DeliveryFailed(f"{message.address!r} is not an e-mail address", permanent=True)
        text = message.body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise DeliveryFailed("the e-mail has no text", permanent=True)
        ack_url = message.body.get("ack_url")
        if ack_url:
            text = f"{text.rstrip()}\n\nAcknowledge: {ack_url}\n"
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = address
        # A header may not span lines; a subject with a line break would otherwise be refused by the library.
        email["Subject"] = " ".join(message.subject.split())
        email["Date"] = formatdate(self.clock.now().timestamp(), localtime=False, usegmt=True)
        email["Message-ID"] = message_id(message.idempotency_key)
        incident = message.body.get("incident")
        if incident:
            email["X-Warroom-Incident"] = str(incident)
        email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies to a page
        email.set_content(text)
        return email

    def close(self) -> None:
        """Nothing held open: each message opens and closes its own SMTP session."""

    def _send(self, email: EmailMessage, address: str) -> None:
        smtp: smtplib.SMTP
        if self.security == "tls":
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._tls)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.security == "starttls":
                smtp.starttls(context=self._tls)
            if self.username:
                smtp.login(self.username, self._password or "")
            smtp.send_message(email, to_addrs=[address])
        finally:
            # The message is accepted once DATA is answered; a failing QUIT must not turn that into a failure.
            with suppress(smtplib.SMTPException, OSError):
                smtp.quit()
            smtp.close()

    def _failure(self, error: BaseException, address: str) -> DeliveryFailed:
        if isinstance(error, smtplib.SMTPRecipientsRefused):
            replies = list(error.recipients.values())
            said = "; ".join(f"{code} {_said(reply)}" for code, reply in replies)
            permanent = all(500 <= code < 600 for code, _ in replies)
            return self._failed(f"smtp: the server refused the recipient {address}: {said}", permanent)
        if isinstance(error, smtplib.SMTPAuthenticationError):
            said = f"{error.smtp_code} {_said(error.smtp_error)}"
            return self._failed(f"smtp: login as {self.username!r} was refused: {said}", _is_5xx(error.smtp_code))
        if isinstance(error, smtplib.SMTPSenderRefused):
            said = f"{error.smtp_code} {_said(error.smtp_error)}"
            refused = f"smtp: the server refused the sender {self.sender!r}: {said}"
            return self._failed(refused, _is_5xx(error.smtp_code))
        if isinstance(error, smtplib.SMTPResponseException):
            said = f"{error.smtp_code} {_said(error.smtp_error)}"
            return self._failed(f"smtp: the server answered {said}", _is_5xx(error.smtp_code))
        if isinstance(error, smtplib.SMTPNotSupportedError):
            # STARTTLS or AUTH not offered: the server and our settings disagree until someone changes one.
            return self._failed(f"smtp: {error} (check WARROOM_SMTP_SECURITY and WARROOM_SMTP_USERNAME)", True)
        if isinstance(error, ssl.SSLCertVerificationError):
            return self._failed(f"smtp: the server's certificate is not trusted: {error.verify_message}", True)
        return self._failed(f"smtp: {type(error).__name__}: {error}", False)

    def _failed(self, text: str, permanent: bool) -> DeliveryFailed:
        # A server may echo what it was sent; the password never leaves this object.
        if self._password:
            text = text.replace(self._password, "<password>")
        return DeliveryFailed(text, permanent=permanent)


def _is_5xx(code: int) -> bool:
    return 500 <= code < 600


def _said(reply: bytes | str) -> str:
    return (reply.decode(errors="replace") if isinstance(reply, bytes) else reply).strip()[:300]
