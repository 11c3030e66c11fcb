"""一次性补正 end to end: the window returns named materials and fields, the applicant corrects exactly those on
intake's correction page and resubmits once under the same number, and the window sees what changed."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape

from guides.models import Material
from intake.constants import Status
from intake.handoff import document, idempotency_key
from intake.models import Application, Outbox
from window import services
from window.constants import CaseStatus
from window.models import Case

from .conftest import PNG


@pytest.fixture
def returned(client, case, start, settings, django_capture_on_commit_callbacks):
    """An application submitted through the form, delivered in-process to the window, returned with a name
    and one material ticked."""
    settings.INTAKE_HANDOFF_BACKEND = "window"
    token = start()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(case.url, {**case.data(token), **case.files()}, HTTP_HOST="localhost")
    assert response.status_code == 302, response.content.decode()[:1000]
    app = Application.objects.get()
    window_case = Case.objects.get(tracking_number=app.tracking_number)
    material = app.uploads.first().material_code
    name_field = next(f["code"] for f in app.form_fields if f["type"] == "text")
    services.return_for_correction(window_case, user=None, problems=["材料：不清晰", "填写内容：姓名有误"],
                                   fix={"materials": [material], "fields": [name_field]})
    app.refresh_from_db()
    assert app.status == Status.RETURNED
    return app, window_case, material, name_field


def _url(app):
    return f"/intake/applications/{app.tracking_number}/correct/"


def _token(response) -> str:
    from .conftest import token_of

    return token_of(response)


def test_the_correction_page_asks_again_for_exactly_what_was_returned(client, returned):
    app, _, material, name_field = returned
    assert app.return_fix == {"materials": [material], "fields": [name_field]}
    receipt = client.get(f"/intake/applications/{app.tracking_number}/", HTTP_HOST="localhost").content.decode()
    assert _url(app) in receipt and "姓名有误" in receipt
    page = client.get(_url(app), HTTP_HOST="localhost")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'name="{name_field.replace(".", "-")}"' in html and 'name="m-' + material + '"' in html
    # Nothing else is asked again: one text input for the field, one file input for the material.
    assert html.count('type="file"') == 1 and "'code'" not in html  # the slot's own words, not its dict
    # In English the page names the theme and the material in English (stored names stay Chinese).
    english = client.get("/en" + _url(app), HTTP_HOST="localhost").content.decode()
    assert "correct and resubmit" in english
    material_en = Material.objects.get(code=material).name_en
    assert material_en and escape(material_en) in english
    other_fields = [f["code"] for f in app.form_fields if f["code"] != name_field]
    assert not any(f'name="{c.replace(".", "-")}"' in html for c in other_fields)


def test_a_missing_file_is_refused_and_keeps_what_was_typed(client, returned):
    app, _, material, name_field = returned
    token = _token(client.get(_url(app), HTTP_HOST="localhost"))
    response = client.post(_url(app), {"token": token, name_field.replace(".", "-"): "李四改", "declaration": "on"},
                           HTTP_HOST="localhost")
    html = response.content.decode()
    assert response.status_code == 400 and "请重新上传" in html and 'value="李四改"' in html
    app.refresh_from_db()
    assert app.status == Status.RETURNED and app.version == 1


def test_nothing_changed_is_refused(client, returned, settings):
    app, _, material, name_field = returned
    app.return_fix = {"fields": [name_field]}  # only the field: submitting it unchanged changes nothing
    app.save()
    token = _token(client.get(_url(app), HTTP_HOST="localhost"))
    response = client.post(_url(app), {"token": token, name_field.replace(".", "-"): app.values[name_field],
                                       "declaration": "on"}, HTTP_HOST="localhost")
    assert response.status_code == 400 and "没有修改任何内容" in response.content.decode()


def test_resubmission_reaches_the_window_as_a_new_version_with_the_changes(
        client, returned, django_capture_on_commit_callbacks):
    app, window_case, material, name_field = returned
    old = app.current_uploads.get(material_code=material)
    token = _token(client.get(_url(app), HTTP_HOST="localhost"))
    upload = SimpleUploadedFile("clear.png", PNG, "image/png")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(app), {"token": token, name_field.replace(".", "-"): "李四改",
                                           "declaration": "on", f"m-{material}": upload}, HTTP_HOST="localhost")
    assert response.status_code == 302 and response["Location"] == f"/intake/applications/{app.tracking_number}/"
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED and app.version == 2 and app.values[name_field] == "李四改"
    old.refresh_from_db()
    assert old.superseded_at is not None  # kept for the record, no longer sent
    assert app.current_uploads.filter(material_code=material).get().content_type == "image/png"
    assert Outbox.objects.filter(application=app).count() == 2
    assert set(Outbox.objects.filter(application=app).values_list("state", flat=True)) == {"delivered"}

    window_case.refresh_from_db()
    assert window_case.status == CaseStatus.RECEIVED and window_case.version == 2
    v1, v2 = window_case.versions.all()
    changes = services.diff(v1.document, v2.document)
    assert [(f["code"], f["new"]) for f in changes["fields"]] == [(name_field, "李四改")]
    assert [(m["code"], m["change"]) for m in changes["materials"]] == [(material, "重新上传")]
    # Each material once in the new document, and the delivery went under the version's key.
    codes = [m["code"] for m in v2.document["materials"]]
    assert len(codes) == len(set(codes)) and v2.document["version"] == 2
    assert idempotency_key(document(app)) == f"{app.tracking_number}-v2"
    # A second post of the same page does not make a third version.
    again = client.post(_url(app), {"token": token, name_field.replace(".", "-"): "王五",
                                    "declaration": "on"}, HTTP_HOST="localhost")
    assert again.status_code == 302
    app.refresh_from_db()
    assert app.version == 2


def test_only_the_applicant_may_correct(client, returned):
    from django.test import Client

    app, *_ = returned
    assert Client().get(_url(app), HTTP_HOST="localhost").status_code == 404
    # The progress page's number + phone check lets the applicant correct from another browser.
    other = Client()
    response = other.post("/intake/progress/", {"tracking_number": app.tracking_number, "phone": app.phone},
                          HTTP_HOST="localhost")
    assert _url(app) in response.content.decode()
    assert other.get(_url(app), HTTP_HOST="localhost").status_code == 200


def test_not_returned_redirects_to_the_receipt(client, returned):
    app, *_ = returned
    Application.objects.filter(pk=app.pk).update(status=Status.SUBMITTED)
    response = client.get(_url(app), HTTP_HOST="localhost")
    assert response.status_code == 302 and response["Location"].endswith(f"/{app.tracking_number}/")


def test_webhook_fix_codes_must_belong_to_the_application(client, returned, settings):
    from intake.signing import sign

    app, *_ = returned
    Application.objects.filter(pk=app.pk).update(status=Status.SUBMITTED)
    body = json.dumps({"tracking_number": app.tracking_number, "status": "returned", "problems": ["x"],
                       "fix": {"materials": ["NOT-A-MATERIAL"]}}).encode()
    response = client.post("/intake/webhook/", body, content_type="application/json", HTTP_HOST="localhost",
                           HTTP_X_INTAKE_SIGNATURE=sign(body, settings.INTAKE_HANDOFF_SECRET))
    assert response.status_code == 409 and "NOT-A-MATERIAL" in response.json()["detail"]
