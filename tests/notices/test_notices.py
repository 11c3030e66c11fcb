"""一次送达 notices: a stored message at every milestone, on every channel the applicant gave, sent once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from notices.constants import State
from notices.models import Contact, Notice
from window import services
from window.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def accept(staff, sites, django_capture_on_commit_callbacks):
    """The clerk accepts the application's case; its reports and notices run as after a commit."""

    def go(app):
        case = Case.objects.get(tracking_number=app.tracking_number)
        with django_capture_on_commit_callbacks(execute=True):
            services.accept(case, user=staff["clerk"], site=sites["hanbin"])
        return case

    return go


def walk(app, staff, sites, capture):
    """The window takes the application from return to delivery, as a clerk and the reviewers would; each step
    commits (its hand-offs, reports and notices run) before the next."""
    from intake.services import resubmit

    case = Case.objects.get(tracking_number=app.tracking_number)
    reviewers = {"GAJ": staff["gaj"], "SWJ": staff["swj"], "RSJ": staff["rsj"]}
    with capture(execute=True):
        services.return_for_correction(case, user=staff["clerk"], problems=["填写内容：申请人姓名", "营业执照副本不清晰"])
    with capture(execute=True):
        resubmit(app, token="no-new-files", values={"applicant.name": "王五五"})
    case.refresh_from_db()
    with capture(execute=True):
        services.accept(case, user=staff["clerk"], site=sites["hanbin"])
    for task in case.tasks.all():
        with capture(execute=True):
            services.decide(task, user=reviewers[task.department_code], approve=task.department_code != "RSJ",
                            licence_number="L-1", reason="社保登记信息不全")
    case.refresh_from_db()
    with capture(execute=True):
        services.issue(case, user=staff["clerk"])
    case.refresh_from_db()
    with capture(execute=True):
        services.record_pickup(case, user=staff["clerk"], code=case.pickup_code)
    return case


def test_every_milestone_is_one_stored_message_per_channel(submit_app, staff, sites,
                                                           django_capture_on_commit_callbacks):
    app = submit_app()
    contact = Contact.objects.get(application=app)
    assert (contact.phone, contact.email, contact.language) == ("13800001234", "wangwu@example.com", "zh-hans")
    case = walk(app, staff, sites, django_capture_on_commit_callbacks)
    notices = list(app.notices.order_by("pk"))
    assert [(n.event, n.channel) for n in notices] == [
        (event, channel) for event in ("returned", "accepted", "decision", "decision", "decision", "completed",
                                       "delivered", "rating")
        for channel in ("sms", "email")]
    assert {n.state for n in notices} == {State.SENT} and all(n.sent_at and n.attempts == 1 for n in notices)
    by = {(n.event, n.channel): n for n in notices}
    returned = by["returned", "email"].body
    assert "有 2 处需要补正" in returned and "1. 填写内容：申请人姓名" in returned and "2. 营业执照副本不清晰" in returned
    assert f"/intake/applications/{app.tracking_number}/correct/?k=" in returned
    decisions = [n.body for n in notices if n.event == "decision" and n.channel == "sms"]
    assert sum("不予许可（社保登记信息不全）" in d for d in decisions) == 1
    assert all("其余事项审批完毕后统一出件" in d for d in decisions)
    completed = by["completed", "sms"].body
    assert "不予许可（社保登记信息不全）" in completed and completed.count("准予许可") == 2
    assert f"取件码：{case.pickup_code}" in by["delivered", "sms"].body
    assert "/window/rate/" in by["rating", "sms"].body
    sms = by["accepted", "sms"]
    assert sms.template_code == "SMS_YJS_ACCEPTED"
    assert sms.params["number"] == app.tracking_number and sms.params["link"].startswith("http")
    assert str(sms) == "受理 短信 → 138****1234" and by["accepted", "email"].masked_recipient == "w***@example.com"


def test_a_repeated_report_sends_nothing_again(submit_app, accept, staff, sites, django_capture_on_commit_callbacks):
    from notices import compose
    from window import reporting

    app = submit_app()
    case = accept(app)
    with django_capture_on_commit_callbacks(execute=True):
        assert reporting.report(case, "in_approval") == "unchanged"
        # The same change announced twice (a re-delivered signal): its key is taken, nothing new.
        compose.on_status_changed(None, application=app, change=app.history.get(to_status="accepted"))
    assert app.notices.filter(event="accepted").count() == 2  # one SMS, one e-mail
    assert app.notices.filter(state="sent").count() == app.notices.count() == 2


