"""The GreenLang preset is a faithful translation of /work/shared/playbooks/greenlang-p0-p3.md.

Each test quotes the source passage it checks.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from warroom.deadlines import SpanKind, parse_span
from warroom.playbook.loader import load_preset, preset_names
from warroom.playbook.schema import (
    EscalationKind,
    Method,
    Playbook,
    PostmortemRequirement,
    TemplateKind,
    WarRoom,
)
from warroom.playbook.triage import suggest_severity

SOURCE = "/work/shared/playbooks/greenlang-p0-p3.md"


@pytest.fixture(scope="module")
def pb() -> Playbook:
    return load_preset("greenlang")


def span(text: str):
    return parse_span(text)


def policy(pb: Playbook, key: str):
    return next(p for p in pb.escalation_policies if p.key == key)


def deadline(pb: Playbook, severity: str, key: str):
    return next(d for d in pb.severity(severity).communication if d.key == key)


def targets(level) -> set[tuple[str, str]]:
    out = set()
    for t in level.targets:
        for kind in ("person", "schedule", "team", "role"):
            if getattr(t, kind):
                out.add((kind, getattr(t, kind)))
    return out


# --- loading ------------------------------------------------------------------------------------


def test_preset_loads_and_validates(pb: Playbook) -> None:
    assert "greenlang" in preset_names()
    assert pb.name == "GreenLang"
    assert pb.source == SOURCE


def test_preset_file_header_names_the_source() -> None:
    from warroom.playbook.loader import preset_path

    head = preset_path("greenlang").read_text(encoding="utf-8").splitlines()[:5]
    assert head[0].startswith("#")
    assert any(SOURCE in line for line in head)


# --- severities ---------------------------------------------------------------------------------


def test_severities_most_severe_first_with_source_labels(pb: Playbook) -> None:
    """Source: "P0 - Critical", "P1 - High", "P2 - Medium", "P3 - Low"."""
    assert [(s.key, s.label, s.name) for s in pb.severities] == [
        ("p0", "P0", "Critical"),
        ("p1", "P1", "High"),
        ("p2", "P2", "Medium"),
        ("p3", "P3", "Low"),
    ]


@pytest.mark.parametrize(
    ("severity", "response", "update", "resolution"),
    [
        # "| P0 - Critical | < 5 minutes | Every 15 min | < 4 hours |"
        ("p0", "5m", "15m", "4h"),
        # "| P1 - High | < 15 minutes | Every 30 min | < 8 hours |"
        ("p1", "15m", "30m", "8h"),
        # "| P2 - Medium | < 1 hour | Every 2 hours | < 24 hours |"
        ("p2", "1h", "2h", "24h"),
        # "| P3 - Low | < 4 hours | Daily | < 1 week |"
        ("p3", "4h", "1d", "1w"),
    ],
)
def test_response_time_targets_table(pb: Playbook, severity: str, response: str, update: str, resolution: str) -> None:
    sev = pb.severity(severity)
    assert sev.response_target == span(response)
    assert sev.response_target.kind is SpanKind.ELAPSED
    assert sev.update_cadence == span(update)
    assert sev.resolution_target == span(resolution)


def test_response_targets_in_seconds(pb: Playbook) -> None:
    """Source: "< 5 minutes", "< 15 minutes", "< 1 hour", "< 4 hours"."""
    assert [s.response_target.seconds for s in pb.severities] == [300, 900, 3600, 14400]
    assert pb.severity("p3").update_cadence.seconds == 86400  # "Daily"
    assert pb.severity("p3").resolution_target.seconds == 7 * 86400  # "< 1 week"


def test_quiet_periods(pb: Playbook) -> None:
    """Source: "No recurring symptoms for 30 minutes (P0) or 60 minutes (P1)"."""
    assert pb.severity("p0").quiet_period == span("30m")
    assert pb.severity("p1").quiet_period == span("60m")
    assert pb.severity("p2").quiet_period is None
    assert pb.severity("p3").quiet_period is None


def test_war_room_per_severity(pb: Playbook) -> None:
    """Source: "War Room: Required" (P0), "Recommended" (P1), "Not required" (P2, P3);
    "Activate Incident Response Team (within 5 minutes)" (P0/P1)."""
    assert pb.severity("p0").war_room is WarRoom.REQUIRED
    assert pb.severity("p1").war_room is WarRoom.RECOMMENDED
    assert pb.severity("p2").war_room is WarRoom.NOT_REQUIRED
    assert pb.severity("p3").war_room is WarRoom.NOT_REQUIRED
    assert pb.severity("p0").war_room_call_within == span("5m")
    assert pb.severity("p1").war_room_call_within == span("5m")


def test_war_room_channel_and_bridge(pb: Playbook) -> None:
    """Source: "# Zoom: https://greenlang.zoom.us/war-room", "# Slack: #incident-war-room"."""
    assert pb.war_room is not None
    assert pb.war_room.channel_name == "incident-war-room"
    assert pb.war_room.bridge == "https://greenlang.zoom.us/war-room"


def test_postmortem_policy_per_severity(pb: Playbook) -> None:
    """Source: "Required for: All P0 and P1 incidents", "Optional for: P2 incidents with lessons learned",
    "Timeline: Within 5 business days of resolution"."""
    for key in ("p0", "p1"):
        pm = pb.severity(key).postmortem
        assert pm.requirement is PostmortemRequirement.REQUIRED
        assert pm.due == span("5 business days")
        assert pm.due.kind is SpanKind.BUSINESS_DAYS and pm.due.count == 5
    assert pb.severity("p2").postmortem.requirement is PostmortemRequirement.OPTIONAL
    assert pb.severity("p2").postmortem.due == span("5 business days")
    assert pb.severity("p3").postmortem.requirement is PostmortemRequirement.SKIPPED


def test_review_meeting_timing_contradiction_recorded(pb: Playbook) -> None:
    """Source: "Timing: 2-5 days after incident" vs "Within 5 business days".

    The review meeting uses the stricter 5 days."""
    for key in ("p0", "p1", "p2"):
        assert pb.severity(key).postmortem.review_within == span("5d")
    assert any("2-5 days after incident" in note and "CONTRADICTION" in note for note in pb.notes)


def test_postmortem_spec(pb: Playbook) -> None:
    """Source: "NOT A BLAME SESSION", "Duration: 60 minutes".

    Attendees: IC, technical responders, Engineering Lead, any other stakeholders."""
    spec = pb.postmortem
    assert spec is not None
    assert spec.blameless is True
    assert spec.meeting_length == span("60m")
    assert spec.attendees == [
        "Incident Commander",
        "Technical responders",
        "Engineering Lead",
        "Any other stakeholders",
    ]
    assert any("shared with all engineering" in s for s in spec.share_with)
    assert any("published to status page" in s for s in spec.share_with)


def test_postmortem_template_sections(pb: Playbook) -> None:
    """Timeline table "| Time (UTC) | Event | Action Taken | By |", "5 Whys", Impact, What Went Well/Wrong,
    Action Items "| Action | Owner | Priority | Due Date | Status |"."""
    text = pb.postmortem.template
    assert "| Time (UTC) | Event | Action Taken | By |" in text
    assert "5 Whys" in text
    assert text.count("Why?") == 5
    for heading in (
        "## Impact",
        "**Customer Impact:**",
        "**Business Impact:**",
        "**Reputation Impact:**",
        "## What Went Well",
        "## What Went Wrong",
        "## Action Items",
    ):
        assert heading in text
    assert "| Action | Owner | Priority | Due Date | Status |" in text


# --- notification and escalation --------------------------------------------------------------------


def test_notify_methods(pb: Playbook) -> None:
    """P0 "Page: All hands on deck", P1 "Page: On-call engineer + incident commander", P2 "Page: On-call
    engineer only", P3 "Page: Not required (ticket assigned)"."""
    for key in ("p0", "p1", "p2"):
        methods = set(pb.severity(key).notify_methods)
        assert {Method.PHONE, Method.PUSH, Method.CHAT} <= methods
        assert pb.severity(key).pages_anyone
    assert pb.severity("p3").notify_methods == [Method.TICKET]
    assert not pb.severity("p3").pages_anyone
    assert pb.severity("p3").escalation_policy is None


