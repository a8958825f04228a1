"""Where a message to a playbook audience (channel) goes: which outbox channel, which addresses. Pure.

Addresses come from the deployment (WARROOM_AUDIENCE_RECIPIENTS, so customer lists need not be committed
with the playbook), else the playbook channel's `recipients`, else its `target` when that is itself an
address ("#incidents", "support@example.com"). An audience with nowhere to go is an error before sending.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from warroom.playbook.schema import Channel, ChannelKind

_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
_PHONE = re.compile(r"^\+[1-9]\d{6,14}$")
_SLACK = re.compile(r"^(#[a-z0-9][a-z0-9_\-]{0,79}|[CGD][A-Z0-9]{6,})$")


@dataclass(frozen=True)
class Delivery:
    channel: str  # the outbox channel (slack, email, sms, teams, push, webhook, console)
    address: str | None
    note: str | None = None  # e.g. "Slack is not configured: written to the log"


class NoAddress(ValueError):
    """The audience has no address this kind of channel can use."""


def deliveries(channel: Channel, configured: Collection[str], override: Sequence[str] | None = None) -> list[Delivery]:
    """The deliveries of one message to `channel`. Status pages are not delivered here (the status page
    service publishes them); raises NoAddress when the audience cannot be reached."""
    addresses = list(override or channel.recipients)
    kind = channel.kind
    if kind is ChannelKind.SLACK:
        targets = addresses or ([channel.target] if _SLACK.match(channel.target) else [])
        return [_via("slack", a, configured, "Slack") for a in _checked(targets, _SLACK, channel, "Slack channel")]
    if kind is ChannelKind.EMAIL:
        targets = addresses or ([channel.target] if _EMAIL.match(channel.target) else [])
        return [_via("email", a, configured, "SMTP") for a in _checked(targets, _EMAIL, channel, "e-mail address")]
    if kind is ChannelKind.SMS:
        return [_via("sms", a, configured, "Twilio") for a in _checked(addresses, _PHONE, channel, "phone number")]
    if kind is ChannelKind.TEAMS:
        return [_via("teams", channel.key, configured, "Teams")]
    if kind is ChannelKind.NTFY:
        return [_via("push", a, configured, "ntfy") for a in (addresses or [channel.target])]
    if kind is ChannelKind.WEBHOOK:
        return [_via("webhook", channel.key, configured, "the page webhook")]
    return [Delivery("console", channel.key, f"{kind.value} channel: recorded and written to the log")]


def _checked(addresses: list[str], pattern: re.Pattern[str], channel: Channel, what: str) -> list[str]:
    if not addresses:
        raise NoAddress(
            f"channel {channel.key!r} ({channel.name}) has no {what} to send to: set its `recipients` in the "
            f"playbook or WARROOM_AUDIENCE_RECIPIENTS['{channel.key}']"
        )
    bad = [a for a in addresses if not pattern.match(a)]
    if bad:
        raise NoAddress(f"channel {channel.key!r}: {', '.join(repr(b) for b in bad)} is not a valid {what}")
    return list(dict.fromkeys(addresses))


def _via(name: str, address: str, configured: Collection[str], provider: str) -> Delivery:
    if name in configured:
        return Delivery(name, address)
    return Delivery("console", address, f"{provider} is not configured: written to the log")


def recipients_override(settings_value: Mapping[str, list[str]], key: str) -> list[str] | None:
    values = settings_value.get(key)
    return list(values) if values else None
