"""Delivery channels against loopback fakes of their providers (no database needed).

`outbox_message` builds the outbox row a channel is handed, the way the sender hands it over.
"""

from __future__ import annotations

from typing import Any

from warroom.notify.outbox import Message


def outbox_message(
    channel: str,
    address: str | None,
    body: dict[str, Any],
    *,
    subject: str = "INC-42 SEV-1: checkout is failing",
    key: str = "page:42:alice:slack:1767603600",
    attempts: int = 1,
) -> Message:
    return Message(
        id=1,
        idempotency_key=key,
        incident_id=42,
        page_id=7,
        channel=channel,
        recipient="alice",
        method=channel,
        address=address,
        subject=subject,
        body=body,
        attempts=attempts,
    )
