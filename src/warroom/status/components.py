"""Components: kept in step with the playbook's `components`, and their status changes.

New playbook components start operational; ones the playbook no longer names are hidden, not deleted (their
history stays). A group (Statuspage's `group: true`) is a row too, keyed "group:<name>"; groups nest one level.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from warroom.errors import Problems
from warroom.playbook.schema import Playbook
from warroom.status.identity import new_code
from warroom.status.records import ComponentRecord, component_of, read_components
from warroom.status.vocabulary import ComponentStatus
from warroom.store.tables import status_components

GROUP_PREFIX = "group:"


@dataclass(frozen=True)
class ComponentChange:
    """One component moved from one status to another (old == new when it is only named as affected)."""

    component: ComponentRecord  # as it is after the change
    old_status: ComponentStatus

    @property
    def changed(self) -> bool:
        return self.old_status is not self.component.status

    def affected(self) -> dict[str, str]:
        """The `affected_components` entry of an incident update, in Statuspage's words."""
        return {
            "code": self.component.code,
            "name": self.component.name,
            "old_status": self.old_status.value,
            "new_status": self.component.status.value,
        }


def desired_rows(playbook: Playbook) -> dict[str, dict[str, Any]]:
    """key -> the row the playbook asks for: top-level items numbered in playbook order, members within groups."""
    rows: dict[str, dict[str, Any]] = {}
    top = 0
    within: dict[str, int] = {}
    for component in playbook.components:
        group = component.group
        if group is not None and f"{GROUP_PREFIX}{group}" not in rows:
            top += 1
            rows[f"{GROUP_PREFIX}{group}"] = {
                "name": group,
                "description": None,
                "group_name": None,
                "is_group": True,
                "position": top,
            }
        if group is None:
            top += 1
            position = top
        else:
            within[group] = within.get(group, 0) + 1
            position = within[group]
        rows[component.key] = {
            "name": component.name,
            "description": component.description,
            "group_name": group,
            "is_group": False,
            "position": position,
        }
    return rows


def sync(tx: Connection, playbook: Playbook, now: datetime) -> None:
    wanted = desired_rows(playbook)
    existing = {row.key: row for row in tx.execute(select(status_components))}
    for key, values in wanted.items():
        row = existing.get(key)
        if row is None:
            tx.execute(
                insert(status_components).values(
                    code=new_code(),
                    key=key,
                    status=ComponentStatus.OPERATIONAL.value,
                    showcase=False,
                    only_show_if_degraded=False,
                    created_at=now,
                    updated_at=now,
                    removed_at=None,
                    **values,
                )
            )
            continue
        current = {name: getattr(row, name) for name in values}
        if current != values or row.removed_at is not None:
            tx.execute(
                update(status_components)
                .where(status_components.c.id == row.id)
                .values(**values, removed_at=None, updated_at=now)
            )
    for key, row in existing.items():
        if key not in wanted and row.removed_at is None:
            tx.execute(update(status_components).where(status_components.c.id == row.id).values(removed_at=now))


def check_changes(
    tx: Connection, changes: Mapping[str, str], field: str, problems: Problems
) -> dict[str, tuple[ComponentRecord, ComponentStatus]]:
    """Validate `{component key: status}` and return what it names; every bad entry is one problem."""
    known = {component.key: component for component in read_components(tx)}
    checked: dict[str, tuple[ComponentRecord, ComponentStatus]] = {}
    for key, wanted in changes.items():
        component = known.get(key)
        if component is None:
            names = ", ".join(k for k, c in known.items() if not c.is_group) or "no components"
            problems.add(f"{field}.{key}", f"unknown component; this page has {names}")
            continue
        if component.is_group:
            problems.add(f"{field}.{key}", "a group's status follows its components; set theirs")
            continue
        try:
            checked[key] = (component, ComponentStatus(wanted))
        except ValueError:
            allowed = ", ".join(status.value for status in ComponentStatus)
            problems.add(f"{field}.{key}", f"unknown status {wanted!r}; one of {allowed}")
    return checked


def apply(
    tx: Connection, checked: Mapping[str, tuple[ComponentRecord, ComponentStatus]], now: datetime
) -> list[ComponentChange]:
    done = []
    for component, status in checked.values():
        if status is not component.status:
            tx.execute(
                update(status_components)
                .where(status_components.c.id == component.id)
                .values(status=status.value, updated_at=now)
            )
            row = tx.execute(select(status_components).where(status_components.c.id == component.id)).one()
            done.append(ComponentChange(component_of(row), component.status))
        else:
            done.append(ComponentChange(component, component.status))
    return done


def by_code(tx: Connection, codes: list[str]) -> list[ComponentRecord]:
    if not codes:
        return []
    rows = tx.execute(select(status_components).where(status_components.c.code.in_(codes)))
    found = {row.code: component_of(row) for row in rows}
    return [found[code] for code in codes if code in found]