def test_a_decision_reported_over_the_webhook_is_one_notice(submit_app, accept, staff, sites, client, settings,
                                                            django_capture_on_commit_callbacks):
    import json

    from intake.signing import sign

    app = submit_app()
    accept(app)
    code = app.items[0]["code"]

    def post(results):
        raw = json.dumps({"tracking_number": app.tracking_number, "status": "in_approval", "results": results})
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/intake/webhook/", raw, content_type="application/json",
                               HTTP_X_INTAKE_SIGNATURE=sign(raw.encode(), settings.INTAKE_HANDOFF_SECRET))

    assert post({code: {"status": "approved", "note": "证照编号：L-9"}}).status_code == 200
    assert post({code: {"status": "approved", "note": "证照编号：L-9"}}).json()["unchanged"] is True
    assert app.notices.filter(event="decision").count() == 2  # SMS and e-mail, once
    assert "准予许可" in app.notices.get(event="decision", channel="sms").body
    bad = post({"NO-SUCH-ITEM": {"status": "approved"}})
    assert bad.status_code == 409 and "unknown items" in bad.json()["detail"]


def test_no_email_no_email_notice(submit_app, accept, staff, sites, django_capture_on_commit_callbacks):
    app = submit_app(email="")
    accept(app)
    assert list(app.notices.values_list("channel", flat=True)) == ["sms"]


def test_a_rolled_back_change_leaves_no_message(submit_app):
    from django.db import transaction

    from intake.workflow import transition

    app = submit_app()
    with pytest.raises(RuntimeError), transaction.atomic():
        transition(app, "accepted", by="测试")
        assert app.notices.count() == 2  # written with the change …
        raise RuntimeError("the caller's transaction fails")
    assert app.notices.count() == 0  # … and gone with it


def test_english_applicant_gets_english_messages(submit_app, accept, staff, sites, django_capture_on_commit_callbacks):
    app = submit_app(language="en")
    accept(app)
    email = app.notices.get(event="accepted", channel="email")
    assert email.language == "en" and email.subject == "Your application has been accepted"
    assert f"(application {app.tracking_number}) has been accepted" in email.body
    assert "各部门正在并联审批" not in email.body  # the template's words; the window's own note stays as written


def test_the_correction_link_opens_the_correction_in_any_browser(submit_app, staff, sites, client, settings,
                                                                 django_capture_on_commit_callbacks):
    app = submit_app()
    case = Case.objects.get(tracking_number=app.tracking_number)
    with django_capture_on_commit_callbacks(execute=True):
        services.return_for_correction(case, user=staff["clerk"], problems=["填写内容：申请人姓名"])
    body = app.notices.get(event="returned", channel="sms").body
    link = body[body.index("/intake/"):].split()[0]
    assert client.get(f"/intake/applications/{app.tracking_number}/correct/").status_code == 404  # no key
    assert client.get(link[:-3] + "xyz").status_code == 404  # tampered
    settings.INTAKE_LINK_MAX_AGE = -1
    assert client.get(link).status_code == 404  # expired
    settings.INTAKE_LINK_MAX_AGE = 86400
    page = client.get(link)
    assert page.status_code == 200 and "填写内容：申请人姓名" in page.content.decode()
    # The browser now holds the application: the form's POST (no key) is accepted as the applicant's.
    assert client.get(f"/intake/applications/{app.tracking_number}/").status_code == 200


def test_email_through_a_real_smtp_server(submit_app, accept, staff, sites, smtp_server, django_capture_on_commit_callbacks):
    app = submit_app()
    accept(app)
    notice = app.notices.get(channel="email")
    assert notice.state == State.SENT
    [mail] = smtp_server.messages
    assert mail["To"] == "wangwu@example.com" and mail["Subject"] == "您的办件已受理"
    assert mail["Message-ID"] == f"<notice-{notice.uid}@ankang.example>" == notice.provider_id
    assert f"办件编号 {app.tracking_number}" in mail.get_content()


def test_smtp_server_down_is_retried_then_sent(submit_app, accept, staff, sites, settings, smtp_server,
                                               django_capture_on_commit_callbacks):
    from notices.tasks import send_notice

    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens there
    app = submit_app()
    accept(app)
    notice = app.notices.get(channel="email")
    assert (notice.state, notice.attempts) == (State.PENDING, 1) and "ConnectionRefused" in notice.last_error
    assert notice.next_attempt_at > timezone.now() + timedelta(seconds=20)  # backoff, not at once
    settings.EMAIL_PORT = port
    assert send_notice.call(notice.pk) == "skipped"  # not due yet
    Notice.objects.filter(pk=notice.pk).update(next_attempt_at=timezone.now())
    assert send_notice.call(notice.pk) == "sent"
    assert send_notice.call(notice.pk) == "skipped"  # a second task for the same row sends nothing
    assert len(smtp_server.messages) == 1


def test_sms_through_the_gateway_with_template_and_signature(submit_app, accept, staff, sites, gateway,
                                                             django_capture_on_commit_callbacks):
    app = submit_app()
    accept(app)
    notice = app.notices.get(channel="sms")
    [sent] = gateway.received
    assert sent["phone"] == "13800001234" and sent["template_code"] == "SMS_YJS_ACCEPTED"
    assert sent["sign_name"] == "安康政务服务" and sent["out_id"] == str(notice.uid)
    assert sent["params"]["number"] == app.tracking_number and sent["params"]["theme"] == "我要开超市"
    assert notice.state == State.SENT and notice.provider_id == f"gw-{str(notice.uid)[:8]}"


