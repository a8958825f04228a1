"""unreachable_triage_rule: triage rules that can never decide a severity.

Triage (warroom.playbook.triage) takes the first rule whose `all` conditions all hold and, if it has `any`,
one of whose `any` conditions holds; a fact not given never matches. Facts are checked before triage
(clean_facts): a percentage is 0-100, a number is never negative, a yes/no fact is true or false.

A rule never decides when:
- a condition names a fact the catalog does not have, or compares it the wrong way (yes/no against a
  number): validation refuses both in a file, but the lint core also takes playbooks built in code;
- its conditions cannot all hold: a bound outside what the fact can be (`error_rate_pct > 100`),
  contradictory bounds on one fact (`> 10` and `< 5`, `= 1` and `= 2`, `is: true` and `is: false`), or
  `any` conditions none of which fits with the `all` ones;
- an earlier rule matches whenever it does. Decided only where that is certain: every way this rule can
  match (its `all` with one of its `any`) lies inside one way the earlier rule matches, bound by bound.
  Overlaps covered only by several of the earlier rule's `any` conditions together are not reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from warroom.playbook.lint.findings import UNREACHABLE_TRIAGE_RULE, Finding
from warroom.playbook.schema import Condition, FactSpec, FactType, Playbook, TriageRule


@dataclass(frozen=True)
class Range:
    """The values a fact may take: a number interval (bounds open or closed) or a set of yes/no values."""

    low: float = -math.inf
    low_closed: bool = False
    high: float = math.inf
    high_closed: bool = False
    truths: frozenset[bool] | None = None  # for yes/no facts

    @property
    def empty(self) -> bool:
        if self.truths is not None:
            return not self.truths
        return self.low > self.high or (self.low == self.high and not (self.low_closed and self.high_closed))

    def meet(self, other: Range) -> Range:
        if self.truths is not None or other.truths is not None:
            mine = self.truths if self.truths is not None else frozenset({True, False})
            theirs = other.truths if other.truths is not None else frozenset({True, False})
            return Range(truths=mine & theirs)
        low, low_closed = max((self.low, not self.low_closed), (other.low, not other.low_closed))
        high, high_closed = min((self.high, self.high_closed), (other.high, other.high_closed))
        return Range(low, not low_closed, high, high_closed)

    def within(self, other: Range) -> bool:
        """Every value of self is a value of other."""
        if self.empty:
            return True
        if self.truths is not None or other.truths is not None:
            return self.truths is not None and other.truths is not None and self.truths <= other.truths
        low_ok = other.low < self.low or (other.low == self.low and (other.low_closed or not self.low_closed))
        high_ok = other.high > self.high or (other.high == self.high and (other.high_closed or not self.high_closed))
        return low_ok and high_ok


def domain(spec: FactSpec) -> Range:
    if spec.type is FactType.BOOL:
        return Range(truths=frozenset({True, False}))
    if spec.type is FactType.PERCENT:
        return Range(0.0, True, 100.0, True)
    return Range(0.0, True, math.inf, False)


def condition_range(condition: Condition) -> Range:
    if condition.is_ is not None:
        return Range(truths=frozenset({condition.is_}))
    found = Range()
    if condition.eq is not None:
        return Range(condition.eq, True, condition.eq, True)
    if condition.gt is not None:
        found = found.meet(Range(low=condition.gt, low_closed=False))
    if condition.gte is not None:
        found = found.meet(Range(low=condition.gte, low_closed=True))
    if condition.lt is not None:
        found = found.meet(Range(high=condition.lt, high_closed=False))
    if condition.lte is not None:
        found = found.meet(Range(high=condition.lte, high_closed=True))
    return found


# One way a rule can match: the values each named fact must take (facts not named are free).
Box = dict[str, Range]


def _boxes(rule: TriageRule, catalog: dict[str, FactSpec]) -> list[Box]:
    base: Box = {}
    for condition in rule.all:
        base = _narrow(base, condition, catalog)
    if not rule.any:
        return [base]
    return [_narrow(base, condition, catalog) for condition in rule.any]


def _narrow(box: Box, condition: Condition, catalog: dict[str, FactSpec]) -> Box:
    spec = catalog[condition.fact]
    current = box.get(condition.fact, domain(spec))
    return {**box, condition.fact: current.meet(condition_range(condition))}


def _possible(box: Box) -> bool:
    return not any(values.empty for values in box.values())


def _inside(inner: Box, outer: Box) -> bool:
    """Every match of `inner` is a match of `outer`: outer constrains nothing inner leaves freer."""
    return all(fact in inner and inner[fact].within(values) for fact, values in outer.items())


def _misfit(condition: Condition, catalog: dict[str, FactSpec]) -> str | None:
    spec = catalog.get(condition.fact)
    if spec is None:
        return f"names fact {condition.fact!r}, which the playbook does not declare (a fact not given never matches)"
    if (spec.type is FactType.BOOL) != condition.is_boolean:
        how = "with a number" if spec.type is FactType.BOOL else "with is: true/false"
        return f"compares {spec.type.value} fact {condition.fact} {how}, which never holds"
    values = condition_range(condition).meet(domain(spec))
    if values.empty:
        limits = "0 to 100" if spec.type is FactType.PERCENT else "0 or more"
        return f"asks {_words(condition)}, but {condition.fact} is {limits}"
    return None


def _words(condition: Condition) -> str:
    if condition.is_ is not None:
        return f"{condition.fact} is {str(condition.is_).lower()}"
    symbols = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "eq": "="}
    parts = [
        f"{symbol} {getattr(condition, op):g}" for op, symbol in symbols.items() if getattr(condition, op) is not None
    ]
    return f"{condition.fact} {' and '.join(parts)}"


def check(playbook: Playbook) -> list[Finding]:
    catalog = playbook.triage.fact_catalog()
    findings: list[Finding] = []
    live: list[tuple[int, list[Box]]] = []  # earlier rules that can match, with their ways of matching
    for index, rule in enumerate(playbook.triage.rules):
        where, loc = f"triage.rules[{index}]", ("triage", "rules", index)
        name = f"triage rule {index + 1} (-> {_label(playbook, rule.severity)})"
        detail: dict[str, object] = {"rule": index + 1, "severity": rule.severity}
        all_misfits = [(j, text) for j, c in enumerate(rule.all) if (text := _misfit(c, catalog)) is not None]
        any_misfits = {j: text for j, c in enumerate(rule.any) if (text := _misfit(c, catalog)) is not None}
        dead = [("all", *all_misfits[0])] if all_misfits else []
        if not dead and rule.any and len(any_misfits) == len(rule.any):
            dead = [("any", *next(iter(any_misfits.items())))]
        if dead:
            group, j, text = dead[0]
            message = f"{name} never matches: its {group} condition {j + 1} {text}"
            findings.append(Finding(UNREACHABLE_TRIAGE_RULE, where, message, (*loc, group, j), detail))
            continue
        # An `any` condition that cannot hold on its own is dropped; the rule still matches through the rest.
        usable = rule.model_copy(update={"any": [c for j, c in enumerate(rule.any) if j not in any_misfits]})
        boxes = [box for box in _boxes(usable, catalog) if _possible(box)]
        if not boxes:
            message = f"{name} never matches: {_contradiction(usable, catalog)}"
            findings.append(Finding(UNREACHABLE_TRIAGE_RULE, where, message, loc, detail))
            continue
        shadow = next(
            (earlier for earlier, theirs in live if all(any(_inside(box, outer) for outer in theirs) for box in boxes)),
            None,
        )
        if shadow is not None:
            earlier_rule = playbook.triage.rules[shadow]
            same = earlier_rule.severity == rule.severity
            outcome = "it is redundant" if same else f"it never decides {_label(playbook, rule.severity)}"
            message = (
                f"{name} never matches first: rule {shadow + 1} (-> {_label(playbook, earlier_rule.severity)}) "
                f"comes earlier and matches in every case this one does, so {outcome}"
            )
            findings.append(
                Finding(UNREACHABLE_TRIAGE_RULE, where, message, loc, {**detail, "shadowed_by": shadow + 1})
            )
            continue
        live.append((index, boxes))
    return findings


def _contradiction(rule: TriageRule, catalog: dict[str, FactSpec]) -> str:
    base: Box = {}
    for condition in rule.all:
        base = _narrow(base, condition, catalog)
        if not _possible(base):
            clashing = [_words(c) for c in rule.all if c.fact == condition.fact]
            return f"its conditions {' and '.join(clashing)} cannot all hold"
    named = "; ".join(_words(c) for c in rule.any)
    fixed = " and ".join(_words(c) for c in rule.all)
    return f"none of its any conditions ({named}) can hold together with {fixed}"


def _label(playbook: Playbook, key: str) -> str:
    try:
        return playbook.severity(key).label
    except KeyError:
        return key
