"""Messages out: the outbox, the sender that delivers it, and the channels (ARCHITECTURE.md, principle 7)."""
