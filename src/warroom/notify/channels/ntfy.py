"""Push notifications through ntfy: a JSON publish to the server's root, the topic being the address.

Pages ring loudest (priority 5), bundles next (4); an ack link becomes an "Acknowledge" button that POSTs it.
"""

from __future__ import annotations

from typing import Any

import httpx

from warroom.notify.channels import Delivered, DeliveryFailed, retry_after_header
from warroom.notify.outbox import Message

PRIORITIES = {"page": 5, "bundle": 4}
DEFAULT_PRIORITY = 3


def publication(message: Message) -> dict[str, Any]:
    if not message.address:
        raise DeliveryFailed("a push notification needs an ntfy topic as its address", permanent=True)
    text = message.body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise DeliveryFailed("the push notification has no text", permanent=True)
    kind = message.body.get("kind")
    published: dict[str, Any] = {
        "topic": message.address,
        "title": message.subject,
        "message": text,
        "priority": PRIORITIES.get(str(kind), DEFAULT_PRIORITY),
    }
    if kind in PRIORITIES:
        published["tags"] = ["rotating_light"]
    ack_url = message.body.get("ack_url")
    if ack_url:
        published["actions"] = [
            {"action": "http", "label": "Acknowledge", "url": str(ack_url), "method": "POST", "clear": True}
        ]
    return published


class NtfyChannel:
    name = "push"

    def __init__(self, url: str, token: str | None = None, timeout: float = 10) -> None:
        self._root = url.rstrip("/") + "/"
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = httpx.Client(timeout=timeout, headers=headers)

    def deliver(self, message: Message) -> Delivered:
        try:
            response = self._client.post(self._root, json=publication(message))
        except httpx.HTTPError as error:
            raise DeliveryFailed(f"ntfy: {type(error).__name__}: {error}") from None
        answer = _json(response)
        status = response.status_code
        if 200 <= status < 300:
            provider_id = answer.get("id")
            return Delivered(provider_id=str(provider_id) if provider_id else None)
        # ntfy's errors: {"code": 40301, "http": 403, "error": "forbidden", "link": ...}
        said = f"{answer.get('code')} {answer.get('error')}" if answer.get("error") else response.text.strip()[:200]
        reason = f"ntfy: HTTP {status} {said}".rstrip()
        if status == 429:
            raise DeliveryFailed(reason, retry_after=retry_after_header(response.headers))
        raise DeliveryFailed(reason, permanent=400 <= status < 500 and status != 408)

    def close(self) -> None:
        self._client.close()


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}
