"""Chat slash commands as text: `/incident status INC-4 identified "bad deploy"` -> a typed command.

Pure: no database, no playbook lookups beyond the severity keys and labels the caller passes in. Text is
split like a shell would (shlex): quote text with spaces or apostrophes; unquoted words after the fixed
arguments are joined back into the text. Anything that cannot be understood is a ParseError that says
what is wrong and shows the usage; nothing else is ever raised for any input.

`/incident` and `/inc` take a subcommand; `/pd` is the playbooks' PagerDuty habit (`/pd escalate ...`)
and means the same; `/page X "msg"` is `/incident page X "msg"`.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from warroom.incidents.lifecycle import Status

INCIDENT_COMMANDS = ("incident", "inc", "pd")
PAGE_COMMAND = "page"
MAX_TEXT = 5_000  # the longest note a status change takes; titles are checked by the service (300)
MAX_REASON = 2_000

# INC-42, inc42, incident-42 (the playbooks write "/pd escalate incident-123"), #42.
_REF = re.compile(r"^(?:inc-?|incident-?|#)(\d{1,12})$", re.IGNORECASE)
_DIGITS = re.compile(r"^\d{1,12}$")
# A Slack user mention as Slack escapes it: <@U024BE7LH> or <@U024BE7LH|bob>.
_MENTION = re.compile(r"^<@([A-Z0-9]{2,32})(?:\|([^>]{1,200}))?>$", re.IGNORECASE)
# Before a ':' this looks like a severity code (P0, SEV1, sev-1, S2) rather than a word of the title.
_SEVERITY_LIKE = re.compile(r"^[a-z]{0,10}[\s_\-]?\d{1,2}$", re.IGNORECASE)
_SMART_DOUBLE_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"'})


class ParseError(Exception):
    """What is wrong with the command text, and how to write it."""

    def __init__(self, problem: str, usage: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.usage = usage

    @property
    def text(self) -> str:
        if "\n" in self.usage:
            return f"{self.problem}\n{self.usage}"
        return f"{self.problem}\nUsage: {self.usage}"


@dataclass(frozen=True)
class Mention:
    """Who a command names: a Slack user (by id, with the display name if Slack sent one) or a plain name."""

    user_id: str | None
    name: str | None


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Declare:
    title: str
    severity: str | None  # the key of a severity the caller passed in; None: triage decides


@dataclass(frozen=True)
class SetStatus:
    status: Status
    note: str | None
    incident: int | None


@dataclass(frozen=True)
class PostUpdate:
    text: str
    incident: int | None


@dataclass(frozen=True)
class AssignRoleTo:
    role: str  # as typed: a role key, short name or name
    person: Mention
    incident: int | None


@dataclass(frozen=True)
class PageTarget:
    target: Mention  # a role, team, schedule or person as typed, or a Slack user mention
    message: str | None
    incident: int | None


@dataclass(frozen=True)
class Escalate:
    reason: str
    incident: int | None


@dataclass(frozen=True)
class Acknowledge:
    incident: int | None


@dataclass(frozen=True)
class Close:
    note: str | None
    incident: int | None


ChatCommand = Help | Declare | SetStatus | PostUpdate | AssignRoleTo | PageTarget | Escalate | Acknowledge | Close

_STATUSES = " | ".join(status.value for status in Status)
USAGE = {
    "declare": '/incident declare "[<severity>:] title"   (or: create "title")',
    "status": f'/incident status [INC-42] <{_STATUSES}> ["note"]',
    "update": '/incident update [INC-42] "what is happening"',
    "role": "/incident role [INC-42] <role key, short name or name> <@user | person key>",
    "page": (
        '/incident page [INC-42] <role | team | schedule | person> ["message"]   (or: /page <target> "message";'
        " outside an incident's room with no incident named, /page declares one from the message first)"
    ),
    "escalate": '/incident escalate [INC-42] "reason"',
    "ack": "/incident ack [INC-42]",
    "close": '/incident close [INC-42] "Resolved: what fixed it"',
    "help": "/incident help",
}
_ALIASES = {
    "declare": "declare",
    "create": "declare",
    "status": "status",
    "update": "update",
    "role": "role",
    "assign": "role",
    "page": "page",
    "escalate": "escalate",
    "ack": "ack",
    "acknowledge": "ack",
    "close": "close",
    "resolve": "close",
    "help": "help",
}


def help_text(severity_labels: Sequence[str] = ()) -> str:
    severities = f" ({', '.join(severity_labels)})" if severity_labels else ""
    lines = [
        "Run incidents from chat. Name the incident (INC-42 or #42), or type the command in its war-room channel.",
        *(f"• {usage}" for usage in USAGE.values()),
        f"A severity{severities} and ':' before a declared title sets it; without one, triage decides.",
    ]
    return "\n".join(lines)


def parse_ref(token: str, bare_digits: bool = False) -> int | None:
    """The incident number of INC-42 / #42 / incident-42 (and 42 where nothing else could be meant)."""
    match = _REF.match(token)
    if match:
        return int(match.group(1))
    if bare_digits and _DIGITS.match(token):
        return int(token)
    return None


