"""The "platform" preset against its source, /work/shared/playbooks/platform-sev1-3.md.

Each test quotes the source line it checks.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from warroom.deadlines import SpanKind, parse_span
from warroom.playbook.loader import load_preset
from warroom.playbook.schema import EscalationKind, Method, PostmortemRequirement, WarRoom
from warroom.playbook.triage import clean_facts, suggest_severity


@pytest.fixture(scope="module")
def pb():
    return load_preset("platform")


def minutes(span) -> int:
    assert span.kind is SpanKind.ELAPSED
    return span.seconds // 60


def targets(level) -> set[tuple[str, str]]:
    found = set()
    for target in level.targets:
        for kind in ("person", "schedule", "team", "role"):
            value = getattr(target, kind)
            if value:
                found.add((kind, value))
    return found


# --- the file itself -------------------------------------------------------------------------------


def test_validates_and_names_its_source(pb):
    assert pb.source and "platform-sev1-3.md" in pb.source
    assert pb.severity_keys() == ["sev1", "sev2", "sev3"]


def test_severity_labels_and_names(pb):
    """### SEV-1: Critical Production Outage / ### SEV-2: Major Degradation / ### SEV-3: Minor Issue"""
    assert [(s.label, s.name) for s in pb.severities] == [
        ("SEV-1", "Critical Production Outage"),
        ("SEV-2", "Major Degradation"),
        ("SEV-3", "Minor Issue"),
    ]


def test_definitions(pb):
    """**Definition:** lines of each severity."""
    assert pb.severity("sev1").definition == [
        "Complete loss of service for all users",
        "Data loss risk",
        "Security breach",
    ]
    assert pb.severity("sev2").definition == [
        "Significant feature unavailable",
        "Performance degraded >50%",
        "Data integrity concerns",
    ]
    assert pb.severity("sev3").definition == [
        "Non-critical feature affected",
        "Workaround available",
        "Isolated impact",
    ]


# --- response times --------------------------------------------------------------------------------


def test_sev1_response_time(pb):
    """SEV-1 **Response time:** 15 minutes"""
    assert pb.severity("sev1").response_target == parse_span("15m")


def test_sev2_response_time(pb):
    """SEV-2 **Response time:** 30 minutes"""
    assert pb.severity("sev2").response_target == parse_span("30m")


def test_sev3_response_time_is_business_hours(pb):
    """SEV-3 **Response time:** 4 hours (business hours)"""
    target = pb.severity("sev3").response_target
    assert target.kind is SpanKind.BUSINESS_HOURS
    assert target.count == 4
    assert target == parse_span("4 business hours")


def test_business_calendar_default_hours(pb):
    """ "4 hours (business hours)": business hours are not defined, Warroom's Mon-Fri 09:00-17:00 apply."""
    cal = pb.business_calendar
    assert [d.value for d in cal.workdays] == ["mon", "tue", "wed", "thu", "fri"]
    assert (cal.opens, cal.closes) == (time(9, 0), time(17, 0))


def test_page_acknowledgement_is_the_stricter_breach_line(pb):
    """ "1. Acknowledge pages within 5 minutes" vs SEV-1 "Response time: 15 minutes": both recorded,
    5 minutes is the page-acknowledgement breach line (SEMANTICS.md)."""
    assert pb.on_call.acknowledge_within == parse_span("5m")
    for key in ("sev1", "sev2"):
        assert minutes(pb.on_call.acknowledge_within) < minutes(pb.severity(key).response_target)
    assert any("Acknowledge pages within 5 minutes" in note and "15 minutes" in note for note in pb.notes)


# --- update cadence and communication ---------------------------------------------------------------


def test_status_page_cadence(pb):
    """ "Status page updated every 15 minutes" (SEV-1), "every 30 minutes" (SEV-2); SEV-3 has none."""
    assert pb.severity("sev1").update_cadence == parse_span("15m")
    assert pb.severity("sev2").update_cadence == parse_span("30m")
    assert pb.severity("sev3").update_cadence is None


