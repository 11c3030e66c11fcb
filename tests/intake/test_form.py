"""The unified form: started from a complete checklist, fields once and grouped, validation, uploads, submission."""

import re

import pytest
from django.test import Client

from intake.constants import OutboxState, Status
from intake.models import Application, Outbox, StatusChange, Upload

from .conftest import PDF, PNG, token_of

pytestmark = pytest.mark.django_db


def test_incomplete_answers_go_back_to_the_wizard(client, case):
    response = client.get("/intake/apply/AK-YJS-001/?subject=company", HTTP_HOST="localhost")
    assert response.status_code == 302
    assert response["Location"] == "/themes/kai-chao-shi/screening/?subject=company" or \
        response["Location"].endswith("/screening/?subject=company")
    response = client.get("/intake/apply/AK-YJS-001/?subject=nonsense", HTTP_HOST="localhost")
    assert "/screening/?subject=nonsense" in response["Location"]
    assert client.get("/intake/apply/NO-SUCH/?a=b", HTTP_HOST="localhost").status_code == 404


def test_the_checklist_offers_the_online_form_with_the_same_answers(client, case):
    checklist = f"{case.page.url}checklist/?{case.query}"
    html = client.get(checklist, HTTP_HOST="localhost").content.decode()
    link = re.search(r'<a class="button[^"]*" href="([^"]+)">在线申请（一次表单）</a>', html)
    assert link, "no 在线申请 button on the checklist"
    assert link.group(1).replace("&amp;", "&") == case.url
    form = client.get(case.url, HTTP_HOST="localhost")
    assert form.status_code == 200 and b'name="token"' in form.content


def test_asks_exactly_the_applicable_fields_once_grouped_with_help(client, case):
    response = client.get(case.url, HTTP_HOST="localhost")
    html = response.content.decode()
    for code in case.outcome.fields:
        name = code.replace(".", "-")
        assert len(re.findall(rf'name="{re.escape(name)}"', html)) in (1, len(
            next(s for s in case.specs if s.code == code).choices)), code
    names = set(re.findall(r'name="([a-z_]+-[a-z_0-9]+|m-[A-Z0-9-]+)"', html))
    expected = {s.name for s in case.specs} | {f"m-{m.code}" for m in case.slots}
    assert names == expected
    for heading in ("申请人信息", "企业（市场主体）信息", "经营场所信息", "送达信息", "上传材料"):
        assert f"<legend>{heading}</legend>" in html
    assert "18位居民身份证号码" in html  # help text
    assert html.count('type="file"') == len(case.slots)
    for m in case.exempt:
        assert f'name="m-{m.code}"' not in html
    assert "csrfmiddlewaretoken" in html


def test_a_rejected_form_keeps_what_was_typed_and_names_each_problem(client, case, start):
    token = start()
    id_field = next(s for s in case.specs if s.type == "id_number")
    uscc_field = next(s for s in case.specs if s.type == "number")
    phone_field = next(s for s in case.specs if s.type == "phone")
    data = case.data(token, **{id_field.name: "110105194912310021", uscc_field.name: "一百",
                               phone_field.name: "12345"})
    data.pop("declaration")
    response = client.post(case.url, {**data, **case.files()}, HTTP_HOST="localhost")
    assert response.status_code == 400
    html = response.content.decode()
    assert "有 4 处需要修改" in html
    assert f'href="#id_{id_field.name}"' in html
    assert "校验位不符" in html and "11位手机号码" in html and "请阅读并勾选承诺" in html and "请填写数字" in html
    assert 'value="110105194912310021"' in html and 'value="一百"' in html
    # the files were kept: no need to choose them again
    assert html.count("已上传：") == len(case.slots)
    assert not Application.objects.exists()


def test_uploads_are_checked_by_content(client, case, start):
    token = start()
    files = case.files()
    first = f"m-{case.slots[0].code}"
    from django.core.files.uploadedfile import SimpleUploadedFile

    files[first] = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    response = client.post(case.url, {**case.data(token), **files}, HTTP_HOST="localhost")
    assert response.status_code == 400
    assert "只接受 PDF、JPG、PNG" in response.content.decode()
    # a PNG named .pdf is taken as a PNG
    files = {first: SimpleUploadedFile("photo.pdf", PNG, "application/pdf")}
    client.post(case.url, {**case.data(token), **files}, HTTP_HOST="localhost")
    upload = Upload.objects.get(token=token, material_code=case.slots[0].code)
    assert upload.content_type == "image/png" and upload.original_name == "photo.png"


def test_size_limits(client, case, start, settings):
    settings.INTAKE_MAX_FILE_BYTES = 100
    token = start()
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = {f"m-{case.slots[0].code}": SimpleUploadedFile("a.pdf", PDF + b"x" * 200)}
    response = client.post(case.url, {**case.data(token), **big}, HTTP_HOST="localhost")
    assert "文件超过" in response.content.decode()
    settings.INTAKE_MAX_FILE_BYTES = 10_000
    settings.INTAKE_MAX_APPLICATION_BYTES = len(PDF) * 2
    response = client.post(case.url, {**case.data(token), **case.files()}, HTTP_HOST="localhost")
    assert "合计超过" in response.content.decode()


