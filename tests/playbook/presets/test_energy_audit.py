"""The energy-audit preset against its source, /work/shared/playbooks/energy-audit-platform.md.

Each test quotes the passage it checks.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from warroom.deadlines import SpanKind, parse_span
from warroom.playbook.loader import load_preset
from warroom.playbook.schema import EscalationKind, Method, Playbook, PostmortemRequirement, WarRoom
from warroom.playbook.triage import suggest_severity

NAME = "energy-audit"


@pytest.fixture(scope="module")
def pb() -> Playbook:
    return load_preset(NAME)


def _policy(pb: Playbook, key: str):
    return next(policy for policy in pb.escalation_policies if policy.key == key)


def _comm(pb: Playbook, severity: str, key: str):
    return next(item for item in pb.severity(severity).communication if item.key == key)


def _schedule(pb: Playbook, key: str):
    return next(schedule for schedule in pb.schedules if schedule.key == key)


def _runbook(pb: Playbook, key: str):
    return next(runbook for runbook in pb.runbooks if runbook.key == key)


# --- the file ---------------------------------------------------------------------------------------


def test_preset_validates_and_names_its_source(pb: Playbook) -> None:
    assert pb.source == "/work/shared/playbooks/energy-audit-platform.md"
    assert pb.timezone == "UTC"  # "Started: 2025-10-30 14:30 UTC"


def test_emoji_are_the_intended_ones_not_mac_roman_mojibake(pb: Playbook) -> None:
    """The source's "üö® INCIDENT STARTED" is 🚨; no mojibake may leak into messages."""
    bodies = "\n".join(template.body for template in pb.templates)
    for mojibake in ("üî", "üü", "‚ö", "üö", "üì", "‚úÖ", "Ô∏è"):  # noqa: RUF001 (the mojibake itself)
        assert mojibake not in bodies
    assert pb.template("slack-incident-start").body.startswith("🚨 INCIDENT STARTED")
    assert pb.template("status-investigating").body.startswith("⚠️ Investigating:")
    assert pb.template("incident-update").body.startswith("📊 UPDATE")
    assert pb.template("slack-resolution").body.startswith("✅ INCIDENT RESOLVED")
    assert pb.template("status-resolved").body.startswith("✅ Resolved:")


# --- severities -------------------------------------------------------------------------------------


def test_severities_most_severe_first_with_source_labels(pb: Playbook) -> None:
    """ "SEV-1: Critical", "SEV-2: High", "SEV-3: Medium", "SEV-4: Low"."""
    assert [(s.key, s.label, s.name) for s in pb.severities] == [
        ("sev1", "SEV-1", "Critical"),
        ("sev2", "SEV-2", "High"),
        ("sev3", "SEV-3", "Medium"),
        ("sev4", "SEV-4", "Low"),
    ]


@pytest.mark.parametrize(
    ("key", "span"),
    [
        ("sev1", "5m"),  # "Response Time: Immediate (< 5 minutes)"
        ("sev2", "15m"),  # "Response Time: 15 minutes"
        ("sev3", "1h"),  # "Response Time: 1 hour"
    ],
)
def test_response_targets(pb: Playbook, key: str, span: str) -> None:
    assert pb.severity(key).response_target == parse_span(span)
    assert pb.severity(key).response_target.seconds == parse_span(span).seconds


def test_sev4_responds_next_business_day(pb: Playbook) -> None:
    """SEV-4 "Response Time: Next business day"."""
    assert pb.severity("sev4").response_target.kind is SpanKind.NEXT_BUSINESS_DAY


def test_updates_every_15_minutes_for_sev1_and_sev2_only(pb: Playbook) -> None:
    """ "Every 15 minutes during SEV-1/2"."""
    assert pb.severity("sev1").update_cadence.seconds == 15 * 60
    assert pb.severity("sev2").update_cadence.seconds == 15 * 60
    assert pb.severity("sev3").update_cadence is None
    assert pb.severity("sev4").update_cadence is None


def test_no_invented_resolution_targets(pb: Playbook) -> None:
    """No per-severity resolution target in the source ("Phase 4: Resolution (60-120 minutes)" is a phase)."""
    assert all(s.resolution_target is None for s in pb.severities)


