"""The embedded engine over the reference catalogue: Chinese, pinyin, synonyms, facets, 全市通办."""

import pytest

from search.backends import SearchQuery, get_backend, search

pytestmark = pytest.mark.django_db


@pytest.fixture
def db_search(search_documents):
    def run(q="", site="ankang", **kw):
        return search(SearchQuery(q=q, site_code=site, **kw), backend="database")

    return run


def codes(results, n=3):
    return [h.code for h in results.hits[:n]]


def test_registry_has_both_engines_and_defaults_to_database(settings):
    from search import backends

    assert {"database", "opensearch"} <= set(backends.available())
    assert get_backend().name == "database"
    with pytest.raises(LookupError):
        get_backend("nope")


@pytest.mark.parametrize("q, code", [
    ("开超市", "AK-YJS-001"),           # words inside a title
    ("我想开个小卖部卖烟", "AK-YJS-003"),  # colloquial, with question words
    ("退休金怎么领", "AK-YJS-081"),       # synonym of 养老金
    ("kcs", "AK-YJS-001"),             # initials
    ("kaichaoshi", "AK-YJS-001"),      # full pinyin
])
def test_queries_find_the_theme_first(db_search, q, code):
    assert codes(db_search(q), 1) == [code]


def test_item_and_material_names_are_searched(db_search):
    assert "AK-YJS-001" in codes(db_search("食品经营许可"), 10)
    assert db_search("营业执照").total > 5


def test_highlight_marks_the_matched_words(db_search):
    hit = db_search("开超市").hits[0]
    assert hit.title_html == "我要<mark>开超市</mark>"
    assert "<mark>超市</mark>" in hit.summary_html


def test_facet_counts_add_up_and_ignore_their_own_selection(db_search):
    everything = db_search()
    assert everything.total == 90  # the city's own themes; county-only themes are elsewhere
    assert sum(everything.facets["category"].values()) == 90
    chosen = db_search(filters={"category": ("市场准入",)})
    assert chosen.total == everything.facets["category"]["市场准入"]
    # Disjunctive: the category facet still counts the other categories under its own selection.
    assert chosen.facets["category"] == everything.facets["category"]
    assert sum(chosen.facets["online"].values()) == chosen.total
    both = db_search(filters={"category": ("市场准入",), "audience": ("自然人",)})
    assert both.total == chosen.facets["audience"].get("自然人", 0)
    assert all(h.category == "市场准入" and "自然人" in h.audience for h in both.hits)


def test_department_and_visits_facets(db_search):
    r = db_search(filters={"department": ("YC",)})
    assert r.total >= 1 and "AK-YJS-003" in [h.code for h in db_search(filters={"department": ("YC",)},
                                                                          per_page=50).hits]
    v = db_search(filters={"visits": ("0",)})
    assert all(h.visits_after == 0 for h in v.hits)


def test_county_searches_its_own_themes_and_the_whole_city_deduplicated(db_search):
    own = db_search(site="hanbin")
    city = db_search(site="hanbin", scope="city", per_page=200)
    assert own.total == 91 and city.total == 100
    assert own.scope_counts == {"site": 91, "city": 100}
    assert len({h.code for h in city.hits}) == len(city.hits) == 100  # one per theme code
    # This county's own copies first-class; other counties' own themes appear once, from their site.
    by_code = {h.code: h.site_code for h in city.hits}
    assert sum(1 for s in by_code.values() if s == "hanbin") == 91
    assert sum(1 for s in by_code.values() if s not in ("hanbin", "ankang")) == 9


def test_pagination_is_stable_and_complete(db_search):
    pages = [db_search(page=n, per_page=10) for n in range(1, 11)]
    seen = [h.code for p in pages for h in p.hits]
    assert len(seen) == len(set(seen)) == 90


@pytest.mark.parametrize("q", ["' OR 1=1 --", "\" NEAR( a b )", "*", "%_%", "<script>alert(1)</script>", "\x00\ud800",
                               "超市" * 500, "AND OR NOT", "开超市 OR title:*"])
def test_hostile_queries_are_just_text(db_search, q):
    r = db_search(q)
    assert r.total >= 0
    for h in r.hits:
        assert "<script>" not in h.title_html + h.summary_html
