"""Twilio SMS and voice calls through Twilio's REST API (the base URL is configurable, so a fake can stand in).

An SMS page ends with how to acknowledge by reply; a call reads the page and, when the message carries an ack
token, asks for 1 on the keypad (Twilio posts the digit to `{voice_action_base}/{ack_token}`).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import httpx
from twilio.twiml.voice_response import Gather, VoiceResponse  # type: ignore[import-untyped]

from warroom.notify.channels import Delivered, DeliveryFailed, retry_after_header
from warroom.notify.outbox import Message

SMS_LIMIT = 1600  # Twilio refuses longer bodies (error 21617)
SAY_LIMIT = 3000  # the whole Twiml parameter may be at most 4000 characters
PAGE_KINDS = frozenset({"page", "bundle"})


class _TwilioRest:
    def __init__(
        self,
        api_url: str,
        account_sid: str,
        auth_token: str,
        from_number: str,
        status_callback_url: str | None,
        timeout: float,
    ) -> None:
        self.from_number = from_number
        self.status_callback_url = status_callback_url
        self._base = f"{api_url.rstrip('/')}/2010-04-01/Accounts/{quote(account_sid, safe='')}"
        self._client = httpx.Client(auth=(account_sid, auth_token), timeout=timeout)

    def create(self, resource: str, message: Message, fields: dict[str, str]) -> Delivered:
        if not message.address:
            raise DeliveryFailed(f"twilio {resource}: the message has no phone number", permanent=True)
        form = {"To": message.address, "From": self.from_number, **fields}
        if self.status_callback_url:
            form["StatusCallback"] = self.status_callback_url
        try:
            response = self._client.post(f"{self._base}/{resource}.json", data=form)
        except httpx.HTTPError as error:
            raise DeliveryFailed(f"twilio {resource}: {type(error).__name__}: {error}") from None
        answer = _json(response)
        if 200 <= response.status_code < 300:
            sid = answer.get("sid")
            if not isinstance(sid, str) or not sid:
                raise DeliveryFailed(f"twilio {resource}: HTTP {response.status_code} without a sid")
            return Delivered(provider_id=sid, detail={"status": answer.get("status")})
        reason = f"twilio {resource}: HTTP {response.status_code}, error {answer.get('code')}: {answer.get('message')}"
        if response.status_code == 429:
            raise DeliveryFailed(reason, retry_after=retry_after_header(response.headers))
        if response.status_code >= 500 or response.status_code == 408:
            raise DeliveryFailed(reason)
        raise DeliveryFailed(reason, permanent=True)  # 21211 invalid To, 21610 unsubscribed, 20003 bad credentials

    def close(self) -> None:
        self._client.close()


class TwilioSmsChannel:
    name = "sms"

    def __init__(
        self,
        api_url: str,
        account_sid: str,
        auth_token: str,
        from_number: str,
        status_callback_url: str | None = None,
        timeout: float = 10,
    ) -> None:
        self._rest = _TwilioRest(api_url, account_sid, auth_token, from_number, status_callback_url, timeout)

    def deliver(self, message: Message) -> Delivered:
        return self._rest.create("Messages", message, {"Body": sms_body(message)})

    def close(self) -> None:
        self._rest.close()


class TwilioVoiceChannel:
    name = "voice"

    def __init__(
        self,
        api_url: str,
        account_sid: str,
        auth_token: str,
        from_number: str,
        status_callback_url: str | None = None,
        timeout: float = 10,
        voice_action_base: str | None = None,
    ) -> None:
        self._rest = _TwilioRest(api_url, account_sid, auth_token, from_number, status_callback_url, timeout)
        self.voice_action_base = voice_action_base

    def deliver(self, message: Message) -> Delivered:
        return self._rest.create("Calls", message, {"Twiml": call_twiml(message, self.voice_action_base)})

    def close(self) -> None:
        self._rest.close()


def sms_body(message: Message) -> str:
    text = _text(message)
    incident = message.body.get("incident")
    if message.body.get("kind") not in PAGE_KINDS or not incident:
        return _cut(text, SMS_LIMIT)
    hint = f"Reply 'ack {incident_number(str(incident))}' to acknowledge"
    return _cut(text, SMS_LIMIT - len(hint) - 1) + "\n" + hint


def call_twiml(message: Message, voice_action_base: str | None) -> str:
    response = VoiceResponse()
    response.say(_cut(_text(message), SAY_LIMIT))
    token = message.body.get("ack_token")
    if token and voice_action_base:
        action = f"{voice_action_base.rstrip('/')}/{quote(str(token), safe='')}"
        gather = Gather(num_digits=1, action=action, method="POST")
        gather.say("Press 1 to acknowledge.")
        response.append(gather)
    return str(response)


def incident_number(incident: str) -> str:
    """The number a person types in a reply: 42 for INC-42."""
    match = re.search(r"(\d+)$", incident)
    return match.group(1) if match else incident


def _text(message: Message) -> str:
    text = message.body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise DeliveryFailed("the message has no text", permanent=True)
    return text.strip()


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}
