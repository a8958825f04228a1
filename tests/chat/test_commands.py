"""The slash command parser: text in, a typed command or a ParseError with the usage out."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.chat.commands import (
    Acknowledge,
    AssignRoleTo,
    Close,
    Declare,
    Escalate,
    Help,
    Mention,
    PageTarget,
    ParseError,
    PostUpdate,
    SetStatus,
    help_text,
    parse,
)
from warroom.incidents.lifecycle import Status

GREENLANG = [("p0", "P0"), ("p1", "P1"), ("p2", "P2"), ("p3", "P3")]
SEVS = [("sev1", "SEV-1"), ("sev2", "SEV-2"), ("minor", "Minor")]


def test_declare_with_and_without_a_severity_prefix() -> None:
    assert parse("/incident", 'declare "P0: Complete service outage"', GREENLANG) == Declare(
        "Complete service outage", "p0"
    )
    assert parse("/incident", 'create "Brief description"', GREENLANG) == Declare("Brief description", None)
    assert parse("/inc", "declare p2: checkout slow", GREENLANG) == Declare("checkout slow", "p2")
    # Labels and keys compare without case, '-', '_' or spaces.
    for typed in ("SEV1", "sev-1", "Sev_1", "SEV-1"):
        assert parse("/incident", f'declare "{typed}: db down"', SEVS) == Declare("db down", "sev1")
    assert parse("/incident", 'declare "minor: typo"', SEVS) == Declare("typo", "minor")


def test_a_colon_in_a_title_is_not_a_severity_unless_it_looks_like_one() -> None:
    assert parse("/incident", 'declare "Database: primary failed"', GREENLANG) == Declare(
        "Database: primary failed", None
    )
    with pytest.raises(ParseError) as caught:
        parse("/incident", 'declare "P7: what"', GREENLANG)
    assert "unknown severity 'P7'" in caught.value.problem
    assert "P0, P1, P2, P3" in caught.value.problem
    assert caught.value.text.endswith('Usage: /incident declare "[<severity>:] title"   (or: create "title")')
    with pytest.raises(ParseError, match="give a title after 'P0:'"):
        parse("/incident", 'declare "P0:"', GREENLANG)
    with pytest.raises(ParseError, match="missing title"):
        parse("/incident", "declare", GREENLANG)


def test_status_update_and_close() -> None:
    assert parse("/incident", 'status identified "bad deploy"') == SetStatus(Status.IDENTIFIED, "bad deploy", None)
    assert parse("/incident", "status INC-4 monitoring") == SetStatus(Status.MONITORING, None, 4)
    assert parse("/incident", "status resolved #12 rolled back") == SetStatus(Status.RESOLVED, "rolled back", 12)
    with pytest.raises(ParseError, match="unknown status 'fixed'"):
        parse("/incident", "status fixed")
    assert parse("/incident", 'update "db is back"') == PostUpdate("db is back", None)
    assert parse("/incident", "update inc-9 replicas caught up") == PostUpdate("replicas caught up", 9)
    assert parse("/incident", 'close "Resolved: rolled back"') == Close("Resolved: rolled back", None)
    assert parse("/incident", "resolve INC-3") == Close(None, 3)


def test_role_page_escalate_ack() -> None:
    assert parse("/incident", "role ic <@U024BE7LH|bob>") == AssignRoleTo("ic", Mention("U024BE7LH", "bob"), None)
    assert parse("/incident", 'role INC-2 "Incident Commander" <@U1ABC>') == AssignRoleTo(
        "Incident Commander", Mention("U1ABC", None), 2
    )
    assert parse("/incident", "role scribe @alice #5") == AssignRoleTo("scribe", Mention(None, "alice"), 5)
    with pytest.raises(ParseError, match="missing the person"):
        parse("/incident", "role ic")
    with pytest.raises(ParseError, match="unexpected 'and more'"):
        parse("/incident", "role ic alice and more")
    assert parse("/page", 'incident-commander "P0: API down"') == PageTarget(
        Mention(None, "incident-commander"), "P0: API down", None
    )
    assert parse("/incident", "page INC-7 legal") == PageTarget(Mention(None, "legal"), None, 7)
    # The playbooks' PagerDuty habit: "/pd escalate incident-123 ...".
    assert parse("/pd", 'escalate incident-123 "Reason for escalation"') == Escalate("Reason for escalation", 123)
    with pytest.raises(ParseError, match="missing reason"):
        parse("/pd", "escalate INC-1")
    assert parse("/incident", "ack") == Acknowledge(None)
    assert parse("/incident", "ack 42") == Acknowledge(42)
    assert parse("/incident", "acknowledge INC-42") == Acknowledge(42)
    with pytest.raises(ParseError, match="unexpected 'now'"):
        parse("/incident", "ack 42 now")


def test_help_and_empty_text_and_unknown_words() -> None:
    assert parse("/incident", "") == Help()
    assert parse("/incident", "   ") == Help()
    assert parse("/incident", "HELP") == Help()
    assert "/incident escalate" in help_text()
    assert "A severity (P0, P1) and ':' before a declared title sets it" in help_text(["P0", "P1"])
    with pytest.raises(ParseError) as caught:
        parse("/incident", "explode now")
    assert "unknown subcommand 'explode'" in caught.value.text and "/incident ack" in caught.value.text
    with pytest.raises(ParseError, match="unknown command /deploy"):
        parse("/deploy", "status resolved")
    with pytest.raises(ParseError, match="missing whom to page"):
        parse("/page", "")


def test_quotes_apostrophes_and_slack_escaping() -> None:
    with pytest.raises(ParseError) as caught:
        parse("/incident", "update it's down")
    assert "close every quote" in caught.value.problem and caught.value.usage.startswith("/incident update")
    assert parse("/incident", 'update "it\'s down"') == PostUpdate("it's down", None)
    # Phones and Macs turn quotes into curly ones.
    assert parse("/incident", "declare \u201cP1: login broken\u201d", GREENLANG) == Declare("login broken", "p1")
    # Slack escapes &, < and > in the text; the note keeps what the person typed. '#' is not a comment.
    assert parse("/incident", "update a &lt; b &amp;&amp; c # see", slack_escaped=True) == PostUpdate(
        "a < b && c # see", None
    )
    assert parse("/incident", r'update "C:\temp\x"') == PostUpdate(r"C:\temp\x", None)


def test_overlong_text_is_refused_with_the_limit() -> None:
    with pytest.raises(ParseError, match="at most 2000"):
        parse("/incident", "escalate " + "x" * 2001)


COMMANDS = st.sampled_from(["/incident", "/inc", "/pd", "/page", "/INCIDENT", "/other", "", "incident"])
WORDS = st.sampled_from(
    [
        "declare",
        "create",
        "status",
        "update",
        "role",
        "page",
        "escalate",
        "ack",
        "close",
        "help",
        "resolved",
        "INC-4",
        "#7",
        "42",
        "<@U1|x>",
        "P0:",
        '"',
        "'",
        "\u201c",
        "&lt;",
        "\\",
        "sev-1:",
        ":",
        "@bob",
    ]
)


@settings(max_examples=400, deadline=None)
@given(command=COMMANDS, text=st.text(max_size=200), escaped=st.booleans())
def test_any_text_parses_or_is_a_parse_error(command: str, text: str, escaped: bool) -> None:
    try:
        result = parse(command, text, GREENLANG, slack_escaped=escaped)
    except ParseError as error:
        assert error.problem and error.usage
        return
    assert result is not None


@settings(max_examples=400, deadline=None)
@given(command=COMMANDS, words=st.lists(st.one_of(WORDS, st.text(max_size=12)), max_size=8))
def test_command_like_text_parses_or_is_a_parse_error(command: str, words: list[str]) -> None:
    try:
        parse(command, " ".join(words), SEVS)
    except ParseError as error:
        assert error.text.startswith(error.problem)


@settings(max_examples=200, deadline=None)
@given(title=st.text(min_size=1, max_size=100).filter(lambda t: t.strip() and not set(t) & set('":\u201c\u201d\u201e')))
def test_a_quoted_title_survives_with_its_severity(title: str) -> None:
    parsed = parse("/incident", f'declare "P3: {title}"', GREENLANG)
    assert parsed == Declare(title.strip(), "p3")
