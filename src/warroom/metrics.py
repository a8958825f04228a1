"""Prometheus metrics, exposed at /metrics. Counters live in the process's default registry."""

from __future__ import annotations

from prometheus_client import Counter

DELIVERIES = Counter(
    "warroom_deliveries",
    "Outbox delivery outcomes by channel: sent, failed (will retry), gave_up, deferred, cancelled.",
    ["channel", "outcome"],
)
PAGES = Counter("warroom_page_messages", "Page messages delivered, by contact method.", ["method"])
