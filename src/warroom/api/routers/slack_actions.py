"""Slack interactivity: the "Acknowledge" button of a page posted in Slack.

The request must be Slack's (signed, fresh) and new (the replay guard). Slack ignores the body of a
block_actions answer, so the outcome goes to the payload's `response_url` as an ephemeral message, through
the outbox like every other message, and the HTTP answer is an empty 200.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import structlog
from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from warroom.chat.verification import remember, verify_slack
from warroom.errors import Conflict, InvalidInput, NotFound
from warroom.notify.outbox import enqueue
from warroom.oncall.contacts import person_by_address
from warroom.runtime import Warroom

router = APIRouter(prefix="/hooks/slack", tags=["slack"])
log = structlog.get_logger(__name__)

ACTION_ID = "acknowledge"


@dataclass(frozen=True)
class AckClick:
    slack_user: str
    ref: str
    response_url: str


def parse_click(payload: str | None) -> AckClick:
    """The acknowledge button click in a block_actions payload; InvalidInput naming what is missing."""
    if not payload:
        raise InvalidInput.of("payload", "missing: Slack posts the interaction as a `payload` form field")
    try:
        data: Any = json.loads(payload)
    except ValueError:
        raise InvalidInput.of("payload", "not valid JSON") from None
    if not isinstance(data, dict) or data.get("type") != "block_actions":
        raise InvalidInput.of("payload.type", "only block_actions interactions are handled here")
    user = data.get("user")
    slack_user = user.get("id") if isinstance(user, dict) else None
    if not isinstance(slack_user, str) or not slack_user:
        raise InvalidInput.of("payload.user.id", "missing")
    response_url = data.get("response_url")
    if not isinstance(response_url, str) or urlsplit(response_url).scheme not in ("http", "https"):
        raise InvalidInput.of("payload.response_url", "missing or not an http(s) URL")
    actions = data.get("actions")
    for action in actions if isinstance(actions, list) else []:
        if isinstance(action, dict) and action.get("action_id") == ACTION_ID:
            value = action.get("value")
            if not isinstance(value, str) or not value.strip():
                raise InvalidInput.of("payload.actions.value", "the acknowledge button names no incident")
            return AckClick(slack_user, value.strip(), response_url)
    raise InvalidInput.of("payload.actions", f"no action with action_id {ACTION_ID!r}")


def _acknowledge(warroom: Warroom, click: AckClick, signature: str, body: bytes) -> None:
    """Remember the request (its own transaction, so a replay is refused), act, then queue the answer."""
    with warroom.db.transaction() as tx:
        remember(tx, signature, body, warroom.clock.now())
    person = person_by_address(warroom.playbook, ("chat",), click.slack_user)
    if person is None:
        answer = (
            f"Warroom does not know your Slack user {click.slack_user}: add it to your `chat` contact methods "
            "in the playbook to acknowledge from Slack."
        )
    else:
        try:
            answer = warroom.acknowledgements.acknowledge(person.key, click.ref, "slack").text
            log.info("page_acknowledged", person=person.key, incident=click.ref, via="slack")
        except (NotFound, Conflict) as error:
            answer = error.detail
    digest = hashlib.sha256(signature.encode() + b"\n" + body).hexdigest()
    with warroom.db.transaction() as tx:
        enqueue(
            tx,
            key=f"slack-action:{digest}",
            channel="response_url",
            subject="acknowledgement",
            body={"kind": "response", "text": answer, "response_type": "ephemeral"},
            now=warroom.clock.now(),
            address=click.response_url,
        )
    warroom.sender.wake()


@router.post("/interactive", summary="Slack interactivity: the Acknowledge button")
async def interactive(request: Request) -> Response:
    warroom: Warroom = request.app.state.warroom
    body = await request.body()
    secret = warroom.settings.slack_signing_secret
    signature = verify_slack(secret.get_secret_value() if secret else None, warroom.clock, body, request.headers)
    payload = parse_qs(body.decode("utf-8", errors="replace")).get("payload")
    click = parse_click(payload[0] if payload else None)
    await run_in_threadpool(_acknowledge, warroom, click, signature, body)
    return Response(status_code=200)
