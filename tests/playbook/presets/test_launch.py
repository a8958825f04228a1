"""The "launch" preset against its source, /work/shared/playbooks/launch-p1-p4.md.

Each test quotes the source passage it checks.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace

import pytest
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from warroom.deadlines import parse_span
from warroom.playbook.loader import load_preset, preset_path
from warroom.playbook.schema import (
    EscalationKind,
    Method,
    Playbook,
    PostmortemRequirement,
    WarRoom,
    Weekday,
)
from warroom.playbook.triage import suggest_severity


@pytest.fixture(scope="module")
def pb() -> Playbook:
    return load_preset("launch")


def span(text: str):
    return parse_span(text)


def policy(pb: Playbook, key: str):
    return next(p for p in pb.escalation_policies if p.key == key)


def schedule(pb: Playbook, key: str):
    return next(s for s in pb.schedules if s.key == key)


def comm(pb: Playbook, severity: str, key: str):
    return next(c for c in pb.severity(severity).communication if c.key == key)


# ------------------------------------------------------------------ file and header


def test_validates_and_names_its_source(pb: Playbook) -> None:
    text = preset_path("launch").read_text(encoding="utf-8")
    assert text.startswith("# Warroom preset")
    assert "launch-p1-p4.md" in text.splitlines()[0]
    assert pb.source == "/work/shared/playbooks/launch-p1-p4.md"


def test_severity_labels_most_severe_first(pb: Playbook) -> None:
    """| **P1 - Critical** | ... | **P2 - High** | ... | **P3 - Medium** | ... | **P4 - Low** |"""
    assert [(s.key, s.label, s.name) for s in pb.severities] == [
        ("p1", "P1", "Critical"),
        ("p2", "P2", "High"),
        ("p3", "P3", "Medium"),
        ("p4", "P4", "Low"),
    ]


# ------------------------------------------------------------------ numbers per severity


@pytest.mark.parametrize(
    ("key", "target"),
    [("p1", "5m"), ("p2", "30m"), ("p3", "2h"), ("p4", "1w")],
)
def test_response_times(pb: Playbook, key: str, target: str) -> None:
    """Response Time: P1 5 min | P2 30 min | P3 2 hours | P4 1 week"""
    assert pb.severity(key).response_target == span(target)


def test_response_time_seconds(pb: Playbook) -> None:
    """ "5 min", "30 min", "2 hours", "1 week" as elapsed seconds."""
    assert [s.response_target.seconds for s in pb.severities] == [300, 1800, 7200, 7 * 86400]
    assert not any(s.response_target.is_business for s in pb.severities)


@pytest.mark.parametrize("key", ["p1", "p2", "p3"])
def test_status_page_cadence_is_the_stricter_five_minutes(pb: Playbook, key: str) -> None:
    """ "Update status page every 5-10 min": 5 min is the breach line, 10 min noted."""
    assert pb.severity(key).update_cadence == span("5m")


def test_cadence_range_is_recorded_in_notes(pb: Playbook) -> None:
    """SEMANTICS: the looser number of a contradiction is noted."""
    note = next(n for n in pb.notes if "5-10 min" in n)
    assert "5m" in note and "10 min" in note
    assert "CONTRADICTION" in note


def test_p4_is_backlog_without_cadence(pb: Playbook) -> None:
    """| **P4 - Low** | Cosmetic, documentation, future enhancement | 1 week | Backlog |"""
    p4 = pb.severity("p4")
    assert p4.update_cadence is None
    assert p4.notify_methods == [Method.TICKET]
    assert not p4.pages_anyone
    assert p4.war_room is WarRoom.NOT_REQUIRED


def test_p1_resolution_target(pb: Playbook) -> None:
    """ "Resolution target: 30 min (P1)" """
    assert pb.severity("p1").resolution_target == span("30m")
    assert all(pb.severity(k).resolution_target is None for k in ("p2", "p3", "p4"))


def test_war_room_video_call(pb: Playbook) -> None:
    """ "Video call: Start immediately for P1, within 30 min for P2" """
    p1, p2 = pb.severity("p1"), pb.severity("p2")
    assert p1.war_room is WarRoom.REQUIRED and p1.war_room_call_within is not None
    assert p1.war_room_call_within.seconds == 0
    assert p2.war_room is WarRoom.REQUIRED and p2.war_room_call_within == span("30m")
    assert pb.severity("p3").war_room_call_within is None


@pytest.mark.parametrize("key", ["p1", "p2", "p3"])
def test_postmortem_within_24_hours(pb: Playbook, key: str) -> None:
    """ "### 6. Post-Incident Analysis (within 24 hours)"; "Analyze: Post-mortem within 24 hours" """
    policy_ = pb.severity(key).postmortem
    assert policy_.requirement is PostmortemRequirement.REQUIRED
    assert policy_.due == span("24h")
    assert policy_.due.seconds == 24 * 3600


def test_p4_postmortem_optional(pb: Playbook) -> None:
    """P4 owner "Backlog": not a declared incident."""
    assert pb.severity("p4").postmortem.requirement is PostmortemRequirement.OPTIONAL


@pytest.mark.parametrize("key", ["p1", "p2", "p3"])
def test_paged_severities_page_via_pagerduty_and_slack(pb: Playbook, key: str) -> None:
    """ "Automated: Alert fires -> page on-call via PagerDuty/Slack" """
    methods = set(pb.severity(key).notify_methods)
    assert {Method.PHONE, Method.SMS, Method.PUSH, Method.CHAT} <= methods
    assert Method.TICKET not in methods


# ------------------------------------------------------------------ communication deadlines


@pytest.mark.parametrize("key", ["p1", "p2", "p3"])
def test_status_page_investigating_within_detection(pb: Playbook, key: str) -> None:
    """1. Detection (0-5 min): "Status page -> "Investigating" or "Partial Outage"" """
    deadline = comm(pb, key, "status_page_investigating")
    assert deadline.within == span("5m")
    assert deadline.anchor == "triggered"
    assert deadline.channel == "status-page"
    assert deadline.customer_facing
    assert deadline.template == "status-investigating"


@pytest.mark.parametrize("key", ["p1", "p2", "p3"])
def test_customer_notifications_are_tasks(pb: Playbook, key: str) -> None:
    """ "Notify customers: Email: Send to affected organizations; In-app banner; Support: Post to
    support tickets" (no number: tasks, not clocks)."""
    for item, channel in [
        ("customer_email", "customer-email"),
        ("in_app_banner", "in-app-banner"),
        ("support_tickets", "support-tickets"),
    ]:
        deadline = comm(pb, key, item)
        assert deadline.within is None
        assert deadline.channel == channel
        assert deadline.customer_facing


