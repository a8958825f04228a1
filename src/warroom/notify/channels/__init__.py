"""Delivery channels. Each takes one outbox message and either delivers it or raises DeliveryFailed."""

from __future__ import annotations

from typing import Protocol

from warroom.notify.outbox import Message


class DeliveryFailed(RuntimeError):
    """The channel could not deliver; the sender retries with backoff."""


class Channel(Protocol):
    name: str

    def deliver(self, message: Message) -> None: ...