def test_submission_creates_one_application_with_outbox_and_history(client, case, start, settings,
                                                                   django_capture_on_commit_callbacks):
    token = start()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(case.url, {**case.data(token), **case.files()}, HTTP_HOST="localhost")
    assert response.status_code == 302, response.content.decode()[:2000]
    app = Application.objects.get()
    assert re.fullmatch(r"610900\d{8}\d{6}", app.tracking_number)  # the city site's region code
    assert response["Location"] == f"/intake/applications/{app.tracking_number}/"
    assert app.status == Status.SUBMITTED and app.delivery == "自取" and app.phone == "13800001234"
    assert [i["code"] for i in app.items] == list(case.outcome.items)
    assert app.uploads.count() == len(case.slots)
    assert StatusChange.objects.filter(application=app, to_status=Status.SUBMITTED).count() == 1
    outbox = Outbox.objects.get(application=app)
    # the test settings run tasks immediately with the "log" backend: delivered on commit
    assert outbox.state == OutboxState.DELIVERED and outbox.attempts == 1
    receipt = client.get(response["Location"], HTTP_HOST="localhost").content.decode()
    assert app.tracking_number in receipt and "1101**********002X" in receipt and "11010519491231002X" not in receipt


def test_double_submit_returns_the_first_application(client, case, start):
    token = start()
    data = {**case.data(token), **case.files()}
    first = client.post(case.url, data, HTTP_HOST="localhost")
    again = client.post(case.url, {**case.data(token), **case.files()}, HTTP_HOST="localhost")
    assert first["Location"] == again["Location"]
    assert Application.objects.count() == 1 and Outbox.objects.count() == 1


def test_a_stranger_cannot_replay_a_token(client, case, start):
    token = start()
    client.post(case.url, {**case.data(token), **case.files()}, HTTP_HOST="localhost")
    other = Client()
    response = other.post(case.url, {**case.data(token), **case.files()}, HTTP_HOST="localhost")
    assert response.status_code == 400 and "页面已过期" in response.content.decode()
    assert Application.objects.count() == 1


def test_uploads_are_served_only_to_their_owner_and_staff(client, case, start, django_user_model):
    token = start()
    client.post(case.url, {**case.data(token), **case.files()}, HTTP_HOST="localhost")
    upload = Upload.objects.first()
    url = f"/intake/files/{upload.key}/"
    response = client.get(url, HTTP_HOST="localhost")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF
    assert Client().get(url, HTTP_HOST="localhost").status_code == 404
    nobody = django_user_model.objects.create_user("13900000000", password="x")
    c = Client()
    c.force_login(nobody)
    assert c.get(url, HTTP_HOST="localhost").status_code == 404
    staff = django_user_model.objects.create_superuser("admin1", password="x")
    c.force_login(staff)
    assert c.get(url, HTTP_HOST="localhost").status_code == 200
    assert upload.application.access_log.filter(user=staff).exists()
    # stored outside the web root, under a random name
    from django.conf import settings

    assert str(upload.path).startswith(str(settings.INTAKE_STORAGE_DIR)) and upload.stored_name not in upload.original_name


def test_drafts_need_an_account_and_resume(client, case, start):
    token = start()
    response = client.post(case.url, case.data(token, action="draft"), HTTP_HOST="localhost")
    assert "/intake/account/login/" in response["Location"]
    from intake import signals

    codes = []

    def keep(sender, phone, code, **kwargs):
        codes.append(code)

    signals.code_requested.connect(keep)
    try:
        client.post("/intake/account/register/", {"action": "send_code", "phone": "13912345678"},
                    HTTP_HOST="localhost")
    finally:
        signals.code_requested.disconnect(keep)
    response = client.post("/intake/account/register/", {"phone": "13912345678", "code": codes[0],
                                                          "password": "kai-chao-shi-2026",
                                                          "password2": "kai-chao-shi-2026"}, HTTP_HOST="localhost")
    assert response.status_code == 302
    name_field = next(s for s in case.specs if s.code == "applicant.name")
    response = client.post(case.url, {**case.data(token, action="draft", **{name_field.name: "李四"}),
                                      **case.files()}, HTTP_HOST="localhost")
    assert response["Location"] == "/intake/drafts/"
    drafts = client.get("/intake/drafts/", HTTP_HOST="localhost").content.decode()
    link = re.search(r'href="(/intake/apply/[^"]+_draft=\d+)"', drafts).group(1).replace("&amp;", "&")
    client.post("/intake/account/logout/", HTTP_HOST="localhost")
    assert client.login(username="13912345678", password="kai-chao-shi-2026")
    resumed = client.get(link, HTTP_HOST="localhost")
    html = resumed.content.decode()
    assert 'value="李四"' in html and token_of(resumed) == token and html.count("已上传：") == len(case.slots)
    response = client.post(case.url, {**case.data(token, **{name_field.name: "李四"})}, HTTP_HOST="localhost")
    assert response.status_code == 302
    app = Application.objects.get()
    assert app.applicant.username == "13912345678" and app.values["applicant.name"] == "李四"
    assert not app.applicant.intake_drafts.exists()


def test_login_rejects_wrong_password(client, django_user_model):
    django_user_model.objects.create_user("13912345678", password="kai-chao-shi-2026")
    response = client.post("/intake/account/login/", {"phone": "13912345678", "password": "nope"},
                           HTTP_HOST="localhost")
    assert response.status_code == 400 and "手机号码或密码不正确" in response.content.decode()
