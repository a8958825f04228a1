"""Statuspage's words, exactly: component statuses, incident and maintenance statuses, impacts, indicators."""

from __future__ import annotations

from enum import StrEnum


class ComponentStatus(StrEnum):
    OPERATIONAL = "operational"
    UNDER_MAINTENANCE = "under_maintenance"
    DEGRADED_PERFORMANCE = "degraded_performance"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"

    @property
    def rank(self) -> int:
        """How bad, for "the worst of": maintenance is planned, so it is better than any degradation."""
        return list(ComponentStatus).index(self)

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class IncidentStatus(StrEnum):
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    POSTMORTEM = "postmortem"

    @property
    def closed(self) -> bool:
        return self in (IncidentStatus.RESOLVED, IncidentStatus.POSTMORTEM)


class MaintenanceStatus(StrEnum):
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    VERIFYING = "verifying"
    COMPLETED = "completed"

    @property
    def active(self) -> bool:
        return self in (MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING)


class Impact(StrEnum):
    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"
    MAINTENANCE = "maintenance"  # the impact Statuspage gives every scheduled maintenance

    @property
    def rank(self) -> int:
        return {"none": 0, "maintenance": 0, "minor": 1, "major": 2, "critical": 3}[self.value]


class Indicator(StrEnum):
    NONE = "none"
    MAINTENANCE = "maintenance"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return list(Indicator).index(self)


class Kind(StrEnum):
    INCIDENT = "incident"
    MAINTENANCE = "maintenance"


def status_label(status: str) -> str:
    """'in_progress' -> 'In progress': how a status reads on the page and in e-mails."""
    return status.replace("_", " ").capitalize()
