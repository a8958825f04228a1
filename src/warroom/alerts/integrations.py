"""Integrations: the monitoring sources pointed at Warroom, each with its own secret ingest key."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, Row, insert, select, update
from sqlalchemy.exc import IntegrityError

from warroom.alerts.events import SourceConfig
from warroom.audit.log import record_audit
from warroom.auth.actors import AccessRole, Actor
from warroom.clock import Clock
from warroom.deadlines import parse_span
from warroom.errors import Conflict, NotFound, Problems
from warroom.playbook.registry import PlaybookRegistry
from warroom.store.database import Database
from warroom.store.tables import integrations


class IntegrationKind(StrEnum):
    ALERTMANAGER = "alertmanager"
    EVENTS_V2 = "events_v2"  # PagerDuty Events API v2 compatible
    GRAFANA = "grafana"
    SENTRY = "sentry"
    GENERIC = "generic"
    HEARTBEAT = "heartbeat"


class Grouping(StrEnum):
    """Which alerts share an incident while it is open."""

    GROUP = "group"  # the source's group (Alertmanager/Grafana groupKey, Events v2 payload.group, Sentry issue)
    ALERT = "alert"  # every new alert opens its own incident
    INTEGRATION = "integration"  # everything from this integration joins its one open incident


Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_\-]{0,62}$", description="lowercase key, e.g. 'prod-am'")]


class CreateIntegration(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    key: Slug
    name: str = Field(min_length=1, max_length=200)
    kind: IntegrationKind
    service: str = Field(min_length=1, max_length=64)
    grouping: Grouping = Grouping.GROUP
    signing_secret: str | None = Field(None, min_length=8, max_length=500, description="Grafana HMAC or Sentry secret")
    signature_timestamp_header: str | None = Field(None, max_length=100, description="Grafana: header signed too")
    mapping: dict[str, str] = Field(default_factory=dict, description="generic: field -> JSON path or template")
    heartbeat_interval: str | None = Field(None, description="heartbeat: e.g. '5m'; a missed ping raises an alert")


class IntegrationView(BaseModel):
    key: str
    name: str
    kind: IntegrationKind
    service: str
    grouping: Grouping
    ingest_url: str
    key_prefix: str = Field(description="The first characters of the secret key, to tell keys apart.")
    signed: bool
    mapping: dict[str, str]
    heartbeat_interval_seconds: int | None
    created_at: datetime
    created_by: str
    disabled_at: datetime | None


class IntegrationCreated(IntegrationView):
    secret_key: str = Field(description="Shown once. It is the routing key / the {key} of the ingest URL.")


@dataclass(frozen=True)
class Integration:
    """What the ingest path needs to know about the integration a request named."""

    id: int
    key: str
    name: str
    kind: IntegrationKind
    service: str
    grouping: Grouping
    source: SourceConfig
    heartbeat_seconds: int | None

    @property
    def actor(self) -> Actor:
        return Actor(f"integration:{self.key}", AccessRole.RESPONDER)


def key_digest(secret_key: str) -> str:
    return hashlib.sha256(secret_key.encode()).hexdigest()


def ingest_path(kind: IntegrationKind, secret_key: str | None) -> str:
    shown = secret_key or "{key}"
    if kind is IntegrationKind.EVENTS_V2:
        return "/v2/enqueue"
    if kind is IntegrationKind.HEARTBEAT:
        return f"/api/v1/heartbeats/{shown}"
    return f"/ingest/{shown}/{kind.value}"


class UnknownIntegration(LookupError):
    pass


class IntegrationService:
    # Ingest requests look keys up far more often than integrations change; other instances see a
    # disable within this many seconds, this one at once.
    CACHE_SECONDS = 5.0

    def __init__(self, db: Database, clock: Clock, playbooks: PlaybookRegistry, public_url: str = "") -> None:
        self.db = db
        self.clock = clock
        self.playbooks = playbooks
        self.public_url = public_url.rstrip("/")
        self._cache: dict[str, tuple[float, Integration | None]] = {}
        self._lock = threading.Lock()

    def create(self, actor: Actor, command: CreateIntegration) -> IntegrationCreated:
        problems = Problems()
        _, playbook = self.playbooks.active
        known = {service.key for service in playbook.services}
        if known and command.service not in known:
            problems.add("service", f"unknown service {command.service!r}; known: {', '.join(sorted(known))}")
        heartbeat_seconds = self._heartbeat_seconds(command, problems)
        if command.kind is IntegrationKind.SENTRY and not command.signing_secret:
            problems.add("signing_secret", "Sentry integrations need the client secret to verify Sentry-Hook-Signature")
        if command.signing_secret and command.kind not in (IntegrationKind.GRAFANA, IntegrationKind.SENTRY):
            problems.add("signing_secret", f"{command.kind.value} requests are not signed; use the secret key")
        if command.signature_timestamp_header and command.kind is not IntegrationKind.GRAFANA:
            problems.add("signature_timestamp_header", "only Grafana signs a timestamp header")
        if command.mapping and command.kind is not IntegrationKind.GENERIC:
            problems.add("mapping", "only generic JSON integrations take a field mapping")
        if command.kind is IntegrationKind.GENERIC:
            from warroom.alerts.adapters.generic import validate_mapping

            for problem in validate_mapping(command.mapping):
                problems.add("mapping", problem)
        problems.raise_if_any()

        secret_key = secrets.token_hex(16)  # 32 characters, like a PagerDuty integration key
        options = dict(command.mapping)
        if command.signature_timestamp_header:
            options = {"signature_timestamp_header": command.signature_timestamp_header}
        now = self.clock.now()
        try:
            with self.db.transaction() as tx:
                tx.execute(
                    insert(integrations).values(
                        key=command.key,
                        name=command.name,
                        kind=command.kind.value,
                        service=command.service,
                        key_prefix=secret_key[:8],
                        key_hash=key_digest(secret_key),
                        signing_secret=command.signing_secret,
                        grouping=command.grouping.value,
                        mapping=options,
                        heartbeat_seconds=heartbeat_seconds,
                        created_at=now,
                        created_by=actor.name,
                    )
                )
                detail = {"name": command.name, "kind": command.kind.value, "service": command.service}
                record_audit(tx, now, actor, "integration.create", f"integration:{command.key}", detail)
                if heartbeat_seconds is not None:
                    from warroom.alerts.heartbeats import arm_heartbeat

                    row = self._row(tx, command.key)
                    arm_heartbeat(tx, row.id, now, heartbeat_seconds)
                row = self._row(tx, command.key)
        except IntegrityError:
            raise Conflict(f"an integration with key {command.key!r} already exists") from None
        view = self._view(row)
        return IntegrationCreated(
            **{**view.model_dump(), "ingest_url": self._url(command.kind, secret_key)}, secret_key=secret_key
        )

    def list(self) -> list[IntegrationView]:
        with self.db.read() as connection:
            rows = connection.execute(select(integrations).order_by(integrations.c.key)).all()
        return [self._view(row) for row in rows]

    def get(self, key: str) -> IntegrationView:
        with self.db.read() as connection:
            return self._view(self._row(connection, key))

    def disable(self, actor: Actor, key: str) -> IntegrationView:
        now = self.clock.now()
        with self.db.transaction() as tx:
            row = self._row(tx, key)
            if row.disabled_at is not None:
                raise Conflict(f"integration {key!r} is already disabled")
            tx.execute(update(integrations).where(integrations.c.id == row.id).values(disabled_at=now))
            record_audit(tx, now, actor, "integration.disable", f"integration:{key}", {})
            row = self._row(tx, key)
        with self._lock:
            self._cache.clear()
        return self._view(row)

    def cached(self, secret_key: str) -> Integration | None:
        """The integration from memory when it was looked up moments ago (no I/O: safe on the event loop)."""
        with self._lock:
            cached = self._cache.get(key_digest(secret_key))
        if cached is not None and cached[1] is not None and time.monotonic() - cached[0] < self.CACHE_SECONDS:
            return cached[1]
        return None

    def by_secret_key(self, secret_key: str) -> Integration:
        """The enabled integration holding this key, or UnknownIntegration. Doors map that to their format."""
        digest = key_digest(secret_key)
        with self._lock:
            cached = self._cache.get(digest)
        if cached is not None and time.monotonic() - cached[0] < self.CACHE_SECONDS:
            found = cached[1]
        else:
            with self.db.read() as connection:
                row = connection.execute(select(integrations).where(integrations.c.key_hash == digest)).first()
            found = None if row is None or row.disabled_at is not None else integration_of(row)
            with self._lock:
                if len(self._cache) > 10_000:
                    self._cache.clear()
                self._cache[digest] = (time.monotonic(), found)
        if found is None:
            raise UnknownIntegration("no enabled integration has this key")
        return found

    def _heartbeat_seconds(self, command: CreateIntegration, problems: Problems) -> int | None:
        if command.kind is not IntegrationKind.HEARTBEAT:
            if command.heartbeat_interval:
                problems.add("heartbeat_interval", "only heartbeat integrations have an interval")
            return None
        if not command.heartbeat_interval:
            problems.add("heartbeat_interval", "required for a heartbeat, e.g. '5m'")
            return None
        try:
            span = parse_span(command.heartbeat_interval)
            seconds = int(span.elapsed.total_seconds())
        except ValueError as error:
            problems.add("heartbeat_interval", str(error))
            return None
        if not 10 <= seconds <= 7 * 86400:
            problems.add("heartbeat_interval", "between 10 seconds and 7 days")
        return seconds

    @staticmethod
    def _row(connection: Connection, key: str) -> Row[Any]:
        row = connection.execute(select(integrations).where(integrations.c.key == key)).first()
        if row is None:
            raise NotFound(f"no integration {key!r}")
        return row

    def _url(self, kind: IntegrationKind, secret_key: str | None) -> str:
        return self.public_url + ingest_path(kind, secret_key)

    def _view(self, row: Row[Any]) -> IntegrationView:
        kind = IntegrationKind(row.kind)
        return IntegrationView(
            key=row.key,
            name=row.name,
            kind=kind,
            service=row.service,
            grouping=Grouping(row.grouping),
            ingest_url=self._url(kind, None),
            key_prefix=row.key_prefix,
            signed=row.signing_secret is not None,
            mapping=dict(row.mapping) if kind is IntegrationKind.GENERIC else {},
            heartbeat_interval_seconds=row.heartbeat_seconds,
            created_at=row.created_at,
            created_by=row.created_by,
            disabled_at=row.disabled_at,
        )


def integration_of(row: Row[Any]) -> Integration:
    kind = IntegrationKind(row.kind)
    options = dict(row.mapping or {})
    timestamp_header = options.pop("signature_timestamp_header", None) if kind is IntegrationKind.GRAFANA else None
    return Integration(
        id=row.id,
        key=row.key,
        name=row.name,
        kind=kind,
        service=row.service,
        grouping=Grouping(row.grouping),
        source=SourceConfig(
            signing_secret=row.signing_secret,
            mapping=options if kind is IntegrationKind.GENERIC else {},
            signature_timestamp_header=timestamp_header,
        ),
        heartbeat_seconds=row.heartbeat_seconds,
    )
