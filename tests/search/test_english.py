"""English search: the synonyms file, query expansion, the English relevance set, county English documents."""

import re
from pathlib import Path

import pytest
import yaml
from django.test import Client

from search.backends import Analysed, SearchQuery, search
from search.text import (
    SYNONYMS_EN_PATH,
    english_query_groups,
    english_synonyms,
    english_tokens,
    load_english_synonyms,
)
from search.text import english as search_english

ROOT = Path(__file__).resolve().parents[2]
RELEVANCE_EN = yaml.safe_load((ROOT / "search" / "relevance_en.yaml").read_text("utf-8"))
TRANSLATIONS = ROOT / "demo" / "translations" / "en"
CODES = sorted(p.stem for p in TRANSLATIONS.glob("AK-*.yaml"))


def _english_words() -> str:
    """Every English word of the translated themes and registries, as indexed (normalised), space-padded."""
    texts = []

    def walk(value):
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str):
            texts.append(value)

    for path in TRANSLATIONS.glob("*.yaml"):
        walk(yaml.safe_load(path.read_text("utf-8")))
    return f" {' '.join(english_tokens(' '.join(texts)))} "


def test_english_synonyms_file_parses_into_normalised_groups():
    groups = load_english_synonyms(SYNONYMS_EN_PATH)
    assert len(groups) >= 40
    terms = [t for g in groups for t in g]
    for term in terms:
        assert term == " ".join(english_tokens(term)), term  # as indexed text and queries are normalised
    assert len(terms) == len(set(terms)), "a term in two groups"
    # Relevant to the English themes: most groups name something their texts say.
    words = _english_words()
    used = [g for g in groups if any(f" {t} " in words for t in g)]
    assert len(used) >= 35, [g for g in groups if g not in used]


def test_load_english_synonyms_format(tmp_path):
    path = tmp_path / "syn.txt"
    path.write_text("# comment\nShop, Stores ,supermarket  # trailing\nID, identity cards, id\nalone\n"
                    "free of charge, free\n", encoding="utf-8")
    assert load_english_synonyms(path) == [["shop", "store", "supermarket"], ["id", "identity card"],
                                           ["free charge", "free"]]
    path.write_text("shop => store\n", encoding="utf-8")
    with pytest.raises(ValueError):
        load_english_synonyms(path)


@pytest.mark.parametrize(("query", "first", "alternatives"), [
    ("shop", "shop", {"store", "supermarket"}),
    ("Stores", "store", {"shop", "supermarket"}),
    ("newborn", "newborn", {"baby", "infant"}),
    ("companies", "company", {"business", "enterprise"}),
    ("license", "license", {"licence", "permit"}),
    ("ID", "id", {"identity card"}),
    ("identity cards", "identity card", {"id"}),  # several words: one group, matched as a phrase
    ("my father passed away", "passed away", {"death", "deceased"}),
])
def test_english_query_expansion(query, first, alternatives):
    groups = {g[0]: g for g in english_query_groups(query)}
    assert first in groups, groups
    assert alternatives <= set(groups[first])


def test_longest_synonym_term_wins_like_synonym_graph():
    assert [g[0] for g in english_query_groups("open a convenience store")] == ["open", "convenience store"]
    assert [g[0] for g in english_query_groups("id card lost")] == ["id card", "lost"]
    assert english_query_groups("zzz qqq") == [["zzz"], ["qqq"]]
    assert Analysed.of("drugstore", "en").groups[0][:2] == ["drugstore", "pharmacy"]
    assert Analysed.of("药店").language == "zh-hans"  # Chinese queries keep the Chinese synonyms


# --- on the catalogue (database engine) ---------------------------------------------------------


def _precision(rows, backend="database"):
    at1 = at3 = 0
    for row in rows:
        hits = search(SearchQuery(q=row["query"], site_code="ankang", scope="city", language="en", per_page=3),
                      backend=backend).hits
        got = [h.code for h in hits]
        at1 += got[:1] == [row["expect"]]
        at3 += row["expect"] in got
    return at1 / len(rows), at3 / len(rows)


def test_english_relevance_set_is_well_formed():
    assert len(RELEVANCE_EN) >= 30
    assert len({r["query"] for r in RELEVANCE_EN}) == len(RELEVANCE_EN)
    for row in RELEVANCE_EN:
        assert set(row) == {"query", "expect", "kind"} and row["kind"] in {"words", "synonym"}, row
        assert row["expect"] in CODES, row


@pytest.mark.django_db
def test_english_relevance_on_the_database_engine(search_documents, monkeypatch):
    p1, p3 = _precision(RELEVANCE_EN)
    assert p1 >= 0.9 and p3 == 1.0, (p1, p3)
    # The synonym queries are found through the synonyms file: without it most of them find nothing.
    synonym_rows = [r for r in RELEVANCE_EN if r["kind"] == "synonym"]
    monkeypatch.setattr(search_english, "_english_synonyms", {})
    assert english_synonyms() == {}
    _p1, without = _precision(synonym_rows)
    assert without <= 0.5, without


@pytest.mark.django_db
def test_county_english_pages_are_documents_of_the_county(search_documents):
    mine = [d for d in search_documents if d["site_code"] == "hanbin" and d["locale"] == "en"]
    assert sorted(d["code"] for d in mine) == CODES
    assert all(d["url"].startswith("/en/themes/") and not d["canonical"] for d in mine)
    hits = search(SearchQuery(q="drugstore", site_code="hanbin", language="en"), backend="database").hits
    assert [(h.code, h.site_code, h.url) for h in hits] == [("AK-YJS-004", "hanbin", "/en/themes/opening-a-pharmacy/")]


@pytest.mark.django_db
def test_english_search_page_on_a_county_uses_synonyms(search_documents):
    body = Client(HTTP_HOST="hanbin.localhost").get("/en/search/", {"q": "drugstore"}).content.decode()
    results = re.search(r'<ol class="result-list".*?</ol>', body, re.S).group(0)
    assert 'href="/en/themes/opening-a-pharmacy/"' in results
    assert not re.search(r"[\u4e00-\u9fff]", results)