@pytest.mark.parametrize("key", ["p1", "p2", "p3"])
def test_close_incident_steps(pb: Playbook, key: str) -> None:
    """Close incident: "Update ticket: RESOLVED at [time]"; "Update status page to All clear"; "Post final
    message to war room" """
    for item in ("ticket_resolved", "status_page_all_clear", "war_room_final_message"):
        deadline = comm(pb, key, item)
        assert deadline.anchor == "resolved"
        assert deadline.within is None
    assert comm(pb, key, "ticket_resolved").template == "ticket-resolved"
    assert comm(pb, key, "status_page_all_clear").template == "status-all-clear"


@pytest.mark.parametrize("key", ["p1", "p2"])
def test_prolonged_outage_notifies_executives(pb: Playbook, key: str) -> None:
    """| Prolonged outage (> 1 hour) | Executive stakeholder notification |"""
    deadline = comm(pb, key, "executive_notification")
    assert deadline.anchor == "prolonged"
    assert deadline.channel == "leadership"
    assert "> 1 hour" in (deadline.condition or "")
    levels = [lvl for lvl in policy(pb, f"{key}-owners").levels if lvl.condition == "prolonged"]
    assert len(levels) == 1
    assert levels[0].at == span("1h")
    assert levels[0].targets[0].team == "executives"


