"""The HTTP hand-off into a separately started server: its own temp SQLite database (migrated in a subprocess,
no catalogue), `manage.py runserver --noreload` on a free loopback port, a signed POST, and the case read back
with `manage.py window_case` against that database. Every wait is bounded; the server is killed in finally."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from intake.signing import sign

pytestmark = pytest.mark.process

ROOT = Path(__file__).resolve().parents[2]
SECRET = "window-process-secret"
DOC = {
    "schema_version": 1, "tracking_number": "61090020260302000042", "submitted_at": "2026-03-02T09:00:00+08:00",
    "site": "hanbin.localhost", "theme": {"code": "AK-YJS-001", "title": "我要开超市"}, "answers": {"subject": "company"},
    "items": [{"code": "AK-GG-0001", "name": "事项一"}, {"code": "AK-GG-0002", "name": "事项二"}],
    "fields": [{"code": "applicant.name", "label": "申请人姓名", "type": "text", "value": "张三"}],
    "delivery": "网上", "contact_phone": "13800001234", "materials": [],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url: str, raw: bytes, headers: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, raw, {"Content-Type": "application/json", **headers}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_signed_handoff_into_a_running_server(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "guide_site.settings.test",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "INTAKE_HANDOFF_SECRET": SECRET,
           "INTAKE_STORAGE_DIR": str(tmp_path / "uploads"), "PYTHONUNBUFFERED": "1"}

    def manage(*args, timeout=300):
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=timeout)
        assert result.returncode == 0, f"{args}: {result.stdout[-2000:]}{result.stderr[-2000:]}"
        return result.stdout

    manage("migrate", "--noinput")
    port = free_port()
    log = open(tmp_path / "server.log", "w")
    server = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload",
                               "--skip-checks"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp_path / "server.log").read_text()[-2000:]
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "runserver did not listen within 60 s"
                time.sleep(0.2)
        url = f"http://127.0.0.1:{port}/window/handoff/"
        raw = json.dumps(DOC, ensure_ascii=False).encode()
        key = {"Idempotency-Key": DOC["tracking_number"]}
        assert post(url, raw, {**key, "X-Intake-Signature": sign(raw, "wrong")})[0] == 403
        status, body = post(url, raw, {**key, "X-Intake-Signature": sign(raw, SECRET)})
        assert (status, body["reference"]) == (201, DOC["tracking_number"])
        status, body = post(url, raw, {**key, "X-Intake-Signature": sign(raw, SECRET)})
        assert (status, body["duplicate"]) == (200, True)
        # A corrected version travels under its own key, and only a returned case takes one.
        fields = [{**DOC["fields"][0], "value": "张三三"}]
        raw2 = json.dumps({**DOC, "version": 2, "fields": fields}, ensure_ascii=False).encode()
        signed2 = {"X-Intake-Signature": sign(raw2, SECRET)}
        assert post(url, raw2, {**key, **signed2})[0] == 400
        status, body = post(url, raw2, {"Idempotency-Key": f"{DOC['tracking_number']}-v2", **signed2})
        assert status == 422 and "only a returned application" in body["detail"]
        case = json.loads(manage("window_case", DOC["tracking_number"]).strip().splitlines()[-1])
        assert case["status"] == "received" and case["versions"] == 1 and case["via"] == ["http"]
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(10)
        log.close()
