"""Channels that deliver into memory: a drill or a replay pages nobody, and says exactly whom it would have paged.

Every channel name the real system routes to is present, so a drill exercises the same routing (phone to
voice, chat to Slack, ...) as production; each delivery is recorded with the simulated instant it happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from warroom.clock import Clock
from warroom.notify.channels import Channel, Delivered
from warroom.notify.outbox import Message

# Every channel the sender can route to (notify/routes.py), plus those stakeholder messages use.
CHANNEL_NAMES = (
    "voice",
    "sms",
    "push",
    "slack",
    "email",
    "teams",
    "webhook",
    "console",
    "response_url",
    "subscriber_webhook",
)


@dataclass(frozen=True)
class Delivery:
    at: datetime
    channel: str
    message: Message


@dataclass
class DeliveryLog:
    """What the in-memory channels received, in order."""

    deliveries: list[Delivery] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.deliveries)


class MemoryChannel:
    """Delivers by recording. A war room 'opens' under the name asked for, as Slack would create it."""

    def __init__(self, name: str, log: DeliveryLog, clock: Clock) -> None:
        self.name = name
        self._log = log
        self._clock = clock
        self._rooms = 0

    def deliver(self, message: Message) -> Delivered:
        self._log.deliveries.append(Delivery(self._clock.now(), self.name, message))
        if message.kind == "war_room":
            self._rooms += 1
            room_id = f"CDRILL{self._rooms:05d}"
            detail: dict[str, Any] = {"room_id": room_id, "name": str(message.body.get("name") or room_id)}
            return Delivered(provider_id=room_id, detail=detail)
        return Delivered(provider_id=f"drill-{message.id}")


def memory_channels(log: DeliveryLog, clock: Clock) -> dict[str, Channel]:
    return {name: MemoryChannel(name, log, clock) for name in CHANNEL_NAMES}
