"""The presets' alert routes do what their source playbooks say."""

from __future__ import annotations

import pytest

from warroom.alerts.events import Action, AlertEvent
from warroom.alerts.routing import decide
from warroom.playbook.loader import load_preset, preset_names


def alert(name: str, value: str | None = None) -> AlertEvent:
    annotations = {"value": value} if value is not None else {}
    return AlertEvent(Action.TRIGGER, "k", summary=name, alert_name=name, details={"annotations": annotations})


@pytest.mark.parametrize(
    ("name", "value", "severity"),
    [
        ("HighErrorRate", "12", "sev2"),  # "Error rate > 5%" -> SEV-2
        ("HighErrorRate", "2.5", "sev3"),  # "Error rate < 5%" -> SEV-3
        ("HighErrorRate", None, "sev2"),  # no value: the scenario's SEV-2
        ("HighAPILatency", "900", "sev3"),  # "Latency > 500ms (p95)" -> SEV-3
        ("HighAPILatency", None, "sev2"),  # "SEV-2 to SEV-3 depending on impact": start at SEV-2
        ("DatabaseConnectionFailures", None, "sev1"),
    ],
)
def test_energy_audit_routes_read_the_alert_value_into_triage(name: str, value: str | None, severity: str) -> None:
    playbook = load_preset("energy-audit")
    decision = decide(playbook, alert(name, value), "prom", "api")
    assert decision.severity == severity, decision.reason
    assert decision.runbooks and not decision.needs_confirmation


@pytest.mark.parametrize("preset", preset_names())
def test_every_preset_moves_to_monitoring_when_alerts_clear_and_flags_unknown_alerts(preset: str) -> None:
    playbook = load_preset(preset)
    assert playbook.alerting.on_all_resolved.value == "monitoring"
    decision = decide(playbook, alert("SomethingNobodyNamed"), "prom", "svc")
    assert decision.needs_confirmation and decision.severity == playbook.triage.default_severity
