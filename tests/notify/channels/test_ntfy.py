"""Push notifications: JSON publishes to a loopback server that answers as an ntfy server does."""

from __future__ import annotations

import secrets
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.harness.server import ThreadedServer, free_port
from tests.notify.channels import outbox_message
from warroom.notify.channels import DeliveryFailed
from warroom.notify.channels.ntfy import NtfyChannel
from warroom.notify.outbox import Message

TOKEN = "tk_s3cr3tntfyaccesstoken"
ACK_URL = "https://warroom.example.org/ack/tok123"
PAGE = {"kind": "page", "text": "Checkout is failing", "incident": "INC-42", "ack_url": ACK_URL}


@dataclass
class Ntfy:
    """Publishes received (path, Authorization, JSON), and errors queued for the next ones."""

    received: list[tuple[str, str | None, Any]] = field(default_factory=list)
    answers: deque[tuple[int, dict[str, Any], dict[str, str]]] = field(default_factory=deque)


def _app(state: Ntfy) -> FastAPI:
    app = FastAPI()

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/{path:path}")
    async def publish(path: str, request: Request) -> JSONResponse:
        published = await request.json()
        authorization = request.headers.get("authorization")
        state.received.append((request.url.path, authorization, published))
        if state.answers:
            status, answer, headers = state.answers.popleft()
            return JSONResponse(answer, status_code=status, headers=headers)
        if authorization != f"Bearer {TOKEN}":
            return JSONResponse({"code": 40301, "http": 403, "error": "forbidden"}, status_code=403)
        message = {"id": secrets.token_hex(6), "time": 1767603600, "event": "message", **published}
        return JSONResponse(message)

    return app


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[ThreadedServer, Ntfy]]:
    state = Ntfy()
    with ThreadedServer(_app(state)) as running:
        yield running, state


@pytest.fixture
def ntfy(server: tuple[ThreadedServer, Ntfy]) -> Ntfy:
    server[1].received.clear()
    server[1].answers.clear()
    return server[1]


@pytest.fixture
def channel(server: tuple[ThreadedServer, Ntfy]) -> Iterator[NtfyChannel]:
    push = NtfyChannel(server[0].url + "/", TOKEN, timeout=2)
    yield push
    push.close()


def _failure(channel: NtfyChannel, message: Message) -> DeliveryFailed:
    with pytest.raises(DeliveryFailed) as caught:
        channel.deliver(message)
    assert TOKEN not in str(caught.value)
    return caught.value


def test_a_page_is_published_urgent_with_an_acknowledge_action(ntfy: Ntfy, channel: NtfyChannel) -> None:
    delivered = channel.deliver(outbox_message("push", "oncall-alice", PAGE))

    [(path, authorization, published)] = ntfy.received
    assert path == "/" and authorization == f"Bearer {TOKEN}"
    assert published == {
        "topic": "oncall-alice",
        "title": "INC-42 SEV-1: checkout is failing",
        "message": "Checkout is failing",
        "priority": 5,
        "tags": ["rotating_light"],
        "actions": [{"action": "http", "label": "Acknowledge", "url": ACK_URL, "method": "POST", "clear": True}],
    }
    assert delivered.provider_id is not None and len(delivered.provider_id) == 12


@pytest.mark.parametrize(("kind", "priority", "tags"), [("bundle", 4, ["rotating_light"]), ("post", 3, None)])
def test_priority_follows_the_kind(ntfy: Ntfy, channel: NtfyChannel, kind: str, priority: int, tags: Any) -> None:
    channel.deliver(outbox_message("push", "oncall-alice", {"kind": kind, "text": "Update"}))

    [(_, _, published)] = ntfy.received
    assert published["priority"] == priority and published.get("tags") == tags and "actions" not in published


def test_a_refused_token_is_permanent_and_never_quoted(server: tuple[ThreadedServer, Ntfy], ntfy: Ntfy) -> None:
    wrong = NtfyChannel(server[0].url, "tk_wrongtoken", timeout=2)

    failure = _failure(wrong, outbox_message("push", "oncall-alice", PAGE))

    assert failure.permanent and "40301 forbidden" in str(failure) and "tk_wrongtoken" not in str(failure)


@pytest.mark.parametrize(
    ("status", "permanent", "retry_after", "headers"),
    [(400, True, None, {}), (413, True, None, {}), (500, False, None, {}), (429, False, 60.0, {"Retry-After": "60"})],
)
def test_http_errors(
    ntfy: Ntfy, channel: NtfyChannel, status: int, permanent: bool, retry_after: float | None, headers: dict[str, str]
) -> None:
    ntfy.answers.append((status, {"code": status * 100 + 1, "http": status, "error": "scripted"}, headers))

    failure = _failure(channel, outbox_message("push", "oncall-alice", PAGE))

    assert failure.permanent is permanent and failure.retry_after == retry_after and f"HTTP {status}" in str(failure)


def test_an_unreachable_server_is_transient_and_a_missing_topic_permanent(channel: NtfyChannel) -> None:
    unreachable = NtfyChannel(f"http://127.0.0.1:{free_port()}", TOKEN, timeout=2)

    assert not _failure(unreachable, outbox_message("push", "oncall-alice", PAGE)).permanent
    assert _failure(channel, outbox_message("push", None, PAGE)).permanent
