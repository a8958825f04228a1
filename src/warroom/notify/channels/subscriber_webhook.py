"""Status page webhook subscribers: Statuspage's webhook payload POSTed as JSON to the subscriber's URL.

A 2xx answer within 30 seconds counts as delivered (Statuspage's rule). A 4xx other than 408/429 will not get
better by retrying the same body (a gone or refusing endpoint), so it fails for good; the rest is retried.
"""

from __future__ import annotations

import json

import httpx

from warroom.notify.channels import Delivered, DeliveryFailed, retry_after_header
from warroom.notify.outbox import Message

TIMEOUT_SECONDS = 30.0
_RETRYABLE_4XX = frozenset({408, 425, 429})


class SubscriberWebhookChannel:
    name = "subscriber_webhook"

    def __init__(self, timeout: float = TIMEOUT_SECONDS) -> None:
        self._client = httpx.Client(timeout=timeout, follow_redirects=False)

    def deliver(self, message: Message) -> Delivered:
        url = message.address
        payload = message.body.get("payload")
        if not url:
            raise DeliveryFailed("the subscriber has no webhook URL", permanent=True)
        if not isinstance(payload, dict):
            raise DeliveryFailed("the message carries no webhook payload", permanent=True)
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "User-Agent": "Warroom status page"}
        try:
            response = self._client.post(url, content=body, headers=headers)
        except httpx.HTTPError as error:
            raise DeliveryFailed(f"{type(error).__name__}: {error}") from None
        status = response.status_code
        if 200 <= status < 300:
            return Delivered()
        permanent = 400 <= status < 500 and status not in _RETRYABLE_4XX
        raise DeliveryFailed(f"HTTP {status}", retry_after=retry_after_header(response.headers), permanent=permanent)

    def close(self) -> None:
        self._client.close()
