"""Random sequences of API calls keep every incident record consistent (hypothesis state machine).

Checked after every step: status moves only along allowed edges, timestamps never go backwards, exactly one
timeline event per change, and private incidents never appear to outsiders.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from tests.harness.app import start_app
from tests.harness.databases import fresh_sqlite, migrated_sqlite_template
from warroom.incidents.lifecycle import Status, allowed_moves, reopen_allowed

_TEMPLATE_DIR = Path(tempfile.mkdtemp(prefix="warroom-sm-"))
_TEMPLATE = migrated_sqlite_template(_TEMPLATE_DIR)
STAMPS = (
    "started_at",
    "detected_at",
    "triggered_at",
    "acknowledged_at",
    "mitigated_at",
    "resolved_at",
    "closed_at",
    "updated_at",
)


# The engine writes its own events: pages, and response-target misses (an acknowledgement at the target records one).
ENGINE_KINDS = {
    "paged",
    "page_failed",
    "escalation_skipped",
    "escalation_exhausted",
    "response_missed",
    "acknowledgement_missed",
}


class IncidentLifecycle(RuleBasedStateMachine):
    incidents = Bundle("incidents")

    @initialize()
    def start(self) -> None:
        directory = Path(tempfile.mkdtemp(dir=_TEMPLATE_DIR))
        self.app = start_app(fresh_sqlite(_TEMPLATE, directory))
        self.model: dict[str, dict[str, Any]] = {}
        self.seen: dict[str, dict[str, datetime]] = {}

    def teardown(self) -> None:
        if hasattr(self, "app"):
            self.app.client.close()
            self.app.warroom.close()

    def _expect(self, ref: str, response: Any, ok: bool, changed: bool = True) -> None:
        if ok:
            assert response.status_code in (200, 201), response.text
            if changed:
                self.model[ref]["events"] += 1
        else:
            assert response.status_code == 409, response.text
            assert response.headers["content-type"] == "application/problem+json"

    @rule(
        target=incidents,
        private=st.booleans(),
        severity=st.sampled_from(["sev1", "sev2", None]),
        who=st.sampled_from(["responder", "admin"]),
    )
    def declare(self, private: bool, severity: str | None, who: str) -> str:
        body: dict[str, Any] = {"title": "incident", "private": private}
        if severity:
            body["severity"] = severity
        response = self.app.call("POST", "/api/v1/incidents", who=who, json=body)
        assert response.status_code == 201, response.text
        data = response.json()
        self.model[data["id"]] = {
            "status": Status.INVESTIGATING,
            "events": 1,
            "private": private,
            "severity": data["severity"],
            "acked": False,
            "mitigated": False,
        }
        return str(data["id"])

    @rule(ref=incidents, target_status=st.sampled_from(list(Status)))
    def change_status(self, ref: str, target_status: Status) -> None:
        current = self.model[ref]["status"]
        response = self.app.call(
            "POST", f"/api/v1/incidents/{ref}/status", who="admin", json={"status": target_status.value}
        )
        ok = target_status in allowed_moves(current)
        self._expect(ref, response, ok)
        if ok:
            self.model[ref]["status"] = target_status
            if target_status in (Status.MONITORING, Status.RESOLVED):
                self.model[ref]["mitigated"] = True

    @rule(ref=incidents)
    def acknowledge(self, ref: str) -> None:
        state = self.model[ref]
        response = self.app.call("POST", f"/api/v1/incidents/{ref}/acknowledge", who="admin")
        ok = state["status"] in (Status.INVESTIGATING, Status.IDENTIFIED, Status.MONITORING) and not state["acked"]
        self._expect(ref, response, ok)
        state["acked"] = state["acked"] or ok

    @rule(ref=incidents)
    def mitigate(self, ref: str) -> None:
        state = self.model[ref]
        response = self.app.call("POST", f"/api/v1/incidents/{ref}/mitigation", who="admin")
        ok = state["status"] in (Status.INVESTIGATING, Status.IDENTIFIED, Status.MONITORING) and not state["mitigated"]
        self._expect(ref, response, ok)
        state["mitigated"] = state["mitigated"] or ok

    @rule(ref=incidents)
    def reopen(self, ref: str) -> None:
        response = self.app.call("POST", f"/api/v1/incidents/{ref}/reopen", who="admin")
        ok = reopen_allowed(self.model[ref]["status"])
        self._expect(ref, response, ok)
        if ok:
            self.model[ref]["status"] = Status.INVESTIGATING

    @rule(ref=incidents, severity=st.sampled_from(["sev1", "sev2"]))
    def change_severity(self, ref: str, severity: str) -> None:
        response = self.app.call(
            "POST", f"/api/v1/incidents/{ref}/severity", who="admin", json={"severity": severity, "reason": "test"}
        )
        ok = self.model[ref]["severity"] != severity
        self._expect(ref, response, ok)
        if ok:
            self.model[ref]["severity"] = severity

    @rule(ref=incidents, text=st.text(min_size=1, max_size=40).filter(lambda t: t.strip() != ""))
    def note(self, ref: str, text: str) -> None:
        self._expect(
            ref, self.app.call("POST", f"/api/v1/incidents/{ref}/notes", who="admin", json={"text": text}), True
        )

    @rule(ref=incidents, person=st.sampled_from(["alice", "bob"]))
    def assign_commander(self, ref: str, person: str) -> None:
        response = self.app.call(
            "PUT", f"/api/v1/incidents/{ref}/roles/incident_commander", who="admin", json={"person": person}
        )
        holder = self.model[ref].get("ic")
        self._expect(ref, response, holder != person)
        self.model[ref]["ic"] = person

    @rule(minutes=st.integers(min_value=0, max_value=180))
    def time_passes(self, minutes: int) -> None:
        self.app.clock.advance(timedelta(minutes=minutes))

    @invariant()
    def records_are_consistent(self) -> None:
        if not hasattr(self, "app"):
            return
        for ref, state in self.model.items():
            incident = self.app.call("GET", f"/api/v1/incidents/{ref}", who="admin").json()
            assert incident["status"] == state["status"].value
            assert incident["allowed_statuses"] == [s.value for s in allowed_moves(state["status"])]
            events = self.app.call("GET", f"/api/v1/incidents/{ref}/timeline", who="admin").json()
            # The escalation engine writes its own events (pages); each change by a person writes exactly one.
            events = [event for event in events if event["kind"] not in ENGINE_KINDS]
            assert len(events) == state["events"]
            times = [event["at"] for event in events]
            assert times == sorted(times)
            seen = self.seen.setdefault(ref, {})
            for name in STAMPS:
                if incident[name] is None:
                    continue
                value = datetime.fromisoformat(incident[name])
                assert value >= seen.get(name, value), f"{ref}.{name} went backwards"
                seen[name] = value
            assert incident["started_at"] <= incident["detected_at"] <= incident["triggered_at"]
            if incident["resolved_at"]:
                assert incident["resolved_at"] >= incident["triggered_at"]

    @invariant()
    def private_incidents_stay_private(self) -> None:
        if not hasattr(self, "app"):
            return
        listed = {
            item["id"] for item in self.app.call("GET", "/api/v1/incidents?limit=200", who="outsider").json()["items"]
        }
        for ref, state in self.model.items():
            if state["private"]:
                assert ref not in listed
                assert self.app.call("GET", f"/api/v1/incidents/{ref}", who="outsider").status_code == 404
            else:
                assert ref in listed


TestIncidentLifecycle = IncidentLifecycle.TestCase
TestIncidentLifecycle.settings = settings(
    max_examples=15, stateful_step_count=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