def test_leadership_channel_audience(pb: Playbook) -> None:
    channel = next(c for c in pb.channels if c.key == "leadership")
    assert channel.audience.value == "leadership"


# ------------------------------------------------------------------ escalation (owners)


def test_p1_owners_on_call_sre_and_incident_commander(pb: Playbook) -> None:
    """| **P1 - Critical** | ... | 5 min | On-call SRE + Incident Commander |"""
    assert pb.severity("p1").escalation_policy == "p1-owners"
    p = policy(pb, "p1-owners")
    assert p.kind is EscalationKind.TIME_MATRIX
    first = p.levels[0]
    assert first.at is not None and first.at.seconds == 0
    assert first.condition is None
    targets = {(t.schedule, t.person) for t in first.targets}
    assert (None, "incident-commander") in targets
    assert ("sre-on-call", None) in targets
    assert ("on-call", None) in targets


def test_p1_security_breach_notifies_legal(pb: Playbook) -> None:
    """| Security breach | Page security team; notify legal |"""
    p = policy(pb, "p1-owners")
    security = [lvl for lvl in p.levels if lvl.condition == "security"]
    assert len(security) == 1
    assert security[0].at is not None and security[0].at.seconds == 0
    assert security[0].targets[0].person == "legal"
    assert Method.EMAIL in (security[0].methods or [])
    assert pb.security is not None
    assert [t.team for t in pb.security.page] == ["security"]


def test_p2_owners_engineering_lead_and_support(pb: Playbook) -> None:
    """| **P2 - High** | ... | 30 min | Engineering lead + Support |"""
    assert pb.severity("p2").escalation_policy == "p2-owners"
    p = policy(pb, "p2-owners")
    assert p.kind is EscalationKind.TIME_MATRIX
    first = p.levels[0]
    assert first.at is not None and first.at.seconds == 0
    people = {t.person for t in first.targets}
    assert {"engineering-lead", "support-lead"} <= people


def test_p3_support_then_engineering(pb: Playbook) -> None:
    """| **P3 - Medium** | ... | 2 hours | Support → Engineering |"""
    assert pb.severity("p3").escalation_policy == "p3-owners"
    p = policy(pb, "p3-owners")
    assert p.kind is EscalationKind.ACKNOWLEDGEMENT
    assert len(p.levels) == 2
    assert p.levels[0].targets[0].team == "support"
    assert p.levels[0].timeout == span("2h")
    # Engineering: its lead and the on-call SRE (team engineering's schedule is the support lead by day).
    assert [(t.person, t.schedule) for t in p.levels[1].targets] == [("engineering-lead", None), (None, "sre-on-call")]
    assert p.levels[1].timeout is None
    assert p.repeat == 0


def test_p4_backlog_ticket_only(pb: Playbook) -> None:
    """| **P4 - Low** | ... | 1 week | Backlog |"""
    assert pb.severity("p4").escalation_policy == "p4-backlog"
    p = policy(pb, "p4-backlog")
    assert len(p.levels) == 1
    assert p.levels[0].targets[0].team == "backlog"
    assert p.levels[0].methods == [Method.TICKET]
    team = next(t for t in pb.teams if t.key == "backlog")
    assert team.name == "Backlog"


def test_incident_commander_30_minute_sla(pb: Playbook) -> None:
    """ "Escalation: incident commander on 30-min response SLA" """
    p = policy(pb, "ic-escalation")
    assert p.kind is EscalationKind.ACKNOWLEDGEMENT
    assert p.levels[0].targets[0].person == "incident-commander"
    assert p.levels[0].timeout == span("30m")


def test_ic_sla_contradiction_recorded(pb: Playbook) -> None:
    """P1 "5 min" with owner Incident Commander vs "incident commander on 30-min response SLA"."""
    note = next(n for n in pb.notes if "30-min response SLA" in n and "CONTRADICTION" in n)
    assert "5-minute" in note or "5 min" in note


# ------------------------------------------------------------------ on-call rotation


