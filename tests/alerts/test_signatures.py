"""Signed webhooks are accepted only with the right digest, and refusals never leak the secret."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from warroom.alerts.events import SignatureError
from warroom.alerts.signatures import verify_hmac_sha256_hex

SECRET = "whsec-4f1c9a"
BODY = b'{"status":"firing"}'


def digest(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def test_accepts_the_right_digest_in_either_case() -> None:
    verify_hmac_sha256_hex(SECRET, BODY, digest(SECRET, BODY))
    verify_hmac_sha256_hex(SECRET, BODY, digest(SECRET, BODY).upper())
    verify_hmac_sha256_hex(SECRET, BODY, f" {digest(SECRET, BODY)}\n")


@pytest.mark.parametrize("signature", [None, "", "   "])
def test_missing_signature(signature: str | None) -> None:
    with pytest.raises(SignatureError, match=r"^missing signature header"):
        verify_hmac_sha256_hex(SECRET, BODY, signature)


@pytest.mark.parametrize(
    "signature",
    [
        digest("another-secret", BODY),
        digest(SECRET, BODY + b" "),
        "sha256=" + digest(SECRET, BODY),
        "not hex at all",
        "é" * 64,
    ],
)
def test_wrong_signature(signature: str) -> None:
    with pytest.raises(SignatureError, match=r"^signature does not match") as error:
        verify_hmac_sha256_hex(SECRET, BODY, signature)
    assert SECRET not in str(error.value)
    assert digest(SECRET, BODY) not in str(error.value)


def test_names_the_header_when_told() -> None:
    with pytest.raises(SignatureError, match="x-example-signature"):
        verify_hmac_sha256_hex(SECRET, BODY, None, header="x-example-signature")
