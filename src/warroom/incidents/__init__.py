"""Incidents: the lifecycle (pure), the use cases (service) and the timeline."""
