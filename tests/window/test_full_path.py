"""The whole path with intake's own service: submit → hand-off to the window backend → accept → parallel
approvals → issue → delivery → rating, with intake's application following every step."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from intake.constants import Status
from intake.models import Application
from window import services
from window.constants import CaseStatus, Via
from window.models import Case

from .conftest import ITEMS


@pytest.fixture
def submitted(db, settings, sites, django_capture_on_commit_callbacks):
    settings.INTAKE_HANDOFF_BACKEND = "window"
    from guides.models import ServiceItem
    from intake.services import submit

    items = [{"code": c, "name": n} for c, n in ServiceItem.objects.filter(code__in=ITEMS).values_list("code", "name")]
    specs = [SimpleNamespace(code="applicant.name", label="申请人姓名", type="text"),
             SimpleNamespace(code="applicant.id_number", label="身份证号码", type="id_number")]
    with django_capture_on_commit_callbacks(execute=True):
        app, created = submit(token="window-full-path", applicant=None, site=sites["hanbin"], theme_code="AK-YJS-001",
                              theme_title="我要开超市", answers={"subject": "company"}, items=items, specs=specs,
                              values={"applicant.name": "王五", "applicant.id_number": "11010519491231002X"},
                              delivery="自取", phone="13800001234")
    assert created
    return app


def test_submit_to_rating(submitted, staff, sites, django_capture_on_commit_callbacks):
    app = submitted
    case = Case.objects.get(tracking_number=app.tracking_number)  # the in-process backend delivered it
    assert case.versions.get().via == Via.IN_PROCESS and case.site == sites["hanbin"]
    assert app.outbox.get().state == "delivered"

    services.return_for_correction(case, user=staff["clerk"], problems=["填写内容：申请人姓名"])
    app.refresh_from_db()
    assert app.status == Status.RETURNED and app.return_reasons == ["填写内容：申请人姓名"]
    # The applicant corrects through intake's resubmission (its page is tested in tests/intake/test_correction.py);
    # the new version travels through the outbox and the in-process backend like the first.
    from intake.services import resubmit

    with django_capture_on_commit_callbacks(execute=True):
        resubmit(app, token="no-new-files", values={"applicant.name": "王五五"})
    case.refresh_from_db()
    app.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED and case.version == 2 and app.status == Status.SUBMITTED
    assert case.document["fields"][0]["value"] == "王五五"

    services.accept(case, user=staff["clerk"], site=sites["hanbin"])
    app.refresh_from_db()
    assert app.status == Status.IN_APPROVAL and app.tasks.count() == len(ITEMS)
    reviewers = {"GAJ": staff["gaj"], "SWJ": staff["swj"], "RSJ": staff["rsj"]}
    for task in case.tasks.all():  # every department works at the same time, in any order
        services.decide(task, user=reviewers[task.department_code], approve=task.department_code != "RSJ",
                        licence_number="L-1", reason="社保登记信息不全")
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED
    services.issue(case, user=staff["clerk"])
    app.refresh_from_db()
    assert app.status == Status.PARTLY_REJECTED
    assert {t.item_code: t.status for t in app.tasks.all()} == {t.item_code: t.status for t in case.tasks.all()}
    # How to collect travels as structured data, shown on intake's receipt and progress pages.
    assert app.delivery_info["pickup_code"] == case.pickup_code
    assert sites["hanbin"].site_name in app.delivery_info["pickup_place"]

    services.record_pickup(case, user=staff["clerk"], code=case.pickup_code)
    app.refresh_from_db()
    assert app.status == Status.DELIVERED and app.finished_at
    services.rate(case, score=1, comment="跑了两次")
    assert case.rating.follow_up.status == "open"
    assert [h.to_status for h in app.history.all()] == [
        "submitted", "returned", "submitted", "accepted", "in_approval", "partly_rejected", "delivered"]


def test_intake_refusal_is_recorded_not_raised(submitted, staff, sites):
    case = Case.objects.get(tracking_number=submitted.tracking_number)
    Application.objects.filter(pk=submitted.pk).update(status=Status.DELIVERED)  # out of step on purpose
    services.accept(case, user=staff["clerk"], site=sites["hanbin"])
    assert case.status == CaseStatus.IN_APPROVAL
    assert case.events.filter(action="进度同步失败").exists()


@pytest.mark.parametrize("delivery", ["邮寄", "网上"])
def test_how_to_collect_reaches_the_receipt(submitted, staff, sites, client, delivery):
    """The waybill (sent after issuing, without a status change) and the download link are structured fields of
    intake's application, shown on the applicant's receipt, not words in a note."""
    from window.constants import Delivery

    app = submitted
    case = Case.objects.get(tracking_number=app.tracking_number)
    Case.objects.filter(pk=case.pk).update(delivery=delivery)
    case.refresh_from_db()
    services.accept(case, user=staff["clerk"], site=sites["hanbin"])
    for task in case.tasks.all():
        services.decide(task, user=None, approve=True, licence_number="L-1")
    case.refresh_from_db()
    services.issue(case, user=staff["clerk"])
    if delivery == Delivery.POST:
        services.ship(case, user=staff["clerk"], waybill="SF1234567890")
        expected = {"waybill_number": "SF1234567890"}
    else:
        expected = {"download_url": f"http://localhost:8000{services.download_path(case)}"}
    app.refresh_from_db()
    assert app.status == Status.COMPLETED and app.delivery_info == expected
    session = client.session
    session["intake_submitted"] = [app.tracking_number]
    session.save()
    receipt = client.get(f"/intake/applications/{app.tracking_number}/", HTTP_HOST="localhost").content.decode()
    assert next(iter(expected.values())) in receipt and "领取办理结果" in receipt
