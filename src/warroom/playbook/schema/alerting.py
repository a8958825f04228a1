"""How alerts from monitoring become incidents: routes, source severities, what all-clear means."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field

from warroom.playbook.schema.common import Key, Strict


def _compiles(patterns: dict[str, str]) -> dict[str, str]:
    for label, pattern in patterns.items():
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValueError(f"match_re.{label}: {pattern!r} is not a regular expression ({error})") from None
    return patterns


def _label_names(names: list[str] | None) -> list[str] | None:
    if names is None:
        return None
    if not names:
        raise ValueError(
            "name at least one label; to gather every alert of a source in one incident, "
            "set that integration's grouping to 'integration'"
        )
    for name in names:
        if not name:
            raise ValueError("a label name cannot be empty")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"{', '.join(repeated)} named more than once")
    return names


class AllClear(StrEnum):
    """What happens to an incident when every alert on it has resolved."""

    MONITORING = "monitoring"  # impact stopped; a person confirms the resolution (SEMANTICS: mitigated)
    RESOLVED = "resolved"
    NOTHING = "nothing"


FactValue = bool | float | str  # a string may be a template over the alert: "{{ labels.error_rate }}"


class AlertRoute(Strict):
    """The first route whose matchers all hold decides service, severity and runbook for an alert.

    Matchers see the alert's labels plus `alertname`, `source`, `source_severity`, `integration` and
    `service` (the integration's service). `match` is equality, `match_re` a full-match regular expression.
    """

    name: str | None = None
    match: dict[str, str] = Field(default_factory=dict)
    match_re: Annotated[dict[str, str], AfterValidator(_compiles)] = Field(default_factory=dict)
    service: Key | None = None
    severity: Key | None = Field(None, description="Fixed severity; otherwise triage decides from `facts`.")
    facts: dict[Key, FactValue] = Field(
        default_factory=dict, description="Impact facts for triage; strings are templates over the alert."
    )
    runbook: Key | None = None
    group_by: Annotated[list[str] | None, AfterValidator(_label_names)] = Field(
        None,
        description=(
            "Alerts of this route whose values of these labels agree share one open incident (Alertmanager's "
            "group_by); replaces the source's group key. Label names as the matchers see them (`alertname`, "
            "`source`, `service`...); a missing label counts as the empty value. Applies within one integration "
            "and only where it groups by `group` (the default): an integration set to `alert` or `integration` "
            "grouping keeps its own setting."
        ),
    )
    source: str | None = Field(None, description="The playbook line this route translates.")


class Alerting(Strict):
    routes: list[AlertRoute] = Field(default_factory=list)
    source_severities: dict[str, Key] = Field(
        default_factory=dict,
        description="The sender's severity word (critical, error, warning, info...) to a playbook severity.",
    )
    on_all_resolved: AllClear = AllClear.MONITORING
    note: str | None = None
