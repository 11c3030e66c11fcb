"""English offices, legal bases and county reasons (English columns beside the Chinese), and English plurals."""

import io
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext
from wagtail.models import Locale, Site

from counties.models import ThemeOverride
from guides.cache import bump_registry_version
from guides.models import ServiceItem, ServiceLocation, ThemePage
from guides.spec import Lookups, page_to_spec
from guides.translation_texts import import_offices_and_bases

ROOT = Path(__file__).resolve().parent.parent.parent
TRANSLATIONS = ROOT / "demo" / "translations" / "en"
ANSWERS = "subject=company&food=bulk&area=large&tobacco=sells&sign=large&premises=rent"
CITY_OFFICE = ("安康市政务服务中心", "Ankang Government Service Centre")
CITY_ADDRESS = "Ground floor, Ankang Government Service Centre, Xing'an East Road, Hanbin District, Ankang"
BASIS = ("《中华人民共和国市场主体登记管理条例》第十九条",  # AK-XK-0001, bundled by AK-YJS-001
         "Article 19 of the Regulations of the People&#x27;s Republic of China on the Administration of the "
         "Registration of Market Entities")

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(HTTP_HOST="localhost")


def _pair(code="AK-YJS-001"):
    zh = ThemePage.objects.get(code=code, locale=Locale.get_default(), alias_of__isnull=True,
                               url_path__startswith="/ankang/")
    return zh, zh.get_translation(Locale.objects.get(language_code="en"))


def _path(page) -> str:
    return urlparse(page.get_url()).path


def _main(response) -> str:
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


def _locations(body: str) -> str:
    return re.search(r'<ul class="locations">.*?</ul>', body, re.S).group(0)


def test_english_guide_shows_english_offices_and_bases_chinese_unchanged(client):
    zh, en = _pair()
    english = _main(client.get(_path(en)))
    offices = _locations(english)
    assert CITY_OFFICE[1] in offices and CITY_ADDRESS.replace("'", "&#x27;") in offices
    assert "Monday to Friday" in offices and "Integrated windows 3–5" in offices
    assert not re.search(r"[\u4e00-\u9fff]", offices)
    assert BASIS[1] in english and BASIS[0] not in english
    chinese = _main(client.get(_path(zh)))
    assert CITY_OFFICE[0] in chinese and "兴安东路" in chinese and BASIS[0] in chinese
    assert CITY_OFFICE[1] not in chinese and "Article 19" not in chinese


def test_english_checklist_offices_and_pdf(client, tmp_path):
    _zh, en = _pair()
    main = _main(client.get(f"{_path(en)}checklist/?{ANSWERS}"))
    assert CITY_OFFICE[1] in _locations(main)
    assert not re.search(r"[\u4e00-\u9fff]", _locations(main))
    response = client.get(f"{_path(en)}checklist/pdf/?{ANSWERS}")
    assert response.status_code == 200  # the CJK font is required, as for the Chinese PDF
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pdf = tmp_path / "checklist.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = re.sub(r"\s+", " ", text)
    assert f"{CITY_OFFICE[1]}: Ground floor" in text and CITY_OFFICE[0] not in text
    assert "Time limit: 46 working days before integration → 8 working days after" in text
    assert "visits: 6 visits before → 1 visit after" in text
    assert "(1 working day)" in text and "(6 working days)" in text


def test_api_gives_english_offices_and_bases_only_when_asked(client):
    english = client.get("/api/themes/AK-YJS-001/?lang=en").json()
    chinese = client.get("/api/themes/AK-YJS-001/").json()
    assert english["locations"][0]["name"] == CITY_OFFICE[1]
    assert english["locations"][0]["address"] == CITY_ADDRESS
    assert chinese["locations"][0]["name"] == CITY_OFFICE[0]
    basis = {i["code"]: i["basis"] for i in english["items"]}["AK-XK-0001"]
    assert basis[0] == BASIS[1].replace("&#x27;", "'")
    assert {i["code"]: i["basis"] for i in chinese["items"]}["AK-XK-0001"][0] == BASIS[0]


@pytest.fixture
def fresh_guide_cache():
    # The rolled-back edits leave a cached guide body under the bumped registry version: drop it afterwards.
    yield
    bump_registry_version()