@pytest.mark.parametrize("status", [503, 429])
def test_gateway_busy_is_retried_by_the_sweeper(submit_app, accept, staff, sites, gateway, status,
                                                django_capture_on_commit_callbacks):
    from notices.tasks import sweep_notices

    gateway.script = [status]
    app = submit_app()
    accept(app)
    notice = app.notices.get(channel="sms")
    assert notice.state == State.PENDING and f"answered {status}" in notice.last_error and not gateway.received
    assert sweep_notices.call() == 0  # backing off
    Notice.objects.filter(pk=notice.pk).update(next_attempt_at=timezone.now())
    assert sweep_notices.call() == 1
    notice.refresh_from_db()
    assert notice.state == State.SENT and notice.attempts == 2 and len(gateway.delivered) == 1


def test_gateway_refusal_needs_a_person_and_staff_can_resend(submit_app, accept, staff, sites, gateway, settings,
                                                              django_capture_on_commit_callbacks):
    from notices import delivery
    from notices.tasks import send_notice

    gateway.script = [400]
    app = submit_app()
    accept(app)
    notice = app.notices.get(channel="sms")
    assert notice.state == State.FAILED and notice.attempts == 1  # not retried: a 400 will not change by waiting
    delivery.resend(notice)
    assert send_notice.call(notice.pk) == "sent"


def test_wrong_secret_is_refused_by_the_gateway(submit_app, accept, staff, sites, gateway, settings,
                                                django_capture_on_commit_callbacks):
    settings.NOTICE_SMS_SECRET = "not-the-gateways"
    app = submit_app()
    accept(app)
    assert app.notices.get(channel="sms").state == State.FAILED and gateway.bad_signatures == 1


def test_an_attempt_cut_short_is_sent_again_and_the_gateway_dedupes(submit_app, accept, staff, sites, gateway,
                                                                    django_capture_on_commit_callbacks):
    """A worker killed after the gateway took the message but before our commit: the lease expires, the row is
    sent again with the same out_id, and the phone gets one message."""
    from notices import delivery

    app = submit_app()
    accept(app)
    notice = app.notices.get(channel="sms")
    Notice.objects.filter(pk=notice.pk).update(state=State.PENDING, locked_until=timezone.now() + timedelta(minutes=1))
    assert delivery.send(notice.pk) == "skipped"  # someone holds the lease
    Notice.objects.filter(pk=notice.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert delivery.send(notice.pk) == "sent"
    assert len(gateway.received) == 2 and len(gateway.delivered) == 1


def test_console_backend_logs_masked(submit_app, staff, sites, caplog, django_capture_on_commit_callbacks):
    app = submit_app()
    case = Case.objects.get(tracking_number=app.tracking_number)
    with caplog.at_level("INFO", logger="notices"), django_capture_on_commit_callbacks(execute=True):
        services.accept(case, user=staff["clerk"], site=sites["hanbin"])
    text = caplog.text
    assert "138****1234" in text and "13800001234" not in text and "wangwu@" not in text


def test_admin_list_needs_the_permission_and_masks(submit_app, accept, staff, sites, client, django_user_model,
                                                   django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Permission

    app = submit_app()
    accept(app)
    notice = app.notices.get(channel="sms")
    Notice.objects.filter(pk=notice.pk).update(state=State.FAILED, last_error="gateway refused (400)")

    editor = django_user_model.objects.create_user("editor_only", password="pw-123456")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    denied = client.get("/admin/notices/")  # a CMS editor without notices.view_notice: Wagtail sends them home
    assert denied.status_code == 302 and denied["Location"] == "/admin/"
    editor.user_permissions.add(Permission.objects.get(codename="view_notice"))
    editor = django_user_model.objects.get(pk=editor.pk)  # permissions are cached on the instance
    client.force_login(editor)
    page = client.get("/admin/notices/?state=failed")
    body = page.content.decode()
    assert page.status_code == 200 and "138****1234" in body and "13800001234" not in body
    assert "gateway refused (400)" in body and "重新发送" not in body  # viewing is not resending
    assert client.post(f"/admin/notices/{notice.pk}/resend/")["Location"] == "/admin/"
    assert Notice.objects.get(pk=notice.pk).state == State.FAILED
    editor.user_permissions.add(Permission.objects.get(codename="change_notice"))
    client.force_login(django_user_model.objects.get(pk=editor.pk))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/admin/notices/{notice.pk}/resend/").status_code == 302
    notice.refresh_from_db()
    assert notice.state == State.SENT
    assert client.post(f"/admin/notices/{notice.pk}/resend/").status_code == 404  # only failed ones
