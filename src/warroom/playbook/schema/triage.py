"""Triage: the ordered decision tree from impact facts to a severity."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from warroom.playbook.schema.common import Key, Strict


class FactType(StrEnum):
    BOOL = "bool"
    PERCENT = "percent"
    NUMBER = "number"


class FactSpec(Strict):
    key: Key
    type: FactType
    question: str
    unit: str | None = None
    label: str | None = Field(None, description="Short name used in triage reasons, e.g. 'error rate'.")

    @property
    def short(self) -> str:
        return self.label or self.key.replace("_", " ")


# Facts every playbook may use without declaring them (the impact facts of ARCHITECTURE.md).
STANDARD_FACTS: tuple[FactSpec, ...] = (
    FactSpec(
        key="all_users_affected", type=FactType.BOOL, question="Are all users affected?", label="all users affected"
    ),
    FactSpec(
        key="users_affected_pct",
        type=FactType.PERCENT,
        question="What share of users is affected?",
        unit="%",
        label="users affected",
    ),
    FactSpec(
        key="error_rate_pct", type=FactType.PERCENT, question="What is the error rate?", unit="%", label="error rate"
    ),
    FactSpec(
        key="p95_latency_ms", type=FactType.NUMBER, question="What is the p95 latency?", unit="ms", label="p95 latency"
    ),
    FactSpec(key="data_loss", type=FactType.BOOL, question="Is data lost or corrupted?", label="data loss"),
    FactSpec(
        key="security_breach", type=FactType.BOOL, question="Is there a security breach?", label="security breach"
    ),
    FactSpec(
        key="critical_feature_down",
        type=FactType.BOOL,
        question="Is critical functionality down?",
        label="critical feature down",
    ),
    FactSpec(key="cpu_pct", type=FactType.PERCENT, question="CPU usage?", unit="%", label="CPU"),
    FactSpec(key="memory_pct", type=FactType.PERCENT, question="Memory usage?", unit="%", label="memory"),
    FactSpec(key="disk_pct", type=FactType.PERCENT, question="Disk usage?", unit="%", label="disk"),
)


class Condition(Strict):
    """One test of one fact. Exactly one comparison; boundaries are read as written ('> 5' excludes 5)."""

    fact: Key
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None
    eq: float | None = None
    is_: bool | None = Field(None, alias="is")

    @model_validator(mode="after")
    def _one_comparison(self) -> Condition:
        set_ops = [name for name in ("gt", "gte", "lt", "lte", "eq", "is_") if getattr(self, name) is not None]
        if not set_ops:
            raise ValueError("a condition needs a comparison: gt, gte, lt, lte, eq or is")
        numeric = [op for op in set_ops if op != "is_"]
        if "is_" in set_ops and numeric:
            raise ValueError("'is' compares a yes/no fact and cannot be combined with numeric comparisons")
        if "eq" in set_ops and len(set_ops) > 1:
            raise ValueError("'eq' cannot be combined with other comparisons")
        if (self.gt is not None and self.gte is not None) or (self.lt is not None and self.lte is not None):
            raise ValueError("use one lower bound (gt or gte) and one upper bound (lt or lte)")
        return self

    @property
    def is_boolean(self) -> bool:
        return self.is_ is not None


class TriageRule(Strict):
    severity: Key
    any: list[Condition] = Field(default_factory=list)
    all: list[Condition] = Field(default_factory=list)
    reason: str | None = Field(None, description="Words for the reason, e.g. 'critical functionality down'.")
    source: str | None = Field(None, description="The playbook line this rule translates.")

    @model_validator(mode="after")
    def _has_conditions(self) -> TriageRule:
        if not self.any and not self.all:
            raise ValueError("a triage rule needs 'any' or 'all' conditions")
        return self

    def conditions(self) -> list[Condition]:
        return [*self.all, *self.any]


class Triage(Strict):
    default_severity: Key
    facts: list[FactSpec] = Field(default_factory=list, description="Facts this playbook adds to the standard ones.")
    rules: list[TriageRule] = Field(default_factory=list)
    note: str | None = None

    def fact_catalog(self) -> dict[str, FactSpec]:
        catalog = {fact.key: fact for fact in STANDARD_FACTS}
        catalog.update({fact.key: fact for fact in self.facts})
        return catalog
