"""Delivery channels. Each takes one outbox message and either delivers it or raises DeliveryFailed.

A message's `body` carries what every channel renders from:
- `kind`: "page", "bundle" (several pages to one person), "post" (a chat or e-mail message to an audience),
  "war_room" (create the incident's chat channel), "response" (a chat command's later answer);
- `text`: the plain text, already rendered; `subject` is the message's subject line;
- optionally `incident` ("INC-42"), `ack_url` (a signed acknowledgement link), `ack_token` (the same
  token, for a phone call's keypad), `name` and `invite` (war rooms).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from warroom.notify.outbox import Message


class DeliveryFailed(RuntimeError):
    """The channel could not deliver. The sender retries with backoff unless `permanent`; `retry_after`
    (seconds) is the provider's own wish (HTTP 429 Retry-After)."""

    def __init__(self, error: str, *, retry_after: float | None = None, permanent: bool = False) -> None:
        super().__init__(error)
        self.retry_after = retry_after
        self.permanent = permanent


@dataclass(frozen=True)
class Delivered:
    """What the provider answered: its id for the message (Twilio SID, Slack ts or channel id) and details
    the sender records (a war room's channel id and final name)."""

    provider_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


class Channel(Protocol):
    name: str

    def deliver(self, message: Message) -> Delivered: ...


def retry_after_header(headers: Mapping[str, Any]) -> float | None:
    """Seconds a provider asked us to wait (HTTP Retry-After, seconds form), from any header mapping."""
    for name, value in headers.items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) and value else value
            try:
                return float(raw)
            except (TypeError, ValueError):
                return None
    return None
