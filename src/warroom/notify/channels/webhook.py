"""The generic webhook channel: the message as JSON, signed with HMAC-SHA256 over the exact body bytes.

Headers: `X-Warroom-Signature: sha256=<hex>` and `Idempotency-Key` (the same on every retry of one
message, so a receiver can drop a repeat delivered after a crash).
"""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx

from warroom.notify.channels import Delivered, DeliveryFailed, retry_after_header
from warroom.notify.outbox import Message

SIGNATURE_HEADER = "X-Warroom-Signature"


def signature(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def payload(message: Message) -> dict[str, object]:
    return {
        "id": message.idempotency_key,
        "incident_id": message.incident_id,
        "recipient": message.recipient,
        "method": message.method,
        "address": message.address,
        "subject": message.subject,
        "attempt": message.attempts,
        **message.body,
    }


class WebhookChannel:
    name = "webhook"

    def __init__(self, url: str, secret: bytes | None, timeout: float = 10.0) -> None:
        self.url = url
        self.secret = secret
        self._client = httpx.Client(timeout=timeout)

    def deliver(self, message: Message) -> Delivered:
        body = json.dumps(payload(message), separators=(",", ":"), sort_keys=True).encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": message.idempotency_key}
        if self.secret:
            headers[SIGNATURE_HEADER] = signature(self.secret, body)
        try:
            response = self._client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as error:
            raise DeliveryFailed(f"{type(error).__name__}: {error}") from None
        if not 200 <= response.status_code < 300:
            raise DeliveryFailed(f"HTTP {response.status_code}", retry_after=retry_after_header(response.headers))
        return Delivered()

    def close(self) -> None:
        self._client.close()