def test_ongoing_rotation_business_and_after_hours(pb: Playbook) -> None:
    """ "Business hours: support lead on-call"; "After hours: rotating engineer on-call" """
    s = schedule(pb, "on-call")
    layers = {layer.key: layer for layer in s.layers}
    business = layers["business-hours"]
    assert business.rotation.participants == ["support-lead"]
    assert len(business.restrictions) == 1
    window = business.restrictions[0]
    assert window.days == [Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI]
    assert (window.start, window.end) == (time(9, 0), time(17, 0))
    after = layers["after-hours"]
    assert len(after.rotation.participants) >= 2
    weekday_night = after.restrictions[0]
    assert (weekday_night.start, weekday_night.end) == (time(17, 0), time(9, 0))
    weekend = after.restrictions[1]
    assert weekend.days == [Weekday.SAT, Weekday.SUN]
    assert weekend.start == time(0, 0)


def test_first_week_post_launch_24_hour_shifts(pb: Playbook) -> None:
    """ "First week post-launch: 24/7 on-call including weekends; 24-hour shifts if possible" """
    s = schedule(pb, "launch-week")
    layer = s.layers[0]
    assert layer.rotation.shift == span("24h")
    assert layer.restrictions == []


def test_on_call_duties_and_tools(pb: Playbook) -> None:
    """On-Call Rotation and "Tools & Access: Ensure all incident responders have ..." """
    assert pb.on_call is not None
    duties = " ".join(pb.on_call.duties)
    assert "rehearse monthly" in duties
    assert "30-min response SLA" in duties
    assert "Database admin credentials (vaulted, not in email)" in pb.on_call.before_shift
    assert len(pb.on_call.before_shift) == 8


# ------------------------------------------------------------------ roles and phases


@pytest.mark.parametrize(
    "key",
    [
        "incident_commander",
        "sre",
        "engineering",
        "support",
        "technical_lead",
        "communications_lead",
        "scribe",
    ],
)
def test_roles_present(pb: Playbook, key: str) -> None:
    role = pb.role(key)
    assert role.checklist


def test_incident_commander_role(pb: Playbook) -> None:
    """ "Incident commander = highest ranking person on-call"; Who/What/When/Where/Impact/Status."""
    ic = pb.role("incident_commander")
    assert ic.short == "IC"
    assert ic.who == "Highest ranking person on-call"
    for word in ("Who:", "What:", "When:", "Where:", "Impact:", "Status:"):
        assert any(item.startswith(word) for item in ic.checklist)


def test_source_role_checklists(pb: Playbook) -> None:
    """SRE role / Engineering role / Support role checklists, verbatim."""
    assert pb.role("sre").checklist[:4] == [
        "Monitor dashboards continuously",
        "Collect logs and metrics in ticket",
        "Report every 5 min",
        "Suggest remediation",
    ]
    assert pb.role("engineering").checklist == [
        "Review recent code changes",
        "Check database replication lag",
        "Suggest rollback or hotfix",
    ]
    assert pb.role("support").checklist[:3] == [
        "Monitor customer support queue",
        "Respond to tickets with status updates",
        "Collect user impact data",
    ]


def test_standard_roles_mapped(pb: Playbook) -> None:
    """Technical Lead / Communications Lead / Scribe are mapped onto the source's roles (notes)."""
    assert pb.role("technical_lead").default is not None
    assert pb.role("technical_lead").default.person == "engineering-lead"
    assert pb.role("communications_lead").default.person == "support-lead"
    assert pb.role("scribe").default.role == "incident_commander"
    assert any("Technical Lead" in n and "Scribe" in n for n in pb.notes)


