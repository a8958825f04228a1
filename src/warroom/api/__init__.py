"""The HTTP API under /api/v1: thin translation of requests into service calls."""
