"""受理回执: the tracking-number rule (intake.tracking), numbers per region, and the receipt PDF with its QR code."""

import json
import re
import shutil
import subprocess
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import timezone
from wagtail.models import Site

from intake import tracking
from intake.models import Application
from intake.services import next_tracking_number
from intake.signing import sign
from intake.workflow import transition

# --------------------------------------------------------------------------- the rule, pure


def test_a_number_is_region_date_and_sequence():
    number = tracking.parse("61090220261127000123")
    assert number == tracking.TrackingNumber(region="610902", day=date(2026, 11, 27), sequence=123)
    assert str(number) == "61090220261127000123" and len(str(number)) == tracking.LENGTH
    assert tracking.format_number("610981", date(2027, 1, 2), 1) == "61098120270102000001"


@pytest.mark.parametrize("value, reason", [
    ("AK20261127000123", "not_digits"),  # the old rule
    ("6109022026112700012X", "not_digits"),
    ("", "not_digits"),
    ("６１０９０２２０２６１１２７０００１２３", "not_digits"),  # full-width: people's input is normalised first
    ("6109022026112700012", "length"),
    ("610902202611270001234", "length"),
    ("61090220261327000123", "date"),
    ("61090220260229000123", "date"),  # 2026 is no leap year
    ("61090220261127000000", "sequence"),
])
def test_malformed_numbers_are_refused_with_the_broken_part(value, reason):
    with pytest.raises(tracking.MalformedNumber) as info:
        tracking.parse(value)
    assert info.value.reason == reason
    assert "办件编号" in str(info.value)


def test_what_people_type_is_normalised_before_parsing():
    assert str(tracking.parse(tracking.normalise(" ６１０９０２ 20261127-000123 "))) == "61090220261127000123"


def test_formatting_refuses_what_the_rule_cannot_hold():
    for region, sequence in (("6109", 1), ("AK0900", 1), ("610900", 0), ("610900", 1_000_000)):
        with pytest.raises(ValueError):
            tracking.format_number(region, date(2026, 1, 1), sequence)


# --------------------------------------------------------------------------- numbers per region and day


def _site(code: str) -> Site:
    return Site.objects.get(root_page__homepage__site_code=code)


@pytest.mark.django_db
def test_each_region_counts_its_own_sequence_per_day(settings):
    city, hanbin, xunyang = _site("ankang"), _site("hanbin"), _site("xunyang")
    day = date(2098, 5, 6)
    assert next_tracking_number(city, day) == "61090020980506000001"
    assert next_tracking_number(hanbin, day) == "61090220980506000001"
    assert next_tracking_number(city, day) == "61090020980506000002"
    assert next_tracking_number(xunyang, day) == "61098120980506000001"  # 旬阳市: a county-level city
    assert next_tracking_number(hanbin, day + timedelta(days=1)) == "61090220980507000001"
    assert next_tracking_number(None, day) == "61090020980506000003"  # no site: the default, the city's

    # A site whose editors gave no code numbers with the setting's default.
    home = hanbin.root_page.specific
    home.region_code = ""
    home.save()
    settings.INTAKE_REGION_CODE = "610999"
    assert next_tracking_number(hanbin, day) == "61099920980506000001"
    settings.INTAKE_REGION_CODE = "6109"
    with pytest.raises(ImproperlyConfigured):
        next_tracking_number(hanbin, day)


@pytest.mark.django_db
def test_region_code_is_six_digits_for_editors():
    from django.core.exceptions import ValidationError

    home = _site("hanbin").root_page.specific
    assert home.region_code == "610902"  # filled by import_catalogue from demo/catalogue/sites.yaml
    for bad in ("61090", "6109021", "61O902"):
        home.region_code = bad
        with pytest.raises(ValidationError) as info:
            home.full_clean()
        assert "region_code" in info.value.message_dict