def test_war_room_for_sev1(pb: Playbook) -> None:
    """SEV-1: "Create war room in Slack #incidents"."""
    assert pb.severity("sev1").war_room is WarRoom.REQUIRED
    assert pb.severity("sev3").war_room is WarRoom.NOT_REQUIRED
    assert pb.severity("sev4").war_room is WarRoom.NOT_REQUIRED


@pytest.mark.parametrize(
    ("key", "requirement", "due"),
    [
        ("sev1", PostmortemRequirement.REQUIRED, "48h"),  # "Required for: SEV-1, SEV-2"
        ("sev2", PostmortemRequirement.REQUIRED, "48h"),  # "Post-Mortem (Within 48 hours for SEV-1/2)"
        ("sev3", PostmortemRequirement.OPTIONAL, None),  # "Optional for: SEV-3 (if valuable learning)"
        ("sev4", PostmortemRequirement.SKIPPED, None),  # "Skip for: SEV-4"
    ],
)
def test_postmortem_policy(pb: Playbook, key: str, requirement: PostmortemRequirement, due: str | None) -> None:
    policy = pb.severity(key).postmortem
    assert policy.requirement is requirement
    if due is None:
        assert policy.due is None
    else:
        assert policy.due == parse_span(due)
        assert policy.due.seconds == 48 * 3600
        # "1. Schedule meeting (within 48 hours)"
        assert policy.review_within.seconds == 48 * 3600


def test_postmortem_meeting(pb: Playbook) -> None:
    """ "1 hour duration", "Include all incident responders", "Track in JIRA",
    "Focus on learning, not blame"."""
    assert pb.postmortem is not None
    assert pb.postmortem.meeting_length.seconds == 3600
    assert pb.postmortem.blameless
    assert pb.postmortem.action_item_tracker == "JIRA"
    assert "All incident responders" in pb.postmortem.attendees
    for section in (
        "## Timeline",
        "## Root Cause",
        "## What Went Well",
        "## What Could Be Improved",
        "## Action Items",
        "## Prevention",
    ):
        assert section in pb.postmortem.template


# --- notify methods ---------------------------------------------------------------------------------


def test_sev1_notify_methods(pb: Playbook) -> None:
    """ "SEV-1: Phone call + SMS + push notification"."""
    assert set(pb.severity("sev1").notify_methods) == {Method.PHONE, Method.SMS, Method.PUSH}


def test_sev2_notify_methods_do_both_pagerduty_and_slack(pb: Playbook) -> None:
    """ "SEV-2: Push notification + SMS" (PagerDuty) and "SEV-2: Slack alert": SEMANTICS says do both."""
    assert set(pb.severity("sev2").notify_methods) == {Method.PUSH, Method.SMS, Method.CHAT}


def test_sev3_email_and_sev4_backlog(pb: Playbook) -> None:
    """ "SEV-3: Email", "SEV-4: Backlog"."""
    assert pb.severity("sev3").notify_methods == [Method.EMAIL]
    assert pb.severity("sev4").notify_methods == [Method.TICKET]
    assert not pb.severity("sev4").pages_anyone
    assert pb.severity("sev4").escalation_policy is None
    assert "Add to backlog" in pb.severity("sev4").tasks
    # "Discuss at next planning meeting" and SEV-3/4 "Discuss at next standup": both.
    assert "Discuss at next planning meeting" in pb.severity("sev4").tasks
    assert "Discuss at next standup" in pb.severity("sev4").tasks


def test_sev3_tasks(pb: Playbook) -> None:
    """SEV-3: "Create JIRA ticket", "No immediate status page update"."""
    sev3 = pb.severity("sev3")
    assert "Create JIRA ticket" in sev3.tasks
    assert not any(item.channel == "status-page" for item in sev3.communication)
    eng_support = _comm(pb, "sev3", "eng-support-post")
    assert eng_support.channel == "eng-support" and eng_support.within is None


# --- escalation -------------------------------------------------------------------------------------


