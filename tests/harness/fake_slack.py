"""The harness's fake Slack: a real HTTP server on loopback that speaks the part of Slack Warroom uses.

- Web API under ``api_url`` (``/api/<method>``), bearer token checked, JSON, form and query bodies accepted as Slack
  does: ``chat.postMessage``, ``conversations.create`` (Slack's name rules, ``name_taken``),
  ``conversations.setPurpose``, ``conversations.list`` (cursor pagination), ``conversations.invite``.
  Errors come as Slack's: HTTP 200 ``{"ok": false, "error": ...}``.
- An incoming webhook at ``webhook_url`` answering ``ok`` (errors as plain strings), and response_urls
  (``response_url_for(name)``).

Channels it created are kept, so a retry sees ``name_taken`` as it would on Slack. ``fail_next`` scripts failures;
``calls(method)`` returns the argument dicts received (failed ones included, in order).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.harness.loopback import LoopbackServer

BOT_USER = "UWARROOMBOT"
NAME_RULE = re.compile(r"^[a-z0-9_-]{1,80}$")
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
BLOCK_TYPES = frozenset({"section", "actions", "divider", "header", "context", "image", "rich_text", "input"})
WEBHOOK = "incoming_webhook"
RESPONSE_URL = "response_url"
Answer = tuple[int, Any, dict[str, str]]  # status, JSON dict or plain text, extra headers


@dataclass(frozen=True)
class SlackCall:
    method: str  # a Web API method, "incoming_webhook" or "response_url"
    path: str
    args: dict[str, Any]
    status: int
    answer: Any
    headers: dict[str, str]  # names lower-cased


@dataclass
class FakeChannel:
    id: str
    name: str
    is_private: bool = False
    is_archived: bool = False
    is_im: bool = False
    purpose: str = ""
    members: set[str] = field(default_factory=set)
    messages: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": True,
            "is_private": self.is_private,
            "is_archived": self.is_archived,
            "is_member": BOT_USER in self.members,
            "purpose": {"value": self.purpose, "creator": BOT_USER if self.purpose else "", "last_set": 0},
            "num_members": len(self.members),
        }


@dataclass(frozen=True)
class _Failure:
    method: str | None
    error: str | None
    status: int | None
    retry_after: float | None


class FakeSlack(LoopbackServer):
    """``with FakeSlack(token="xoxb-test") as slack: SlackChannel(slack.api_url, "xoxb-test", None)``."""

    def __init__(self, token: str = "xoxb-fake-token", users: Iterable[str] | None = None, list_page_size: int = 100):
        self.token = token
        self.users = set(users) if users is not None else None  # None: every U.../W... id exists
        self.list_page_size = list_page_size
        self.channels: dict[str, FakeChannel] = {}
        self.received: list[SlackCall] = []
        self._failures: deque[_Failure] = deque()
        self._serial = 0
        self._condition = threading.Condition()
        self._serve(self._handler_class())

    # ---- lifecycle and addresses ------------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    @property
    def webhook_url(self) -> str:
        return f"{self.url}/services/T0WARROOM/B0WARROOM/s3cr3tW3bh00kP4th"

    def response_url_for(self, name: str) -> str:
        return f"{self.url}/response/{name}"

    # ---- scripting and state ----------------------------------------------------------------------------------

    def fail_next(
        self,
        count: int = 1,
        *,
        method: str | None = None,
        error: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        """The next ``count`` requests (of ``method``, or any) fail: with ``error`` as Slack's error string
        (HTTP 200 for the Web API, 400 for a webhook, unless ``status`` says otherwise), or with ``status``."""
        if error is None and status is None:
            raise ValueError("fail_next needs an error or a status")
        with self._condition:
            self._failures.extend(_Failure(method, error, status, retry_after) for _ in range(count))

    def add_channel(self, name: str, *, purpose: str = "", private: bool = False, archived: bool = False) -> str:
        """A channel that already exists (someone else's): its name is taken."""
        with self._condition:
            channel = self._new_channel(name, private)
            channel.purpose, channel.is_archived = purpose, archived
            return channel.id

    def channel_named(self, name: str) -> FakeChannel | None:
        with self._condition:
            return next((c for c in self.channels.values() if c.name == name), None)

    def calls(self, method: str) -> list[dict[str, Any]]:
        with self._condition:
            return [call.args for call in self.received if call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Block until ``count`` calls of ``method`` arrived (waits on arrivals, never sleeps)."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while len(found := [c.args for c in self.received if c.method == method]) < count:
                if not self._condition.wait(deadline - time.monotonic()):
                    raise TimeoutError(f"{len(found)} of {count} {method} calls arrived within {timeout} s")
            return found

    # ---- the Web API ------------------------------------------------------------------------------------------

    def _new_channel(self, name: str, private: bool) -> FakeChannel:
        self._serial += 1
        channel = FakeChannel(id=f"C{self._serial:08X}", name=name, is_private=private)
        self.channels[channel.id] = channel
        return channel

    def _user_exists(self, user: str) -> bool:
        return user == BOT_USER or (user in self.users if self.users is not None else bool(USER_ID.match(user)))

    def _find(self, ref: str) -> FakeChannel | None:
        name = ref.lstrip("#")
        return self.channels.get(ref) or next((c for c in self.channels.values() if c.name == name), None)

    def _web_api(self, method: str, args: dict[str, Any], authorization: str) -> dict[str, Any]:
        token = authorization.removeprefix("Bearer ").strip() or str(args.get("token") or "")
        if not token:
            return _error("not_authed")
        if token != self.token:
            return _error("invalid_auth")
        handler = {
            "chat.postMessage": self._post_message,
            "conversations.create": self._create,
            "conversations.setPurpose": self._set_purpose,
            "conversations.list": self._list,
            "conversations.invite": self._invite,
        }.get(method)
        return handler(args) if handler else _error("unknown_method")

    def _create(self, args: dict[str, Any]) -> dict[str, Any]:
        name = str(args.get("name") or "")
        if not name:
            return _error("invalid_name_required")
        if len(name) > 80:
            return _error("invalid_name_maxlength")
        if not NAME_RULE.match(name):
            return _error("invalid_name_specials")
        if any(c.name == name for c in self.channels.values()):  # archived channels keep their names
            return _error("name_taken")
        channel = self._new_channel(name, _flag(args.get("is_private")))
        channel.members.add(BOT_USER)
        return {"ok": True, "channel": channel.as_json()}

    def _set_purpose(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channels.get(str(args.get("channel")))
        purpose = str(args.get("purpose") or "")
        if channel is None:
            return _error("channel_not_found")
        if channel.is_archived:
            return _error("is_archived")
        if BOT_USER not in channel.members:
            return _error("not_in_channel")
        if len(purpose) > 250:
            return _error("too_long")
        channel.purpose = purpose
        return {"ok": True, "purpose": purpose}

    def _list(self, args: dict[str, Any]) -> dict[str, Any]:
        types = set(str(args.get("types") or "public_channel").split(","))
        visible = [
            c
            for c in self.channels.values()
            if not c.is_im
            and ("private_channel" if c.is_private else "public_channel") in types
            and not (c.is_private and BOT_USER not in c.members)
            and not (c.is_archived and _flag(args.get("exclude_archived")))
        ]
        cursor = str(args.get("cursor") or "")
        start = int(base64.b64decode(cursor).decode().removeprefix("offset:")) if cursor else 0
        size = min(int(args.get("limit") or 100), self.list_page_size)
        page = visible[start : start + size]
        following = base64.b64encode(f"offset:{start + size}".encode()).decode() if start + size < len(visible) else ""
        return {"ok": True, "channels": [c.as_json() for c in page], "response_metadata": {"next_cursor": following}}

    def _invite(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channels.get(str(args.get("channel")))
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if channel is None:
            return _error("channel_not_found")
        if channel.is_archived:
            return _error("is_archived")
        if not users:
            return _error("no_user")
        errors = []
        for user in users:
            problem = (
                "cant_invite_self"
                if user == BOT_USER
                else "user_not_found"
                if not self._user_exists(user)
                else "already_in_channel"
                if user in channel.members
                else None
            )
            if problem:
                errors.append({"user": user, "ok": False, "error": problem})
        if not errors or _flag(args.get("force")):
            channel.members.update(u for u in users if u not in {e["user"] for e in errors})
        if errors:
            return {"ok": False, "error": errors[0]["error"], "errors": errors}
        return {"ok": True, "channel": channel.as_json()}

    def _post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        ref = str(args.get("channel") or "")
        text = args.get("text")
        blocks = args.get("blocks")
        if isinstance(blocks, str):  # a form body carries blocks as a JSON string
            blocks = json.loads(blocks)
        if not text and not blocks:
            return _error("no_text")
        if text and len(str(text)) > 40000:
            return _error("msg_too_long")
        if blocks is not None and not _valid_blocks(blocks):
            return _error("invalid_blocks")
        if USER_ID.match(ref) and self._user_exists(ref):  # a direct message opens the DM conversation
            im = FakeChannel(f"D{ref}", f"dm-{ref.lower()}", is_private=True, is_im=True, members={BOT_USER, ref})
            channel = self.channels.setdefault(im.id, im)
        else:
            found = self._find(ref)
            if found is None or (found.is_private and BOT_USER not in found.members):
                return _error("channel_not_found")
            channel = found
        if channel.is_archived:
            return _error("is_archived")
        self._serial += 1
        posted = {
            "type": "message",
            "user": BOT_USER,
            "ts": f"{1767600000 + self._serial}.{self._serial:06d}",
            "text": text,
            "blocks": blocks,
        }
        channel.messages.append(posted)
        return {"ok": True, "channel": channel.id, "ts": posted["ts"], "message": posted}

    # ---- the HTTP side ----------------------------------------------------------------------------------------

    def _answer(self, method: str, path: str, args: dict[str, Any], headers: dict[str, str]) -> Answer:
        with self._condition:
            failure = next((f for f in self._failures if f.method in (None, method)), None)
            if failure is not None:
                self._failures.remove(failure)
                answer = self._scripted(method, failure)
            elif method in (WEBHOOK, RESPONSE_URL):
                answer = (200, "ok", {}) if args.get("text") or args.get("blocks") else (400, "no_text", {})
            else:
                result = self._web_api(method, args, headers.get("authorization", ""))
                answer = (404 if result.get("error") == "unknown_method" else 200, result, {})
            self.received.append(SlackCall(method, path, args, answer[0], answer[1], headers))
            self._condition.notify_all()
            return answer

    @staticmethod
    def _scripted(method: str, failure: _Failure) -> Answer:
        extra = {"Retry-After": f"{failure.retry_after:g}"} if failure.retry_after is not None else {}
        if method in (WEBHOOK, RESPONSE_URL):
            return failure.status or 400, failure.error or "internal_error", extra
        if failure.status is None:
            return 200, _error(str(failure.error)), extra
        default = "ratelimited" if failure.status == 429 else "internal_error"
        return failure.status, _error(failure.error or default), extra

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._serve()

            def do_POST(self) -> None:
                self._serve()

            def _serve(self) -> None:
                split = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                args: dict[str, Any] = dict(parse_qsl(split.query))
                try:
                    if "json" in (self.headers.get("Content-Type") or ""):
                        args.update(json.loads(raw or b"{}"))
                    else:
                        args.update(parse_qsl(raw.decode()))
                except ValueError:
                    self._send(400, "invalid_payload", {})
                    return
                if split.path.startswith("/api/"):
                    method = split.path.removeprefix("/api/")
                elif split.path.startswith("/services/"):
                    method = WEBHOOK
                elif split.path.startswith("/response/"):
                    method = RESPONSE_URL
                else:
                    self._send(404, "not_found", {})
                    return
                headers = {name.lower(): value for name, value in self.headers.items()}
                self._send(*fake._answer(method, split.path, args, headers))

            def _send(self, status: int, answer: Any, extra: dict[str, str]) -> None:
                is_json = isinstance(answer, dict)
                payload = json.dumps(answer).encode() if is_json else str(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8" if is_json else "text/html")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def _error(code: str) -> dict[str, Any]:
    return {"ok": False, "error": code}


def _flag(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


def _valid_blocks(blocks: Any) -> bool:
    if not isinstance(blocks, list) or len(blocks) > 50:
        return False
    for block in blocks:
        if not isinstance(block, dict) or block.get("type") not in BLOCK_TYPES:
            return False
        text = block.get("text") or {}
        text_ok = isinstance(text, dict) and text.get("type") in ("mrkdwn", "plain_text")
        if block["type"] == "section" and not (text_ok and 0 < len(str(text.get("text", ""))) <= 3000):
            return False
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            if element.get("type") == "button" and (not element.get("action_id") or "text" not in element):
                return False
    return True
