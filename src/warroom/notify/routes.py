"""Which channel carries each contact method, from what this instance has configured.

phone -> Twilio voice, sms -> Twilio SMS, push -> ntfy, chat -> Slack, email -> SMTP. A method whose
provider is not configured goes to the page webhook when there is one, else to the console (the log), so
`make run` pages somewhere visible with nothing configured.
"""

from __future__ import annotations

from warroom.clock import Clock
from warroom.notify.channels import Channel
from warroom.notify.channels.console import ConsoleChannel
from warroom.notify.channels.email import EmailChannel
from warroom.notify.channels.ntfy import NtfyChannel
from warroom.notify.channels.response_url import ResponseUrlChannel
from warroom.notify.channels.slack import SlackChannel
from warroom.notify.channels.subscriber_webhook import SubscriberWebhookChannel
from warroom.notify.channels.teams import TeamsChannel
from warroom.notify.channels.twilio import TwilioSmsChannel, TwilioVoiceChannel
from warroom.notify.channels.webhook import WebhookChannel
from warroom.settings import Settings


def _secret(value: object) -> str | None:
    getter = getattr(value, "get_secret_value", None)
    return str(getter()) if getter is not None else None


def build_channels(settings: Settings, clock: Clock) -> dict[str, Channel]:
    public = settings.public_url.rstrip("/")
    channels: dict[str, Channel] = {"console": ConsoleChannel(), "response_url": ResponseUrlChannel()}
    channels["subscriber_webhook"] = SubscriberWebhookChannel()  # status page webhook subscribers
    if settings.page_webhook_url:
        secret = _secret(settings.page_webhook_secret)
        channels["webhook"] = WebhookChannel(settings.page_webhook_url, secret.encode() if secret else None)
    bot, hook = _secret(settings.slack_bot_token), _secret(settings.slack_webhook_url)
    if bot or hook:
        channels["slack"] = SlackChannel(settings.slack_api_url, bot, hook)
    if settings.smtp_host:
        channels["email"] = EmailChannel(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_security,
            settings.smtp_username,
            _secret(settings.smtp_password),
            settings.smtp_from,
            settings.smtp_ca_file,
            clock=clock,
        )
    token = _secret(settings.twilio_auth_token)
    if settings.twilio_account_sid and token and settings.twilio_from:
        callback = f"{public}/hooks/twilio/status"
        channels["sms"] = TwilioSmsChannel(
            settings.twilio_api_url, settings.twilio_account_sid, token, settings.twilio_from, callback
        )
        channels["voice"] = TwilioVoiceChannel(
            settings.twilio_api_url,
            settings.twilio_account_sid,
            token,
            settings.twilio_from,
            callback,
            voice_action_base=f"{public}/hooks/twilio/voice",
        )
    if settings.ntfy_url:
        channels["push"] = NtfyChannel(settings.ntfy_url, _secret(settings.ntfy_token))
    if settings.teams_webhook_urls:
        urls = {key: url.get_secret_value() for key, url in settings.teams_webhook_urls.items()}
        channels["teams"] = TeamsChannel(urls)
    return channels


_PROVIDER = {"phone": "voice", "sms": "sms", "push": "push", "chat": "slack", "email": "email"}


def method_routes(settings: Settings, channels: dict[str, Channel]) -> dict[str, str]:
    """Contact method -> channel name. Chat pages are Slack direct messages: they need the bot token."""
    default = "webhook" if "webhook" in channels else "console"
    usable = set(channels) - ({"slack"} if settings.slack_bot_token is None else set())
    return {method: name if name in usable else default for method, name in _PROVIDER.items()}