def test_sev1_escalation_chain(pb: Playbook) -> None:
    """ "1. Primary on-call (immediate page) - No response in 5 min -> 2. Secondary on-call (immediate page)
    - No response in 5 min -> 3. Engineering Manager (phone call) - No response in 10 min -> 4. VP
    Engineering (phone call)"."""
    assert pb.severity("sev1").escalation_policy == "sev1-escalation"
    policy = _policy(pb, "sev1-escalation")
    assert policy.kind is EscalationKind.ACKNOWLEDGEMENT
    assert policy.repeat == 0
    levels = policy.levels
    assert len(levels) == 4
    assert levels[0].targets[0].schedule == "primary"
    assert levels[1].targets[0].schedule == "secondary"
    assert levels[2].targets[0].person == "engineering-manager"
    assert levels[3].targets[0].person == "vp-engineering"
    assert [level.timeout.seconds if level.timeout else None for level in levels] == [300, 300, 600, None]
    # Timeouts count from the previous page: pages at 0, +5, +10, +20 minutes.
    offsets, at = [], 0
    for level in levels:
        offsets.append(at)
        at += level.timeout.seconds if level.timeout else 0
    assert offsets == [0, 5 * 60, 10 * 60, 20 * 60]
    # "(immediate page)" uses the severity's methods; managers get a "(phone call)".
    assert levels[0].methods is None and levels[1].methods is None
    assert levels[2].methods == [Method.PHONE]
    assert levels[3].methods == [Method.PHONE]


def test_sev2_escalation_chain(pb: Playbook) -> None:
    """ "1. Primary on-call (Slack alert) - No response in 15 min -> 2. Secondary on-call (Slack alert) -
    No response in 15 min -> 3. Engineering Manager (email + Slack)"."""
    assert pb.severity("sev2").escalation_policy == "sev2-escalation"
    policy = _policy(pb, "sev2-escalation")
    assert policy.kind is EscalationKind.ACKNOWLEDGEMENT
    levels = policy.levels
    assert [t.schedule or t.person for level in levels for t in level.targets] == [
        "primary",
        "secondary",
        "engineering-manager",
    ]
    assert [level.timeout.seconds if level.timeout else None for level in levels] == [900, 900, None]
    # Slack alert AND PagerDuty "SEV-2: Push notification + SMS" on the on-call levels.
    for level in levels[:2]:
        assert set(level.methods) == {Method.CHAT, Method.PUSH, Method.SMS}
    assert set(levels[2].methods) == {Method.EMAIL, Method.CHAT}


def test_sev3_emails_the_primary_on_call(pb: Playbook) -> None:
    """SEV-3: "Email on-call engineer"."""
    policy = _policy(pb, pb.severity("sev3").escalation_policy)
    assert len(policy.levels) == 1
    assert policy.levels[0].targets[0].schedule == "primary"
    assert policy.levels[0].methods == [Method.EMAIL]


def test_engineering_manager_notified_at_sev1_declaration(pb: Playbook) -> None:
    """SEV-1 "Notify engineering manager" (a task, no clock) beside the chain's phone call at +10 min."""
    item = _comm(pb, "sev1", "notify-engineering-manager")
    assert item.within is None
    item = _comm(pb, "sev2", "notify-engineering-lead")  # SEV-2 "Notify engineering lead"
    assert item.within is None


# --- schedules --------------------------------------------------------------------------------------


def _on_call(pb: Playbook, key: str, when: datetime) -> str:
    rotation = _schedule(pb, key).layers[0].rotation
    index = int((when - rotation.start) / rotation.shift.elapsed) % len(rotation.participants)
    return rotation.participants[index]


