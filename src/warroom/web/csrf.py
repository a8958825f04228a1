"""CSRF: every form and htmx request carries a token derived from the session's secret; a POST without it is refused."""

from __future__ import annotations

import hashlib
import hmac

from warroom.web.sessions import WebSession

FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


def token_for(session: WebSession) -> str:
    return hmac.new(session.csrf_secret.encode(), b"warroom-web-form", hashlib.sha256).hexdigest()


def is_valid(session: WebSession, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(token_for(session), str(submitted))