def test_english_pages_fall_back_to_chinese_when_not_translated(client, fresh_guide_cache):
    _zh, en = _pair()
    office = ServiceLocation.objects.get(name=CITY_OFFICE[0])
    office.name_en = office.address_en = ""
    office.save()
    item = ServiceItem.objects.get(code="AK-XK-0001")
    item.basis_en = []
    item.save()  # bumps the registry version, so the cached guide body is rendered again
    english = _main(client.get(_path(en)))
    assert CITY_OFFICE[0] in _locations(english) and "兴安东路" in _locations(english)
    assert "Monday to Friday" in _locations(english)  # the columns still filled in are still English
    # AK-XK-0002 cites the same article and keeps its English.
    assert f"{BASIS[0]}<small>（Enterprise establishment registration）" in english
    assert f"{BASIS[1]}<small>（Enterprise establishment registration）" not in english
    assert client.get("/api/themes/AK-YJS-001/?lang=en").json()["locations"][0]["name"] == CITY_OFFICE[0]


def _hide_on_hanbin(city_page, reason_en):
    return ThemeOverride.objects.create(site=Site.objects.get(hostname="hanbin.localhost"), theme=city_page,
                                        hidden=True, hidden_reason="本县由镇便民服务中心代办，请就近办理。",
                                        hidden_reason_en=reason_en)


def _serve_on_hanbin(page, language):
    request = RequestFactory().get("/", HTTP_HOST="hanbin.localhost")
    request.user = AnonymousUser()
    with translation.override(language):
        return _main(page.serve(request).render())


def test_county_reason_in_the_page_language():
    zh, _en = _pair()
    _hide_on_hanbin(zh, "In Hanbin the town service centres handle this; please apply at the nearest one.")
    alias = ThemePage.objects.get(alias_of=zh, url_path__startswith="/hanbin/")
    assert "In Hanbin the town service centres handle this" in _serve_on_hanbin(alias, "en")
    chinese = _serve_on_hanbin(alias, "zh-hans")
    assert "本县由镇便民服务中心代办" in chinese and "In Hanbin" not in chinese


def test_county_english_page_shows_the_english_reason():
    zh, _en = _pair()
    _hide_on_hanbin(zh, "In Hanbin the town service centres handle this; please apply at the nearest one.")
    alias = ThemePage.objects.get(alias_of=zh, url_path__startswith="/hanbin/")
    english_alias = alias.get_translation(Locale.objects.get(language_code="en"))
    client = Client(HTTP_HOST="hanbin.localhost")
    english = _main(client.get(english_alias.get_url_parts()[2]))
    assert "In Hanbin the town service centres handle this" in english and "本县由镇便民服务中心代办" not in english
    assert "Hanbin District Government Service Centre" in _locations(english)  # the county's own office
    chinese = _main(client.get(alias.get_url_parts()[2]))
    assert "本县由镇便民服务中心代办" in chinese and "In Hanbin" not in chinese


def test_county_reason_falls_back_to_chinese():
    zh, _en = _pair()
    _hide_on_hanbin(zh, "")
    alias = ThemePage.objects.get(alias_of=zh, url_path__startswith="/hanbin/")
    assert "本县由镇便民服务中心代办" in _serve_on_hanbin(alias, "en")


def test_import_restores_english_columns_and_a_second_run_changes_nothing():
    office = ServiceLocation.objects.get(name="汉滨区政务服务中心")
    ServiceLocation.objects.filter(pk=office.pk).update(name_en="", hours_en="")
    ServiceItem.objects.filter(code="AK-XK-0001").update(basis_en=[])
    out = io.StringIO()
    call_command("import_translations", str(TRANSLATIONS), stdout=out, stderr=io.StringIO())
    assert "registry rows updated 2," in out.getvalue()
    office.refresh_from_db()
    assert office.name_en == "Hanbin District Government Service Centre" and office.hours_en.startswith("Monday")
    assert ServiceItem.objects.get(code="AK-XK-0001").basis_en[0] == BASIS[1].replace("&#x27;", "'")
    out = io.StringIO()
    call_command("import_translations", str(TRANSLATIONS), stdout=out, stderr=io.StringIO())
    assert "registry rows updated 0," in out.getvalue()