@pytest.mark.parametrize(
    ("when", "primary", "secondary"),
    [
        # "Week of Oct 28 - Nov 3: @engineer1" / secondary "@engineer2"
        (datetime(2025, 10, 28, 0, 0), "engineer1", "engineer2"),
        (datetime(2025, 11, 3, 23, 59), "engineer1", "engineer2"),
        # "Week of Nov 4 - Nov 10: @engineer2" / secondary "@engineer3"
        (datetime(2025, 11, 4, 0, 0), "engineer2", "engineer3"),
        (datetime(2025, 11, 10, 12, 0), "engineer2", "engineer3"),
        # "Week of Nov 11 - Nov 17: @engineer3" / secondary "@engineer1"
        (datetime(2025, 11, 11, 0, 0), "engineer3", "engineer1"),
        (datetime(2025, 11, 17, 23, 0), "engineer3", "engineer1"),
    ],
)
def test_weekly_rotations(pb: Playbook, when: datetime, primary: str, secondary: str) -> None:
    assert _on_call(pb, "primary", when) == primary
    assert _on_call(pb, "secondary", when) == secondary


def test_rotation_shape(pb: Playbook) -> None:
    for key, order in (
        ("primary", ["engineer1", "engineer2", "engineer3"]),
        ("secondary", ["engineer2", "engineer3", "engineer1"]),
    ):
        schedule = _schedule(pb, key)
        assert schedule.timezone == "UTC"
        rotation = schedule.layers[0].rotation
        assert rotation.participants == order
        assert rotation.shift.seconds == 7 * 86400
        assert rotation.start == datetime(2025, 10, 28, 0, 0)


def test_people_placeholders(pb: Playbook) -> None:
    """ "Engineering Manager: @manager-name"; VP Engineering in the SEV-1 chain."""
    keys = {person.key for person in pb.people}
    assert {"engineer1", "engineer2", "engineer3", "engineering-manager", "vp-engineering"} <= keys
    manager = next(person for person in pb.people if person.key == "engineering-manager")
    assert any(m.method is Method.PHONE for m in manager.contact_methods)
    assert any(m.address == "@manager-name" for m in manager.contact_methods)


# --- communication deadlines ------------------------------------------------------------------------


def test_sev1_status_page_within_15_minutes(pb: Playbook) -> None:
    """ "Updates: Will post every 15 minutes" / "Every 15 minutes during SEV-1/2": first status post by 15m."""
    item = _comm(pb, "sev1", "status-page-investigating")
    assert item.channel == "status-page"
    assert item.within == parse_span("15m")
    assert item.anchor == "triggered"
    assert item.customer_facing
    assert item.template == "status-investigating"


def test_sev2_status_page_if_user_facing(pb: Playbook) -> None:
    """SEV-2: "Update status page if user-facing"."""
    item = _comm(pb, "sev2", "status-page-investigating")
    assert item.channel == "status-page"
    assert item.within.seconds == 15 * 60
    assert item.customer_facing
    assert item.condition == "if user-facing"


@pytest.mark.parametrize("severity", ["sev1", "sev2"])
def test_incident_start_post_in_incidents(pb: Playbook, severity: str) -> None:
    """ "Post in #incidents channel" / "Create war room in Slack #incidents" within triage (5-15 minutes)."""
    item = _comm(pb, severity, "incident-start-slack")
    assert item.channel == "incidents"
    assert item.within.seconds == 15 * 60
    assert item.template == "slack-incident-start"


@pytest.mark.parametrize("severity", ["sev1", "sev2"])
def test_immediate_post_incident_within_1_hour(pb: Playbook, severity: str) -> None:
    """ "Immediate Post-Incident (Within 1 hour)": "Mark incident as resolved in Slack", "Update status
    page", "Send summary email to leadership (SEV-1/2)"."""
    expected = {
        "resolution-slack": ("incidents", "slack-resolution"),
        "resolution-status-page": ("status-page", "status-resolved"),
        "leadership-summary": ("leadership-email", "leadership-summary"),
    }
    for key, (channel, template) in expected.items():
        item = _comm(pb, severity, key)
        assert item.within == parse_span("1h")
        assert item.anchor == "resolved"
        assert item.channel == channel
        assert item.template == template


def test_no_leadership_summary_below_sev2(pb: Playbook) -> None:
    """ "Send summary email to leadership (SEV-1/2)"."""
    for key in ("sev3", "sev4"):
        assert not any(item.channel == "leadership-email" for item in pb.severity(key).communication)


