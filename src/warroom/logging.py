"""Structured logs (structlog over the standard library). Secrets are never passed to a logger."""

from __future__ import annotations

import logging

import structlog


def configure_logging(level: str = "info") -> None:
    logging.basicConfig(level=level.upper(), format="%(message)s")
    # HTTP client libraries log request URLs, and some URLs are credentials (webhook URLs): keep them quiet.
    for noisy in ("httpx", "httpcore", "urllib3", "slack_sdk", "twilio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.stdlib.LoggerFactory(),
    )