def test_escalation_policies_are_time_matrices(pb: Playbook) -> None:
    """Source: "Escalation Matrix | Time Since Initial Response | P0 | P1 | P2 |"."""
    assert pb.severity("p0").escalation_policy == "p0-matrix"
    assert pb.severity("p1").escalation_policy == "p1-matrix"
    assert pb.severity("p2").escalation_policy == "p2-matrix"
    for key in ("p0-matrix", "p1-matrix", "p2-matrix"):
        pol = policy(pb, key)
        assert pol.kind is EscalationKind.TIME_MATRIX
        assert pol.source


def test_p0_matrix(pb: Playbook) -> None:
    """Source: "0 minutes | On-call engineer + IC", "15 minutes | Add: Engineering Lead",
    "30 minutes | Add: CTO", "60 minutes | Add: CEO (if customer-facing)"."""
    levels = policy(pb, "p0-matrix").levels
    assert [lvl.at.seconds for lvl in levels] == [0, 15 * 60, 30 * 60, 60 * 60]
    assert targets(levels[0]) == {("schedule", "oncall"), ("person", "incident-commander")}
    assert targets(levels[1]) == {("person", "engineering-lead")}
    assert targets(levels[2]) == {("person", "cto")}
    assert targets(levels[3]) == {("person", "ceo")}
    assert levels[3].condition == "customer_facing"
    assert all(lvl.condition is None for lvl in levels[:3])


