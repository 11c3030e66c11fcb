"""HMAC-SHA256 signatures of hand-off bodies and webhook calls: ``sha256=<hex>`` over the raw body."""

import hashlib
import hmac


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, header: str | None) -> bool:
    # An empty secret would make every signature computable by anyone: refuse rather than accept.
    return bool(secret and header) and hmac.compare_digest(sign(body, secret), header.strip())