@pytest.mark.parametrize(("sev", "within"), [("sev1", 15), ("sev2", 30)])
def test_status_page_deadline(pb, sev, within):
    """ "Status page updated every 15 minutes" / "every 30 minutes": first update due within the cadence."""
    item = {c.key: c for c in pb.severity(sev).communication}["status-page-update"]
    assert item.channel == "status-page"
    assert minutes(item.within) == within
    assert item.customer_facing is True
    assert pb.channels[[c.key for c in pb.channels].index("status-page")].kind.value == "status_page"


def test_sev1_exec_slack_and_customer_success_are_tasks(pb):
    """SEV-1 **Communication:** ... exec Slack channel, customer success notified (no number -> no clock)."""
    comms = {c.key: c for c in pb.severity("sev1").communication}
    assert set(comms) == {"status-page-update", "exec-slack", "customer-success"}
    assert comms["exec-slack"].within is None and comms["exec-slack"].channel == "exec-slack"
    assert comms["customer-success"].within is None
    assert comms["customer-success"].channel == "customer-success"
    channels = {c.key: c for c in pb.channels}
    assert channels["exec-slack"].kind.value == "slack"
    assert channels["exec-slack"].audience.value == "leadership"
    assert channels["customer-success"].audience.value == "support"


def test_sev2_engineering_slack(pb):
    """SEV-2 **Communication:** Status page updated every 30 minutes, engineering Slack channel"""
    comms = {c.key: c for c in pb.severity("sev2").communication}
    assert set(comms) == {"status-page-update", "engineering-slack"}
    assert comms["engineering-slack"].within is None
    channel = {c.key: c for c in pb.channels}["engineering-slack"]
    assert (channel.kind.value, channel.target) == ("slack", "#engineering")


def test_sev3_team_slack_and_jira(pb):
    """SEV-3 **Communication:** Team Slack channel, tracked in Jira"""
    comms = {c.key: c for c in pb.severity("sev3").communication}
    assert set(comms) == {"team-slack", "jira-ticket"}
    assert all(c.within is None for c in comms.values())
    channels = {c.key: c for c in pb.channels}
    assert channels[comms["team-slack"].channel].kind.value == "slack"
    assert channels[comms["jira-ticket"].channel].kind.value == "ticket"
    assert channels["jira"].target == "Jira"


# --- contact methods --------------------------------------------------------------------------------


def test_notify_methods(pb):
    """ "Acknowledge pages within 5 minutes": SEV-1/SEV-2 page; SEV-3 goes to the team Slack channel."""
    assert set(pb.severity("sev1").notify_methods) == {Method.PHONE, Method.SMS, Method.PUSH}
    assert set(pb.severity("sev2").notify_methods) == {Method.PHONE, Method.SMS, Method.PUSH}
    assert pb.severity("sev3").notify_methods == [Method.CHAT]
    assert all(pb.severity(k).pages_anyone for k in ("sev1", "sev2", "sev3"))


# --- escalation -------------------------------------------------------------------------------------


def test_every_severity_has_its_escalation_policy(pb):
    keys = {p.key for p in pb.escalation_policies}
    assert [pb.severity(k).escalation_policy for k in ("sev1", "sev2", "sev3")] == [
        "sev1-escalation",
        "sev2-escalation",
        "sev3-escalation",
    ]
    assert {"sev1-escalation", "sev2-escalation", "sev3-escalation"} <= keys


def policy(pb, key):
    return {p.key: p for p in pb.escalation_policies}[key]


def test_sev1_escalation(pb):
    """SEV-1 **Escalation:** VP Engineering + On-call SRE + affected team leads (all at once);
    "Escalate if unable to triage within 30 minutes" (progress)."""
    p = policy(pb, "sev1-escalation")
    assert p.kind is EscalationKind.PROGRESS
    assert p.multi_ack is True
    assert p.repeat == 0
    assert len(p.levels) == 1
    assert targets(p.levels[0]) == {("person", "vp-engineering"), ("schedule", "sre-oncall"), ("person", "team-lead")}
    assert p.levels[0].timeout == parse_span("30m")


def test_sev2_escalation(pb):
    """SEV-2 **Escalation:** On-call SRE + team lead; escalate if unable to triage within 30 minutes."""
    p = policy(pb, "sev2-escalation")
    assert p.kind is EscalationKind.PROGRESS
    assert p.multi_ack is True
    assert targets(p.levels[0]) == {("schedule", "sre-oncall"), ("person", "team-lead")}
    assert p.levels[0].timeout == parse_span("30m")
    assert targets(p.levels[1]) == {("person", "vp-engineering")}
    assert len(p.levels) == 2


