"""Webhook signatures: HMAC-SHA256 of the raw request body with the receiver's secret.

Senders put `sha256=<hex digest>` in the `X-CDP-Signature` header; receivers recompute it
over the body exactly as received, before parsing it.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_PREFIX = "sha256="


def sign_body(secret: str | bytes, body: bytes) -> str:
    """The `X-CDP-Signature` header value for `body`."""
    digest = hmac.new(_key(secret), body, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_PREFIX}{digest}"


def verify_signature(secret: str | bytes, body: bytes, header: str | None) -> bool:
    """Whether `header` is the signature of `body` with `secret`."""
    header = (header or "").strip()
    if not header.startswith(SIGNATURE_PREFIX):
        return False
    # A constant-time comparison gives an attacker no timing hint about the digest.
    return hmac.compare_digest(sign_body(secret, body).encode(), header.encode("utf-8"))


def _key(secret: str | bytes) -> bytes:
    return secret.encode("utf-8") if isinstance(secret, str) else secret
