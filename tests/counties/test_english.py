"""A county's own promise and hidden themes hold on its English pages too (counties.ThemeOverride)."""

import pytest
from django.test import Client
from wagtail.models import Locale, Site

from counties.models import ThemeOverride
from guides.models import ThemePage
from home.models import HomePage

pytestmark = pytest.mark.django_db

ANSWERS = "subject=company&food=bulk&area=large&tobacco=sells&sign=large&premises=rent"


def _site(code):
    return Site.objects.get(root_page__homepage__site_code=code)


def _city_theme():
    return ThemePage.objects.get(code="AK-YJS-001", alias_of__isnull=True, locale__language_code="zh-hans")


def _pages(code="hanbin"):
    """(Chinese alias, English page) of the supermarket theme on a county."""
    home = HomePage.objects.get(site_code=code, locale__language_code="zh-hans")
    zh = ThemePage.objects.get(code="AK-YJS-001", path__startswith=home.path)
    return zh, zh.get_translation(Locale.objects.get(language_code="en"))


def _get(code, url):
    return Client(HTTP_HOST=f"{code}.localhost").get(url)


def _url(page):
    return page.get_url_parts()[2]


def test_county_promise_shows_on_its_english_pages_only():
    ThemeOverride.objects.create(site=_site("hanbin"), theme=_city_theme(), days_after=3, visits_after=0)
    _zh, en = _pages()
    page = _get("hanbin", _url(en)).content.decode()
    assert "(county promise)" in page and "→ 3 " in page
    checklist = _get("hanbin", f"{_url(en)}checklist/?{ANSWERS}").content.decode()
    assert "→ 3 " in checklist
    other = _get("hanyin", _url(_pages("hanyin")[1])).content.decode()
    assert "(county promise)" not in other and "→ 8 " in other


def test_hidden_theme_is_not_reachable_in_english_either(django_capture_on_commit_callbacks):
    from search.backends import SearchQuery, search

    with django_capture_on_commit_callbacks(execute=True):  # the override reindexes the theme
        ThemeOverride.objects.create(site=_site("hanbin"), theme=_city_theme(), hidden=True,
                                     hidden_reason="本区超市开办业务已下放至各街道便民服务中心办理。")
    zh, en = _pages()
    for page in (zh, en):
        html = _get("hanbin", _url(page)).content.decode()
        assert "本区超市开办业务已下放至各街道便民服务中心办理" in html
        assert f'{_url(page)}screening/"' not in html
        # The wizard and the checklist, even from a kept link, are not offered.
        assert _get("hanbin", f"{_url(page)}screening/").status_code == 404
        assert _get("hanbin", f"{_url(page)}checklist/?{ANSWERS}").status_code == 404
        assert _get("hanbin", f"{_url(page)}checklist/pdf/?{ANSWERS}").status_code == 404
    assert "This site does not offer this theme service" in _get("hanbin", _url(en)).content.decode()
    assert _url(en) not in _get("hanbin", "/en/themes/").content.decode()
    assert _url(en) not in _get("hanbin", "/en/").content.decode()
    listed = {t["code"] for t in _get("hanbin", "/api/themes/?lang=en").json()["themes"]}
    assert "AK-YJS-001" not in listed
    for url in ("/api/themes/AK-YJS-001/?lang=en", "/api/themes/AK-YJS-001/",
                f"/api/themes/AK-YJS-001/checklist/?lang=en&{ANSWERS}"):
        assert _get("hanbin", url).status_code == 404, url
    assert _get("hanyin", "/api/themes/AK-YJS-001/?lang=en").status_code == 200
    for language, q in (("en", "supermarket"), ("zh-hans", "开超市")):
        hits = search(SearchQuery(q=q, site_code="hanbin", language=language), backend="database").hits
        assert "AK-YJS-001" not in [h.code for h in hits], language
    # Another county still offers it, in both languages.
    hanyin_zh, hanyin_en = _pages("hanyin")
    assert _get("hanyin", f"{_url(hanyin_en)}screening/").status_code == 200
    assert _get("hanyin", f"{_url(hanyin_zh)}screening/").status_code == 200
    hits = search(SearchQuery(q="supermarket", site_code="hanyin", language="en"), backend="database").hits
    assert [h.code for h in hits][:1] == ["AK-YJS-001"]
