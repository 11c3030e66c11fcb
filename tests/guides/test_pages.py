"""Public pages on the city and on a county site, the theme page's query count, the JSON API."""

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from guides.models import ThemePage

pytestmark = pytest.mark.django_db


def _theme(code="AK-YJS-001"):
    return ThemePage.objects.get(code=code, alias_of__isnull=True, locale__language_code="zh-hans")


def test_city_home_lists_categories_popular_themes_and_offices(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "安康市政务服务网" in html
    assert re.search(r"市场准入 <span class=\"count\">\d+ 项</span>", html)
    assert "安康市政务服务中心" in html and "0915-3261234" in html
    assert 'name="q"' in html


def test_county_home_shows_its_own_offices(county_client):
    html = county_client.get("/").content.decode()
    assert "汉滨区" in html
    assert "汉滨区政务服务中心" in html
    assert "安康市政务服务中心" not in html


def test_category_listing_filters(client):
    html = client.get("/themes/?category=market-entry").content.decode()
    assert "我要开超市" in html
    assert "新生儿" not in html


def test_theme_page_shows_every_guide_element(client):
    page = _theme()
    response = client.get(page.url)
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("我要开超市", "受理条件", "设定依据", "《中华人民共和国", "食品经营许可", "市场监督管理局",
                 "公司章程", "无需提交（电子证照）", "办理流程", "相关部门并联审批", "6 次", "1 次", "46 天", "8 天",
                 "不收费", "网上预审", "邮寄送达", "安康市政务服务中心", "0915-3261234", "开始自助筛查"):
        assert text in html, text
    assert "当“超市是否经营食品？”选择“销售散装食品（含散装熟食、现场制售）”时" in html


def test_city_theme_on_a_county_site_shows_county_offices(county_client):
    alias = ThemePage.objects.get(code="AK-YJS-001", path__startswith=_county_root_path("hanbin"))
    html = county_client.get(alias.get_url()).content.decode()
    assert "我要开超市" in html
    assert "汉滨区政务服务中心" in html and "0915-3212345" in html
    assert "安康市政务服务中心" not in html


def _county_root_path(code):
    from home.models import HomePage

    return HomePage.objects.get(site_code=code, locale__language_code="zh-hans").path


def test_county_only_theme_is_not_on_the_city_site(client, county_client):
    from wagtail.models import Site

    city = Site.objects.get(is_default_site=True)
    county_only = ThemePage.objects.filter(alias_of__isnull=True, locale__language_code="zh-hans").exclude(path__startswith=city.root_page.path)
    codes = set(county_only.values_list("code", flat=True))
    city_codes = {t["code"] for t in client.get("/api/themes/").json()["themes"]}
    assert not codes & city_codes
    hanbin_codes = {t["code"] for t in county_client.get("/api/themes/").json()["themes"]}
    assert len(hanbin_codes) == 91


def _page_queries(client, page):
    client.get(page.url)  # warm the site caches, which are not per page
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(page.url).status_code == 200
    return len(ctx)


def test_theme_page_queries_do_not_grow_with_materials_or_items(client, django_assert_max_num_queries):
    from wagtail.models import Site

    city_root = Site.objects.get(is_default_site=True).root_page
    pages = sorted(ThemePage.objects.filter(alias_of__isnull=True, locale__language_code="zh-hans").descendant_of(city_root),
                   key=lambda p: len(p.materials) + len(p.items))
    small, large = pages[0], pages[-1]
    assert len(large.materials) + len(large.items) > 2 * (len(small.materials) + len(small.items))
    assert _page_queries(client, small) == _page_queries(client, large)
    with django_assert_max_num_queries(16):
        client.get(large.url)


def test_api_lists_the_sites_themes(client):
    data = client.get("/api/themes/").json()
    assert data["site"] == "ankang" and data["count"] == 90
    first = data["themes"][0]
    assert set(first) == {"code", "title", "category", "audience", "url"}
    assert first["url"].startswith("http://")


def test_api_theme_detail(client):
    data = client.get("/api/themes/AK-YJS-001/").json()
    assert data["code"] == "AK-YJS-001" and data["title"] == "我要开超市"
    assert [i["code"] for i in data["items"]][:2] == ["AK-XK-0001", "AK-XK-0002"]
    assert data["items"][0]["department"]["code"] == "SPJ"
    assert data["questions"][0]["id"] == "subject"
    assert data["materials"][0]["code"] == "M-APPLY-FORM"
    assert data["steps"][2]["actor"] == "并联"
    assert any(f["code"] == "food.category" and f["when"] for f in data["fields"])
    assert data["days"] == {"before": 46, "after": 8}
    assert data["locations"][0]["phone"] == "0915-3261234"


def test_api_unknown_theme_is_json_404(client):
    response = client.get("/api/themes/NOPE/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["error"]["code"] == "unknown_theme"


def test_publishing_keeps_the_usage_count():
    page = _theme()
    ThemePage.objects.filter(pk=page.pk).update(popularity=41)
    page.refresh_from_db()
    page.summary = "改过的简介"
    page.save_revision().publish()
    page.refresh_from_db()
    assert page.popularity == 41 and page.summary == "改过的简介"


def test_cached_guide_follows_publishing_and_registry_edits(client):
    from guides.models import ServiceItem

    page = _theme()
    alias = ThemePage.objects.filter(alias_of=page).first()
    county = Client(HTTP_HOST=alias.get_site().hostname)
    assert "公司章程" in county.get(alias.get_url()).content.decode()
    page.materials[2].value["name"] = "公司章程（修订版）"
    page.save_revision().publish()
    assert "公司章程（修订版）" in county.get(alias.get_url()).content.decode()
    item = ServiceItem.objects.get(code="AK-XK-0001")
    item.name = "企业设立登记（新名称）"
    item.save()
    assert "企业设立登记（新名称）" in client.get(page.url).content.decode()
