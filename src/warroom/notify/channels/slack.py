"""The Slack channel: posts through the Web API (bot token) or an incoming webhook, and opens war rooms.

A war room is a channel opened once per outbox message. Its purpose ends with `[warroom:<idempotency key>]`,
so a retry after a partial failure (created, then the invite or the post failed) finds the channel it made
and reuses it instead of opening `name-2`. A name someone else holds gets `-2`, `-3`, ...
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Mapping
from functools import partial
from http.client import HTTPException
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web import SlackResponse
from slack_sdk.webhook import WebhookClient

from warroom.notify.channels import Delivered, DeliveryFailed, retry_after_header
from warroom.notify.outbox import Message

# Errors retrying cannot fix: the channel, the token or the message itself is wrong.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "invalid_blocks",
        "msg_too_long",
        "restricted_action",
        "token_revoked",
        "token_expired",
        "missing_scope",
        "not_allowed_token_type",
        "no_text",
        "invalid_name",
        "invalid_name_specials",
        "invalid_name_maxlength",
        "invalid_name_punctuation",
        "invalid_name_required",
    }
)
# An invite that fails for these leaves the war room usable: they are reported, not retried.
NON_FATAL_INVITE_ERRORS = frozenset(
    {
        "already_in_channel",
        "user_not_found",
        "cant_invite_self",
        "cant_invite",
        "user_is_restricted",
        "user_is_ultra_restricted",
        "invitee_cant_see_channel",
        "no_external_invite_permission",
    }
)
WEBHOOK_PERMANENT_STATUSES = frozenset({400, 403, 404, 410})
MAX_NAME_LENGTH = 80
MAX_ROOM_NUMBER = 100
SECTION_TEXT_LIMIT = 3000
MESSAGE_TEXT_LIMIT = 40000
POST_KINDS = frozenset({"page", "bundle", "post", "response"})

# The SDK logs failures at ERROR (we report them as DeliveryFailed) and, at DEBUG, requests with their URL;
# its own logger is kept silent so neither a false alarm nor a webhook URL reaches the logs.
SDK_LOG = logging.getLogger("warroom.notify.channels.slack_sdk")
SDK_LOG.setLevel(logging.CRITICAL)


class SlackApiFailure(DeliveryFailed):
    """A Web API call answered an error: `code` is Slack's error string, `user_errors` an invite's per-user list."""

    def __init__(
        self,
        error: str,
        *,
        code: str | None,
        user_errors: list[dict[str, str]] | None = None,
        retry_after: float | None = None,
        permanent: bool = False,
    ) -> None:
        super().__init__(error, retry_after=retry_after, permanent=permanent)
        self.code = code
        self.user_errors = user_errors or []


class SlackChannel:
    name = "slack"

    def __init__(self, api_url: str, bot_token: str | None, webhook_url: str | None, timeout: float = 10) -> None:
        seconds = max(1, math.ceil(timeout))  # the SDK takes whole seconds
        # No SDK retry handlers: the outbox sender owns retries, backoff and Retry-After.
        self._web: WebClient | None = None
        if bot_token:
            base_url = api_url if api_url.endswith("/") else api_url + "/"
            self._web = WebClient(
                token=bot_token, base_url=base_url, timeout=seconds, logger=SDK_LOG, retry_handlers=[]
            )
        self._webhook = (
            WebhookClient(webhook_url, timeout=seconds, logger=SDK_LOG, retry_handlers=[]) if webhook_url else None
        )
        self._webhook_url = webhook_url

    def deliver(self, message: Message) -> Delivered:
        kind = message.body.get("kind", "post")
        text = _text(message)
        if kind == "war_room":
            if self._web is None:
                raise DeliveryFailed(
                    "opening a Slack war room needs a bot token (set WARROOM_SLACK_BOT_TOKEN)", permanent=True
                )
            return self._open_war_room(self._web, message, text)
        if kind not in POST_KINDS:
            raise DeliveryFailed(f"slack cannot deliver a message of kind {kind!r}", permanent=True)
        blocks = _blocks(message.body, text)
        if self._web is not None:
            if not message.address:
                raise DeliveryFailed("a Slack post needs a channel or user id as its address", permanent=True)
            response = self._call(
                "chat.postMessage",
                partial(self._web.chat_postMessage, channel=message.address, text=text, blocks=blocks),
            )
            return Delivered(provider_id=str(response.get("ts")), detail={"channel": response.get("channel")})
        if self._webhook is not None:
            return self._post_to_webhook(self._webhook, text, blocks)
        raise DeliveryFailed(
            "Slack is not configured: set WARROOM_SLACK_BOT_TOKEN or WARROOM_SLACK_WEBHOOK_URL", permanent=True
        )

    def close(self) -> None:
        """Nothing held open: the SDK's urllib transport opens a connection per request."""

    # ---- war rooms ----------------------------------------------------------------------------------

    def _open_war_room(self, web: WebClient, message: Message, text: str) -> Delivered:
        base = _room_name(message.body.get("name"))
        private = bool(message.body.get("private", False))
        tag = f"[warroom:{message.idempotency_key}]"
        room, reused = self._create_room(web, base, private, tag, message.body.get("incident"))
        room_id = str(room["id"])
        invite_errors = self._invite(web, room_id, _invitees(message.body.get("invite")))
        blocks = _blocks(message.body, text)
        self._call("chat.postMessage", partial(web.chat_postMessage, channel=room_id, text=text, blocks=blocks))
        detail = {"room_id": room_id, "name": room["name"], "invite_errors": invite_errors, "reused": reused}
        return Delivered(provider_id=room_id, detail=detail)

    def _create_room(
        self, web: WebClient, base: str, private: bool, tag: str, incident: object
    ) -> tuple[Mapping[str, Any], bool]:
        taken: set[str] | None = None  # listed once, on the first collision
        for number in range(1, MAX_ROOM_NUMBER + 1):
            candidate = _numbered(base, number)
            if taken is not None and candidate in taken:
                continue
            try:
                response = self._call(
                    "conversations.create", partial(web.conversations_create, name=candidate, is_private=private)
                )
            except SlackApiFailure as failure:
                if failure.code != "name_taken":
                    raise
                if taken is None:
                    own, taken = self._find_room(web, tag)
                    if own is not None:
                        return own, True
                continue
            room: Mapping[str, Any] = response["channel"]
            purpose = f"Incident {incident} war room {tag}" if incident else f"Incident war room {tag}"
            set_purpose = partial(web.conversations_setPurpose, channel=room["id"], purpose=purpose)
            self._call("conversations.setPurpose", set_purpose)
            return room, False
        raise DeliveryFailed(f"slack: every name from {base!r} to {base}-{MAX_ROOM_NUMBER} is taken", permanent=True)

    def _find_room(self, web: WebClient, tag: str) -> tuple[Mapping[str, Any] | None, set[str]]:
        """The channel an earlier attempt of this message opened (its purpose ends with `tag`), and all names."""
        names: set[str] = set()
        cursor: str | None = None
        while True:
            response = self._call(
                "conversations.list",
                partial(
                    web.conversations_list,
                    types="public_channel,private_channel",
                    exclude_archived=True,
                    limit=200,
                    cursor=cursor,
                ),
            )
            for channel in response.get("channels") or []:
                names.add(str(channel.get("name")))
                purpose = str((channel.get("purpose") or {}).get("value") or "")
                if purpose.endswith(tag):
                    return channel, names
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None, names

    def _invite(self, web: WebClient, room_id: str, users: list[str]) -> list[dict[str, str]]:
        if not users:
            return []
        try:
            response = self._call(
                "conversations.invite",
                partial(web.conversations_invite, channel=room_id, users=",".join(users), force=True),
            )
        except SlackApiFailure as failure:
            if failure.code not in NON_FATAL_INVITE_ERRORS:
                raise
            return failure.user_errors or [{"users": ",".join(users), "error": str(failure.code)}]
        return _user_errors(response.data if isinstance(response.data, dict) else {})

    # ---- transport ----------------------------------------------------------------------------------

    def _call(self, method: str, call: Callable[[], SlackResponse]) -> SlackResponse:
        try:
            return call()
        except SlackApiError as error:
            raise _api_failure(method, error.response) from None
        except SlackRequestError:
            raise DeliveryFailed(
                f"slack {method}: the request could not be sent (check WARROOM_SLACK_API_URL)", permanent=True
            ) from None
        except (OSError, HTTPException) as error:
            raise DeliveryFailed(f"slack {method}: {type(error).__name__}: {error}") from None

    def _post_to_webhook(self, webhook: WebhookClient, text: str, blocks: list[dict[str, Any]]) -> Delivered:
        try:
            response = webhook.send(text=text, blocks=blocks)
        except SlackRequestError:
            raise DeliveryFailed(
                "slack incoming webhook: WARROOM_SLACK_WEBHOOK_URL is not a valid URL", permanent=True
            ) from None
        except (OSError, HTTPException) as error:
            raise DeliveryFailed(f"slack incoming webhook: {type(error).__name__}: {self._scrub(str(error))}") from None
        answer = self._scrub((response.body or "").strip())[:200]
        if response.status_code == 200 and answer == "ok":
            return Delivered()
        reason = f"slack incoming webhook: HTTP {response.status_code} {answer}".rstrip()
        if response.status_code == 429:
            raise DeliveryFailed(reason, retry_after=retry_after_header(response.headers))
        raise DeliveryFailed(reason, permanent=response.status_code in WEBHOOK_PERMANENT_STATUSES)

    def _scrub(self, text: str) -> str:
        return text.replace(self._webhook_url, "<webhook url>") if self._webhook_url else text


