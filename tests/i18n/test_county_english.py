"""County sites in English: each county's English tree (aliases of the English city pages, linked as translations of
its Chinese aliases), switcher and hreflang, English slugs from titles, redirects from the old pinyin slugs."""

import io
import re
import shutil
from urllib.parse import urlparse

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from django.utils.text import slugify
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Locale, Page, Site
from wagtail_localize.models import StringTranslation, TranslationSource

from guides.models import ThemeIndexPage, ThemePage
from home.models import HomePage

from .test_i18n import ANSWERS, TRANSLATIONS

pytestmark = pytest.mark.django_db

CODES = sorted(p.stem for p in TRANSLATIONS.glob("AK-*.yaml"))
COUNTIES = yaml.safe_load((TRANSLATIONS / "_sites.yaml").read_text("utf-8"))["counties"]


def _en():
    return Locale.objects.get(language_code="en")


def _home(code, language="zh-hans"):
    return HomePage.objects.get(site_code=code, locale__language_code=language)


def _county_pair(site="hanbin", code="AK-YJS-001"):
    zh = ThemePage.objects.get(code=code, path__startswith=_home(site).path)
    return zh, zh.get_translation(_en())


def _path(page) -> str:
    return urlparse(page.get_url()).path


@pytest.fixture
def hanbin():
    return Client(HTTP_HOST="hanbin.localhost")


def test_every_county_has_an_english_home_index_and_themes():
    en = _en()
    for site in Site.objects.filter(is_default_site=False).select_related("root_page"):
        code = site.root_page.specific.site_code
        home = site.root_page.get_translation(en).specific
        assert home.live and home.title == COUNTIES[code]
        index = ThemeIndexPage.objects.child_of(home).get()
        assert index.live and index.title == "Theme services"
        assert index.get_translation(Locale.get_default()).get_parent().pk == site.root_page.pk
        themes = ThemePage.objects.child_of(index)
        assert sorted(themes.values_list("code", flat=True)) == CODES, code


@pytest.mark.parametrize("site", sorted(COUNTIES))
def test_county_english_theme_is_alias_of_english_city_page_and_translation_of_county_alias(site):
    en = _en()
    for code in CODES:
        zh, english = _county_pair(site, code)
        city_zh = ThemePage.objects.get(pk=zh.alias_of_id)
        city_en = city_zh.get_translation(en)
        english = english.specific
        assert english.alias_of_id == city_en.pk  # follows the English city page, not the Chinese alias
        assert english.translation_key == zh.translation_key and english.locale_id == en.pk
        assert english.live and english.title == city_en.title and english.slug == city_en.slug
        assert english.get_translation(Locale.get_default()).pk == zh.pk


def test_county_english_pages_render_with_switcher_and_hreflang(hanbin):
    zh, en = _county_pair()
    home = hanbin.get("/en/")
    assert home.status_code == 200
    body = home.content.decode()
    assert '<html lang="en">' in body and "Hanbin District" in body
    assert f'href="{_path(en)}"' in body  # popular themes link to the county's English pages
    assert 'hreflang="zh-Hans" href="http://hanbin.localhost/"' in body
    listing = hanbin.get("/en/themes/").content.decode()
    assert len(set(re.findall(r'href="(/en/themes/[a-z0-9-]+/)"', listing))) == len(CODES)

    body = hanbin.get(_path(en)).content.decode()
    assert '<html lang="en">' in body and "Opening a supermarket" in body
    assert f'hreflang="zh-Hans" href="http://hanbin.localhost{_path(zh)}"' in body
    assert f'hreflang="en" href="http://hanbin.localhost{_path(en)}"' in body
    assert f'href="{_path(zh)}" hreflang="zh-hans"' in body  # the switcher keeps the page and the site

    # From a Chinese county checklist the switcher goes to the same checklist in English, answers kept.
    chinese = hanbin.get(f"{_path(zh)}checklist/?{ANSWERS}").content.decode()
    assert f'href="{_path(en)}checklist/?{ANSWERS.replace("&", "&amp;")}"' in chinese
    english = hanbin.get(f"{_path(en)}checklist/?{ANSWERS}")
    assert english.status_code == 200 and "One-time notice" in english.content.decode()
    # Not the city's page: the county's host and the county's English URL.
    assert urlparse(en.get_url()).netloc.startswith("hanbin.")


