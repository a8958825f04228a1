"""Triage as a pure function: impact facts in, a suggested severity and the reason out.

Triage is total (SEMANTICS.md): when no rule matches, the playbook's default severity is suggested with
the reason "no rule matched" and flagged for confirmation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from warroom.playbook.schema import Condition, FactSpec, FactType, Playbook, TriageRule

FactValue = bool | float
Facts = Mapping[str, FactValue]

_SYMBOLS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "eq": "="}


@dataclass(frozen=True)
class Suggestion:
    severity: str
    reason: str
    rule_index: int | None
    needs_confirmation: bool


class FactError(ValueError):
    def __init__(self, fact: str, message: str) -> None:
        self.fact = fact
        super().__init__(f"{fact}: {message}")


def clean_facts(playbook: Playbook, facts: Mapping[str, object]) -> dict[str, FactValue]:
    """Check facts against the playbook's catalog; raise FactError naming the first bad one."""
    catalog = playbook.triage.fact_catalog()
    cleaned: dict[str, FactValue] = {}
    for key, value in facts.items():
        spec = catalog.get(key)
        if spec is None:
            raise FactError(key, f"unknown impact fact (known: {', '.join(sorted(catalog))})")
        if spec.type is FactType.BOOL:
            if not isinstance(value, bool):
                raise FactError(key, "must be true or false")
            cleaned[key] = value
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise FactError(key, "must be a number")
        number = float(value)
        if number != number or number in (float("inf"), float("-inf")):
            raise FactError(key, "must be a finite number")
        if spec.type is FactType.PERCENT and not 0 <= number <= 100:
            raise FactError(key, "a percentage is between 0 and 100")
        if number < 0:
            raise FactError(key, "cannot be negative")
        cleaned[key] = number
    return cleaned


def _number(value: float) -> str:
    return f"{value:g}"


def _holds(condition: Condition, value: FactValue | None) -> bool:
    if value is None:
        return False
    if condition.is_ is not None:
        return value is condition.is_
    number = float(value)
    return (
        (condition.gt is None or number > condition.gt)
        and (condition.gte is None or number >= condition.gte)
        and (condition.lt is None or number < condition.lt)
        and (condition.lte is None or number <= condition.lte)
        and (condition.eq is None or number == condition.eq)
    )


def _describe(condition: Condition, spec: FactSpec, value: FactValue) -> str:
    if condition.is_ is not None:
        return spec.short if condition.is_ else f"not {spec.short}"
    unit = spec.unit or ""
    sep = "" if unit == "%" else " "
    shown = f"{_number(float(value))}{sep}{unit}".strip()
    bounds = []
    for op in ("gt", "gte", "lt", "lte", "eq"):
        bound = getattr(condition, op)
        if bound is not None:
            bounds.append(f"{_SYMBOLS[op]} {_number(bound)}{sep}{unit}".rstrip())
    return f"{spec.short} {shown} {' and '.join(bounds)}"


def _match(rule: TriageRule, facts: Facts, catalog: dict[str, FactSpec]) -> list[str] | None:
    """The descriptions of the conditions that made the rule match, or None."""
    described: list[str] = []
    for condition in rule.all:
        if not _holds(condition, facts.get(condition.fact)):
            return None
        described.append(_describe(condition, catalog[condition.fact], facts[condition.fact]))
    if rule.any:
        hit = next((c for c in rule.any if _holds(c, facts.get(c.fact))), None)
        if hit is None:
            return None
        described.append(_describe(hit, catalog[hit.fact], facts[hit.fact]))
    return described


def suggest_severity(playbook: Playbook, facts: Facts) -> Suggestion:
    """The first rule in order whose conditions hold decides; facts not given are unknown (never match)."""
    catalog = playbook.triage.fact_catalog()
    for index, rule in enumerate(playbook.triage.rules):
        described = _match(rule, facts, catalog)
        if described is not None:
            label = playbook.severity(rule.severity).label
            why = " and ".join(described)
            if rule.reason:
                why = f"{rule.reason} ({why})"
            return Suggestion(rule.severity, f"{why} -> {label}", index, needs_confirmation=False)
    default = playbook.triage.default_severity
    return Suggestion(default, f"no rule matched -> {playbook.severity(default).label}", None, needs_confirmation=True)
