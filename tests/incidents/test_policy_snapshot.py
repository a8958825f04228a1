"""An incident keeps the policy it started under: editing the playbook does not change it."""

from __future__ import annotations

from tests.harness.app import fixture_playbook, start_app
from warroom.clock import ManualClock
from warroom.playbook.loader import parse_playbook


def test_incident_keeps_its_playbook_version(database_url: str) -> None:
    clock = ManualClock()
    first = start_app(database_url, clock=clock)
    ref = first.call("POST", "/api/v1/incidents", json={"title": "db down", "severity": "sev1"}).json()["id"]
    first.warroom.close()

    edited_text = fixture_playbook().model_dump_json(by_alias=True)  # JSON is YAML
    edited = parse_playbook(edited_text.replace('"SEV-1"', '"Critical-1"').replace('"sev2"', '"sev3"'), "edited")
    second = start_app(database_url, playbook=edited, clock=clock)
    try:
        response = second.call("GET", f"/api/v1/incidents/{ref}")
        assert response.status_code == 200, response.text
        old = response.json()
        assert old["severity_label"] == "SEV-1"  # the label of its own (frozen) playbook
        assert old["playbook_version"] == 1
        # Severity changes validate against the frozen policy: sev2 exists there, sev3 does not.
        moved = second.call("POST", f"/api/v1/incidents/{ref}/severity", json={"severity": "sev2", "reason": "ok"})
        assert moved.status_code == 200, moved.text
        refused = second.call("POST", f"/api/v1/incidents/{ref}/severity", json={"severity": "sev3", "reason": "x"})
        assert refused.status_code == 422
        new = second.call("POST", "/api/v1/incidents", json={"title": "new", "severity": "sev3"}).json()
        assert new["playbook_version"] == 2 and new["severity_label"] == "SEV-2"
    finally:
        second.warroom.close()
