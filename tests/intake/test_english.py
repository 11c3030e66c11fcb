"""The unified form, receipt and progress pages in English (/en/intake/...): English words on the page, the
same fields and materials as in Chinese, and Chinese stored for the window whatever language was used."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils.html import escape

from guides.models import FormField, ThemePage
from intake.models import Application

from .conftest import token_of


def _input_names(html: str) -> list[str]:
    return sorted(set(re.findall(r'name="([a-z][\w-]*)"', html)))


@pytest.fixture
def english(case):
    return "/en" + case.url


def test_the_form_speaks_english_and_asks_the_same_fields(client, case, english):
    chinese = client.get(case.url, HTTP_HOST="localhost").content.decode()
    response = client.get(english, HTTP_HOST="localhost")
    html = response.content.decode()
    assert response.status_code == 200
    title = ThemePage.objects.get(code="AK-YJS-001", locale__language_code="en", alias_of__isnull=True).title
    assert f"{title}: apply online" in html and "Upload materials" in html and "Submit application" in html
    # Field labels come from the registry's English column; the inputs are the same in both languages.
    label = FormField.objects.filter(code__in=[s.code for s in case.specs]).exclude(label_en="").first()
    assert escape(label.label_en) in html and label.label not in html
    assert _input_names(html) == _input_names(chinese)
    assert "申请人信息" not in html and "Applicant" in html


def test_an_english_submission_stores_chinese_for_the_window(client, case, english):
    token = token_of(client.get(english, HTTP_HOST="localhost"))
    response = client.post(english, {**case.data(token), **case.files()}, HTTP_HOST="localhost")
    assert response.status_code == 302, response.content.decode()[:2000]
    app = Application.objects.get()
    assert response["Location"] == f"/en/intake/applications/{app.tracking_number}/"
    assert app.theme_title == ThemePage.objects.get(code="AK-YJS-001", alias_of__isnull=True,
                                                    locale__language_code="zh-hans").title
    chinese_labels = dict(FormField.objects.values_list("code", "label"))
    assert all(f["label"] == chinese_labels.get(f["code"], f["label"]) for f in app.form_fields)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in u.material_name) for u in app.uploads.all())
    receipt = client.get(response["Location"], HTTP_HOST="localhost").content.decode()
    assert "Application submitted" in receipt and app.tracking_number in receipt


def test_english_errors_name_the_field_in_english(client, case, english):
    token = token_of(client.get(english, HTTP_HOST="localhost"))
    phone = next(s for s in case.specs if s.type == "phone")
    response = client.post(english, {**case.data(token, **{phone.name: "12345"}), "declaration": ""},
                           HTTP_HOST="localhost")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Please enter an 11-digit mobile number" in html and "Please read and tick the declaration." in html


def test_progress_page_in_english(client, db):
    html = client.get("/en/intake/progress/", HTTP_HOST="localhost").content.decode()
    assert "Track your application" in html and "办件进度查询" not in html


def test_choices_show_in_english_and_store_the_chinese_value(client, case, english):
    field = FormField.objects.get(code="enterprise.type")
    assert field.code in [s.code for s in case.specs] and len(field.choices_en) == len(field.choices)
    html = client.get(english, HTTP_HOST="localhost").content.decode()
    assert field.choices_en[0] in html and f'value="{field.choices[0]}"' in html
    token = token_of(client.get(english, HTTP_HOST="localhost"))
    data = case.data(token, **{"enterprise-type": field.choices[0]})
    response = client.post(english, {**data, **case.files()}, HTTP_HOST="localhost")
    assert response.status_code == 302, response.content.decode()[:1000]
    assert Application.objects.get().values["enterprise.type"] == field.choices[0]


def test_choice_translations_must_pair_up(tmp_path, db):
    """A wrong number of English choices is refused before anything is written (they pair up by position)."""
    import shutil

    from django.core.management import CommandError, call_command

    folder = tmp_path / "en"
    shutil.copytree(Path(__file__).resolve().parents[2] / "demo" / "translations" / "en", folder)
    text = (folder / "_registries.yaml").read_text(encoding="utf-8")
    text = text.replace('choices: ["Owned", "Rented", "Used free of charge"]', 'choices: ["Owned", "Rented"]')
    text = text.replace("applicant.name: Applicant's name", "applicant.name: Name of the applicant")
    (folder / "_registries.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match="business.premises_right"):
        call_command("import_translations", str(folder))
    assert FormField.objects.get(code="applicant.name").label_en == "Applicant's name"