def test_p0_cto_contradiction_recorded(pb: Playbook) -> None:
    """Source: "CTO within 30 minutes" vs "Escalate to CTO when: P0 incident exceeds 1 hour".

    The stricter 30 minutes wins."""
    cto = [lvl for lvl in policy(pb, "p0-matrix").levels if ("person", "cto") in targets(lvl)]
    assert [lvl.at for lvl in cto] == [span("30m")]
    assert any("P0 incident exceeds 1 hour" in note for note in pb.notes)


def test_p1_matrix(pb: Playbook) -> None:
    """Source: "0 minutes | On-call engineer", "30 minutes | Add: IC", "60 minutes | Add: Engineering Lead",
    "4 hours | Add: CTO"; and P1 Response "Page: On-call engineer + incident commander" (IC at 0 too)."""
    levels = policy(pb, "p1-matrix").levels
    assert [lvl.at.seconds for lvl in levels] == [0, 30 * 60, 60 * 60, 4 * 3600]
    assert ("schedule", "oncall") in targets(levels[0])
    assert targets(levels[1]) == {("person", "incident-commander")}
    assert targets(levels[2]) == {("person", "engineering-lead")}
    assert targets(levels[3]) == {("person", "cto")}


def test_p1_incident_commander_paged_at_once(pb: Playbook) -> None:
    """SEMANTICS "never pages later": P1 "Page: On-call engineer + incident commander" beats the matrix's
    30 minutes; both passages are quoted in notes."""
    first = policy(pb, "p1-matrix").levels[0]
    assert first.at.seconds == 0
    assert ("person", "incident-commander") in targets(first)
    assert any("P1 Incident Commander" in note and "30 minutes" in note for note in pb.notes)


def test_p2_matrix(pb: Playbook) -> None:
    """Source: "0 minutes | On-call engineer", "4 hours | Add: Engineering Lead";
    "Engineering lead if not resolved within 4 hours"."""
    levels = policy(pb, "p2-matrix").levels
    assert [lvl.at for lvl in levels] == [span("0m"), span("4h")]
    assert targets(levels[0]) == {("schedule", "oncall")}
    assert targets(levels[1]) == {("person", "engineering-lead")}


def test_weekly_on_call_rotation(pb: Playbook) -> None:
    """Source: "Schedule: Weekly rotation, Monday 9am - Monday 9am"."""
    (schedule,) = pb.schedules
    assert schedule.key == "oncall"
    (layer,) = schedule.layers
    assert layer.rotation.shift == span("1w")
    start = layer.rotation.start
    assert start.weekday() == 0 and (start.hour, start.minute) == (9, 0)
    assert len(layer.rotation.participants) >= 2
    assert not layer.restrictions


