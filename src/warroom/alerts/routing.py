"""Routing (pure): which service, severity and runbooks an alert gets, and why, from the playbook alone."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from warroom.alerts.events import AlertEvent
from warroom.playbook.schema import AlertRoute, Playbook
from warroom.playbook.triage import FactError, clean_facts, suggest_severity
from warroom.templating import is_template, render


@dataclass(frozen=True)
class RouteDecision:
    service: str
    severity: str
    reason: str
    needs_confirmation: bool
    runbooks: tuple[str, ...]
    route: str | None
    # The deciding route's group_by as a grouping basis: the route and its label values (intake.py).
    group_basis: str | None = None


def matcher_labels(event: AlertEvent, integration: str, service: str) -> dict[str, str]:
    """What routes match on: the alert's labels plus the facts every source has.

    `integration` is always the one that received the alert: a sender cannot claim another's routes. The
    alert's own `service` label, when it has one, wins over the integration's default service.
    """
    labels = dict(event.labels)
    for name, value in (
        ("alertname", event.alert_name),
        ("source", event.source),
        ("source_severity", event.source_severity),
        ("service", service),
    ):
        if value is not None:
            labels.setdefault(name, value)
    labels["integration"] = integration
    return labels


def route_matches(route: AlertRoute, labels: dict[str, str]) -> bool:
    if any(labels.get(name) != value for name, value in route.match.items()):
        return False
    return all(re.fullmatch(pattern, labels.get(name, "")) for name, pattern in route.match_re.items())


def decide(playbook: Playbook, event: AlertEvent, integration: str, service: str) -> RouteDecision:
    labels = matcher_labels(event, integration, service)
    route = next((r for r in playbook.alerting.routes if route_matches(r, labels)), None)
    route_name = None if route is None else (route.name or f"route {playbook.alerting.routes.index(route) + 1}")
    if route is not None and route.service:
        service = route.service
    runbooks = _runbooks(playbook, route, event.alert_name)
    basis = None if route is None or route.group_by is None else group_basis(route_name, route.group_by, labels)

    def chosen(key: str, why: str, confirm: bool = False) -> RouteDecision:
        return RouteDecision(service, key, why, confirm, runbooks, route_name, basis)

    if route is not None and route.severity:
        return chosen(route.severity, f"{route_name}: {playbook.severity(route.severity).label}")
    if route is not None and route.facts:
        facts = _facts(playbook, route, event, labels)
        if facts:
            suggestion = suggest_severity(playbook, facts)
            if not suggestion.needs_confirmation:
                return chosen(suggestion.severity, f"{route_name}: {suggestion.reason}")
    for key in runbooks:
        runbook = next(r for r in playbook.runbooks if r.key == key)
        if runbook.default_severity:
            label = playbook.severity(runbook.default_severity).label
            return chosen(runbook.default_severity, f"runbook {runbook.name}: {label}")
    word = (event.source_severity or "").lower()
    if word and word in playbook.alerting.source_severities:
        key = playbook.alerting.source_severities[word]
        return chosen(key, f"source severity {word} -> {playbook.severity(key).label}")
    default = playbook.triage.default_severity
    return chosen(default, f"no rule matched; default {playbook.severity(default).label}", confirm=True)


def group_basis(route_name: str | None, names: list[str], labels: dict[str, str]) -> str:
    """What alerts of one route share when their group_by labels agree; JSON, so no value can fake a separator."""
    return json.dumps([route_name, [[name, labels.get(name, "")] for name in names]], separators=(",", ":"))


def _runbooks(playbook: Playbook, route: AlertRoute | None, alert_name: str | None) -> tuple[str, ...]:
    keys: list[str] = []
    if route is not None and route.runbook:
        keys.append(route.runbook)
    if alert_name:
        keys += [r.key for r in playbook.runbooks if alert_name in r.alert_names and r.key not in keys]
    return tuple(keys)


def _facts(playbook: Playbook, route: AlertRoute, event: AlertEvent, labels: dict[str, str]) -> dict[str, Any]:
    """Fact values, templates filled from the alert. A fact the alert cannot fill stays unknown."""
    context = {"labels": labels, "details": dict(event.details), "summary": event.summary}
    catalog = playbook.triage.fact_catalog()
    facts: dict[str, Any] = {}
    for name, value in route.facts.items():
        if isinstance(value, str) and is_template(value):
            try:
                value = render(value, context).strip()
            except Exception:  # an operator's template meeting an untrusted alert (x / 0, "12" + 1): fact unknown
                continue
        try:
            facts.update(clean_facts(playbook, {name: _typed(value, catalog[name].type.value)}))
        except (FactError, ValueError, KeyError):
            continue
    return facts


def _typed(value: Any, kind: str) -> Any:
    if not isinstance(value, str):
        return value
    if kind == "bool":
        return value.strip().lower() in ("true", "yes", "1")
    return float(value.rstrip("%"))
