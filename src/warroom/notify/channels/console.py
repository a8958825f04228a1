"""The console channel: a page is a log line. The default until real channels are configured."""

from __future__ import annotations

import structlog

from warroom.notify.channels import Delivered
from warroom.notify.outbox import Message

log = structlog.get_logger("warroom.page")


class ConsoleChannel:
    name = "console"

    def deliver(self, message: Message) -> Delivered:
        log.info(
            "page",
            to=message.recipient,
            method=message.method,
            address=message.address,
            subject=message.subject,
            idempotency_key=message.idempotency_key,
        )
        return Delivered()