def test_on_call_expectations(pb: Playbook) -> None:
    """Source: "Acknowledge Immediately (< 2 minutes)", "Before Your Shift", "Responsibilities"."""
    oc = pb.on_call
    assert oc is not None
    assert oc.acknowledge_within == span("2m")
    assert oc.before_shift == [
        "Test PagerDuty notifications",
        "Verify VPN access",
        "Test kubectl access to production",
        "Test database access",
        "Review recent incidents",
        "Check calendar for conflicts",
        "Identify backup coverage if needed",
    ]
    for duty in (
        "Respond to all production alerts",
        "Initial incident triage",
        "Escalate as needed",
        "Document all incidents",
        "Handoff summary to next on-call",
    ):
        assert duty in oc.duties


def test_people_for_titled_roles(pb: Playbook) -> None:
    """Appendix B: ic@greenlang.io, eng-lead@greenlang.io, cto@greenlang.io,
    security@greenlang.io, dba@greenlang.io."""
    emails = {p.key: p.email for p in pb.people}
    assert emails["incident-commander"] == "ic@greenlang.io"
    assert emails["engineering-lead"] == "eng-lead@greenlang.io"
    assert emails["cto"] == "cto@greenlang.io"
    assert emails["security-lead"] == "security@greenlang.io"
    assert emails["dba"] == "dba@greenlang.io"
    assert {"ceo", "legal"} <= set(emails)


# --- communication ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("severity", "key", "within", "anchor"),
    [
        # "Status page updated within 15 minutes" (checklist) / "within 15 minutes for P0" (Phase 3)
        ("p0", "status_page_initial", "15m", "triggered"),
        # "Initial Customer Communication (within 15 minutes for P0, 30 min for P1)": customer Slack, e-mail
        ("p0", "customer_slack_initial", "15m", "triggered"),
        ("p0", "priority_customer_email", "15m", "triggered"),
        # "customer email within 1 hour"; "Customer email sent within 60 minutes"
        ("p0", "customer_email", "60m", "triggered"),
        # "Update Status Page (within 5 minutes of resolution)"
        ("p0", "status_page_resolved", "5m", "resolved"),
        # "A detailed post-incident report will be published within 5 business days."
        ("p0", "post_incident_report", "5 business days", "resolved"),
        # "Status page update within 30 minutes" (P1)
        ("p1", "status_page_initial", "30m", "triggered"),
        ("p1", "customer_slack_initial", "30m", "triggered"),
        ("p1", "priority_customer_email", "30m", "triggered"),
        ("p1", "status_page_resolved", "5m", "resolved"),
        ("p1", "post_incident_report", "5 business days", "resolved"),
        # "Status page update within 2 hours" (P2)
        ("p2", "status_page_initial", "2h", "triggered"),
        ("p2", "status_page_resolved", "5m", "resolved"),
    ],
)
def test_communication_deadlines(pb: Playbook, severity: str, key: str, within: str, anchor: str) -> None:
    d = deadline(pb, severity, key)
    assert d.within == span(within)
    assert d.anchor == anchor
    assert d.customer_facing is True
    assert d.source


def test_p0_status_page_contradiction(pb: Playbook) -> None:
    """Source: "Status page update immediately" vs "Status page updated within 15 minutes": 15 minutes is the
    clock, "immediately" is kept as a task, and both passages are recorded."""
    d = deadline(pb, "p0", "status_page_initial")
    assert d.within.seconds == 15 * 60
    assert "immediately" in d.source and "within 15 minutes" in d.source
    assert any("Status page update immediately" in task for task in pb.severity("p0").tasks)
    assert any("immediately" in note and "15 minutes" in note and "CONTRADICTION" in note for note in pb.notes)