def test_sev3_escalation(pb):
    """SEV-3 **Escalation:** Team on-call; escalate if unable to triage within 30 minutes."""
    p = policy(pb, "sev3-escalation")
    assert p.kind is EscalationKind.PROGRESS
    assert targets(p.levels[0]) == {("schedule", "team-oncall")}
    assert p.levels[0].timeout == parse_span("30m")
    assert targets(p.levels[1]) == {("schedule", "sre-oncall"), ("person", "team-lead")}
    assert p.levels[1].methods == [Method.CHAT]
    assert len(p.levels) == 2


def test_every_escalation_quotes_the_source(pb):
    for p in pb.escalation_policies:
        assert p.source and "Escalation:" in p.source and "30 minutes" in p.source


def test_titled_people(pb):
    """ "VP Engineering", "team lead": placeholders with example.com addresses."""
    people = {p.key: p for p in pb.people}
    assert people["vp-engineering"].name == "VP Engineering"
    assert people["team-lead"].name == "Team Lead"
    assert all(p.email.endswith("@example.com") for p in pb.people)
    teams = {t.key: t for t in pb.teams}
    assert teams["platform-team"].lead == "team-lead"
    assert teams["platform-team"].schedule == "team-oncall"


# --- on-call rotation -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["sre-oncall", "team-oncall"])
def test_weekly_rotation_monday_to_monday(pb, key):
    """ "Teams rotate weekly, Monday to Monday." Handoff time chosen: Monday 09:00 (noted)."""
    schedule = {s.key: s for s in pb.schedules}[key]
    rotation = schedule.layers[0].rotation
    assert rotation.shift == parse_span("1w")
    assert rotation.start.weekday() == 0  # Monday
    assert rotation.start.time() == time(9, 0)
    assert "written summary" in schedule.handoff_note
    assert any("Monday to Monday" in note and "09:00" in note for note in pb.notes)


def test_on_call_expectations(pb):
    """The on-call engineer must: 1. Acknowledge pages within 5 minutes 2. Have laptop and reliable internet
    access at all times 3. Be within 15 minutes of a workstation 4. Escalate if unable to triage within
    30 minutes 5. Hand off to next on-call with a written summary"""
    oc = pb.on_call
    assert oc.acknowledge_within == parse_span("5m")
    assert oc.reach_workstation_within == parse_span("15m")
    assert oc.escalate_if_not_triaged_within == parse_span("30m")
    assert oc.duties == [
        "Acknowledge pages within 5 minutes",
        "Have laptop and reliable internet access at all times",
        "Be within 15 minutes of a workstation",
        "Escalate if unable to triage within 30 minutes",
        "Hand off to next on-call with a written summary",
    ]


# --- compensation -----------------------------------------------------------------------------------


def test_compensation(pb):
    """$500/week flat on-call stipend; Additional $200 for each SEV-1 incident handled;
    Comp time: 4 hours off for each overnight page ("overnight" chosen as 22:00-07:00, noted)."""
    pay = pb.compensation
    assert pay.currency == "USD"
    assert pay.weekly_stipend == Decimal(500)
    assert [(p.severity, p.amount) for p in pay.per_incident] == [("sev1", Decimal(200))]
    assert pay.comp_time_per_overnight_page == parse_span("4h")
    assert (pay.overnight_start, pay.overnight_end) == (time(22, 0), time(7, 0))
    assert any("overnight" in note and "22:00-07:00" in note for note in pb.notes)


# --- post-incident review ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["sev1", "sev2"])
def test_postmortem_required_within_48_hours(pb, key):
    """Every SEV-1 and SEV-2 incident requires a blameless post-mortem within 48 hours."""
    policy_ = pb.severity(key).postmortem
    assert policy_.requirement is PostmortemRequirement.REQUIRED
    assert policy_.due == parse_span("48h")
    assert policy_.due.seconds == 48 * 3600


def test_sev3_postmortem_is_optional_and_noted(pb):
    """The source says nothing about SEV-3 post-mortems: optional, no clock, noted."""
    policy_ = pb.severity("sev3").postmortem
    assert policy_.requirement is PostmortemRequirement.OPTIONAL
    assert policy_.due is None
    assert any("SEV-3" in note and "optional" in note for note in pb.notes)