# --- roles, channels, templates, runbooks -----------------------------------------------------------


def test_roles(pb: Playbook) -> None:
    """ "Assign incident commander", "Incident Lead: @engineer-name", primary/secondary on-call, EM."""
    for key in ("incident_commander", "primary_on_call", "secondary_on_call", "engineering_manager"):
        assert pb.role(key).name
    assert pb.role("incident_commander").default.schedule == "primary"
    assert pb.role("engineering_manager").default.person == "engineering-manager"


def test_channels_from_the_table(pb: Playbook) -> None:
    """ "#incidents | Active incident coordination", "#eng-support", "#ops-alerts", "Status Page", "Email
    (leadership)"; "oncall@energyaudit.example.com"."""
    channels = {channel.key: channel for channel in pb.channels}
    assert channels["incidents"].target == "#incidents"
    assert channels["eng-support"].target == "#eng-support"
    assert channels["ops-alerts"].target == "#ops-alerts"
    assert channels["status-page"].kind.value == "status_page"
    assert channels["status-page"].audience.value == "public"
    assert channels["leadership-email"].audience.value == "leadership"
    assert channels["oncall-email"].target == "oncall@energyaudit.example.com"
    assert channels["jira"].kind.value == "ticket"


def test_templates_present(pb: Playbook) -> None:
    """Incident Start (Slack, Status Page), Incident Update, Resolution (Slack, Status Page),
    Post-Incident Summary (Email to Leadership), the incident ticket."""
    kinds = {
        "slack-incident-start": "incident_start",
        "status-investigating": "status_investigating",
        "incident-update": "update",
        "slack-resolution": "resolution",
        "status-resolved": "status_resolved",
        "leadership-summary": "leadership_summary",
        "incident-ticket": "incident_record",
    }
    for key, kind in kinds.items():
        assert pb.template(key).kind.value == kind
    assert pb.template("leadership-summary").subject == (
        "[{{ incident.severity.label }}] Incident Summary: {{ incident.title }}"
    )
    assert "Will post every 15 minutes in this thread" in pb.template("slack-incident-start").body


@pytest.mark.parametrize(
    ("key", "alert", "severity"),
    [
        ("high-error-rate", "HighErrorRate", "sev2"),
        ("database-connection-failures", "DatabaseConnectionFailures", "sev1"),  # "SEV-1 (Complete outage)"
        ("object-storage-failures", "Photo uploads failing, GCS errors in logs", "sev2"),
        ("authentication-down", 'Users reporting "Cannot log in"', "sev1"),
        ("performance-degradation", "HighAPILatency", "sev2"),  # "SEV-2 to SEV-3 depending on impact"
        ("email-notifications", "User reports not receiving notifications", "sev3"),
    ],
)
def test_runbooks(pb: Playbook, key: str, alert: str, severity: str) -> None:
    runbook = _runbook(pb, key)
    assert alert in runbook.alert_names
    assert runbook.default_severity == severity
    assert runbook.symptoms and runbook.checks and runbook.template
    assert pb.template(runbook.template)


def test_six_scenarios(pb: Playbook) -> None:
    assert len(pb.runbooks) == 6


def test_database_runbook_escalation_path(pb: Playbook) -> None:
    """Scenario 2 "Escalation Path: ... 5. If persistent: Contact Neon support"."""
    runbook = _runbook(pb, "database-connection-failures")
    assert runbook.escalation[-1] == "If persistent: Contact Neon support"
    assert any('psql $DATABASE_URL -c "SELECT 1"' in check for check in runbook.checks)


def test_war_room_channel_name_is_a_template(pb: Playbook) -> None:
    assert pb.war_room is not None
    assert "incident.severity.label" in pb.war_room.channel_name


def test_notes_record_contradictions(pb: Playbook) -> None:
    text = "\n".join(pb.notes)
    assert "SEV-2: Push notification + SMS" in text and "SEV-2: Slack" in text
    assert "Is this cosmetic or minor?" in text
    assert "Notify engineering manager" in text


# --- templates render with the documented context only ---------------------------------------------


