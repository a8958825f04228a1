"""Tests of the outbox, the sender and the delivery channels."""