def _api_failure(method: str, response: SlackResponse) -> SlackApiFailure:
    status = response.status_code
    data: dict[str, Any] = response.data if isinstance(response.data, dict) else {}
    code = str(data["error"]) if data.get("error") else None
    described = code or f"HTTP {status}"
    if data.get("needed"):
        described += f" (needs scope {data['needed']})"
    notes = (data.get("response_metadata") or {}).get("messages") or []
    if notes:
        described += ": " + "; ".join(str(note) for note in notes)[:300]
    user_errors = _user_errors(data)
    reason = f"slack {method}: {described[:400]}"
    if status == 429:
        return SlackApiFailure(reason, code=code, retry_after=retry_after_header(response.headers))
    if status >= 500 or status == 408:
        return SlackApiFailure(reason, code=code)
    if status != 200:  # a 4xx other than 429: the API URL or the request is wrong, retrying will not help
        return SlackApiFailure(reason, code=code, permanent=True)
    return SlackApiFailure(reason, code=code, user_errors=user_errors, permanent=code in PERMANENT_ERRORS)


def _user_errors(data: Mapping[str, Any]) -> list[dict[str, str]]:
    return [
        {"user": str(item.get("user", "")), "error": str(item.get("error", ""))}
        for item in data.get("errors") or []
        if isinstance(item, Mapping)
    ]