def test_lifecycle_phases(pb: Playbook) -> None:
    """Detection (0-5 min), Response (5-30 min), Mitigation (within SLA), Communication, Resolution,
    Post-Incident Analysis (within 24 hours)."""
    assert [p.name for p in pb.phases] == [
        "Detection",
        "Response",
        "Mitigation",
        "Communication",
        "Resolution",
        "Post-Incident Analysis",
    ]
    phases = {p.key: p for p in pb.phases}
    assert phases["detection"].timebox == span("5m")
    assert phases["response"].timebox == span("25m")
    assert phases["post_incident_analysis"].timebox == span("24h")
    assert phases["mitigation"].timebox is None
    assert all(p.checklist for p in pb.phases)
    assert "Hold brief retro meeting" in phases["post_incident_analysis"].checklist
    assert "Verification: Health endpoint returns 200" in phases["resolution"].checklist
    assert phases["mitigation"].checklist[0] == "Disable feature (if isolated)"
    assert phases["mitigation"].checklist[-1] == "Database recovery (if data corrupted)"


# ------------------------------------------------------------------ channels, war room, templates


def test_channels(pb: Playbook) -> None:
    """Status page URL: status.yourdomain.com; Slack #incident channel; incident ticket; incident log."""
    channels = {c.key: c for c in pb.channels}
    assert channels["status-page"].kind.value == "status_page"
    assert channels["status-page"].target == "status.yourdomain.com"
    assert channels["status-page"].audience.value == "public"
    assert channels["incident-slack"].target == "#incident"
    assert channels["customer-email"].audience.value == "customers"
    assert channels["incident-log"].kind.value == "ticket"


def _env() -> SandboxedEnvironment:
    """The documented filters, stubbed as docs/playbook-format.md describes their output."""
    env = SandboxedEnvironment(undefined=StrictUndefined)
    env.filters["utc"] = lambda value: value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    env.filters["hhmm"] = lambda value: value.strftime("%H:%M")
    env.filters["date"] = lambda value: value.strftime("%Y-%m-%d")
    env.filters["duration"] = lambda value: f"{int(value.total_seconds() // 60)} minutes"
    env.filters["slug"] = lambda value: re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-")[:80]
    return env


def _context() -> dict[str, object]:
    started = datetime(2026, 3, 1, 9, 15, tzinfo=UTC)
    incident = SimpleNamespace(
        id="INC-42",
        title="Database connection pool exhaustion",
        summary="DB connection leak",
        severity=SimpleNamespace(key="p1", label="P1", name="Critical"),
        status="investigating",
        impact="All users cannot create journal entries",
        started_at=started,
        detected_at=started + timedelta(minutes=5),
        acknowledged_at=started + timedelta(minutes=6),
        mitigated_at=started + timedelta(minutes=15),
        resolved_at=started + timedelta(minutes=23),
        duration=timedelta(minutes=23),
        commander="Incident Commander",
        services=["Accounting app"],
        root_cause="New caching code didn't close database cursors properly.",
        timeline=[SimpleNamespace(at=started, kind="alert", text="Alert: DB connections 95%", actor="pd")],
    )
    fields = {
        "issue": "slow journal entry creation",
        "eta": "30 min",
        "impact": "cannot create entries",
        "action": "retry or wait",
        "where": "journal entries",
        "status_metrics": "error rate 12%",
        "status_message": "rolling back",
        "customer_impact": "3 orgs affected",
        "rca_owner": "engineer",
        "prevention": "Add connection pool monitoring",
        "action_items": "Owner: engineer; Due: 2026-03-08",
    }
    return {"incident": incident, "fields": fields, "playbook": {"name": "launch"}, "now": started}


def test_war_room_channel_name(pb: Playbook) -> None:
    """ "#incident-[severity]-[TIMESTAMP]"; Quick Runbook "#incident-p1-[timestamp]" """
    assert pb.war_room is not None
    name = _env().from_string(pb.war_room.channel_name).render(**_context())
    assert name == "incident-p1-2026-03-01-09-15-utc"
    assert pb.war_room.bridge == "Zoom call"
    assert pb.war_room.invite == ["SRE", "engineering", "product", "support lead"]


@pytest.mark.parametrize(
    "key",
    [
        "status-investigating",
        "status-update",
        "status-all-clear",
        "customer-email",
        "in-app-banner",
        "ic-initial-response",
        "war-room-sre",
        "war-room-ic",
        "war-room-support",
        "ticket-resolved",
        "incident-log-row",
    ],
)
def test_templates_render_with_documented_context(pb: Playbook, key: str) -> None:
    template = pb.template(key)
    env = _env()
    body = env.from_string(template.body).render(**_context())
    assert "[" not in body or key == "incident-log-row"
    if template.subject:
        env.from_string(template.subject).render(**_context())


