"""Microsoft Teams: Adaptive Cards posted to a loopback server standing in for the Workflows webhook."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI, Request, Response

from tests.harness.server import ThreadedServer, free_port
from tests.notify.channels import outbox_message
from warroom.notify.channels import DeliveryFailed
from warroom.notify.channels.teams import TeamsChannel
from warroom.notify.outbox import Message

ACK_URL = "https://warroom.example.org/ack/tok123"
PAGE = {"kind": "page", "text": "Checkout is failing in eu-west-1", "incident": "INC-42", "ack_url": ACK_URL}


@dataclass
class Workflows:
    """What the webhook received (path, JSON) and the answers queued for the next posts (else 202)."""

    received: list[tuple[str, Any]] = field(default_factory=list)
    answers: deque[tuple[int, str, dict[str, str]]] = field(default_factory=deque)


def _app(state: Workflows) -> FastAPI:
    app = FastAPI()

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/workflows/{flow}")
    async def trigger(flow: str, request: Request) -> Response:
        state.received.append((flow, await request.json()))
        status, text, headers = state.answers.popleft() if state.answers else (202, "", {})
        return Response(text, status_code=status, headers=headers)

    return app


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[ThreadedServer, Workflows]]:
    state = Workflows()
    with ThreadedServer(_app(state)) as running:
        yield running, state


@pytest.fixture
def workflows(server: tuple[ThreadedServer, Workflows]) -> Workflows:
    server[1].received.clear()
    server[1].answers.clear()
    return server[1]


@pytest.fixture
def channel(server: tuple[ThreadedServer, Workflows]) -> Iterator[TeamsChannel]:
    teams = TeamsChannel({"incidents": f"{server[0].url}/workflows/s3cr3t-flow-sig"}, timeout=2)
    yield teams
    teams.close()


def _failure(channel: TeamsChannel, message: Message) -> DeliveryFailed:
    with pytest.raises(DeliveryFailed) as caught:
        channel.deliver(message)
    assert "s3cr3t-flow-sig" not in str(caught.value) and "127.0.0.1" not in str(caught.value)
    return caught.value


def test_a_page_is_an_adaptive_card_with_an_acknowledge_action(workflows: Workflows, channel: TeamsChannel) -> None:
    channel.deliver(outbox_message("teams", "incidents", PAGE))

    [(flow, posted)] = workflows.received
    assert flow == "s3cr3t-flow-sig"
    assert posted["type"] == "message"
    [attachment] = posted["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive" and attachment["contentUrl"] is None
    card = attachment["content"]
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    assert card["body"] == [
        {"type": "TextBlock", "text": "INC-42 SEV-1: checkout is failing", "weight": "bolder", "size": "medium",
         "wrap": True},
        {"type": "TextBlock", "text": "Checkout is failing in eu-west-1", "wrap": True},
    ]
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Acknowledge", "url": ACK_URL}]


def test_a_post_without_ack_url_has_no_actions(workflows: Workflows, channel: TeamsChannel) -> None:
    channel.deliver(outbox_message("teams", "incidents", {"kind": "post", "text": "Mitigated."}))

    [(_, posted)] = workflows.received
    assert "actions" not in posted["attachments"][0]["content"]


def test_an_unknown_channel_key_is_permanent_and_names_the_setting(
    workflows: Workflows, channel: TeamsChannel
) -> None:
    failure = _failure(channel, outbox_message("teams", "exec-updates", PAGE))

    assert failure.permanent and "'exec-updates'" in str(failure) and "WARROOM_TEAMS_WEBHOOK_URLS" in str(failure)
    assert workflows.received == []


@pytest.mark.parametrize(("status", "permanent"), [(400, True), (404, True), (500, False), (503, False)])
def test_http_errors(workflows: Workflows, channel: TeamsChannel, status: int, permanent: bool) -> None:
    workflows.answers.append((status, '{"error":{"code":"Scripted"}}', {}))

    failure = _failure(channel, outbox_message("teams", "incidents", PAGE))

    assert failure.permanent is permanent and f"HTTP {status}" in str(failure)


def test_a_rate_limit_carries_retry_after(workflows: Workflows, channel: TeamsChannel) -> None:
    workflows.answers.append((429, "Too many requests", {"Retry-After": "20"}))

    failure = _failure(channel, outbox_message("teams", "incidents", PAGE))

    assert not failure.permanent and failure.retry_after == 20.0


def test_an_unreachable_webhook_is_transient() -> None:
    teams = TeamsChannel({"incidents": f"http://127.0.0.1:{free_port()}/workflows/s3cr3t-flow-sig"}, timeout=2)

    assert not _failure(teams, outbox_message("teams", "incidents", PAGE)).permanent