def parse_mention(token: str) -> Mention:
    match = _MENTION.match(token)
    if match:
        return Mention(match.group(1).upper(), match.group(2))
    return Mention(None, token.lstrip("@") or token)


def severity_code(value: str) -> str:
    """Compare severities without case, spaces, '-' or '_': 'sev-1', 'SEV1' and 'Sev 1' are one."""
    return re.sub(r"[\s_\-]", "", value).lower()


def parse(
    command: str, text: str, severities: Sequence[tuple[str, str]] = (), *, slack_escaped: bool = False
) -> ChatCommand:
    """`command` is the slash command ("/incident"), `text` what followed it; `severities` are the
    playbook's (key, label) pairs; `slack_escaped`: Slack sent &, < and > as &amp; &lt; &gt;."""
    name = command.strip().lstrip("/").lower()
    full_help = help_text([label for _, label in severities])
    if name not in (*INCIDENT_COMMANDS, PAGE_COMMAND):
        raise ParseError(f"unknown command /{name}", full_help)
    try:
        tokens = _split(text)
    except ValueError as error:
        first = text.split()[0].lower() if text.split() else ""
        sub = "page" if name == PAGE_COMMAND else _ALIASES.get(first)
        raise ParseError(
            f"cannot read the text ({str(error).lower()}): close every quote, and put text with an "
            'apostrophe in double quotes ("it\'s down")',
            USAGE[sub] if sub else full_help,
        ) from None
    if name == PAGE_COMMAND:
        sub, args = "page", tokens
    elif not tokens:
        return Help()
    else:
        word = tokens[0].lower()
        if word not in _ALIASES:
            known = ", ".join(sorted(set(_ALIASES.values())))
            raise ParseError(f"unknown subcommand {tokens[0][:40]!r}; use one of {known}", full_help)
        sub, args = _ALIASES[word], tokens[1:]
    return _PARSERS[sub](_Args(args, sub, slack_escaped), severities)


