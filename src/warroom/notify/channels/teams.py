"""Microsoft Teams: an Adaptive Card posted to the channel's incoming webhook (a Workflows or connector URL).

The message's address is a playbook channel key; the URL comes from WARROOM_TEAMS_WEBHOOK_URLS. The URLs are
secrets (anyone holding one can post), so an error names the key, never the URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from warroom.notify.channels import Delivered, DeliveryFailed, retry_after_header
from warroom.notify.outbox import Message

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
PERMANENT_STATUSES = frozenset({400, 401, 403, 404, 410, 413})


def card_message(message: Message) -> dict[str, Any]:
    text = message.body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise DeliveryFailed("the Teams message has no text", permanent=True)
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": message.subject, "weight": "bolder", "size": "medium", "wrap": True},
            {"type": "TextBlock", "text": text, "wrap": True},
        ],
    }
    ack_url = message.body.get("ack_url")
    if ack_url:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Acknowledge", "url": str(ack_url)}]
    return {"type": "message", "attachments": [{"contentType": CARD_CONTENT_TYPE, "contentUrl": None, "content": card}]}


class TeamsChannel:
    name = "teams"

    def __init__(self, urls: Mapping[str, str], timeout: float = 10) -> None:
        self._urls = dict(urls)
        self._client = httpx.Client(timeout=timeout)

    def deliver(self, message: Message) -> Delivered:
        key = message.address or ""
        url = self._urls.get(key)
        if not url:
            raise DeliveryFailed(
                f"no Teams webhook is configured for channel {key!r} (add it to WARROOM_TEAMS_WEBHOOK_URLS)",
                permanent=True,
            )
        try:
            response = self._client.post(url, json=card_message(message))
        except httpx.HTTPError as error:
            raise DeliveryFailed(f"teams {key}: {type(error).__name__}: {_scrub(str(error), url)}") from None
        status = response.status_code
        if 200 <= status < 300:
            return Delivered()
        reason = f"teams {key}: HTTP {status} {_scrub(response.text.strip(), url)[:200]}".rstrip()
        if status == 429:
            raise DeliveryFailed(reason, retry_after=retry_after_header(response.headers))
        raise DeliveryFailed(reason, permanent=status in PERMANENT_STATUSES)

    def close(self) -> None:
        self._client.close()


def _scrub(text: str, url: str) -> str:
    return text.replace(url, "<webhook url>")