def test_city_translation_change_reaches_county_english_pages(hanbin, django_capture_on_commit_callbacks):
    _zh, en = _county_pair()
    city_en = ThemePage.objects.get(pk=en.specific.alias_of_id)
    city_en.summary = "Changed in the city's English page."
    with django_capture_on_commit_callbacks(execute=True):
        city_en.save_revision().publish()
    assert "Changed in the city&#x27;s English page." in hanbin.get(_path(en)).content.decode()


def test_second_import_creates_nothing():
    count = Page.objects.count()
    out = io.StringIO()
    call_command("import_translations", str(TRANSLATIONS), stdout=out, stderr=io.StringIO())
    assert "en counties: pages saved 0, theme aliases created 0, updated 0" in out.getvalue()
    assert Page.objects.count() == count


def test_import_makes_missing_county_pages_again():
    _zh, en = _county_pair("baihe", "AK-YJS-082")
    en.delete()
    out = io.StringIO()
    call_command("import_translations", str(TRANSLATIONS), stdout=out, stderr=io.StringIO())
    assert "theme aliases created 1," in out.getvalue()
    assert _county_pair("baihe", "AK-YJS-082")[1].specific.alias_of_id is not None


# --- slugs ------------------------------------------------------------------------------------


def test_english_slugs_come_from_the_english_titles():
    en = _en()
    pages = ThemePage.objects.filter(locale=en, alias_of__isnull=True)
    assert pages.count() == len(CODES)
    for page in pages:
        assert page.slug == slugify(page.title), page.slug
    assert _path(pages.get(code="AK-YJS-001")) == "/en/themes/opening-a-supermarket/"


def test_slug_is_unique_among_siblings_and_kept_on_reimport(tmp_path):
    from guides.management.commands.import_translations import _english_slug

    en = _en()
    page = ThemePage.objects.get(code="AK-YJS-002", locale=Locale.get_default(), alias_of__isnull=True,
                                 url_path__startswith="/ankang/")
    source = TranslationSource.get_or_create_from_instance(page)[0]
    # A title that a sibling already has: the new slug must differ from the sibling's.
    StringTranslation.objects.filter(locale=en, context__object_id=page.translation_key,
                                     context__path="slug").delete()
    assert _english_slug(page, source, en, "Opening a supermarket") == "opening-a-supermarket-1"

    # Re-import with a changed English title keeps the URL.
    folder = tmp_path / "en"
    shutil.copytree(TRANSLATIONS, folder)
    data = yaml.safe_load((folder / "AK-YJS-001.yaml").read_text("utf-8"))
    data["title"] = "Starting a supermarket"
    (folder / "AK-YJS-001.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    call_command("import_translations", str(folder), stdout=io.StringIO(), stderr=io.StringIO())
    english = ThemePage.objects.get(code="AK-YJS-001", locale=en, alias_of__isnull=True)
    assert english.title == "Starting a supermarket" and english.slug == "opening-a-supermarket"


def test_old_pinyin_english_url_redirects(django_capture_on_commit_callbacks):
    en = _en()
    city = Client(HTTP_HOST="localhost")
    page = ThemePage.objects.get(code="AK-YJS-081", locale=en, alias_of__isnull=True)
    zh = page.get_translation(Locale.get_default())
    # The state an import before English slugs left: the Chinese page's pinyin slug, no slug translation.
    StringTranslation.objects.filter(locale=en, context__object_id=page.translation_key,
                                     context__path="slug").delete()
    page.slug = zh.slug
    page.save()
    _zh, county = _county_pair("hanbin", "AK-YJS-081")
    county.slug = zh.slug
    county.save()
    old = _path(page)
    assert old == f"/en/themes/{zh.slug}/" == _path(county)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_translations", str(TRANSLATIONS), stdout=io.StringIO(), stderr=io.StringIO())
    page.refresh_from_db()
    assert page.slug == "retirement"
    assert Redirect.objects.filter(old_path=old.rstrip("/"), redirect_page=page).exists()
    response = city.get(old)
    assert response.status_code == 301 and urlparse(response["Location"]).path == "/en/themes/retirement/"
    # The county pages follow the English city page's new slug, with their own redirect.
    county.refresh_from_db()
    assert county.slug == "retirement"
    hanbin = Client(HTTP_HOST="hanbin.localhost")
    assert hanbin.get("/en/themes/retirement/").status_code == 200
    response = hanbin.get(old)
    assert response.status_code == 301 and response["Location"] == "http://hanbin.localhost/en/themes/retirement/"
