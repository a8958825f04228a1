"""The engine: the only place time passes (ARCHITECTURE.md, principle 6)."""
