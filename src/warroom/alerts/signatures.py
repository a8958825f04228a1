"""Webhook signature checks shared by the adapters of sources that sign what they send."""

from __future__ import annotations

import hashlib
import hmac

from warroom.alerts.events import SignatureError


def verify_hmac_sha256_hex(secret: str, message: bytes, signature: str | None, *, header: str | None = None) -> None:
    """Accept `signature` only if it is the hex HMAC-SHA256 of `message` under `secret`.

    The compare is constant-time so a caller cannot learn the digest byte by byte, and the error never
    carries the secret or the expected digest: its text reaches the sender.
    """
    where = f" {header}" if header else ""
    if not signature or not signature.strip():
        raise SignatureError(f"missing signature header{where}: this integration only accepts signed requests")
    expected = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest().encode("ascii")
    given = signature.strip().lower().encode("utf-8", errors="replace")
    if not hmac.compare_digest(expected, given):
        raise SignatureError(f"signature does not match{where}: the body was not signed with this integration's secret")
