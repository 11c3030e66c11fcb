"""Workflow, webhook, hand-off document and retries, progress page, tracking numbers, masking, purge."""

import json
import logging
import re
from datetime import timedelta

import jsonschema
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from intake import handoff
from intake.backends import Backend, DeliveryError, DeliveryResult, get_backend, names, register
from intake.constants import OutboxState, Status
from intake.models import Application, Outbox, Upload
from intake.services import next_tracking_number
from intake.signing import sign
from intake.workflow import InvalidTransition, transition

SCHEMA = json.loads((settings.BASE_DIR / "docs" / "handoff.schema.json").read_text())


@pytest.fixture
def app(client, case, start):
    token = start()
    client.post(case.url, {**case.data(token), **case.files()}, HTTP_HOST="localhost")
    return Application.objects.get()


def hook(body: dict, secret=None):
    raw = json.dumps(body).encode()
    return Client().post("/intake/webhook/", raw, content_type="application/json", HTTP_HOST="localhost",
                         HTTP_X_INTAKE_SIGNATURE=sign(raw, secret or settings.INTAKE_HANDOFF_SECRET))


@pytest.mark.django_db
def test_document_matches_the_published_schema(app):
    doc = handoff.document(app)
    jsonschema.validate(doc, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert doc["tracking_number"] == app.tracking_number and len(doc["materials"]) == app.uploads.count()


@pytest.mark.django_db
def test_workflow_refuses_invalid_transitions(app):
    with pytest.raises(InvalidTransition):
        transition(app, Status.COMPLETED, by="t")
    with pytest.raises(InvalidTransition):
        transition(app, Status.RETURNED, by="t", problems=[])  # a return must say what to fix
    transition(app, Status.RETURNED, by="t", problems=["营业执照复印件不清晰"])
    assert app.status == Status.RETURNED and app.return_reasons == ["营业执照复印件不清晰"]
    transition(app, Status.SUBMITTED, by="申请人")
    transition(app, Status.ACCEPTED, by="t")
    transition(app, Status.IN_APPROVAL, by="t")
    assert app.tasks.count() == len(app.items)
    codes = [i["code"] for i in app.items]
    with pytest.raises(InvalidTransition):  # results say otherwise
        transition(app, Status.COMPLETED, by="t", results={c: {"status": "approved"} for c in codes[:-1]}
                   | {codes[-1]: {"status": "rejected"}})
    transition(app, Status.PARTLY_REJECTED, by="t", results={c: {"status": "approved"} for c in codes[:-1]}
               | {codes[-1]: {"status": "rejected", "note": "不符合距离要求"}})
    transition(app, Status.DELIVERED, by="t")
    assert app.finished_at is not None
    assert [h.to_status for h in app.history.all()] == ["submitted", "returned", "submitted", "accepted",
                                                        "in_approval", "partly_rejected", "delivered"]


@pytest.mark.django_db
def test_webhook(app):
    assert hook({"tracking_number": app.tracking_number, "status": "accepted"}, secret="forged").status_code == 403
    r = Client().post("/intake/webhook/", b"{}", content_type="application/json", HTTP_HOST="localhost")
    assert r.status_code == 403 and r.json()["error"] == "bad signature"
    assert hook({"tracking_number": "61090020000101000001", "status": "accepted"}).status_code == 404
    assert hook({"tracking_number": app.tracking_number, "status": "delivered"}).status_code == 409
    r = hook({"tracking_number": app.tracking_number, "status": "accepted", "note": "材料齐全"})
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert hook({"tracking_number": app.tracking_number, "status": "accepted"}).status_code == 200  # retry
    app.refresh_from_db()
    assert app.status == Status.ACCEPTED and app.history.filter(to_status="accepted").count() == 1


@pytest.mark.django_db
def test_webhook_delivery_info(app):
    """How to collect the results is structured: checked keys, merged, recorded even without a status change."""
    number = app.tracking_number
    r = hook({"tracking_number": number, "status": "submitted", "delivery": {"tracking_url": "x"}})
    assert r.status_code == 400 and "delivery keys" in r.json()["detail"]
    r = hook({"tracking_number": number, "status": "submitted", "delivery": {"download_url": "javascript:alert(1)"}})
    assert r.status_code == 400 and "http(s)" in r.json()["detail"]
    r = hook({"tracking_number": number, "status": "submitted", "delivery": {"pickup_code": "123456"}})
    assert r.status_code == 200 and r.json()["unchanged"] is True
    r = hook({"tracking_number": number, "status": "submitted", "delivery": {"waybill_number": " SF1 "}})
    app.refresh_from_db()
    assert app.delivery_info == {"pickup_code": "123456", "waybill_number": "SF1"}
    assert app.history.count() == 1  # no status change was recorded for them


class Flaky(Backend):
    calls = 0

    def deliver(self, document, *, idempotency_key):
        type(self).calls += 1
        if type(self).calls <= 2:
            raise DeliveryError("HTTP 503")
        return DeliveryResult("ok")


register("test-flaky")(Flaky)


@pytest.mark.django_db
def test_retries_with_backoff_then_needs_attention(app, settings, django_capture_on_commit_callbacks):
    settings.INTAKE_HANDOFF_BACKOFF_BASE = 10
    assert handoff.backoff(1) == 10 and handoff.backoff(3) == 40
    settings.INTAKE_HANDOFF_BACKOFF_MAX = 25
    assert handoff.backoff(5) == 25
    assert {"http", "log", "test-flaky"} <= set(names())
    Flaky.calls = 0
    outbox = Outbox.objects.create(application=app, backend="test-flaky")
    assert handoff.deliver(outbox.pk) == "retry"
    outbox.refresh_from_db()
    assert outbox.state == OutboxState.PENDING and outbox.next_attempt_at > timezone.now()
    assert handoff.deliver(outbox.pk) == "skipped"  # not due yet
    Outbox.objects.filter(pk=outbox.pk).update(next_attempt_at=timezone.now())
    settings.INTAKE_HANDOFF_MAX_ATTEMPTS = 2
    assert handoff.deliver(outbox.pk) == "failed"
    outbox.refresh_from_db()
    assert outbox.state == OutboxState.FAILED and app.needs_attention
    # staff: the list flags it, the resend action delivers it
    staff = type(app.applicant or app).objects if False else None  # noqa: F841
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("boss", password="x")
    c = Client()
    c.force_login(admin)
    listing = c.get("/admin/intake/?attention=1", HTTP_HOST="localhost").content.decode()
    assert app.tracking_number in listing and "需人工处理" in listing
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(f"/admin/intake/{app.tracking_number}/resend/", HTTP_HOST="localhost")
    assert r.status_code == 302
    outbox.refresh_from_db()
    assert outbox.state == OutboxState.DELIVERED
    assert app.access_log.filter(user=admin, action="resend").exists()


@pytest.mark.django_db
def test_http_backend_signs_and_sends_the_key(app, settings, monkeypatch):
    seen = {}

    class Conn:
        def __init__(self, host, port, timeout):
            seen["host"] = host

        def request(self, method, target, body, headers):
            seen.update(method=method, target=target, body=body, headers=headers)

        def getresponse(self):
            class R:
                status = 201

                def read(self, n):
                    return b'{"reference": "X1"}'

            return R()

        def close(self):
            pass

    import intake.backends.http as http_backend

    monkeypatch.setattr(http_backend.http.client, "HTTPConnection", Conn)
    settings.INTAKE_HANDOFF_URL = "http://approvals.example/intake"
    result = get_backend("http").deliver(handoff.document(app), idempotency_key=app.tracking_number)
    assert result.reference == "X1"
    assert seen["headers"]["Idempotency-Key"] == app.tracking_number
    assert seen["headers"]["X-Intake-Signature"] == sign(seen["body"], settings.INTAKE_HANDOFF_SECRET)
    jsonschema.validate(json.loads(seen["body"]), SCHEMA)


@pytest.mark.django_db
def test_progress_page_same_answer_and_rate_limit(app, settings):
    from django.core.cache import cache

    cache.clear()
    c = Client(REMOTE_ADDR="10.0.0.7")
    ok = c.post("/intake/progress/", {"tracking_number": app.tracking_number, "phone": app.phone},
                HTTP_HOST="localhost").content.decode()
    assert "已提交" in ok and app.theme_title not in ok and "1101" not in ok
    wrong_phone = c.post("/intake/progress/", {"tracking_number": app.tracking_number, "phone": "13900000000"},
                         HTTP_HOST="localhost").content.decode()
    unknown = c.post("/intake/progress/", {"tracking_number": "61090020000101000001", "phone": "13900000000"},
                     HTTP_HOST="localhost").content.decode()
    import re

    strip = lambda s: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", s).replace(app.tracking_number, "").replace("61090020000101000001", "").replace(app.phone, "")  # noqa: E731
    assert "没有找到" in wrong_phone and strip(wrong_phone).replace("13900000000", "") == \
        strip(unknown).replace("13900000000", "")
    codes = [c.post("/intake/progress/", {"tracking_number": "AK1", "phone": "1"}, HTTP_HOST="localhost").status_code
             for _ in range(10)]
    assert codes[:7] == [200] * 7 and codes[-1] == 429  # 10 per window, 3 used above
    assert Client(REMOTE_ADDR="10.0.0.8").post("/intake/progress/", {"tracking_number": "AK1", "phone": "1"},
                                               HTTP_HOST="localhost").status_code == 200


@pytest.mark.django_db
def test_masking_in_admin_and_logs(app, caplog):
    from django.contrib.auth import get_user_model

    from intake.logging import MaskIdNumbersFilter

    admin = get_user_model().objects.create_superuser("boss", password="x")
    c = Client()
    c.force_login(admin)
    html = c.get(f"/admin/intake/{app.tracking_number}/", HTTP_HOST="localhost").content.decode()
    assert "1101**********002X" in html and "11010519491231002X" not in html
    assert app.access_log.filter(user=admin, action="admin-view").count() == 1
    c.get(f"/intake/staff/{app.tracking_number}/", HTTP_HOST="localhost")
    assert app.access_log.filter(user=admin, action="view").count() == 1
    record = logging.LogRecord("x", logging.INFO, "f", 1, "id %s", ("11010519491231002X",), None)
    MaskIdNumbersFilter().filter(record)
    assert record.getMessage() == "id 1101**********002X"


@pytest.mark.django_db
def test_purge_uploads(app, settings):
    paths = [u.path for u in app.uploads.all()]
    assert all(p.exists() for p in paths)
    call_command("purge_uploads", verbosity=0)
    assert all(p.exists() for p in paths)  # not finished yet
    Application.objects.filter(pk=app.pk).update(status=Status.DELIVERED,
                                                 finished_at=timezone.now() - timedelta(days=settings.INTAKE_RETENTION_DAYS + 1))
    call_command("purge_uploads", verbosity=0)
    assert not any(p.exists() for p in paths)
    assert not Upload.objects.filter(application=app, purged_at__isnull=True).exists()


@pytest.mark.django_db
def test_tracking_numbers_count_up_per_day():
    """Format and per-day sequence (per region: test_receipt.py). Concurrency is tested against a real database in
    test_real_processes.py."""
    day = timezone.localdate()
    first = next_tracking_number(day=day)
    assert re.fullmatch(rf"610900{day:%Y%m%d}\d{{6}}", first)
    assert next_tracking_number(day=day) == first[:-6] + f"{int(first[-6:]) + 1:06d}"
    other = day + timedelta(days=1000)
    assert next_tracking_number(day=other) == f"610900{other:%Y%m%d}000001"