def test_status_page_deadlines_get_stricter_with_severity(pb: Playbook) -> None:
    """P0 15 minutes < P1 30 minutes < P2 2 hours; P3 "No customer communication needed"."""
    seconds = [deadline(pb, k, "status_page_initial").within.seconds for k in ("p0", "p1", "p2")]
    assert seconds == [900, 1800, 7200]
    assert pb.severity("p3").communication == []
    assert "No customer communication needed" in pb.severity("p3").note


def test_customer_resolution_email_is_a_task(pb: Playbook) -> None:
    """Phase 4 "3. Customer Communication" gives no number: a task, not a clock."""
    for key in ("p0", "p1"):
        d = deadline(pb, key, "customer_resolution_email")
        assert d.within is None
        assert d.template == "customer-resolution"


def test_response_time_checklist_items(pb: Playbook) -> None:
    """Appendix A "Response Time Checklist" (P0 and P1 items), kept verbatim as tasks."""
    p0 = pb.severity("p0").tasks
    for item in (
        "Acknowledged within 5 minutes",
        "Incident Commander paged within 5 minutes",
        "Status page updated within 15 minutes",
        "Customer email sent within 60 minutes",
        "Updates every 15 minutes",
    ):
        assert item in p0
    p1 = pb.severity("p1").tasks
    for item in (
        "Acknowledged within 15 minutes",
        "Status page updated within 30 minutes",
        "Updates every 30 minutes",
    ):
        assert item in p1


def test_channels(pb: Playbook) -> None:
    """Slack #alerts, #incident-war-room, status page https://status.greenlang.io, support@greenlang.io."""
    by_key = {c.key: c for c in pb.channels}
    assert by_key["alerts"].target == "#alerts"
    assert by_key["war-room"].target == "#incident-war-room"
    assert by_key["status-page"].kind.value == "status_page"
    assert by_key["status-page"].target == "https://status.greenlang.io"
    assert by_key["status-page"].audience.value == "public"
    assert by_key["support"].target == "support@greenlang.io"
    assert by_key["customer-email"].audience.value == "customers"
    assert by_key["incident-tracker"].kind.value == "ticket"


# --- roles, phases ------------------------------------------------------------------------------------


def test_roles(pb: Playbook) -> None:
    """Source: "Incident Commander (IC)", "Technical Lead", "Communications Lead", "Scribe";
    INC-007 adds the Security Lead."""
    keys = [r.key for r in pb.roles]
    assert keys == ["incident_commander", "technical_lead", "communications_lead", "scribe", "security_lead"]
    assert pb.role("incident_commander").short == "IC"
    assert pb.role("incident_commander").responsibility == "Coordinates response, makes decisions"
    assert pb.role("technical_lead").responsibility == "Investigates root cause, implements fixes"
    assert pb.role("communications_lead").responsibility == "Handles customer communications"
    assert pb.role("scribe").responsibility == "Documents timeline and actions"
    for role in pb.roles:
        assert role.checklist
    assert pb.role("incident_commander").default.person == "incident-commander"
    assert pb.role("security_lead").default.person == "security-lead"


def test_phases(pb: Playbook) -> None:
    """Phase 1 Detection ("Initial Actions (within 2 minutes)"), Phase 2 Assessment ("within 5 minutes"),
    Phase 3 Response, Phase 4 Resolution, Phase 5 Post-Incident Review ("Within 5 business days")."""
    assert [p.key for p in pb.phases] == [
        "detection",
        "assessment",
        "response",
        "resolution",
        "post_incident_review",
    ]
    phases = {p.key: p for p in pb.phases}
    assert phases["detection"].timebox == span("2m")
    assert phases["assessment"].timebox == span("5m")
    assert phases["post_incident_review"].timebox == span("5 business days")
    assert phases["post_incident_review"].severities == ["p0", "p1", "p2"]
    assert any("What services are affected?" in item for item in phases["assessment"].checklist)


# --- templates ----------------------------------------------------------------------------------------