def test_catalogue_region_must_be_six_digits(tmp_path, catalogue_dir):
    from guides.catalogue import CatalogueError, read_catalogue

    shutil.copytree(catalogue_dir, tmp_path / "c")
    sites = tmp_path / "c" / "sites.yaml"
    sites.write_text(sites.read_text(encoding="utf-8").replace('region: "610902"', "region: 61092"), encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        read_catalogue(tmp_path / "c")
    assert [(p.entry, "region" in p.message) for p in info.value.problems] == [("hanbin", True)]
    sites.write_text(sites.read_text(encoding="utf-8").replace("region: 61092", "region: 610902"), encoding="utf-8")
    assert read_catalogue(tmp_path / "c").sites[1]["region"] == "610902"  # unquoted YAML: a number, read as text


# --------------------------------------------------------------------------- the receipt and its PDF


@pytest.fixture
def app(client, case, start):
    token = start()
    response = client.post(case.url, {**case.data(token), **case.files()}, HTTP_HOST="localhost")
    assert response.status_code == 302, response.content[:2000]
    return Application.objects.get()


def _pdf_url(app) -> str:
    return f"/intake/applications/{app.tracking_number}/receipt.pdf"


def _progress_url(app) -> str:
    return f"http://localhost/intake/progress/?tracking_number={app.tracking_number}"


def _text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


@pytest.mark.django_db
def test_submission_on_a_county_site_numbers_with_its_region(case):
    from .conftest import token_of

    county = Client(HTTP_HOST="hanbin.localhost")
    token = token_of(county.get(case.url))
    assert county.post(case.url, {**case.data(token), **case.files()}).status_code == 302
    number = Application.objects.get().tracking_number
    assert number.startswith(f"610902{timezone.localdate():%Y%m%d}"), number


@pytest.mark.django_db
def test_receipt_page_links_to_the_pdf(client, app):
    html = client.get(f"/intake/applications/{app.tracking_number}/", HTTP_HOST="localhost").content.decode()
    assert f'href="{_pdf_url(app)}">下载受理回执（PDF）</a>' in html


@pytest.mark.django_db
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_pdf_says_what_was_received_what_comes_next_and_by_when(client, app, case):
    from window import workdays

    response = client.get(_pdf_url(app), HTTP_HOST="localhost")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF-")
    assert f"receipt-{app.tracking_number}.pdf" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    text = _text(response.content)
    flat = re.sub(r"\s+", "", text)  # CJK lines wrap anywhere
    assert "受理回执" in flat and app.tracking_number in flat and re.sub(r"\s+", "", app.theme_title) in flat
    assert "138****1234" in flat and "13800001234" not in flat  # the phone, masked
    assert timezone.localtime(app.submitted_at).strftime("%Y-%m-%d%H:%M") in flat
    for item in app.items:
        assert re.sub(r"\s+", "", item["name"]) in flat, item
    assert "下一步综合窗口受理审核" in flat and "各部门并联审批" in flat and "送达（窗口自取）" in flat
    days = case.page.days_after
    due = workdays.add_workdays(timezone.localdate(), days)
    assert f"自受理之日起{days}个工作日内办结；如今日受理，预计{due:%Y-%m-%d}前办结" in flat
    assert _progress_url(app) in flat  # printed under the QR code


@pytest.mark.django_db
def test_pdf_next_step_and_due_date_follow_the_status(client, app, case):
    from window import workdays

    transition(app, "accepted", by="t")
    transition(app, "in_approval", by="t")
    flat = re.sub(r"\s+", "", _text(client.get(_pdf_url(app), HTTP_HOST="localhost").content))
    due = workdays.add_workdays(timezone.localdate(), case.page.days_after)
    assert "下一步各部门并联审批" in flat and "综合窗口受理审核（已完成）" in flat and "各部门并联审批（当前）" in flat
    assert f"个工作日内办结，即{due:%Y-%m-%d}前" in flat


@pytest.mark.django_db
@pytest.mark.skipif(shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None,
                    reason="zbarimg (zbar-tools) or pdftoppm (poppler-utils) is not installed: tools/system-deps.sh test")
def test_qr_code_opens_the_progress_lookup_for_the_number(client, app, tmp_path):
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(client.get(_pdf_url(app), HTTP_HOST="localhost").content)
    # The page as a scan of the printout would see it: rendered, not the drawing's source.
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)
    (page,) = tmp_path.glob("page*.png")
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(page)],
                             capture_output=True, text=True, check=True).stdout.split()
    assert decoded == [_progress_url(app)]
    html = Client().get(decoded[0].removeprefix("http://localhost"), HTTP_HOST="localhost").content.decode()
    assert f'value="{app.tracking_number}"' in html  # the number filled in; the phone is still asked


@pytest.mark.django_db
def test_only_the_applicant_gets_the_pdf(client, app):
    owner = client.get(_pdf_url(app), HTTP_HOST="localhost")
    assert owner.status_code == 200
    assert Client().get(_pdf_url(app), HTTP_HOST="localhost").status_code == 404  # anonymous, another browser
    other = Client()
    other.force_login(get_user_model().objects.create_user("13900000000", password="x"))
    assert other.get(_pdf_url(app), HTTP_HOST="localhost").status_code == 404
    # A guessed number (the next one of the day) tells nothing either.
    guess = app.tracking_number[:-6] + "000002"
    assert client.get(f"/intake/applications/{guess}/receipt.pdf", HTTP_HOST="localhost").status_code == 404
    # The account it was submitted under sees it from any browser.
    user = get_user_model().objects.create_user("13800001234", password="x")
    Application.objects.filter(pk=app.pk).update(applicant=user)
    mine = Client()
    mine.force_login(user)
    assert mine.get(_pdf_url(app), HTTP_HOST="localhost").status_code == 200


# --------------------------------------------------------------------------- where numbers are typed or sent


@pytest.mark.django_db
def test_progress_lookup_explains_a_malformed_number(client, app):
    from django.core.cache import cache

    cache.clear()
    html = client.post("/intake/progress/", {"tracking_number": "AK20261127000123", "phone": app.phone},
                       HTTP_HOST="localhost").content.decode()
    assert "办件编号由20位数字组成" in html and "没有找到" not in html
    html = client.post("/intake/progress/", {"tracking_number": "61090220261327000123", "phone": app.phone},
                       HTTP_HOST="localhost").content.decode()
    assert "不是有效日期" in html
    # Grouped with spaces, in full-width digits: found all the same.
    typed = " ".join((app.tracking_number[:6], app.tracking_number[6:14], app.tracking_number[14:]))
    typed = typed.translate({ord(d): chr(ord(d) + 0xFEE0) for d in "0123456789"})
    html = client.post("/intake/progress/", {"tracking_number": typed, "phone": app.phone},
                       HTTP_HOST="localhost").content.decode()
    assert f"办件 {app.tracking_number}：已提交" in html


@pytest.mark.django_db
def test_webhook_names_the_broken_part_of_a_number(app, settings):
    def hook(number):
        raw = json.dumps({"tracking_number": number, "status": "accepted"}).encode()
        return Client().post("/intake/webhook/", raw, content_type="application/json", HTTP_HOST="localhost",
                             HTTP_X_INTAKE_SIGNATURE=sign(raw, settings.INTAKE_HANDOFF_SECRET))

    response = hook("61090220261327000123")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "malformed tracking number" and body["reason"] == "date"
    assert body["tracking_number"] == "61090220261327000123" and "不是有效日期" in body["detail"]
    assert hook("AK20261127000123").json()["reason"] == "not_digits"
    assert hook(app.tracking_number).status_code == 200
