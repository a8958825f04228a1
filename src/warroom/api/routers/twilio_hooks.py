"""Twilio's webhooks: SMS replies, the phone keypad of a page call, and delivery status callbacks.

Every request must carry a valid `X-Twilio-Signature`, computed over the public URL Twilio called (not our
bind address) and the POSTed fields. Replies are TwiML answered 200 even when the person's request fails
(an unknown number, a resolved incident): a non-2xx makes Twilio retry and log errors, and the person
reads the reason on their phone instead.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

import structlog
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import ImmutableMultiDict
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]
from twilio.twiml.messaging_response import MessagingResponse  # type: ignore[import-untyped]
from twilio.twiml.voice_response import VoiceResponse  # type: ignore[import-untyped]

from warroom.api.problems import problem
from warroom.chat.sms_replies import AckReply, parse_sms_reply
from warroom.errors import Conflict, FieldProblem, InvalidInput, NotFound
from warroom.incidents.views import incident_ref
from warroom.notify.ack_links import verify
from warroom.oncall.contacts import person_by_address
from warroom.runtime import Warroom

router = APIRouter(prefix="/hooks/twilio", tags=["twilio"])
TwilioFields = ImmutableMultiDict[str, str]
log = structlog.get_logger(__name__)

TWIML = "application/xml"
KEYPAD_PROMPT = "Press 1 to acknowledge."


def public_url(warroom: Warroom, request: Request) -> str:
    """The URL Twilio called, which is what it signed: our public address plus the path and query."""
    raw_path = request.scope.get("raw_path")  # as sent, percent-escapes kept: the signature covers them
    path = raw_path.decode("latin-1") if isinstance(raw_path, bytes) else request.url.path
    url = warroom.settings.public_url.rstrip("/") + path
    return f"{url}?{request.url.query}" if request.url.query else url


async def form_fields(request: Request) -> TwilioFields:
    """The fields of a form POST (x-www-form-urlencoded, as Twilio and Slack send), repeated names kept."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return ImmutableMultiDict(parse_qsl(body, keep_blank_values=True))


async def signed_form(warroom: Warroom, request: Request) -> TwilioFields | JSONResponse:
    """The POSTed fields when the request is Twilio's; else the 403 problem to answer."""
    token = warroom.settings.twilio_auth_token
    if token is None or not token.get_secret_value():
        detail = "Twilio is not configured here: set WARROOM_TWILIO_AUTH_TOKEN"
        return problem(403, "Twilio not configured", detail, [FieldProblem("X-Twilio-Signature", detail)])
    signature = request.headers.get("X-Twilio-Signature")
    if not signature:
        return _bad_signature("the X-Twilio-Signature header is missing")
    form = await form_fields(request)
    if not RequestValidator(token.get_secret_value()).validate(public_url(warroom, request), form, signature):
        return _bad_signature("X-Twilio-Signature does not match this URL and these fields")
    return form


def _bad_signature(reason: str) -> JSONResponse:
    return problem(403, "Bad signature", reason, [FieldProblem("X-Twilio-Signature", reason)])


def _field(form: TwilioFields, name: str) -> str:
    return form.get(name, "")


def _message(text: str) -> Response:
    reply = MessagingResponse()
    reply.message(text)
    return Response(str(reply), media_type=TWIML)


def _say(text: str) -> Response:
    reply = VoiceResponse()
    reply.say(text)
    return Response(str(reply), media_type=TWIML)


@router.post("/sms", summary="An SMS reply to a page: 'ack 42', 'ack', 'help'")
async def sms_reply(request: Request) -> Response:
    warroom: Warroom = request.app.state.warroom
    form = await signed_form(warroom, request)
    if isinstance(form, JSONResponse):
        return form
    person = person_by_address(warroom.playbook, ("sms", "phone"), _field(form, "From"))
    if person is None:
        return _message("Warroom does not know this number: add it to your contact methods in the playbook.")
    reply = parse_sms_reply(_field(form, "Body"))
    if not isinstance(reply, AckReply):
        return _message(reply.text)
    try:
        done = await run_in_threadpool(warroom.acknowledgements.acknowledge, person.key, reply.ref, "sms")
    except (NotFound, Conflict) as error:
        return _message(error.detail)
    log.info("page_acknowledged", person=person.key, incident=done.incident, via="sms")
    return _message(done.text)


@router.post("/voice/{token}", summary="The keypad of a page call: 1 acknowledges")
async def voice_keypad(token: str, request: Request) -> Response:
    warroom: Warroom = request.app.state.warroom
    form = await signed_form(warroom, request)
    if isinstance(form, JSONResponse):
        return form
    try:
        claim = verify(warroom.ack_key, token, warroom.clock.now())
    except InvalidInput as error:
        return _say(f"{error.detail}. Not acknowledged.")
    digits = _field(form, "Digits")
    if not digits:
        # The call itself: ask for the key. Gather posts the digits back to this same URL.
        reply = VoiceResponse()
        gather = reply.gather(num_digits=1, method="POST", timeout=10)
        gather.say(f"Warroom is paging you for {incident_ref(claim.incident_id)}. {KEYPAD_PROMPT}")
        reply.say("No key pressed. Not acknowledged. Goodbye.")
        return Response(str(reply), media_type=TWIML)
    if digits != "1":
        return _say(f"Not acknowledged. {KEYPAD_PROMPT}")
    try:
        done = await run_in_threadpool(
            warroom.acknowledgements.acknowledge, claim.person, f"{claim.incident_id}", "phone"
        )
    except (NotFound, Conflict) as error:
        return _say(error.detail)
    log.info("page_acknowledged", person=claim.person, incident=done.incident, via="phone")
    return _say(done.text)


@router.post("/status", status_code=204, summary="Twilio's delivery status callback of an SMS or a call")
async def delivery_status(request: Request) -> Response:
    warroom: Warroom = request.app.state.warroom
    form = await signed_form(warroom, request)
    if isinstance(form, JSONResponse):
        return form
    if _field(form, "MessageSid"):
        sid, status, names = _field(form, "MessageSid"), _field(form, "MessageStatus"), "MessageStatus"
    else:
        sid, status, names = _field(form, "CallSid"), _field(form, "CallStatus"), "CallStatus"
    if not sid or not status:
        reason = "a status callback carries MessageSid and MessageStatus, or CallSid and CallStatus"
        return problem(400, "Invalid status callback", reason, [FieldProblem(names, reason)])
    code, text = _field(form, "ErrorCode"), _field(form, "ErrorMessage")
    error = f"{code}: {text}" if code and text else (code or text or None)
    known = await run_in_threadpool(warroom.sender.provider_status, sid, status, error)
    if not known:
        # Twilio also reports messages sent by other applications on this account; not ours to record.
        log.info("provider_status_unknown", provider_id=sid, status=status)
    return Response(status_code=204)