EXPECTED_TEMPLATES = {
    "status-investigating": TemplateKind.STATUS_INVESTIGATING,
    "status-identified": TemplateKind.STATUS_IDENTIFIED,
    "status-monitoring": TemplateKind.STATUS_MONITORING,
    "status-resolved": TemplateKind.STATUS_RESOLVED,
    "status-resolved-short": TemplateKind.STATUS_RESOLVED,
    "incident-update": TemplateKind.UPDATE,
    "internal-update": TemplateKind.UPDATE,
    "customer-initial": TemplateKind.CUSTOMER_INITIAL,
    "customer-resolution": TemplateKind.CUSTOMER_RESOLUTION,
    "resolution-email": TemplateKind.CUSTOMER_RESOLUTION,
    "customer-report": TemplateKind.CUSTOMER_REPORT,
    "oncall-handoff": TemplateKind.HANDOFF,
}


def test_all_source_templates_present(pb: Playbook) -> None:
    """Status page Investigating/Identified/Monitoring/Resolved, Internal Update, customer Initial and
    Resolution e-mails, the Phase 4 resolution e-mail, the customer report and the On-Call Handoff."""
    for key, kind in EXPECTED_TEMPLATES.items():
        assert pb.template(key).kind is kind


def test_template_wording_kept(pb: Playbook) -> None:
    assert pb.template("status-investigating").body.startswith("We are investigating a service disruption affecting")
    assert "We have identified the root cause of the service disruption." in pb.template("status-identified").body
    assert "We have implemented a fix and are monitoring the service." in pb.template("status-monitoring").body
    assert "The service disruption has been resolved." in pb.template("status-resolved").body
    assert pb.template("customer-initial").subject == "[ACTION REQUIRED] GreenLang Service Disruption"
    assert pb.template("customer-resolution").subject == "[RESOLVED] GreenLang Service Disruption"
    assert "began at {{ incident.started_at | utc }}" in pb.template("resolution-email").body
    assert "Incident Update #" in pb.template("internal-update").body
    assert "On-Call Handoff - " in pb.template("oncall-handoff").body
    assert "# Post-Incident Report: Service Disruption on" in pb.template("customer-report").body


def _render_env() -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=StrictUndefined)
    env.filters.update(
        utc=lambda d: d.strftime("%Y-%m-%d %H:%M UTC"),
        hhmm=lambda d: d.strftime("%H:%M"),
        date=lambda d: d.strftime("%Y-%m-%d"),
        duration=lambda td: f"{int(td.total_seconds() // 3600)} hours {int(td.total_seconds() % 3600 // 60)} minutes",
        slug=lambda s: s.lower().replace(" ", "-"),
    )
    return env


class _Fields(dict):
    """Any free-text field the sender fills in."""

    def __getattr__(self, name: str) -> str:
        return f"<{name}>"


def _context() -> dict:
    started = datetime(2025, 11, 7, 14, 32, tzinfo=UTC)
    incident = {
        "id": "INC-42",
        "title": "API errors",
        "summary": "API errors",
        "status": "resolved",
        "severity": {"key": "p1", "label": "P1", "name": "High"},
        "impact": "API 35% error rate",
        "started_at": started,
        "detected_at": started,
        "acknowledged_at": started,
        "mitigated_at": started,
        "resolved_at": started + timedelta(hours=2, minutes=15),
        "duration": timedelta(hours=2, minutes=15),
        "detection_source": "alert",
        "services": ["GreenLang API"],
        "commander": "Alice",
        "roles": {"technical_lead": "Bob"},
        "url": "https://warroom/INC-42",
        "root_cause": "pool exhausted",
        "resolution": "bigger pool",
        "timeline": [{"at": started, "kind": "alert", "text": "fired", "actor": "Alice"}],
    }
    return {"incident": incident, "fields": _Fields(), "playbook": {"name": "GreenLang"}, "now": started}


def test_templates_render_with_only_the_documented_context(pb: Playbook) -> None:
    """Templates use only the context of docs/playbook-format.md and leave no "[Placeholder]" behind."""
    env, ctx = _render_env(), _context()
    for template in pb.templates:
        text = env.from_string(template.body).render(ctx)
        if template.subject:
            text += env.from_string(template.subject).render(ctx)
        for placeholder in (
            "[Name]",
            "[Time]",
            "[TIME]",
            "[HH:MM",
            "[Date]",
            "[Brief description]",
            "[X hours",
        ):
            assert placeholder not in text, (template.key, placeholder)
    pm = env.from_string(pb.postmortem.template).render(ctx)
    assert "| 14:32 | fired |  | Alice |" in pm
    assert env.from_string(pb.war_room.channel_name).render(ctx) == "incident-war-room"


