"""Alerts: integrations, wire-format adapters, routing, dedup and grouping, maintenance, heartbeats."""
