"""An SMS gateway over HTTP, shaped like the Chinese gateways: a registered signature (签名) and pre-approved
templates (模板编号) whose variables we fill; the gateway, not us, composes the text.

POST settings.NOTICE_SMS_URL, JSON {phone, sign_name, template_code, params, out_id}, header X-Notice-Signature
(HMAC-SHA256 of the body with NOTICE_SMS_SECRET, as intake signs its hand-offs). A 2xx JSON answer with
"code": "OK" (and "message_id") is sent; 429 and 5xx are retried; any other answer needs a person.
"""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

from django.conf import settings

from intake.signing import sign

from . import Backend, Message, SendError, Sent, register

# Gateways cap each text variable (e.g. 35 characters) and refuse longer values; link variables are registered
# with the template and are exempt.
PARAM_MAX = 35
LINK_PARAMS = frozenset({"link"})


@register("sms_http")
class SmsHttp(Backend):
    channels = frozenset({"sms"})

    def send(self, message: Message) -> Sent:
        if not message.template_code:
            raise SendError("no SMS template code for this notice (settings.NOTICE_SMS_TEMPLATES)", retry=False)
        body = json.dumps({
            "phone": message.recipient, "sign_name": settings.NOTICE_SMS_SIGN_NAME,
            "template_code": message.template_code, "out_id": message.uid,
            "params": {k: str(v) if k in LINK_PARAMS else str(v)[:PARAM_MAX] for k, v in message.params.items()},
        }, ensure_ascii=False).encode()
        parts = urlsplit(settings.NOTICE_SMS_URL)
        conn_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        conn = conn_class(parts.hostname, parts.port, timeout=settings.NOTICE_SEND_TIMEOUT)
        try:
            conn.request("POST", parts.path or "/", body, {
                "Content-Type": "application/json",
                "X-Notice-Signature": sign(body, settings.NOTICE_SMS_SECRET)})
            response = conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise SendError(f"gateway unreachable: {exc}") from exc
        finally:
            conn.close()
        try:
            answer = json.loads(raw or b"{}")
        except ValueError:
            answer = {}
        if response.status == 429 or response.status >= 500:
            raise SendError(f"gateway answered {response.status}: {raw[:200]!r}")
        if response.status >= 300 or answer.get("code") != "OK":
            raise SendError(f"gateway refused ({response.status}): {raw[:200]!r}", retry=False)
        return Sent(provider_id=str(answer.get("message_id", ""))[:100])