def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=StrictUndefined)
    env.filters["utc"] = lambda value: value.strftime("%Y-%m-%d %H:%M UTC")
    env.filters["hhmm"] = lambda value: value.strftime("%H:%M")
    env.filters["date"] = lambda value: value.strftime("%Y-%m-%d")
    env.filters["duration"] = lambda value: f"{int(value.total_seconds() // 60)} minutes"
    env.filters["slug"] = lambda value: "-".join(str(value).lower().split())[:80]
    return env


def _context(fields: dict[str, str]) -> dict[str, object]:
    started = datetime(2025, 10, 30, 14, 30, tzinfo=UTC)
    incident = SimpleNamespace(
        id="INC-42",
        title="High error rate on /api/jobs",
        summary="Job creation failing",
        severity=SimpleNamespace(key="sev2", label="SEV-2", name="High"),
        status="investigating",
        impact="Job creation failing for ~10% of users",
        started_at=started,
        detected_at=started + timedelta(minutes=2),
        acknowledged_at=started + timedelta(minutes=3),
        mitigated_at=started + timedelta(minutes=15),
        resolved_at=started + timedelta(minutes=45),
        duration=timedelta(minutes=45),
        detection_source="Prometheus Alert",
        services=["API", "Database"],
        commander="engineer1",
        roles={"incident_commander": "engineer1"},
        url="https://warroom.example/INC-42",
        root_cause="Database connection pool exhaustion",
        resolution="Increased connection pool size",
        timeline=[
            SimpleNamespace(at=started, kind="alert", text="Alert fired: HighErrorRate", actor="prometheus"),
        ],
    )
    playbook = SimpleNamespace(name="Energy Auditing Platform")
    return {"incident": incident, "fields": fields, "playbook": playbook, "now": started}


FIELDS = {
    "slack-incident-start": ["user_impact", "grafana_link", "sentry_link"],
    "status-investigating": ["issue_description", "specific_impact"],
    "incident-update": ["what_we_know", "what_we_are_doing", "next_update"],
    "slack-resolution": ["postmortem_scheduled_for", "responders"],
    "status-resolved": [],
    "leadership-summary": [
        "users_affected",
        "users_affected_pct",
        "features_impacted",
        "prevention_actions",
        "postmortem_link",
    ],
    "incident-ticket": [],
    "scenario-high-error-rate": ["endpoint", "current_step"],
    "scenario-database": ["status_detail", "eta"],
    "scenario-object-storage": ["status_detail", "workaround"],
    "scenario-auth": ["status_detail"],
    "scenario-performance": ["area", "status_detail", "fix", "eta"],
    "scenario-email": ["status_detail", "fix"],
}


@pytest.mark.parametrize("key", sorted(FIELDS))
def test_templates_render_without_placeholders(pb: Playbook, key: str) -> None:
    template = pb.template(key)
    env = _environment()
    context = _context({name: f"<{name}>" for name in FIELDS[key]})
    text = env.from_string(template.body).render(context)
    if template.subject:
        text += env.from_string(template.subject).render(context)
    assert "SEV-X" not in text
    placeholders = ("[Brief", "[Timestamp", "[Service", "[What", "[Link]", "@engineer-name", "[Incident Lead]")
    for placeholder in placeholders:
        assert placeholder not in text
    # Every declared field is used: a template names exactly the fields it needs.
    for name in FIELDS[key]:
        assert f"<{name}>" in text


def test_missing_field_is_an_error(pb: Playbook) -> None:
    with pytest.raises(Exception, match="what_we_know"):
        _environment().from_string(pb.template("incident-update").body).render(_context({}))


def test_postmortem_and_channel_name_render(pb: Playbook) -> None:
    env = _environment()
    draft = env.from_string(pb.postmortem.template).render(_context({}))
    assert "# Incident Post-Mortem: High error rate on /api/jobs" in draft
    assert "**14:30 UTC** - Alert fired: HighErrorRate" in draft
    name = env.from_string(pb.war_room.channel_name).render(_context({}))
    assert name.startswith("incidents-2025-10-30-sev-2-")