def test_customer_email_wording(pb: Playbook) -> None:
    """Subject: System Status Update - [Time] ... Thank you for your patience. - TicTacFlow Team"""
    template = pb.template("customer-email")
    assert template.subject is not None and template.subject.startswith("System Status Update - ")
    body = _env().from_string(template.body).render(**_context())
    assert body.splitlines()[0] == "We are currently experiencing slow journal entry creation."
    assert "Impact: cannot create entries" in body
    assert "ETA: 30 min" in body
    assert "Action: retry or wait" in body
    assert "Thank you for your patience." in body
    assert body.rstrip().endswith("- TicTacFlow Team")


def test_status_page_message(pb: Playbook) -> None:
    """Message: "We are investigating slow journal entry creation. ETA: 30 min" """
    body = _env().from_string(pb.template("status-investigating").body).render(**_context())
    assert body == "We are investigating slow journal entry creation. ETA: 30 min"


def test_war_room_message_format(pb: Playbook) -> None:
    """@on-call-sre: [status / metrics]; @incident-commander: [updated status message];
    @support: [customer impact]"""

    def render(key: str) -> str:
        return _env().from_string(pb.template(key).body).render(**_context())

    assert render("war-room-sre") == "@on-call-sre: error rate 12%"
    assert render("war-room-ic") == "@incident-commander: rolling back"
    assert render("war-room-support") == "@support: 3 orgs affected"


def test_incident_log_columns(pb: Playbook) -> None:
    """| Date | Time | Severity | Issue | Duration | RCA Owner | Status |"""
    row = _env().from_string(pb.template("incident-log-row").body).render(**_context())
    cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
    assert cells == [
        "2026-03-01",
        "09:15",
        "P1",
        "Database connection pool exhaustion",
        "23 minutes",
        "engineer",
        "investigating",
    ]
    channel = next(c for c in pb.channels if c.key == "incident-log")
    assert "Date | Time | Severity | Issue | Duration | RCA Owner | Status" in (channel.purpose or "")


def test_postmortem_example_format(pb: Playbook) -> None:
    """INCIDENT / DATE/TIME / DURATION (detected after, resolved after) / TIMELINE / ROOT CAUSE /
    PREVENTION"""
    assert pb.postmortem is not None and pb.postmortem.blameless
    text = _env().from_string(pb.postmortem.template).render(**_context())
    assert "INCIDENT: Database connection pool exhaustion" in text
    assert "DATE/TIME: 2026-03-01 09:15 UTC" in text
    assert "DURATION: 23 minutes (detected after 5 minutes, resolved after 18 minutes)" in text
    for heading in (
        "TIMELINE:",
        "ROOT CAUSE:",
        "PREVENTION:",
        "What happened?",
        "Why did it happen?",
        "How do we prevent it?",
        "Follow-up",
    ):
        assert heading in text
    assert "09:15 \u2013 Alert: DB connections 95%" in text  # the source's en dash
    assert "Hold brief retro meeting" in pb.postmortem.rules


# ------------------------------------------------------------------ runbooks, services, security


def test_mitigation_ladder(pb: Playbook) -> None:
    """ "Possible actions (in priority order)" 1-6 with their commands."""
    runbook = next(r for r in pb.runbooks if r.key == "mitigation-ladder")
    assert len(runbook.mitigations) == 6
    assert "docker compose up -d --scale app=5" in runbook.mitigations[1]
    assert "docker compose restart app" in runbook.mitigations[2]
    assert "git revert <commit-hash>" in runbook.mitigations[3]
    assert "docker pull accountingapp:v1.0.0" in runbook.mitigations[4]
    assert "DB_MIGRATION_BACKUP.md" in runbook.mitigations[5]
    assert len(runbook.escalation) == 5