def test_communication_templates_exist(pb: Playbook) -> None:
    for severity in pb.severities:
        for d in severity.communication:
            if d.template:
                pb.template(d.template)


# --- runbooks and security -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "title", "symptom"),
    [
        ("inc-001", "High Error Rate (>1%)", "Error rate alert firing"),
        ("inc-002", "Performance Degradation (p95 >1s)", "Latency alert firing"),
        ("inc-003", "Resource Exhaustion", "OOMKilled pods"),
        ("inc-004", "Agent Execution Failures", "Specific agent type failing"),
        ("inc-005", "Database Issues", "Replication lag"),
        ("inc-006", "External API Failures", "Circuit breaker open"),
        ("inc-007", "Security Incident", "Unauthorized access detected"),
    ],
)
def test_runbooks(pb: Playbook, key: str, title: str, symptom: str) -> None:
    runbook = next(r for r in pb.runbooks if r.key == key)
    assert title in runbook.name
    assert symptom in runbook.symptoms
    assert runbook.alert_names
    assert runbook.checks and runbook.mitigations and runbook.validation


def test_runbook_severities(pb: Playbook) -> None:
    """INC-003 "CPU >80% or Memory >85% = P1"; INC-007 "Severity: Always at least P1, likely P0"."""
    by_key = {r.key: r for r in pb.runbooks}
    assert by_key["inc-003"].default_severity == "p1"
    assert by_key["inc-007"].default_severity == "p1"
    assert by_key["inc-007"].security is True
    assert "kubectl rollout undo deployment/greenlang-api" in " ".join(by_key["inc-001"].mitigations)


def test_security_policy(pb: Playbook) -> None:
    """INC-007: "Always at least P1", "Delayed until Security Lead approves", "GDPR (72-hour notification)",
    "Page Security Lead", "Page Legal (if data breach suspected)", "Preserve Evidence"."""
    sec = pb.security
    assert sec is not None
    assert sec.minimum_severity == "p1"
    assert sec.private_by_default is True
    assert sec.approval_role == "security_lead"
    assert sec.regulator_notice == span("72h")
    assert sec.regulator_notice.seconds == 72 * 3600
    assert {t.person for t in sec.page} == {"security-lead", "legal"}
    evidence = " ".join(sec.evidence_checklist)
    for step in ("kubectl logs compromised-pod", "aws ec2 create-snapshot", "pg_dump", "do not delete"):
        assert step in evidence
    assert any("Do NOT modify systems without Security Lead approval" in rule for rule in sec.rules)


