"""Notice fixtures: the window's sites and staff, an application submitted through intake's service to the
in-process window, and real receivers on loopback (an SMTP server, an SMS gateway over HTTP)."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from tests.window.conftest import ITEMS, sites, staff  # noqa: F401  (fixtures)

SMS_SECRET = "test-sms-secret"


@pytest.fixture
def submit_app(db, settings, sites, django_capture_on_commit_callbacks):  # noqa: F811
    """Submit an application (with English or Chinese active) to the in-process window."""
    settings.INTAKE_HANDOFF_BACKEND = "window"

    def make(token="notice-path", language="zh-hans", email="wangwu@example.com"):
        from django.utils import translation

        from guides.models import ServiceItem
        from intake.services import submit

        items = [{"code": c, "name": n}
                 for c, n in ServiceItem.objects.filter(code__in=ITEMS).values_list("code", "name")]
        specs = [SimpleNamespace(code="applicant.name", label="申请人姓名", type="text"),
                 SimpleNamespace(code="applicant.email", label="电子邮箱", type="email")]
        with translation.override(language), django_capture_on_commit_callbacks(execute=True):
            app, created = submit(token=token, applicant=None, site=sites["hanbin"], theme_code="AK-YJS-001",
                                  theme_title="我要开超市", answers={"subject": "company"}, items=items, specs=specs,
                                  values={"applicant.name": "王五", "applicant.email": email}, delivery="自取",
                                  phone="13800001234")
        assert created
        return app

    return make


class Gateway(ThreadingHTTPServer):
    """A fake SMS gateway: checks our signature, de-duplicates by out_id as real gateways do, and answers with
    the statuses queued in ``script`` (then 200 OK)."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), GatewayHandler)
        self.received: list[dict] = []  # every accepted request
        self.delivered: dict[str, dict] = {}  # out_id -> message: what reached a phone
        self.script: list[int] = []
        self.bad_signatures = 0

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/sms/send"


class GatewayHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        expected = "sha256=" + hmac.new(SMS_SECRET.encode(), raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, self.headers.get("X-Notice-Signature", "")):
            self.server.bad_signatures += 1
            return self._answer(403, {"code": "SignatureDoesNotMatch"})
        if self.server.script:
            status = self.server.script.pop(0)
            return self._answer(status, {"code": "isv.BUSINESS_LIMIT_CONTROL" if status == 429 else "Error"})
        body = json.loads(raw)
        self.server.received.append(body)
        self.server.delivered.setdefault(body["out_id"], body)
        self._answer(200, {"code": "OK", "message_id": f"gw-{body['out_id'][:8]}"})

    def _answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = Gateway()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.NOTICE_BACKENDS = {**settings.NOTICE_BACKENDS, "sms": "sms_http"}
    settings.NOTICE_SMS_URL, settings.NOTICE_SMS_SECRET = server.url, SMS_SECRET
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on a free loopback port; ``.messages`` are the parsed e-mails it took."""
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
            return "250 Message accepted for delivery"

    with socket.socket() as probe:  # aiosmtpd checks it is up by connecting to its port: it cannot take port 0
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.NOTICE_BACKENDS = {**settings.NOTICE_BACKENDS, "email": "smtp"}
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield handler
    controller.stop()