def _split(text: str) -> list[str]:
    lexer = shlex.shlex(text.translate(_SMART_DOUBLE_QUOTES), posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""  # '#42' is an incident, not a comment
    lexer.escape = ""  # backslashes are text (paths, regexes), not escapes
    return list(lexer)


class _Args:
    def __init__(self, tokens: list[str], sub: str, slack_escaped: bool) -> None:
        self.tokens = tokens
        self.usage = USAGE[sub]
        self.slack_escaped = slack_escaped
        self.incident: int | None = None

    def error(self, problem: str) -> ParseError:
        return ParseError(problem, self.usage)

    def take_ref(self, bare_digits: bool = False) -> None:
        """An incident reference here is taken (only one: a second one is text or an error)."""
        if self.tokens and self.incident is None:
            number = parse_ref(self.tokens[0], bare_digits)
            if number is not None:
                self.incident = number
                self.tokens = self.tokens[1:]

    def word(self, what: str) -> str:
        if not self.tokens:
            raise self.error(f"missing {what}")
        first, self.tokens = self.tokens[0], self.tokens[1:]
        return first

    def rest(self, what: str, required: bool, limit: int = MAX_TEXT) -> str | None:
        text = " ".join(self.tokens).strip()
        self.tokens = []
        if self.slack_escaped:
            text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        if not text:
            if required:
                raise self.error(f"missing {what}")
            return None
        if len(text) > limit:
            raise self.error(f"the {what} is {len(text)} characters long; at most {limit}")
        return text

    def done(self) -> None:
        if self.tokens:
            raise self.error(f"unexpected {' '.join(self.tokens)[:80]!r}")


def _declare(args: _Args, severities: Sequence[tuple[str, str]]) -> Declare:
    text = args.rest("title", required=True)
    assert text is not None
    head, colon, tail = text.partition(":")
    head = head.strip()
    if not colon or not head or any(character.isspace() for character in head):
        return Declare(text, None)
    wanted = severity_code(head)
    for key, label in severities:
        if wanted in (severity_code(key), severity_code(label)):
            title = tail.strip()
            if not title:
                raise args.error(f"give a title after '{head}:'")
            return Declare(title, key)
    if _SEVERITY_LIKE.match(head):
        listed = ", ".join(label for _, label in severities) or "none"
        raise args.error(f"unknown severity {head!r}; this playbook has {listed}")
    return Declare(text, None)  # "Database: primary failed" is a title


def _status(args: _Args, _severities: Sequence[tuple[str, str]]) -> SetStatus:
    args.take_ref()
    word = args.word("the status")
    try:
        status = Status(word.lower())
    except ValueError:
        raise args.error(f"unknown status {word[:40]!r}; use one of {_STATUSES}") from None
    args.take_ref()
    return SetStatus(status, args.rest("note", required=False), args.incident)


def _update(args: _Args, _severities: Sequence[tuple[str, str]]) -> PostUpdate:
    args.take_ref()
    text = args.rest("update text", required=True)
    assert text is not None
    return PostUpdate(text, args.incident)


def _role(args: _Args, _severities: Sequence[tuple[str, str]]) -> AssignRoleTo:
    args.take_ref()
    role = args.word("the role")
    person = args.word("the person (an @mention or a person key)")
    args.take_ref()
    args.done()
    return AssignRoleTo(role, parse_mention(person), args.incident)


def _page(args: _Args, _severities: Sequence[tuple[str, str]]) -> PageTarget:
    args.take_ref()
    target = args.word("whom to page (a role, team, schedule or person)")
    args.take_ref()
    message = args.rest("message", required=False, limit=MAX_REASON)
    return PageTarget(parse_mention(target), message, args.incident)


def _escalate(args: _Args, _severities: Sequence[tuple[str, str]]) -> Escalate:
    args.take_ref()
    reason = args.rest("reason (say why it needs more people)", required=True, limit=MAX_REASON)
    assert reason is not None
    return Escalate(reason, args.incident)


def _ack(args: _Args, _severities: Sequence[tuple[str, str]]) -> Acknowledge:
    args.take_ref(bare_digits=True)
    args.done()
    return Acknowledge(args.incident)


def _close(args: _Args, _severities: Sequence[tuple[str, str]]) -> Close:
    args.take_ref()
    return Close(args.rest("note", required=False), args.incident)


def _help(args: _Args, _severities: Sequence[tuple[str, str]]) -> Help:
    return Help()


_Parser = Callable[[_Args, Sequence[tuple[str, str]]], ChatCommand]
_PARSERS: dict[str, _Parser] = {
    "declare": _declare,
    "status": _status,
    "update": _update,
    "role": _role,
    "page": _page,
    "escalate": _escalate,
    "ack": _ack,
    "close": _close,
    "help": _help,
}