def test_postmortem_rules(pb):
    """Rules: Blameless culture; 5 Whys; Action items tracked (Jira ticket with owner and due date);
    Share learnings in #engineering and at weekly all-hands."""
    pm = pb.postmortem
    assert pm.blameless is True
    assert pm.action_item_tracker == "Jira"
    assert pm.share_with == ["#engineering", "weekly all-hands"]
    for key in ("sev1", "sev2"):  # a plain YAML " #engineering" would have been cut off as a comment
        assert any(
            task.endswith("shared in #engineering and presented at the weekly all-hands")
            for task in pb.severity(key).tasks
        )
    text = "\n".join(pm.rules)
    for phrase in (
        "Blameless culture",
        "5 Whys",
        "Jira ticket with an owner and due date",
        "shared in #engineering",
        "within 48 hours",
    ):
        assert phrase in text


def test_postmortem_template_sections(pb):
    """Post-Mortem Template: Incident summary, Timeline of events, Root cause analysis (5 Whys),
    What went well, What could be improved, Action items with owners and deadlines."""
    template = pb.postmortem.template
    headings = [line[3:] for line in template.splitlines() if line.startswith("## ")]
    assert headings == [
        "Incident summary",
        "Timeline of events",
        "Root cause analysis (5 Whys)",
        "What went well",
        "What could be improved",
        "Action items with owners and deadlines",
    ]
    assert template.count("Why?") == 5


# --- templates --------------------------------------------------------------------------------------


def render(text: str, **context) -> str:
    env = SandboxedEnvironment(undefined=StrictUndefined)
    env.filters.update(
        utc=lambda value: value.strftime("%Y-%m-%d %H:%M UTC"),
        hhmm=lambda value: value.strftime("%H:%M"),
        date=lambda value: value.strftime("%Y-%m-%d"),
        duration=lambda value: f"{int(value.total_seconds() // 60)} minutes",
        slug=lambda value: "-".join(str(value).lower().split()),
    )
    return env.from_string(text).render(**context)


def sample_incident():
    started = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    return {
        "id": "INC-42",
        "title": "Checkout API down",
        "summary": "Checkout returned 500s for all users.",
        "severity": {"key": "sev1", "label": "SEV-1", "name": "Critical Production Outage"},
        "started_at": started,
        "detected_at": started + timedelta(minutes=3),
        "acknowledged_at": started + timedelta(minutes=5),
        "mitigated_at": started + timedelta(minutes=40),
        "resolved_at": started + timedelta(minutes=70),
        "duration": timedelta(minutes=70),
        "detection_source": "alert",
        "root_cause": "Connection leak after deploy",
        "timeline": [
            {"at": started + timedelta(minutes=3), "kind": "alert", "text": "Alert fired", "actor": None},
            {"at": started + timedelta(minutes=40), "kind": "mitigation", "text": "Rolled back", "actor": "sre-1"},
        ],
    }


def test_incident_timeline_template(pb):
    """## Incident Timeline Template (INCIDENT, SEVERITY, STARTED, DETECTED, ACKNOWLEDGED, MITIGATED,
    RESOLVED, DURATION, IMPACT, ROOT CAUSE, TIMELINE, ACTION ITEMS), placeholders filled from the incident."""
    template = pb.template("incident-timeline")
    assert template.kind.value == "incident_record"
    fields = {
        "acknowledged_by": "SRE One",
        "mitigation_action": "Rolled back deploy",
        "users_affected": "100%",
        "revenue_impact": "$10k",
        "data_loss": "no",
        "action_items": "- [ ] Add leak detection — Owner: SRE One — Due: 2026-03-09",
    }
    text = render(template.body, incident=sample_incident(), fields=fields)
    assert "[" not in text.replace("- [ ]", "")  # no unfilled [Placeholder]
    lines = text.splitlines()
    assert lines[0] == "INCIDENT: Checkout API down"
    assert lines[1] == "SEVERITY: SEV-1"
    assert "STARTED: 2026-03-02 14:00 UTC" in lines
    assert "DETECTED: 2026-03-02 14:03 UTC — alert" in lines
    assert "ACKNOWLEDGED: 2026-03-02 14:05 UTC — SRE One" in lines
    assert "MITIGATED: 2026-03-02 14:40 UTC — Rolled back deploy" in lines
    assert "RESOLVED: 2026-03-02 15:10 UTC" in lines
    assert "DURATION: 70 minutes" in lines
    assert "- Users affected: 100%" in lines
    assert "- Revenue impact: $10k" in lines
    assert "- Data loss: no" in lines
    assert "14:03 — Alert fired" in lines and "14:40 — Rolled back" in lines
    for heading in ("IMPACT:", "ROOT CAUSE:", "TIMELINE:", "ACTION ITEMS:"):
        assert heading in lines


