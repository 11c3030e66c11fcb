"""Transitions, permissions through the URLs, deadlines, results, delivery, rating, dashboard, HTTP hand-off."""

from __future__ import annotations

import json
from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from intake.signing import sign
from window import services
from window.constants import CaseStatus, Delivery, FollowUpStatus, Shipment, TaskStatus, Via
from window.models import Case, FollowUp

from .conftest import PDF, accepted, approve_all, login, make_document, received

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
TZ = ZoneInfo("Asia/Shanghai")


def at(day: date):
    """Freeze timezone.now() on ``day`` at 10:00 Beijing time (deadlines depend on the acceptance day)."""
    return mock.patch("django.utils.timezone.now", return_value=datetime(day.year, day.month, day.day, 10, tzinfo=TZ))








# --------------------------------------------------------------------------- receiving and versions


def test_receive_is_idempotent_and_validates(db, sites):
    doc = make_document()
    case, outcome = services.receive(doc)
    assert (outcome, case.status, case.site, case.version) == ("created", CaseStatus.RECEIVED, sites["hanbin"], 1)
    assert services.receive(doc)[1] == "duplicate"
    assert case.versions.count() == 1
    with pytest.raises(services.DocumentError):
        services.receive({**doc, "tracking_number": "nope"})
    changed = {**doc, "delivery": "邮寄"}
    with pytest.raises(services.DocumentError):  # not returned: intake may not change it under the window
        services.receive(changed)


def test_return_resubmit_and_diff(db, staff, sites):
    doc = make_document()
    case, _ = services.receive(doc)
    with pytest.raises(services.InvalidTransition):
        services.return_for_correction(case, user=staff["clerk"], problems=["  "])
    services.return_for_correction(case, user=staff["clerk"], problems=["材料：租赁合同", "填写内容：经营场所"])
    assert case.status == CaseStatus.RETURNED and case.problems == ["材料：租赁合同", "填写内容：经营场所"]
    fixed = json.loads(json.dumps(doc))
    fixed["fields"][2]["value"] = "汉滨区兴安路2号"
    fixed["materials"][0].update(sha256="b" * 64, file_name="lease-signed.pdf")
    case, outcome = services.receive(fixed, via=Via.HTTP)
    assert (outcome, case.status, case.version) == ("resubmitted", CaseStatus.RECEIVED, 2)
    assert services.receive(fixed)[1] == "duplicate"
    change = services.diff(doc, fixed)
    assert change["fields"] == [{"code": "business.address", "label": "经营场所", "old": "汉滨区兴安路1号",
                                 "new": "汉滨区兴安路2号"}]
    assert change["materials"][0]["change"] == "重新上传"