def test_demo_translates_every_office_and_the_bases_of_the_translated_themes():
    assert not ServiceLocation.objects.filter(name_en="").exists()
    assert not ServiceLocation.objects.filter(address_en="").exists()
    codes = set()
    for path in TRANSLATIONS.glob("AK-*.yaml"):
        zh, _en = _pair(path.stem)
        codes |= {i["item"] for i in page_to_spec(zh, Lookups.for_pages([zh]))["items"]}
    missing = [i.code for i in ServiceItem.objects.filter(code__in=codes) if len(i.basis_en) != len(i.basis)]
    assert codes and not missing


def test_bad_translation_file_is_rejected_before_writing(tmp_path):
    (tmp_path / "_locations.yaml").write_text("hanbin:\n  汉滨区政务服务中心: {name: Hanbin Centre}\n",
                                              encoding="utf-8")
    (tmp_path / "_bases.yaml").write_text("AK-XK-0001: [Only one entry for two Chinese ones]\n", encoding="utf-8")
    with pytest.raises(CommandError, match="AK-XK-0001 needs 2 entries"):
        import_offices_and_bases(tmp_path)
    assert ServiceLocation.objects.get(name="汉滨区政务服务中心").name_en == "Hanbin District Government Service Centre"


@pytest.mark.parametrize(("msgid", "one", "two"), [
    ("%(n)s 次", "1 visit", "2 visits"),
    ("%(n)s 天", "1 working day", "2 working days"),
    ("%(n)s 个工作日", "1 working day", "2 working days"),
    ("%(n)s 份", "1 copy", "2 copies"),
])
def test_english_figures_have_plural_forms(msgid, one, two):
    with translation.override("en"):
        assert ngettext(msgid, msgid, 1) % {"n": 1} == one
        assert ngettext(msgid, msgid, 2) % {"n": 2} == two
    with translation.override("zh-hans"):
        assert ngettext(msgid, msgid, 1) % {"n": 1} == msgid % {"n": 1}


def test_pages_render_singular_and_plural_figures(client):
    zh, en = _pair()  # visits 6 → 1, days 46 → 8; steps of 1 and 6 working days; AK-XK-0001 promised 1, legal 15
    english = _main(client.get(_path(en)))
    assert '<span class="before">6 visits</span> → 1 visit<' in english
    assert '<span class="before">46 working days</span> → 8 working days<' in english
    assert "(1 working day)" in english and "(6 working days)" in english
    assert "promised in 1 working day (statutory limit 15 working days)" in english
    checklist = _main(client.get(f"{_path(en)}checklist/?{ANSWERS}"))
    assert '<span class="before">6 visits</span> → 1 visit<' in checklist
    assert "<td>1 working day</td>" in checklist and '<span class="tag">1 copy</span>' in checklist
    chinese = _main(client.get(_path(zh)))
    assert '<span class="before">6 次</span> → 1 次<' in chinese and "（1 个工作日）" in chinese
    assert "承诺 1 个工作日（法定 15 个）" in chinese
    home = _main(client.get("/en/"))
    assert re.search(r" · \d+ visits? · \d+ working days?<", home)


def test_admin_forms_have_the_english_fields_beside_the_chinese(django_user_model):
    client = Client(HTTP_HOST="localhost")
    client.force_login(django_user_model.objects.create_superuser("i18n-admin", "i18n@example.com", "pw"))
    office = ServiceLocation.objects.get(name=CITY_OFFICE[0])
    item = ServiceItem.objects.get(code="AK-XK-0001")
    pages = {
        reverse("wagtailsnippets_guides_servicelocation:edit", args=[office.pk]):
            ("name", "name_en", "address", "address_en", "windows", "windows_en", "hours", "hours_en"),
        reverse("wagtailsnippets_guides_serviceitem:edit", args=[item.pk]): ("basis", "basis_en"),
        reverse("wagtailsnippets_counties_themeoverride:add"): ("hidden_reason", "hidden_reason_en"),
    }
    for url, fields in pages.items():
        body = client.get(url).content.decode()
        positions = [body.find(f'name="{f}"') for f in fields]
        assert -1 not in positions, (url, fields, positions)
        assert positions == sorted(positions), url  # each English field right after its Chinese one
    assert "Ankang Government Service Centre" in client.get(
        reverse("wagtailsnippets_guides_servicelocation:edit", args=[office.pk])).content.decode()