def test_incident_timeline_needs_every_field(pb):
    """Templates never send an unfilled placeholder (SEMANTICS.md)."""
    from jinja2 import UndefinedError

    with pytest.raises(UndefinedError):
        render(pb.template("incident-timeline").body, incident=sample_incident(), fields={})


def test_postmortem_template_renders(pb):
    fields = {f"why_{n}": f"because {n}" for n in range(1, 6)}
    fields |= {
        "what_went_well": "Fast rollback",
        "what_could_be_improved": "Alerting",
        "action_items": "- Add leak detection — Owner: SRE One — Due: 2026-03-09",
    }
    text = render(pb.postmortem.template, incident=sample_incident(), fields=fields)
    assert "# Post-mortem: Checkout API down (INC-42, SEV-1)" in text
    assert "5. Why? because 5" in text


def test_war_room_is_a_noted_warroom_default(pb):
    """The source has no war-room rule: SEV-1 recommended (Warroom default, noted), others not required."""
    assert [pb.severity(k).war_room for k in ("sev1", "sev2", "sev3")] == [
        WarRoom.RECOMMENDED,
        WarRoom.NOT_REQUIRED,
        WarRoom.NOT_REQUIRED,
    ]
    assert any("War room" in note for note in pb.notes)


def test_war_room_channel_name_renders(pb):
    name = render(pb.war_room.channel_name, incident=sample_incident())
    assert name == "inc-2026-03-02-sev-1-checkout-api-down"


# --- roles, runbooks, security, notes ----------------------------------------------------------------


def test_warroom_default_roles(pb):
    """The source names no roles: Warroom's IC, Technical Lead, Communications Lead and Scribe, noted."""
    assert [r.name for r in pb.roles] == ["Incident Commander", "Technical Lead", "Communications Lead", "Scribe"]
    assert pb.role("incident_commander").short == "IC"
    assert all(r.checklist for r in pb.roles)
    assert any("Warroom's defaults" in note for note in pb.notes)


RUNBOOK_STEPS = {
    "db-connection-pool-exhaustion": (
        "Database Connection Pool Exhaustion",
        [
            "`SELECT count(*) FROM pg_stat_activity;`",
            "`SELECT * FROM pg_stat_activity WHERE state = 'active' ORDER BY query_start;`",
            "Kill idle connections older than 10 minutes",
            "Verify PgBouncer pool settings",
            "Check for connection leaks in application logs",
        ],
    ),
    "kafka-consumer-lag": (
        "Kafka Consumer Lag",
        [
            "`kafka-consumer-groups --describe --group <group>`",
            "Verify consumer health in Grafana dashboard",
            "Check for poison messages in dead letter queue",
            "Scale consumer instances if processing throughput is the bottleneck",
            "Verify schema compatibility if deserialization errors are present",
        ],
    ),
    "k8s-pod-memory-pressure": (
        "Memory Pressure on Kubernetes Pods",
        [
            "`kubectl top pods -n <namespace>`",
            "Review recent deployments for memory regression",
            "Check for memory leaks using heap profiler",
            "Adjust resource limits if growth is expected",
            "Consider horizontal pod autoscaler (HPA) configuration",
        ],
    ),
}


@pytest.mark.parametrize("key", list(RUNBOOK_STEPS))
def test_runbooks_keep_every_step_in_order(pb, key):
    """## Common Runbooks: every numbered step, in the source's order (numbers kept across checks and
    mitigations)."""
    runbook = {r.key: r for r in pb.runbooks}[key]
    name, steps = RUNBOOK_STEPS[key]
    assert runbook.name == name
    numbered = sorted(runbook.checks + runbook.mitigations, key=lambda step: int(step.split(".")[0]))
    assert [int(step.split(".")[0]) for step in numbered] == [1, 2, 3, 4, 5]
    for step, expected in zip(numbered, steps, strict=True):
        assert expected in step
    assert runbook.mitigations  # each runbook has at least one action step


