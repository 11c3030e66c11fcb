"""POST the hand-off document (docs/handoff.schema.json) to INTAKE_HANDOFF_URL, signed with HMAC-SHA256.

Headers: ``X-Intake-Signature: sha256=<hex of HMAC(secret, body)>``, ``Idempotency-Key: <tracking number>``.
2xx = taken (a receiver that has seen the key may answer 200 or 409; both mean "already have it"). 408, 429 and
5xx and network errors are retried; other 4xx need a person (the document or the configuration is wrong).
"""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ..signing import sign
from . import Backend, DeliveryError, DeliveryResult, register


def encode(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


@register("http")
class HttpBackend(Backend):
    def deliver(self, document: dict, *, idempotency_key: str) -> DeliveryResult:
        url, secret = settings.INTAKE_HANDOFF_URL, settings.INTAKE_HANDOFF_SECRET
        if not url or not secret:
            raise ImproperlyConfigured("INTAKE_HANDOFF_URL and INTAKE_HANDOFF_SECRET must be set for the http backend")
        parts = urlsplit(url)
        body = encode(document)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": idempotency_key,
            "X-Intake-Signature": sign(body, secret),
        }
        conn_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        conn = conn_class(parts.hostname, parts.port, timeout=settings.INTAKE_HANDOFF_TIMEOUT)
        try:
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            conn.request("POST", target, body, headers)
            response = conn.getresponse()
            payload = response.read(65536)
        except (OSError, http.client.HTTPException) as exc:
            raise DeliveryError(f"network: {exc.__class__.__name__}: {exc}") from exc
        finally:
            conn.close()
        status = response.status
        if 200 <= status < 300 or status == 409:
            reference = ""
            try:
                reference = str(json.loads(payload or b"{}").get("reference", ""))
            except (ValueError, AttributeError):
                pass
            return DeliveryResult(reference=reference, duplicate=status == 409)
        message = f"HTTP {status}: {payload[:200].decode('utf-8', 'replace')}"
        raise DeliveryError(message, retry=status in (408, 429) or status >= 500)
