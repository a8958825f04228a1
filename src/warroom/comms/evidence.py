"""The security incident's evidence-preservation checklist, attached when it opens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row

from warroom.incidents.records import is_security
from warroom.incidents.timeline import append_event
from warroom.playbook.schema import Playbook


def attach_evidence_checklist(tx: Connection, playbook: Playbook, row: Row[Any], now: datetime) -> None:
    """A security incident opens with the playbook's evidence-preservation checklist pinned on its timeline."""
    security = playbook.security
    if security is None or not is_security(row) or not security.evidence_checklist:
        return
    items = list(security.evidence_checklist)
    text = "Security incident: preserve evidence before changing anything:\n" + "\n".join(f"- [ ] {i}" for i in items)
    append_event(tx, row.id, now, "warroom", "evidence_checklist", text, None, {"items": items}, pinned=True)