def test_security_breach_is_sev1(pb):
    """SEV-1 **Definition:** ... or security breach"""
    assert pb.security.minimum_severity == "sev1"
    assert pb.security.private_by_default is True


def test_contradiction_and_choices_noted(pb):
    text = "\n".join(pb.notes)
    for phrase in (
        "Acknowledge pages within 5 minutes",
        "4 business hours",
        "Monday at 09:00",
        "22:00-07:00",
        "SEV-3",
        "Warroom's defaults",
    ):
        assert phrase in text


# --- triage -----------------------------------------------------------------------------------------


TRIAGE_CASES = [
    # SEV-1: "Complete loss of service for all users, data loss risk, or security breach"
    ({"complete_service_loss": True}, "sev1"),
    ({"data_loss_risk": True}, "sev1"),
    ({"data_loss": True}, "sev1"),
    ({"security_breach": True}, "sev1"),
    ({"security_breach": True, "workaround_available": True}, "sev1"),  # first matching rule wins
    ({"data_loss_risk": True, "performance_degraded_pct": 80}, "sev1"),
    # SEV-2: "Significant feature unavailable, performance degraded >50%, data integrity concerns"
    ({"significant_feature_unavailable": True}, "sev2"),
    ({"critical_feature_down": True}, "sev2"),
    ({"performance_degraded_pct": 51}, "sev2"),
    ({"performance_degraded_pct": 50.1}, "sev2"),
    ({"performance_degraded_pct": 100}, "sev2"),
    ({"data_integrity_concerns": True}, "sev2"),
    ({"significant_feature_unavailable": True, "workaround_available": True}, "sev2"),
    # SEV-3: "Non-critical feature affected, workaround available, isolated impact"
    ({"non_critical_feature_affected": True}, "sev3"),
    ({"workaround_available": True}, "sev3"),
    ({"isolated_impact": True}, "sev3"),
    ({"performance_degraded_pct": 50, "workaround_available": True}, "sev3"),  # > 50% excludes 50
    ({"complete_service_loss": False, "isolated_impact": True}, "sev3"),
    # no rule matched -> default SEV-2 (second-highest), flagged
    ({}, "sev2"),
    ({"performance_degraded_pct": 50}, "sev2"),
    ({"all_users_affected": True}, "sev2"),
    ({"complete_service_loss": False, "security_breach": False, "workaround_available": False}, "sev2"),
]


@pytest.mark.parametrize(("facts", "expected"), TRIAGE_CASES)
def test_triage(pb, facts, expected):
    suggestion = suggest_severity(pb, clean_facts(pb, facts))
    assert suggestion.severity == expected


@pytest.mark.parametrize(
    "facts", [{}, {"performance_degraded_pct": 50}, {"all_users_affected": True}, {"workaround_available": False}]
)
def test_triage_default_is_flagged(pb, facts):
    """Triage is total: no rule matched -> the default (SEV-2, second-highest), flagged for confirmation."""
    suggestion = suggest_severity(pb, clean_facts(pb, facts))
    assert suggestion.severity == "sev2"
    assert pb.triage.default_severity == "sev2"
    assert suggestion.rule_index is None
    assert suggestion.needs_confirmation is True
    assert suggestion.reason.startswith("no rule matched")


def test_triage_boundary_reason(pb):
    """ "performance degraded >50%": 50.1 matches, 50 does not."""
    hit = suggest_severity(pb, clean_facts(pb, {"performance_degraded_pct": 50.1}))
    assert hit.rule_index == 1 and not hit.needs_confirmation
    assert "performance degraded 50.1% > 50%" in hit.reason


def test_triage_rules_quote_the_source(pb):
    assert [r.severity for r in pb.triage.rules] == ["sev1", "sev2", "sev3"]
    assert all(r.source and "Definition:" in r.source for r in pb.triage.rules)
    questions = {f.key: f.question for f in pb.triage.facts}
    assert questions["performance_degraded_pct"].startswith("By how much is performance degraded")