def test_app_is_down_runbook(pb: Playbook) -> None:
    """Quick Runbook: "App is down" -> "#incident-p1-[timestamp]"; restart -> rollback -> restore DB."""
    runbook = next(r for r in pb.runbooks if r.key == "app-is-down")
    assert runbook.default_severity == "p1"
    assert "Triage 2 min" in (runbook.severity_note or "")
    assert "First action 5 min" in (runbook.severity_note or "")
    assert runbook.validation == ["5. Verify: Health endpoint, login, create entry"]
    assert len(runbook.mitigations) == 3
    assert "Post-mortem within 24 hours" in " ".join(runbook.escalation)


def test_security_policy(pb: Playbook) -> None:
    """P1 criteria include "security breach"; Escalation Matrix "Page security team; notify legal"."""
    assert pb.security is not None
    assert pb.security.minimum_severity == "p1"
    assert pb.security.private_by_default
    assert pb.security.approval_role == "security_lead"


def test_service_and_components(pb: Playbook) -> None:
    service = pb.services[0]
    assert service.customer_facing
    assert {"app", "database", "reports", "journal-entries"} <= set(service.components)


# ------------------------------------------------------------------ triage


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        # P1: "System-wide outage, data loss, security breach, no workaround"
        ({"system_wide_outage": True}, "p1"),
        ({"all_users_affected": True}, "p1"),
        ({"data_loss": True}, "p1"),
        ({"security_breach": True}, "p1"),
        ({"security_breach": True, "cosmetic": True}, "p1"),
        ({"data_loss": True, "workaround_available": True, "single_user_affected": True}, "p1"),
        ({"major_feature_broken": True, "workaround_available": False}, "p1"),
        ({"multiple_users_affected": True, "workaround_available": False}, "p1"),
        ({"critical_feature_down": True, "workaround_available": False}, "p1"),
        # P2: "Major feature broken, multiple users affected, workaround exists"
        ({"major_feature_broken": True, "multiple_users_affected": True, "workaround_available": True}, "p2"),
        ({"major_feature_broken": True, "workaround_available": True}, "p2"),
        ({"critical_feature_down": True, "workaround_available": True}, "p2"),
        ({"multiple_users_affected": True, "minor_feature_broken": True, "workaround_available": True}, "p2"),
        # P3: "Single user affected or minor feature, workaround exists"
        ({"single_user_affected": True, "workaround_available": True}, "p3"),
        ({"minor_feature_broken": True, "workaround_available": True}, "p3"),
        ({"single_user_affected": True, "cosmetic": True, "workaround_available": True}, "p3"),
        # P4: "Cosmetic, documentation, future enhancement"
        ({"cosmetic": True}, "p4"),
        ({"documentation_issue": True}, "p4"),
        ({"future_enhancement": True}, "p4"),
        ({"cosmetic": True, "workaround_available": True}, "p4"),
        # Boundaries and the default (P2, second-highest): workaround unknown or missing for P3 cases.
        ({"major_feature_broken": True}, "p2"),
        ({"single_user_affected": True}, "p2"),
        ({"single_user_affected": True, "workaround_available": False}, "p2"),
        ({"all_users_affected": False, "data_loss": False, "security_breach": False}, "p2"),
        ({"error_rate_pct": 100.0}, "p2"),
        ({}, "p2"),
    ],
)
def test_triage(pb: Playbook, facts: dict[str, object], expected: str) -> None:
    assert suggest_severity(pb, facts).severity == expected


def test_triage_default_is_flagged(pb: Playbook) -> None:
    """SEMANTICS: no rule matched -> default severity (second-highest, P2), flagged for confirmation."""
    assert pb.triage.default_severity == "p2"
    suggestion = suggest_severity(pb, {})
    assert suggestion.needs_confirmation
    assert suggestion.reason == "no rule matched -> P2"


def test_triage_rules_quote_source(pb: Playbook) -> None:
    assert all(rule.source for rule in pb.triage.rules)
    assert [rule.severity for rule in pb.triage.rules] == ["p1", "p1", "p2", "p3", "p4"]
