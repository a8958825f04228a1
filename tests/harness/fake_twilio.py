"""The harness's fake Twilio: a real HTTP server on loopback answering Twilio's REST API for SMS and calls.

``POST /2010-04-01/Accounts/{sid}/Messages.json`` and ``.../Calls.json`` with basic auth (account SID, auth token),
form bodies checked as Twilio checks them (required parameters, E.164 ``To``, 1600-character bodies, parseable
TwiML), answered ``201`` with a resource carrying a ``sid`` (``SM``/``CA`` + 32 hex) and ``status: queued``. Errors
use Twilio's JSON shape ``{"code", "message", "more_info", "status"}``. ``down(True)`` answers 503 to everything;
``fail_next`` scripts errors. Every request is recorded, accepted or not.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
import xml.etree.ElementTree as ElementTree
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl

from tests.harness.loopback import LoopbackServer

RESOURCE_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>[^/]+)/(?P<resource>Messages|Calls)\.json$")
E164 = re.compile(r"^\+[1-9]\d{1,14}$")
MESSAGES = {
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20503: "Service Unavailable",
    21211: "Invalid 'To' Phone Number",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
}
Answer = tuple[int, dict[str, Any], dict[str, str]]


@dataclass(frozen=True)
class TwilioRequest:
    resource: str  # "Messages", "Calls", or the path when it is neither
    form: dict[str, str]
    status: int
    answer: dict[str, Any]

    @property
    def accepted(self) -> bool:
        return self.status == 201


@dataclass(frozen=True)
class _Failure:
    status: int
    code: int
    message: str
    retry_after: float | None


class FakeTwilio(LoopbackServer):
    """``with FakeTwilio() as twilio: TwilioSmsChannel(twilio.url, twilio.account_sid, twilio.auth_token, ...)``."""

    def __init__(self, account_sid: str = "AC" + "0" * 31 + "1", auth_token: str = "fake-auth-token-7f3a") -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.requests: list[TwilioRequest] = []
        self._down = False
        self._failures: deque[_Failure] = deque()
        self._condition = threading.Condition()
        self._serve(self._handler_class())

    # ---- scripting and inspection -----------------------------------------------------------------------------

    def down(self, is_down: bool = True) -> None:
        """While down, every request is answered 503."""
        with self._condition:
            self._down = is_down

    def fail_next(
        self,
        count: int = 1,
        status: int = 400,
        code: int = 21211,
        message: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        text = message or MESSAGES.get(code, f"Error {code}")
        with self._condition:
            self._failures.extend(_Failure(status, code, text, retry_after) for _ in range(count))

    def messages(self) -> list[dict[str, str]]:
        """The SMS requests Twilio accepted, as form dicts."""
        with self._condition:
            return [r.form for r in self.requests if r.resource == "Messages" and r.accepted]

    def calls(self) -> list[dict[str, str]]:
        """The call requests Twilio accepted, as form dicts."""
        with self._condition:
            return [r.form for r in self.requests if r.resource == "Calls" and r.accepted]

    def wait_for(self, resource: str, count: int = 1, timeout: float = 10.0) -> list[dict[str, str]]:
        """Block until ``count`` requests of ``resource`` were accepted (waits on arrivals, never sleeps)."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while len(found := [r.form for r in self.requests if r.resource == resource and r.accepted]) < count:
                if not self._condition.wait(deadline - time.monotonic()):
                    raise TimeoutError(f"{len(found)} of {count} {resource} requests arrived within {timeout} s")
            return found

    # ---- the REST API -----------------------------------------------------------------------------------------

    def _answer(self, path: str, form: dict[str, str], authorization: str) -> Answer:
        match = RESOURCE_PATH.match(path)
        with self._condition:
            down = self._down
        if down:
            return _error(503, 20503, MESSAGES[20503])
        if not self._authorized(authorization):
            return _error(401, 20003, MESSAGES[20003])
        if match is None or match["sid"] != self.account_sid:
            return _error(404, 20404, MESSAGES[20404])
        with self._condition:
            failure = self._failures.popleft() if self._failures else None
        if failure is not None:
            extra = {"Retry-After": f"{failure.retry_after:g}"} if failure.retry_after is not None else {}
            status, body, _ = _error(failure.status, failure.code, failure.message)
            return status, body, extra
        problem = _message_problem(form) if match["resource"] == "Messages" else _call_problem(form)
        if problem is not None:
            return _error(400, *problem)
        prefix = "SM" if match["resource"] == "Messages" else "CA"
        resource = {
            "sid": prefix + uuid.uuid4().hex,
            "account_sid": self.account_sid,
            "to": form["To"],
            "from": form["From"],
            "status": "queued",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "error_code": None,
            "error_message": None,
        }
        if match["resource"] == "Messages":
            resource.update(body=form["Body"], num_segments=str(len(form["Body"]) // 153 + 1))
        return 201, resource, {}

    def _authorized(self, authorization: str) -> bool:
        scheme, _, encoded = authorization.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            return False
        return user == self.account_sid and password == self.auth_token

    def _record(self, path: str, form: dict[str, str], status: int, answer: dict[str, Any]) -> None:
        match = RESOURCE_PATH.match(path)
        with self._condition:
            self.requests.append(TwilioRequest(match["resource"] if match else path, form, status, answer))
            self._condition.notify_all()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(parse_qsl((self.rfile.read(length) if length else b"").decode()))
                status, answer, extra = fake._answer(self.path, form, self.headers.get("Authorization") or "")
                # Recorded before answering, so a caller whose request returned always finds it recorded.
                fake._record(self.path, form, status, answer)
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def _error(status: int, code: int, message: str) -> Answer:
    more_info = f"https://www.twilio.com/docs/errors/{code}"
    return status, {"code": code, "message": message, "more_info": more_info, "status": status}, {}


def _message_problem(form: dict[str, str]) -> tuple[int, str] | None:
    if not form.get("To"):
        return 21604, "A 'To' phone number is required."
    if not form.get("From"):
        return 21603, "A 'From' phone number is required."
    if not form.get("Body"):
        return 21602, "Message body is required."
    if not E164.match(form["To"]):
        return 21211, f"Invalid 'To' Phone Number: {form['To']}"
    if len(form["Body"]) > 1600:
        return 21617, "The concatenated message body exceeds the 1600 character limit."
    return _callback_problem(form)


def _call_problem(form: dict[str, str]) -> tuple[int, str] | None:
    if not form.get("To"):
        return 21201, "No 'To' number is specified"
    if not form.get("From"):
        return 21213, "No 'From' number is specified"
    if not E164.match(form["To"]):
        return 21211, f"Invalid 'To' Phone Number: {form['To']}"
    if not (form.get("Url") or form.get("Twiml") or form.get("ApplicationSid")):
        return 21205, "Url parameter is required."
    if form.get("Twiml"):
        try:
            root = ElementTree.fromstring(form["Twiml"])
        except ElementTree.ParseError:
            return 12100, "Document parse failure"
        if root.tag != "Response":
            return 12100, "Document parse failure"
    return _callback_problem(form)


def _callback_problem(form: dict[str, str]) -> tuple[int, str] | None:
    callback = form.get("StatusCallback")
    if callback is not None and not callback.startswith(("http://", "https://")):
        return 21609, "Invalid StatusCallback url"
    return None
