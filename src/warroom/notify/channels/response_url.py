"""A chat command's later answer, posted to the `response_url` Slack or Mattermost gave with the command.

The URL is the message's address. It works like a short-lived incoming webhook and anyone holding it can post,
so it is treated as a secret: never quoted in an error.
"""

from __future__ import annotations

import math
from http.client import HTTPException

from slack_sdk.errors import SlackRequestError
from slack_sdk.webhook import WebhookClient

from warroom.notify.channels import Delivered, DeliveryFailed, retry_after_header
from warroom.notify.channels.slack import SDK_LOG
from warroom.notify.outbox import Message

EXPIRED_STATUSES = frozenset({404, 410})


class ResponseUrlChannel:
    name = "response_url"

    def __init__(self, timeout: float = 10) -> None:
        self.timeout = max(1, math.ceil(timeout))  # the SDK takes whole seconds

    def deliver(self, message: Message) -> Delivered:
        url = message.address
        if not url or not url.startswith(("https://", "http://")):
            raise DeliveryFailed("a chat response needs the command's response_url as its address", permanent=True)
        text = message.body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise DeliveryFailed("the chat response has no text", permanent=True)
        payload = {
            "response_type": message.body.get("response_type", "ephemeral"),
            "text": text,
            "replace_original": False,
        }
        client = WebhookClient(url, timeout=self.timeout, logger=SDK_LOG, retry_handlers=[])
        try:
            response = client.send_dict(payload)
        except SlackRequestError:
            raise DeliveryFailed("chat response: the response_url is not a valid URL", permanent=True) from None
        except (OSError, HTTPException) as error:
            raise DeliveryFailed(f"chat response: {type(error).__name__}: {str(error).replace(url, '<url>')}") from None
        status = response.status_code
        if 200 <= status < 300:
            return Delivered()
        answer = (response.body or "").replace(url, "<url>").strip()[:200]
        reason = f"chat response: HTTP {status} {answer}".rstrip()
        if status in EXPIRED_STATUSES:
            raise DeliveryFailed(reason + " (the response_url has expired)", permanent=True)
        retry_after = retry_after_header(response.headers) if status == 429 else None
        raise DeliveryFailed(reason, retry_after=retry_after)

    def close(self) -> None:
        """Nothing held open: each response opens and closes its own connection."""