def _text(message: Message) -> str:
    text = message.body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise DeliveryFailed("the message has no text to post", permanent=True)
    # The text is plain; Slack reads &, < and > as markup, so they are escaped as its formatting rules ask.
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped[:MESSAGE_TEXT_LIMIT]


def _blocks(body: Mapping[str, Any], text: str) -> list[dict[str, Any]]:
    section = text if len(text) <= SECTION_TEXT_LIMIT else text[: SECTION_TEXT_LIMIT - 1] + "…"
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": section}}]
    incident = body.get("incident")
    if body.get("ack") and incident:
        button = {
            "type": "button",
            "action_id": "acknowledge",
            "style": "primary",
            "value": str(incident),
            "text": {"type": "plain_text", "text": "Acknowledge"},
        }
        blocks.append({"type": "actions", "elements": [button]})
    return blocks


def _room_name(name: object) -> str:
    """Slack's rules: lowercase letters, digits, '-' and '_', at most 80 characters."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", str(name or "").lower())
    slug = re.sub(r"-{2,}", "-", slug).strip("-")[:MAX_NAME_LENGTH].rstrip("-")
    if not slug:
        raise DeliveryFailed(f"the war room name {name!r} has nothing Slack accepts in a name", permanent=True)
    return slug


def _numbered(base: str, number: int) -> str:
    if number == 1:
        return base
    suffix = f"-{number}"
    return base[: MAX_NAME_LENGTH - len(suffix)].rstrip("-") + suffix


def _invitees(invite: object) -> list[str]:
    if isinstance(invite, str):
        invite = invite.split(",")
    if not isinstance(invite, list | tuple):
        return []
    return [str(user).strip() for user in invite if str(user).strip()]
