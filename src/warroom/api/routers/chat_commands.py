"""Slash commands from Slack and Mattermost: `/incident ...`, `/inc`, `/page`, `/pd`.

Thin: read the raw body, verify it (before anything in it is believed), refuse a replay, run the command
through the executor and answer JSON {response_type, text}. A refused request is a 401 (a replay a 409)
and changes nothing.

Slack wants an answer within 3 seconds. The command runs in a worker thread; if it has not finished in
REPLY_WITHIN seconds the answer is an ephemeral "Working on it…", and the real reply goes to the form's
`response_url` through the outbox when the command is done.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from urllib.parse import parse_qs

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from warroom.chat.slash import ChatRequest, Reply, SlashCommands
from warroom.chat.verification import remember, verify_mattermost, verify_slack
from warroom.errors import InvalidInput
from warroom.notify.outbox import enqueue
from warroom.runtime import Warroom

router = APIRouter(tags=["chat"])
log = structlog.get_logger(__name__)

REPLY_WITHIN = 2.5  # seconds; Slack gives up at 3
WORKING = Reply("Working on it…")
FAILED = Reply("Warroom could not run this command (an internal error, logged on the server); try again.")


@router.post("/hooks/slack/commands", summary="Slack slash commands")
async def slack_commands(request: Request) -> JSONResponse:
    warroom: Warroom = request.app.state.warroom
    raw = await request.body()
    headers = dict(request.headers)
    return await run_in_threadpool(_slack, warroom, raw, headers)


@router.post("/hooks/mattermost/commands", summary="Mattermost slash commands")
async def mattermost_commands(request: Request) -> JSONResponse:
    warroom: Warroom = request.app.state.warroom
    raw = await request.body()
    return await run_in_threadpool(_mattermost, warroom, raw)


def _slack(warroom: Warroom, raw: bytes, headers: Mapping[str, str]) -> JSONResponse:
    secret = warroom.settings.slack_signing_secret
    signature = verify_slack(secret.get_secret_value() if secret else None, warroom.clock, raw, headers)
    _remember(warroom, signature, raw)
    return _answer(warroom, "slack", _form(raw), signature, raw)


def _mattermost(warroom: Warroom, raw: bytes) -> JSONResponse:
    # Mattermost's proof is a form field, so only the form is read before it is checked.
    form = _form(raw)
    expected = warroom.settings.mattermost_command_token
    token = verify_mattermost(expected.get_secret_value() if expected else None, form.get("token"))
    _remember(warroom, token, raw)
    return _answer(warroom, "mattermost", form, token, raw)


def _remember(warroom: Warroom, signature: str, raw: bytes) -> None:
    with warroom.db.transaction() as tx:
        remember(tx, signature, raw, warroom.clock.now())


def _form(raw: bytes) -> dict[str, str]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput.of("body", "not UTF-8 form data") from None
    try:
        fields = parse_qs(text, keep_blank_values=True, max_num_fields=100)
    except ValueError as error:
        raise InvalidInput.of("body", f"not form data ({error})") from None
    return {name: values[0] for name, values in fields.items()}


def _answer(warroom: Warroom, provider: str, form: Mapping[str, str], signature: str, raw: bytes) -> JSONResponse:
    request = ChatRequest(
        provider=provider,
        command=form.get("command", ""),
        text=form.get("text", ""),
        user_id=form.get("user_id", ""),
        user_name=form.get("user_name", ""),
        channel_id=form.get("channel_id", ""),
    )
    digest = hashlib.sha256(signature.encode() + b"\n" + raw).hexdigest()  # as the replay guard keys it
    job = _Job(warroom, request, form.get("response_url", ""), f"response:{digest}")
    reply = job.start_and_wait(REPLY_WITHIN)
    return JSONResponse(reply.payload(provider))


class _Job:
    """One command in a worker thread. Whoever comes second (the waiting request or the finished worker)
    decides where the reply goes, under one lock, so it is answered exactly once."""

    def __init__(self, warroom: Warroom, request: ChatRequest, response_url: str, key: str) -> None:
        self.warroom = warroom
        self.request = request
        self.response_url = response_url
        self.key = key
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._reply: Reply | None = None
        self._deferred = False

    def start_and_wait(self, seconds: float) -> Reply:
        threading.Thread(target=self._work, name="chat-command", daemon=True).start()
        self._done.wait(seconds)
        with self._lock:
            if self._reply is not None:
                return self._reply
            self._deferred = True
        log.info("chat_command_deferred", provider=self.request.provider, command=self.request.command)
        return WORKING

    def _work(self) -> None:
        try:
            reply = SlashCommands.of(self.warroom).run(self.request)
        except Exception:
            log.exception("chat_command_failed", provider=self.request.provider, command=self.request.command)
            reply = FAILED
        with self._lock:
            deferred = self._deferred
            self._reply = reply
        self._done.set()
        if deferred:
            self._deliver_later(reply)

    def _deliver_later(self, reply: Reply) -> None:
        if not self.response_url:
            log.warning("chat_reply_lost", reason="no response_url", provider=self.request.provider)
            return
        payload = reply.payload(self.request.provider)
        try:
            with self.warroom.db.transaction() as tx:
                enqueue(
                    tx,
                    key=self.key,
                    channel="response_url",
                    subject="command reply",
                    body={"kind": "response", **payload},
                    now=self.warroom.clock.now(),
                    address=self.response_url,
                )
        except Exception:
            log.exception("chat_reply_not_queued", provider=self.request.provider)
            return
        self.warroom.sender.wake()