# --- triage -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        # "1. Are all users affected? → SEV-1"
        ({"all_users_affected": True}, "sev1"),
        ({"all_users_affected": True, "users_affected_pct": 2}, "sev1"),
        # "2. Is critical functionality down? → SEV-1"
        ({"critical_feature_down": True}, "sev1"),
        # SEV-1 definition: data loss, security breach, payment failure
        ({"data_loss": True}, "sev1"),
        ({"security_breach": True}, "sev1"),
        ({"payment_processing_failure": True}, "sev1"),
        # "3. Are > 25% of users affected? → SEV-2" (boundary: 25 is not > 25)
        ({"users_affected_pct": 26}, "sev2"),
        ({"users_affected_pct": 25.1}, "sev2"),
        ({"users_affected_pct": 25}, "sev2"),  # no rule matched -> default SEV-2
        # "4. Is error rate > 5%? → SEV-2"
        ({"error_rate_pct": 5.5}, "sev2"),
        ({"error_rate_pct": 6, "users_affected_pct": 3}, "sev2"),  # step 4 before step 6
        # "5. Is performance severely degraded? → SEV-2"
        ({"performance_severely_degraded": True}, "sev2"),
        ({"performance_severely_degraded": True, "cosmetic": True}, "sev2"),
        # SEV-2 definition
        ({"major_feature_degraded": True}, "sev2"),
        ({"db_connection_pool_exhausted": True}, "sev2"),
        ({"critical_api_endpoints_failing": True}, "sev2"),
        # "6. Are < 5% of users affected? → SEV-3" (boundary: 5 is not < 5)
        ({"users_affected_pct": 4.9}, "sev3"),
        ({"users_affected_pct": 0}, "sev3"),
        ({"users_affected_pct": 3, "cosmetic": True}, "sev3"),  # step 6 before step 7
        # SEV-3 "Errors affecting < 5% of requests"
        ({"error_rate_pct": 2}, "sev3"),
        ({"error_rate_pct": 4.99}, "sev3"),
        # SEV-3 "Single user or small group impacted", "Minor feature issues",
        # "Slow performance (not critical)"
        ({"single_user_or_small_group": True}, "sev3"),
        ({"minor_issue": True}, "sev3"),  # C2: quick reference "Minor issues → SEV-3"
        ({"slow_performance_not_critical": True}, "sev3"),
        # Scenario 5 "HighAPILatency - P95 latency > 500ms", "SEV-2 to SEV-3 depending on impact"
        ({"p95_latency_ms": 800}, "sev3"),
        ({"p95_latency_ms": 800, "performance_severely_degraded": True}, "sev2"),
        # "7. Is this cosmetic or minor? → SEV-4" (cosmetic)
        ({"cosmetic": True}, "sev4"),
        ({"cosmetic": True, "users_affected_pct": 10}, "sev4"),
        ({"low_priority_request": True}, "sev4"),
    ],
)
def test_triage(pb: Playbook, facts: dict[str, object], expected: str) -> None:
    assert suggest_severity(pb, facts).severity == expected


@pytest.mark.parametrize(
    "facts",
    [
        {},
        {"error_rate_pct": 5},  # "> 5%" does not match 5, "< 5%" does not either
        {"users_affected_pct": 5},  # neither "< 5%" nor "> 25%"
        {"users_affected_pct": 15},
        {"p95_latency_ms": 500},  # "> 500ms" does not match 500
        {"all_users_affected": False, "cosmetic": False},
    ],
)
def test_no_rule_matched_defaults_to_sev2(pb: Playbook, facts: dict[str, object]) -> None:
    """SEMANTICS: no rule matched -> the playbook's default (or the second-highest): SEV-2, flagged."""
    suggestion = suggest_severity(pb, facts)
    assert suggestion.severity == "sev2"
    assert suggestion.needs_confirmation
    assert suggestion.rule_index is None
    assert "no rule matched" in suggestion.reason


def test_every_rule_quotes_the_source(pb: Playbook) -> None:
    assert pb.triage.default_severity == "sev2"
    assert all(rule.source for rule in pb.triage.rules)
    assert all(policy.source for policy in pb.escalation_policies)