# --- triage ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        # "Is service completely unavailable to all users? → YES → P0"
        ({"all_users_affected": True}, "p0"),
        # "Is there a critical security breach? → YES → P0"
        ({"security_breach": True}, "p0"),
        ({"active_exploitation": True}, "p0"),
        # P0 Impact "Data loss or corruption"; Examples "API returning 100% errors", "Database completely
        # unavailable", "All authentication failing"
        ({"data_loss": True}, "p0"),
        ({"error_rate_pct": 100}, "p0"),
        ({"database_unavailable": True}, "p0"),
        ({"all_authentication_failing": True}, "p0"),
        # "Is error rate > 20% or critical feature down? → YES → P1"
        ({"error_rate_pct": 25}, "p1"),
        ({"error_rate_pct": 20.1}, "p1"),
        ({"critical_feature_down": True}, "p1"),
        ({"error_rate_pct": 99.9}, "p1"),
        # P1 Impact "Performance severely degraded (p95 >5s)", "Security vulnerability identified"
        ({"p95_latency_ms": 5001}, "p1"),
        ({"security_vulnerability": True}, "p1"),
        # P1 "Severe service degradation affecting majority of users"
        ({"users_affected_pct": 51}, "p1"),
        # P1 Examples "Database primary failed, running on replica", "Agent execution failing for 50%+"
        ({"db_primary_failed": True}, "p1"),
        ({"agent_failure_pct": 50}, "p1"),
        # "Is error rate 5-20% or moderate degradation? → YES → P2" (boundaries as written)
        ({"error_rate_pct": 12}, "p2"),
        ({"error_rate_pct": 20}, "p2"),
        ({"error_rate_pct": 5}, "p2"),
        ({"moderate_degradation": True}, "p2"),
        # P2 Impact "Performance degraded (p95 1-5s)"
        ({"p95_latency_ms": 1000}, "p2"),
        ({"p95_latency_ms": 5000}, "p2"),
        ({"non_critical_feature_down": True}, "p2"),
        ({"agent_type_failing": True}, "p2"),
        ({"minor_security_issue": True}, "p2"),
        # "Minor issue, no immediate user impact? → YES → P3"; cosmetic, future risk
        ({"minor_issue": True}, "p3"),
        ({"cosmetic": True}, "p3"),
        ({"future_risk": True}, "p3"),
        ({"minor_inconvenience": True}, "p3"),
        # INC-003 "CPU >95% or Memory >95% = P0", "CPU >80% or Memory >85% = P1", "Disk >90% = P1"
        ({"cpu_pct": 96}, "p0"),
        ({"memory_pct": 95.5}, "p0"),
        ({"cpu_pct": 95}, "p1"),
        ({"memory_pct": 95}, "p1"),
        ({"cpu_pct": 81}, "p1"),
        ({"memory_pct": 86}, "p1"),
        ({"disk_pct": 91}, "p1"),
        # The tree is ordered: a more severe answer wins over a lesser one.
        ({"all_users_affected": True, "cosmetic": True}, "p0"),
        ({"error_rate_pct": 12, "critical_feature_down": True}, "p1"),
        ({"error_rate_pct": 12, "minor_issue": True}, "p2"),
        ({"all_users_affected": False, "security_breach": False, "error_rate_pct": 25}, "p1"),
        ({"security_breach": False, "minor_issue": True}, "p3"),
    ],
)
def test_triage_decision_tree(pb: Playbook, facts: dict, expected: str) -> None:
    suggestion = suggest_severity(pb, facts)
    assert suggestion.severity == expected, suggestion.reason
    assert suggestion.needs_confirmation is False


@pytest.mark.parametrize(
    "facts",
    [
        {},
        {"error_rate_pct": 4.9},  # between INC-001's "> 1%" and the tree's "5-20%": not classified
        {"error_rate_pct": 3},
        {"cpu_pct": 80},  # "CPU >80%" does not match 80
        {"memory_pct": 85},
        {"disk_pct": 90},
        {"p95_latency_ms": 999},
        {"users_affected_pct": 50},  # "majority" is more than half
        {"all_users_affected": False, "security_breach": False, "minor_issue": False},
    ],
)
def test_triage_default_when_no_rule_matches(pb: Playbook, facts: dict) -> None:
    """No default in the source: SEMANTICS "the second-highest" (P1), flagged for confirmation."""
    suggestion = suggest_severity(pb, facts)
    assert pb.triage.default_severity == "p1"
    assert suggestion.severity == "p1"
    assert suggestion.needs_confirmation is True
    assert suggestion.rule_index is None
    assert "no rule matched" in suggestion.reason


def test_every_triage_rule_quotes_the_source(pb: Playbook) -> None:
    for rule in pb.triage.rules:
        assert rule.source, rule
    severities = [rule.severity for rule in pb.triage.rules]
    ranks = [pb.severity_rank(key) for key in severities]
    assert ranks == sorted(ranks), "rules run most severe first"


def test_notes_record_every_contradiction(pb: Playbook) -> None:
    text = "\n".join(pb.notes)
    for topic in (
        "P0 status page",
        "P1 Incident Commander",
        "P0 CTO",
        "customer e-mail",
        "post-incident review timing",
        "acknowledgement",
        "security severity",
    ):
        assert f"CONTRADICTION ({topic}" in text, topic
