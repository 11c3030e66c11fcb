"""The search page and the autocomplete endpoint: facets, bookmarkable URLs, bad input, no JavaScript."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(search_documents):
    return Client(HTTP_HOST="localhost")


@pytest.fixture
def hanbin(search_documents):
    return Client(HTTP_HOST="hanbin.localhost")


def test_search_page_shows_results_with_marks_and_facets(client):
    r = client.get("/search/", {"q": "开超市"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "我要<mark>开超市</mark>" in html
    for label in ("主题类别", "服务对象", "实施部门", "网办程度", "跑动次数（集成后）", "全市通办"):
        assert label in html
    # Zero-count values are shown, disabled, not hidden.
    zero = [v for f in r.context["facets"] for v in f["values"] if v["count"] == 0]
    assert zero and all(f'aria-disabled="true">{v["label"]} <span class="count">0</span>' in html for v in zero)


def test_facet_links_are_plain_get_and_bookmarkable(client):
    r = client.get("/search/?category=市场准入&audience=法人")
    assert r.status_code == 200
    assert all(h.category == "市场准入" and "法人" in h.audience for h in r.context["hits"])
    assert r.context["results"].total == r.context["results"].facets["audience"]["法人"]


def test_county_switch_to_whole_city(hanbin):
    own = hanbin.get("/search/", {"q": "开"}).context
    city = hanbin.get("/search/", {"q": "开", "scope": "city"}).context
    assert city["results"].total >= own["results"].total
    assert own["query"].site_code == "hanbin"


def test_pagination_links_keep_the_query(client):
    r = client.get("/search/")
    assert r.context["page_obj"].paginator.num_pages == 9
    assert "page=2" in r.content.decode()
    r2 = client.get("/search/?page=999")  # past the end: the last page, not an error
    assert r2.status_code == 200 and r2.context["hits"]


def test_empty_state_suggests_themes_and_categories(client):
    r = client.get("/search/", {"q": "xyzzy"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "没有找到" in html and "大家常办的主题" in html and "按类别浏览" in html
    assert r.context["suggestions"]


@pytest.mark.parametrize("params", [
    {"q": "超" * 10000},
    {"q": "\x00\x01\u200b\ufffd"},
    {"q": "'; DROP TABLE search_themedocument; --"},
    {"q": "<script>alert(1)</script>"},
    {"category": "不存在", "audience": "x", "department": "<b>", "online": "1", "visits": "-1"},
    {"scope": "../../etc/passwd", "page": "0x10"},
    {"page": "99999999999999999999"},
    {"q": "开超市", "category": ["市场准入", "bogus"]},
])
def test_bad_input_gives_a_normal_page(client, params):
    r = client.get("/search/", params)
    assert r.status_code == 200
    assert b"<script>alert(1)</script>" not in r.content


def test_invalid_utf8_gives_a_normal_page(client):
    r = client.get("/search/?q=%ED%A0%80%FF%00&category=%FF")
    assert r.status_code == 200


def test_unknown_facet_values_are_reported(client):
    r = client.get("/search/", {"category": "不存在"})
    assert "已忽略无效的筛选条件" in r.content.decode()


def test_autocomplete_json(client):
    r = client.get("/search/autocomplete/", {"q": "kcs"})
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
    assert r.json()["suggestions"][0]["title"] == "我要开超市"
    assert client.get("/search/autocomplete/").json() == {"q": "", "suggestions": []}


@pytest.mark.parametrize("params, code", [
    ({"q": "超" * 1000}, "query_too_long"),
    ({"q": "超市", "scope": "galaxy"}, "invalid_scope"),
])
def test_autocomplete_bad_input_is_a_400_json_error(client, params, code):
    r = client.get("/search/autocomplete/", params)
    assert r.status_code == 400 and r.json()["error"]["code"] == code


def test_autocomplete_odd_characters(client):
    for q in ("\x00", "' OR 1=1", "%", "ｋｃｓ"):
        r = client.get("/search/autocomplete/", {"q": q})
        assert r.status_code == 200


def test_search_page_works_without_javascript(client):
    html = client.get("/search/").content.decode()
    assert '<form class="search-form" method="get"' in html and 'name="q"' in html
    assert 'role="combobox"' in html and "js/autocomplete.js" in html
