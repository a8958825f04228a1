"""The tables. Only services write them (ARCHITECTURE.md, principle 3)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from warroom.store.types import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Every playbook the server has run under, by content digest: incidents point at the one they started under.
playbook_versions = Table(
    "playbook_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("digest", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("content", JSON, nullable=False),
    Column("loaded_at", UTCDateTime, nullable=False),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(300), nullable=False),
    Column("summary", Text, nullable=False, default=""),
    Column("severity", String(64), nullable=False),
    Column("declared_severity_label", String(32), nullable=False),
    Column("status", String(20), nullable=False),
    Column("private", Boolean, nullable=False, default=False),
    Column("impact", JSON, nullable=False),
    Column("services", JSON, nullable=False),
    Column("tags", JSON, nullable=False),
    Column("links", JSON, nullable=False),
    Column("detection_source", String(20), nullable=False),
    Column("duplicate_of", Integer, ForeignKey("incidents.id"), nullable=True),
    Column("playbook_version_id", Integer, ForeignKey("playbook_versions.id"), nullable=False),
    Column("triage_reason", Text, nullable=True),
    Column("severity_needs_confirmation", Boolean, nullable=False, default=False),
    Column("created_by", String(200), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("detected_at", UTCDateTime, nullable=False),
    Column("triggered_at", UTCDateTime, nullable=False),
    Column("acknowledged_at", UTCDateTime, nullable=True),
    Column("acknowledged_by", String(200), nullable=True),
    Column("mitigated_at", UTCDateTime, nullable=True),
    Column("resolved_at", UTCDateTime, nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("revision", Integer, nullable=False, default=1),
    Column("runbooks", JSON, nullable=False, default=list, server_default="[]"),
    # What people read in messages (issue 6): the impact in words, the root cause and the fix.
    Column("impact_statement", Text, nullable=True),
    Column("root_cause", Text, nullable=True),
    Column("resolution", Text, nullable=True),
    Column("severity_changed_at", UTCDateTime, nullable=True),  # communication deadlines restart here
    # Security incidents: the personal-data breach flag (starts the regulator clock; may be back-dated) and
    # the approval customer-facing communication waits for.
    Column("personal_data_breach_at", UTCDateTime, nullable=True),
    Column("comms_approved_at", UTCDateTime, nullable=True),
    Column("comms_approved_by", String(200), nullable=True),
    Index("ix_incidents_status_severity", "status", "severity"),
    Index("ix_incidents_triggered_at", "triggered_at"),
)

incident_roles = Table(
    "incident_roles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("incident_id", Integer, ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(64), nullable=False),
    Column("person", String(200), nullable=False),
    Column("assigned_at", UTCDateTime, nullable=False),
    Column("assigned_by", String(200), nullable=False),
    UniqueConstraint("incident_id", "role", name="uq_incident_roles_incident_role"),
)

incident_participants = Table(
    "incident_participants",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("incident_id", Integer, ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
    UniqueConstraint("incident_id", "name", name="uq_incident_participants_incident_name"),
    Index("ix_incident_participants_name", "name"),
)

timeline_events = Table(
    "timeline_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("incident_id", Integer, ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("text", Text, nullable=False),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
    Column("pinned", Boolean, nullable=False, default=False),
    Index("ix_timeline_events_incident_at", "incident_id", "at", "id"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(60), nullable=False),
    Column("subject", String(100), nullable=False),
    Column("detail", JSON, nullable=False),
    Index("ix_audit_log_subject", "subject"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("prefix", String(16), nullable=False, unique=True),
    Column("secret_hash", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
)


# ---- alerts (issue 3) ------------------------------------------------------------------------------

# A monitoring source pointed at Warroom. Its ingest key is stored only as a hash; the signing secret
# (Grafana, Sentry) must be kept readable to verify signatures and is never returned after creation.
integrations = Table(
    "integrations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("service", String(64), nullable=False),
    Column("key_prefix", String(8), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("signing_secret", Text, nullable=True),
    Column("grouping", String(20), nullable=False),
    Column("mapping", JSON, nullable=False),
    Column("heartbeat_seconds", Integer, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("disabled_at", UTCDateTime, nullable=True),
)

maintenance_windows = Table(
    "maintenance_windows",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("service", String(64), nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime, nullable=True),
    Index("ix_maintenance_windows_service_ends", "service", "ends_at"),
)

# Alerts sharing a group key share an incident while that incident is open. The partial unique index
# makes "one open group per key" a fact of the database, not of one process's memory.
alert_groups = Table(
    "alert_groups",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("integration_id", Integer, ForeignKey("integrations.id", ondelete="CASCADE"), nullable=False),
    Column("group_hash", String(64), nullable=False),
    Column("group_key", Text, nullable=False),
    Column("incident_id", Integer, ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime, nullable=True),
    Index(
        "uq_alert_groups_open",
        "integration_id",
        "group_hash",
        unique=True,
        sqlite_where=text("closed_at IS NULL"),
        postgresql_where=text("closed_at IS NULL"),
    ),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("integration_id", Integer, ForeignKey("integrations.id", ondelete="CASCADE"), nullable=False),
    Column("dedup_key", String(255), nullable=False),
    Column("status", String(20), nullable=False),
    Column("summary", Text, nullable=False),
    Column("source", String(255), nullable=True),
    Column("source_severity", String(32), nullable=True),
    Column("alert_name", String(255), nullable=True),
    Column("group_key", Text, nullable=True),
    Column("labels", JSON, nullable=False),
    Column("details", JSON, nullable=False),
    Column("links", JSON, nullable=False),
    Column("images", JSON, nullable=False),
    Column("service", String(64), nullable=False),
    Column("severity", String(64), nullable=True),
    Column("route", String(200), nullable=True),
    Column("incident_id", Integer, ForeignKey("incidents.id", ondelete="SET NULL"), nullable=True),
    Column("suppressed_by", Integer, ForeignKey("maintenance_windows.id"), nullable=True),
    Column("started_at", UTCDateTime, nullable=True),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("acknowledged_at", UTCDateTime, nullable=True),
    Column("resolved_at", UTCDateTime, nullable=True),
    Column("event_count", Integer, nullable=False),
    # One open alert per integration and dedup key, whoever posts it and however often (issue 3).
    Index(
        "uq_alerts_open_dedup",
        "integration_id",
        "dedup_key",
        unique=True,
        sqlite_where=text("resolved_at IS NULL"),
        postgresql_where=text("resolved_at IS NULL"),
    ),
    Index("ix_alerts_incident", "incident_id"),
    Index("ix_alerts_last_seen", "last_seen_at"),
)

# Durable timers: the engine is the only place time passes (ARCHITECTURE.md, principle 6). A timer is
# re-armed by moving due_at and bumping fence, so a claim made on an old arming changes nothing.
timers = Table(
    "timers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("fence", Integer, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("fired_at", UTCDateTime, nullable=True),
    Index(
        "uq_timers_pending",
        "kind",
        "subject",
        unique=True,
        sqlite_where=text("fired_at IS NULL"),
        postgresql_where=text("fired_at IS NULL"),
    ),
    # Pending timers only: fired rows stay as history and must not slow the engine's claims (migration 0010).
    Index(
        "ix_timers_pending_due",
        "due_at",
        sqlite_where=text("fired_at IS NULL"),
        postgresql_where=text("fired_at IS NULL"),
    ),
)

# One running escalation policy of one incident. `plan` is the policy frozen when it started (levels,
# targets, methods, timing), so editing the playbook never changes an escalation already running.
escalations = Table(
    "escalations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False),
    Column("policy", String(64), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("plan", JSON, nullable=False),
    Column("state", String(20), nullable=False),  # running | acknowledged | exhausted | stopped
    Column("anchor_at", UTCDateTime, nullable=False),
    Column("level", Integer, nullable=False),  # the last level paged; -1 before the first page
    Column("round", Integer, nullable=False),
    Column("next_due_at", UTCDateTime, nullable=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("stopped_at", UTCDateTime, nullable=True),
    Column("stop_reason", String(200), nullable=True),
    UniqueConstraint("incident_id", "policy"),
)

# Who was paged at which step. The unique key is the "never two pages for one step" guarantee.
pages = Table(
    "pages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("escalation_id", Integer, ForeignKey("escalations.id"), nullable=False),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False),
    Column("level", Integer, nullable=False),
    Column("round", Integer, nullable=False),
    Column("person", String(64), nullable=False),
    Column("via", String(200), nullable=False),
    Column("methods", JSON, nullable=False),
    Column("due_at", UTCDateTime, nullable=False),  # when the step was due: paged_at - due_at is the lateness
    Column("paged_at", UTCDateTime, nullable=False),
    Column("acknowledged_at", UTCDateTime, nullable=True),  # this person acknowledged: their follow-ups stop
    UniqueConstraint("escalation_id", "level", "round", "person"),
    Index("ix_pages_person", "person", "paged_at"),
    Index("ix_pages_incident", "incident_id"),
)

# Every message is a row here first (ARCHITECTURE.md, principle 7); the sender delivers it.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=True),
    Column("page_id", Integer, ForeignKey("pages.id"), nullable=True),
    Column("channel", String(40), nullable=False),
    Column("recipient", String(64), nullable=True),
    Column("method", String(20), nullable=True),
    Column("address", String(320), nullable=True),
    Column("subject", String(300), nullable=False),
    Column("body", JSON, nullable=False),
    Column("state", String(20), nullable=False),  # pending | sending | sent | failed | cancelled
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("lease_until", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("provider_id", String(120), nullable=True),  # the provider's id (Twilio SID, Slack ts, channel id)
    Column("bundled_into", Integer, nullable=True),  # delivered as part of that message's bundle
    Column("fallback_of", Integer, nullable=True),  # sent because that message to another method failed
    Column("communication_id", Integer, nullable=True),  # one delivery of that stakeholder communication
    Index("ix_outbox_due", "state", "next_attempt_at"),
    Index("ix_outbox_incident", "incident_id"),
    Index("ix_outbox_recipient_sent", "recipient", "method", "sent_at"),
    Index("ix_outbox_channel_sent", "channel", "sent_at"),
    Index("ix_outbox_page", "page_id"),
    Index("ix_outbox_provider_id", "provider_id"),
    Index("ix_outbox_communication", "communication_id"),
)

# Every delivery attempt, its outcome and the provider's answer: the ledger a responder reads after a miss.
delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("outbox_id", Integer, ForeignKey("outbox.id"), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("channel", String(40), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("outcome", String(20), nullable=False),  # sent | failed | deferred | undelivered
    Column("provider_id", String(120), nullable=True),
    Column("error", Text, nullable=True),
    Index("ix_delivery_attempts_outbox", "outbox_id"),
)

# The chat room (Slack channel) of an incident: commands typed there act on it.
incident_rooms = Table(
    "incident_rooms",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False),
    Column("provider", String(20), nullable=False),
    Column("room_id", String(64), nullable=False),
    Column("name", String(80), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("provider", "room_id"),
    Index("ix_incident_rooms_incident", "incident_id"),
)

# Signed chat requests already acted on (by signature digest), so a replay inside the window changes nothing.
chat_replays = Table(
    "chat_replays",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("seen_at", UTCDateTime, nullable=False),
)

# Keys this instance generated for itself (the signing key of acknowledgement links when none is configured).
instance_keys = Table(
    "instance_keys",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# ---- communication (issue 6) -----------------------------------------------------------------------

# One stakeholder message as sent: the rendered words, to which audience, by whom. Its deliveries are outbox
# rows (communication_id); a clock is met when the first of them is delivered (a status-page post: at once).
communications = Table(
    "communications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=True),
    Column("template", String(64), nullable=True),
    Column("kind", String(40), nullable=False),  # the template kind: update, status_investigating, ...
    Column("channel", String(64), nullable=False),  # the playbook channel (audience) key
    Column("subject", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("fields", JSON, nullable=False),
    Column("sent_by", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("delivered_at", UTCDateTime, nullable=True),  # set at once for the status page and records
    Index("ix_communications_incident", "incident_id", "created_at"),
)

# A communication clock someone decided does not apply to this incident, and why.
communication_waivers = Table(
    "communication_waivers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False),
    Column("deadline", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("waived_by", String(200), nullable=False),
    Column("waived_at", UTCDateTime, nullable=False),
    UniqueConstraint("incident_id", "deadline"),
)

# Overrides made at run time (API, CLI); the playbook's own overrides live in the playbook.
schedule_overrides = Table(
    "schedule_overrides",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("schedule", String(64), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("person", String(64), nullable=False),
    Column("replaces", String(64), nullable=True),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("note", Text, nullable=True),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("removed_at", UTCDateTime, nullable=True),
    Column("removed_by", String(200), nullable=True),
    Index("ix_schedule_overrides_schedule", "schedule", "ends_at"),
)

# iCalendar subscribe URLs: the token is the credential, stored as its SHA-256 like API tokens.
calendar_feeds = Table(
    "calendar_feeds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("schedule", String(64), nullable=True),
    Column("person", String(64), nullable=True),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
)


# ---- status page (issue 6) -------------------------------------------------------------------------

# The public status page shows only these rows: public wording, never the internal incident it may be linked to.
# `code` is the public id (12 characters [a-z0-9], as Statuspage's ids are).
status_components = Table(
    "status_components",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(12), nullable=False, unique=True),
    Column("key", String(200), nullable=False, unique=True),  # the playbook's component key; "group:<name>" for groups
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=True),
    Column("group_name", String(200), nullable=True),
    Column("is_group", Boolean, nullable=False, default=False),
    Column("position", Integer, nullable=False),
    Column("status", String(30), nullable=False),
    Column("showcase", Boolean, nullable=False, default=False),
    Column("only_show_if_degraded", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("removed_at", UTCDateTime, nullable=True),  # no longer in the playbook: hidden, kept for history
)

# Public incidents and scheduled maintenances (kind). `incident_id` links an internal incident; it is never shown.
status_incidents = Table(
    "status_incidents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(12), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),  # incident | maintenance
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=True),
    Column("name", String(300), nullable=False),
    Column("status", String(20), nullable=False),
    Column("impact", String(20), nullable=False),
    Column("impact_override", String(20), nullable=True),  # set by hand; else the impact follows the components
    Column("created_by", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("monitoring_at", UTCDateTime, nullable=True),
    Column("resolved_at", UTCDateTime, nullable=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("scheduled_for", UTCDateTime, nullable=True),
    Column("scheduled_until", UTCDateTime, nullable=True),
    Index("ix_status_incidents_kind_created", "kind", "created_at"),
    Index("ix_status_incidents_incident", "incident_id"),
)

status_incident_updates = Table(
    "status_incident_updates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(12), nullable=False, unique=True),
    Column("status_incident_id", Integer, ForeignKey("status_incidents.id"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("display_at", UTCDateTime, nullable=False),
    Column("affected_components", JSON, nullable=False),  # [{code, name, old_status, new_status}]
    Column("deliver_notifications", Boolean, nullable=False, default=True),
    Index("ix_status_incident_updates_incident", "status_incident_id", "created_at"),
)

# People and systems told of changes. The link token is derived from the instance key and stored only hashed.
status_subscribers = Table(
    "status_subscribers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(10), nullable=False),  # email | webhook
    Column("address", String(320), nullable=False),  # the e-mail address or the webhook URL
    Column("contact", String(320), nullable=True),  # a webhook's owner e-mail, who confirms it
    Column("components", JSON, nullable=True),  # component codes; null: everything
    Column("confirmed_at", UTCDateTime, nullable=True),
    Column("token_hash", String(64), nullable=True, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("removed_at", UTCDateTime, nullable=True),
    Index(
        "uq_status_subscribers_active",
        "kind",
        "address",
        unique=True,
        sqlite_where=text("removed_at IS NULL"),
        postgresql_where=text("removed_at IS NULL"),
    ),
)


# ---- postmortems and action items (issue 7) --------------------------------------------------------

# One postmortem per incident, created when it resolves if its severity asks for one. The Markdown is the
# document people edit; `state` moves draft -> in_review -> published (or skipped, with a reason).
postmortems = Table(
    "postmortems",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False, unique=True),
    Column("requirement", String(20), nullable=False),  # required | optional (from the severity's policy)
    Column("state", String(20), nullable=False),  # draft | in_review | published | skipped
    Column("owner", String(200), nullable=True),
    Column("due_at", UTCDateTime, nullable=True),
    Column("review_due_at", UTCDateTime, nullable=True),
    Column("markdown", Text, nullable=False),
    Column("skip_reason", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(200), nullable=False),
    Column("submitted_at", UTCDateTime, nullable=True),
    Column("published_at", UTCDateTime, nullable=True),
    Column("revision", Integer, nullable=False),
    Index("ix_postmortems_state_due", "state", "due_at"),
)

# What an incident taught us to change: owned, prioritised, dated, tracked to done (or won't do).
action_items = Table(
    "action_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False),
    Column("postmortem_id", Integer, ForeignKey("postmortems.id"), nullable=True),
    Column("title", String(300), nullable=False),
    Column("description", Text, nullable=False),
    Column("owner", String(200), nullable=True),
    Column("priority", String(20), nullable=False),
    Column("due_at", UTCDateTime, nullable=True),
    Column("status", String(20), nullable=False),  # open | in_progress | done | wont_do
    Column("created_by", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("external_key", String(200), nullable=True),  # the tracker's id (JIRA-123, owner/repo#45)
    Column("external_url", String(500), nullable=True),
    Index("ix_action_items_incident", "incident_id"),
    Index("ix_action_items_status_due", "status", "due_at"),
)

# ---- web (issue 8)

# Local sign-in accounts of the web UI. Passwords only as argon2 hashes.
accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("password_hash", String(300), nullable=False),
    Column("role", String(20), nullable=False),  # viewer | responder | admin
    Column("person", String(64), nullable=True),  # the playbook person this account is
    Column("created_at", UTCDateTime, nullable=False),
    Column("disabled_at", UTCDateTime, nullable=True),
)

# Server-side web sessions: the cookie holds a random token; only its SHA-256 digest is stored here.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=True),  # null: signed in with an API token
    Column("actor_name", String(200), nullable=False),
    Column("actor_role", String(20), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),  # the absolute limit; idle expiry uses last_seen_at
    Column("csrf_secret", String(64), nullable=False),
    Index("ix_web_sessions_expires", "expires_at"),
)

# ---- checklists (issue 8)

# Ticks of an incident's role and phase checklists (from its frozen playbook). A row is one item of one list;
# done_at/done_by are null once it is unticked again. The unique key makes a double tick a refusal, not a copy.
incident_checklist_items = Table(
    "incident_checklist_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False),
    Column("list_key", String(80), nullable=False),  # role:<key> | phase:<key>
    Column("item_index", Integer, nullable=False),
    Column("item_text", Text, nullable=False),
    Column("done_by", String(200), nullable=True),
    Column("done_at", UTCDateTime, nullable=True),
    UniqueConstraint("incident_id", "list_key", "item_index"),
)