def test_clerk_sees_the_diff_and_checklist_link(client, staff, sites):
    doc = make_document()
    case, _ = services.receive(doc)
    services.return_for_correction(case, user=staff["clerk"], problems=["材料：租赁合同"])
    services.receive({**doc, "fields": [{**doc["fields"][0], "value": "李四"}, *doc["fields"][1:]]})
    page = login(client, staff["clerk"]).get(reverse("window:case", args=[case.tracking_number]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "补正前后变化" in body and "<del>张三</del>" in body and "<ins>李四</ins>" in body
    assert "/checklist/?subject=company" in body


# --------------------------------------------------------------------------- transitions


def test_every_case_transition_and_refusals(db, staff, sites, holidays):
    case = received()
    for bad in (services.issue, ):
        with pytest.raises(services.InvalidTransition):
            bad(case, user=staff["clerk"])
    with pytest.raises(services.InvalidTransition):
        services.record_pickup(case, user=staff["clerk"], code="000000")
    with pytest.raises(services.InvalidTransition):
        services.rate(case, score=5)
    services.accept(case, user=staff["clerk"], site=sites["hanbin"])
    assert case.status == CaseStatus.IN_APPROVAL
    with pytest.raises(services.InvalidTransition):
        services.accept(case, user=staff["clerk"], site=sites["hanbin"])  # twice
    with pytest.raises(services.InvalidTransition):
        services.return_for_correction(case, user=staff["clerk"], problems=["x"])  # after acceptance
    with pytest.raises(services.InvalidTransition):
        services.issue(case, user=staff["clerk"])  # tasks pending
    tasks = list(case.tasks.order_by("item_code"))
    with pytest.raises(services.InvalidTransition):
        services.decide(tasks[0], user=staff["gaj"], approve=True)  # no licence and no file
    with pytest.raises(services.InvalidTransition):
        services.decide(tasks[0], user=staff["gaj"], approve=False, reason=" ")
    services.decide(tasks[0], user=staff["gaj"], approve=True, licence_number="L1")
    with pytest.raises(services.InvalidTransition):
        services.decide(tasks[0], user=staff["gaj"], approve=False, reason="again")  # decided once
    services.decide(tasks[1], user=staff["swj"], approve=True, licence_number="L2")
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_APPROVAL
    services.decide(tasks[2], user=staff["rsj"], approve=False, reason="不符合条件")
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED and case.partly_rejected
    services.issue(case, user=staff["clerk"])
    assert case.status == CaseStatus.ISSUED and len(case.pickup_code) == 6
    with pytest.raises(services.InvalidTransition):
        services.issue(case, user=staff["clerk"])
    with pytest.raises(services.InvalidTransition):
        services.record_pickup(case, user=staff["clerk"], code="wrong!")
    services.record_pickup(case, user=staff["clerk"], code=case.pickup_code)
    assert case.status == CaseStatus.DELIVERED
    with pytest.raises(services.InvalidTransition):
        services.move(case, CaseStatus.RECEIVED, by="x", action="x")
    assert services.TRANSITIONS[CaseStatus.DELIVERED] == frozenset()


def test_refused_transition_through_the_url_is_409(client, staff, sites):
    case = received()
    login(client, staff["clerk"])
    response = client.post(reverse("window:case-action", args=[case.tracking_number, "issue"]))
    assert response.status_code == 409
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED
    assert client.post(reverse("window:case-action", args=[case.tracking_number, "bogus"])).status_code == 404


def test_acceptance_sends_all_tasks_at_once_with_a_working_day_deadline(db, staff, sites, holidays):
    case = received()
    with at(date(2026, 9, 30)):
        services.accept(case, user=staff["city_clerk"], site=sites["city"])
    tasks = list(case.tasks.all())
    assert {t.department_code for t in tasks} == {"GAJ", "SWJ", "RSJ"}
    assert all(t.status == TaskStatus.PENDING for t in tasks)
    assert case.accepted_site == sites["city"]  # 全市通办: accepted at the city window
    from window import calendar, workdays
    assert case.due_date == calendar.add_workdays(date(2026, 9, 30), case.promised_days, workdays.exceptions())
    assert case.due_date > calendar.add_workdays(date(2026, 9, 30), case.promised_days, {})  # holidays pushed it


# --------------------------------------------------------------------------- permissions through the URLs


def test_reviewer_sees_only_own_department(client, staff, sites):
    case = accepted(staff, sites)
    mine = case.tasks.get(department_code="GAJ")
    theirs = case.tasks.get(department_code="SWJ")
    login(client, staff["gaj"])
    listing = client.get(reverse("window:tasks")).content.decode()
    assert mine.item_name in listing and theirs.item_name not in listing
    assert "11010519491231002X" not in listing and "1101**********002X" in listing
    assert client.get(reverse("window:task", args=[mine.pk])).status_code == 200
    assert client.get(reverse("window:task", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("window:task", args=[theirs.pk]), {"decision": "reject", "reason": "x"}).status_code == 404
    assert client.get(reverse("window:task", args=[999999])).status_code == 404
    assert client.get(reverse("window:case", args=[case.tracking_number])).status_code == 404
    assert client.get(reverse("window:queue")).status_code == 403
    theirs.refresh_from_db()
    assert theirs.status == TaskStatus.PENDING


def test_county_clerk_never_sees_another_county(client, staff, sites):
    mine = received(site="hanbin.localhost")
    other = received(site=sites["other"].hostname)
    login(client, staff["clerk"])
    listing = client.get(reverse("window:queue")).content.decode()
    assert mine.tracking_number in listing and other.tracking_number not in listing
    assert "1101**********002X" in listing and "11010519491231002X" not in listing
    assert client.get(reverse("window:case", args=[other.tracking_number])).status_code == 404
    assert client.post(reverse("window:case-action", args=[other.tracking_number, "accept"])).status_code == 404
    assert client.get(reverse("window:case", args=["61090020990101000001"])).status_code == 404
    other.refresh_from_db()
    assert other.status == CaseStatus.RECEIVED
    # The city window takes applications from the whole city (全市通办).
    client.force_login(staff["city_clerk"])
    assert other.tracking_number in client.get(reverse("window:queue")).content.decode()
    client.post(reverse("window:case-action", args=[other.tracking_number, "accept"]))
    other.refresh_from_db()
    assert other.status == CaseStatus.IN_APPROVAL and other.accepted_site == sites["city"]


def test_supervisor_reads_but_does_not_act(client, staff, sites):
    case = received()
    login(client, staff["supervisor"])
    assert client.get(reverse("window:case", args=[case.tracking_number])).status_code == 200
    assert client.post(reverse("window:case-action", args=[case.tracking_number, "accept"])).status_code == 404
    assert client.get(reverse("window:dashboard")).status_code == 200
    client.force_login(staff["clerk"])
    assert client.get(reverse("window:dashboard")).status_code == 403
    client.logout()
    assert client.get(reverse("window:queue")).status_code == 302


def test_queue_filters_and_due_flags(client, staff, sites, holidays):
    late = received()
    with at(date(2026, 1, 5)):
        services.accept(late, user=staff["clerk"], site=sites["hanbin"])
    fresh = received()
    login(client, staff["clerk"])
    body = client.get(reverse("window:queue"), {"due": "overdue"}).content.decode()
    assert late.tracking_number in body and fresh.tracking_number not in body and "已超期" in body
    body = client.get(reverse("window:queue"), {"status": "received"}).content.decode()
    assert fresh.tracking_number in body and late.tracking_number not in body
    body = client.get(reverse("window:queue"), {"theme_code": "AK-YJS-001", "site": sites["hanbin"].pk}).content.decode()
    assert fresh.tracking_number in body


# --------------------------------------------------------------------------- results, inspection, delivery


def test_reviewer_result_file_checked_by_magic_bytes(client, staff, sites):
    case = accepted(staff, sites)
    task = case.tasks.get(department_code="GAJ")
    login(client, staff["gaj"])
    url = reverse("window:task", args=[task.pk])
    fake = SimpleUploadedFile("licence.pdf", b"MZ\x90\x00not a pdf", "application/pdf")
    response = client.post(url, {"decision": "approve", "result_file": fake})
    assert response.status_code == 200 and "按文件内容识别" in response.content.decode()
    response = client.post(url, {"decision": "approve", "licence_number": "GA-1",
                                 "result_file": SimpleUploadedFile("licence.png", PNG, "image/png")})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.APPROVED and task.result_file and task.result_name == "licence.png"
    assert client.post(url, {"decision": "reject", "reason": "x"}).status_code == 409  # decided once
    task.refresh_from_db()
    assert task.status == TaskStatus.APPROVED


def test_joint_inspection_recorded_once_for_several_departments(client, staff, sites):
    case = accepted(staff, sites)
    picks = list(case.tasks.filter(department_code__in=["GAJ", "SWJ"]))
    login(client, staff["clerk"])
    client.post(reverse("window:case-action", args=[case.tracking_number, "inspect"]),
                {"tasks": [t.pk for t in picks], "date": "2026-03-05", "place": "兴安路1号", "findings": "符合要求"})
    inspection = case.inspections.get()
    assert set(inspection.tasks.all()) == set(picks)
    client.force_login(staff["swj"])
    assert "符合要求" in client.get(reverse("window:task", args=[picks[1].pk])).content.decode()


def test_post_delivery_waybill_then_signed(client, staff, sites):
    case = approve_all(accepted(staff, sites, delivery=Delivery.POST), staff)
    login(client, staff["clerk"])
    client.post(reverse("window:case-action", args=[case.tracking_number, "issue"]))
    client.post(reverse("window:case-action", args=[case.tracking_number, "ship"]), {"waybill": "SF1234567890"})
    case.refresh_from_db()
    assert (case.status, case.shipment, case.waybill_number) == (CaseStatus.ISSUED, Shipment.SHIPPED, "SF1234567890")
    client.post(reverse("window:case-action", args=[case.tracking_number, "shipment"]), {"status": "signed"})
    case.refresh_from_db()
    assert case.status == CaseStatus.DELIVERED and case.delivered_at
    actions = list(case.events.values_list("action", flat=True))
    assert actions.index("综合窗口受理") < actions.index("统一出件") < actions.index("快递寄出") < actions.index("一次送达")


def test_online_results_by_signed_link(client, staff, sites):
    case = accepted(staff, sites, delivery=Delivery.ONLINE)
    for task in case.tasks.all():
        services.decide(task, user=None, approve=True, result_file=SimpleUploadedFile("r.pdf", PDF))
    case.refresh_from_db()
    services.issue(case, user=staff["clerk"])
    path = services.download_path(case)
    assert client.get(path[:-3] + "xx/").status_code == 404  # tampered token
    page = client.get(path)
    assert page.status_code == 200 and "下载结果文件" in page.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.DELIVERED and case.downloaded_at
    task = case.tasks.first()
    file_response = client.get(reverse("window:result-file", args=[path.split("/")[-2], task.pk]))
    assert b"".join(file_response.streaming_content).startswith(b"%PDF")


# --------------------------------------------------------------------------- rating and follow-up


def test_bad_rating_opens_follow_up_in_15_working_days(client, staff, sites, holidays):
    case = approve_all(accepted(staff, sites), staff)
    services.issue(case, user=staff["clerk"])
    services.record_pickup(case, user=staff["clerk"], code=case.pickup_code)
    lookup = {"q-tracking_number": case.tracking_number, "q-phone": "13800001234"}
    assert "没有找到" in client.post(reverse("window:rate"), {**lookup, "q-phone": "13900000000"}).content.decode()
    with at(date(2026, 9, 24)):
        response = client.post(reverse("window:rate"), {**lookup, "r-score": "2", "r-comment": "等太久"})
    assert "感谢您的评价" in response.content.decode()
    follow_up = FollowUp.objects.get(rating__case=case)
    # 15 working days from Thu 24 Sep across 中秋 and 国庆 (and the adjusted Sat 10 Oct): 22 Oct.
    assert follow_up.due_date == date(2026, 10, 22)
    assert "已评价" in client.post(reverse("window:rate"), {**lookup, "r-score": "5"}).content.decode()
    login(client, staff["supervisor"])
    assert case.tracking_number in client.get(reverse("window:follow-ups")).content.decode()
    client.post(reverse("window:follow-up-close", args=[follow_up.pk]), {"resolution": "已电话回访致歉"})
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.CLOSED


def test_good_rating_opens_nothing(db, staff, sites):
    case = approve_all(accepted(staff, sites), staff)
    services.issue(case, user=staff["clerk"])
    services.record_pickup(case, user=staff["clerk"], code=case.pickup_code)
    services.rate(case, score=5)
    assert not FollowUp.objects.exists()
    with pytest.raises(services.InvalidTransition):
        services.rate(case, score=4)


# --------------------------------------------------------------------------- dashboard


def test_dashboard_figures(client, staff, sites, holidays):
    done = approve_all(accepted(staff, sites), staff)
    services.issue(done, user=staff["clerk"])
    services.record_pickup(done, user=staff["clerk"], code=done.pickup_code)
    services.rate(done, score=4)
    with at(date(2026, 1, 5)):
        accepted(staff, sites)  # long overdue
    data = services_dashboard()
    row = next(r for r in data["rows"] if r["site"] == sites["hanbin"].site_name)
    assert row["count"] == 2 and row["overdue"] == 1 and row["avg_score"] == 4.0
    assert row["avg_days"] == 0 and row["promised"] == done.promised_days
    from guides.models import ThemePage
    page = ThemePage.objects.filter(code="AK-YJS-001", live=True).first()
    assert row["visits_saved"] == 2 * (page.visits_before - page.visits_after)
    login(client, staff["supervisor"])
    body = client.get(reverse("window:dashboard")).content.decode()
    assert "督查看板" in body and "window-bars" in body and "<script" not in body


def services_dashboard():
    from window.views import dashboard_data

    return dashboard_data(Case.objects.all())


# --------------------------------------------------------------------------- HTTP hand-off (in the test client)


def post_handoff(client, document, *, key=None, secret=None):
    raw = json.dumps(document, ensure_ascii=False).encode()
    from django.conf import settings

    return client.post(reverse("window:handoff"), raw, content_type="application/json",
                       HTTP_IDEMPOTENCY_KEY=document["tracking_number"] if key is None else key,
                       HTTP_X_INTAKE_SIGNATURE=sign(raw, secret or settings.INTAKE_HANDOFF_SECRET))


def test_handoff_endpoint_checks_signature_and_key(client, db):
    doc = make_document()
    assert post_handoff(client, doc, secret="wrong").status_code == 403
    assert post_handoff(client, doc, key="61090020990101000001").status_code == 400
    assert post_handoff(client, {**doc, "items": []}).status_code == 400
    first = post_handoff(client, doc)
    assert first.status_code == 201 and first.json()["reference"] == doc["tracking_number"]
    again = post_handoff(client, doc)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert post_handoff(client, {**doc, "delivery": "邮寄"}).status_code == 422
    assert Case.objects.get(tracking_number=doc["tracking_number"]).versions.get().via == Via.HTTP


def test_county_promise_sets_the_deadline(db, staff, sites, holidays):
    """A county that promises fewer days than the city is held to its own promise, whichever window accepts."""
    from counties.models import ThemeOverride
    from guides.models import ThemePage

    theme = ThemePage.objects.get(code="AK-YJS-001", alias_of__isnull=True, locale__language_code="zh-hans")
    assert theme.days_after > 1
    ThemeOverride.objects.create(site=sites["hanbin"], theme=theme, days_after=theme.days_after - 1)
    county = services.accept(received(site="hanbin.localhost"), user=staff["city_clerk"], site=sites["city"])
    other = services.accept(received(site=sites["other"].hostname), user=staff["city_clerk"], site=sites["city"])
    assert county.promised_days == theme.days_after - 1
    assert other.promised_days == theme.days_after
    assert county.due_date < other.due_date


def test_admin_menu_shows_each_role_its_own_window_pages(rf, staff):
    """The admin's 综合窗口 menu lists what the user's role opens, and nothing for a user without a role."""
    from django.contrib.auth.models import AnonymousUser
    from wagtail.admin.menu import admin_menu

    def labels(user):
        request = rf.get("/admin/")
        request.user = user
        window = [i for i in admin_menu.menu_items_for_request(request) if i.label == "综合窗口"]
        return [i.label for i in window[0].menu.menu_items_for_request(request)] if window else []

    assert labels(staff["clerk"]) == ["受理队列"]
    assert labels(staff["gaj"]) == ["部门审批"]
    assert labels(staff["supervisor"]) == ["受理队列", "统计看板", "差评整改"]
    assert labels(AnonymousUser()) == []


def test_setup_window_demo_gives_the_dev_admin_every_role_once(db, settings, django_user_model):
    from django.core.management import CommandError, call_command

    from guides.models import Department
    from window.models import WindowRole

    admin = django_user_model.objects.create_superuser("admin", "a@example.org", "pw-123456")
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("setup_window_demo")
    settings.DEBUG = True
    call_command("setup_window_demo")
    call_command("setup_window_demo")
    roles = WindowRole.objects.filter(user=admin)
    assert roles.count() == 2 + Department.objects.count()
    assert roles.get(role="clerk").site.is_default_site and roles.filter(role="supervisor").exists()
