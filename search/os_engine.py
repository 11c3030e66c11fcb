"""The OpenSearch engine: theme documents in an index behind an alias, queried with opensearch-py's DSL.

Text fields hold search.text output, so the index analyzer is only whitespace + lowercase; the
search analyzer adds synonym_graph with search/data/synonyms.txt inline (the same groups
search.text.Analyzer.query_tokens expands for the database engine); English queries use en_ws_synonym
with search/data/synonyms_en.txt (search.text.english_query_groups). Rebuilds go to a new index
and swap the alias atomically, so searches never see a half-built index.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.conf import settings
from opensearchpy import OpenSearch
from opensearchpy import exceptions as os_exc
from opensearchpy.helpers import bulk
from opensearchpy.helpers.faceted_search import FacetedResponse, FacetedSearch, TermsFacet
from opensearchpy.helpers.query import Q
from opensearchpy.helpers.search import Search

from .backends import (
    FACET_NAMES,
    FIELD_WEIGHTS,
    MIN_PINYIN_PREFIX,
    PINYIN_EXACT,
    PINYIN_PREFIX,
    Analysed,
    BackendUnavailable,
    Hit,
    SearchQuery,
    SearchResults,
    register,
)
from .text import SYNONYMS_EN_PATH, SYNONYMS_PATH, load_english_synonyms, load_synonyms

DEFAULT_ALIAS = "guide-themes"
TEXT_FIELDS = tuple(FIELD_WEIGHTS)
FACET_FIELDS = {"category": "category", "audience": "audience", "department": "departments", "online": "online",
                "visits": "visits"}
# Errors that mean "the engine cannot answer now", as opposed to a bug in the query.
UNAVAILABLE = (os_exc.ConnectionError, os_exc.ConnectionTimeout, os_exc.TransportError)


def alias_name() -> str:
    return getattr(settings, "OPENSEARCH_INDEX", DEFAULT_ALIAS)


def client(url: str | None = None, timeout: float = 5.0) -> OpenSearch:
    url = url or getattr(settings, "OPENSEARCH_URL", None)
    if not url:
        raise BackendUnavailable("OPENSEARCH_URL is not set")
    # No retries: an unreachable node should fall back to the database at once, not after a minute.
    return OpenSearch(url, timeout=timeout, max_retries=0, retry_on_timeout=False)


ENGLISH_SEARCH_ANALYZER = "en_ws_synonym"


def index_body() -> dict:
    synonyms = [", ".join(group) for group in load_synonyms(SYNONYMS_PATH)]
    # English documents are searched with their own synonyms: the same fields, another search analyzer per query.
    english = [", ".join(group) for group in load_english_synonyms(SYNONYMS_EN_PATH)]
    text = {"type": "text", "analyzer": "zh_ws", "search_analyzer": "zh_ws_synonym"}
    keyword = {"type": "keyword"}
    return {
        "settings": {
            "number_of_shards": 1,
            "number_of_replicas": 0,
            "refresh_interval": "1s",
            "analysis": {
                "filter": {"zh_synonyms": {"type": "synonym_graph", "synonyms": synonyms},
                           "en_synonyms": {"type": "synonym_graph", "synonyms": english}},
                "analyzer": {
                    "zh_ws": {"type": "custom", "tokenizer": "whitespace", "filter": ["lowercase"]},
                    "zh_ws_synonym": {"type": "custom", "tokenizer": "whitespace",
                                      "filter": ["lowercase", "zh_synonyms"]},
                    ENGLISH_SEARCH_ANALYZER: {"type": "custom", "tokenizer": "whitespace",
                                              "filter": ["lowercase", "en_synonyms"]},
                },
            },
        },
        "mappings": {
            "dynamic": "strict",
            "properties": {
                **{f: text for f in TEXT_FIELDS},
                "pinyin": keyword,
                "code": keyword,
                "site_code": keyword,
                "locale": keyword,
                "offered_on": keyword,
                "canonical": {"type": "boolean"},
                "category": keyword,
                "audience": keyword,
                "departments": keyword,
                "online": keyword,
                "visits": keyword,
                "visits_after": {"type": "integer"},
                "popularity": {"type": "integer"},
                "title": {"type": "keyword", "index": False},
                "summary": {"type": "text", "index": False},
                "url": {"type": "keyword", "index": False},
            },
        },
    }


def to_source(doc: dict, offered_on: list[str]) -> dict:
    return {
        **{f: doc[f].strip() for f in TEXT_FIELDS},
        "pinyin": doc["pinyin"].split(),
        "code": doc["code"],
        "site_code": doc["site_code"],
        "locale": doc["locale"],
        "offered_on": offered_on,
        "canonical": doc["canonical"],
        "category": doc["category"],
        "audience": doc["audience"],
        "departments": doc["departments"],
        "online": doc["online"],
        "visits": str(doc["visits_after"]),
        "visits_after": doc["visits_after"],
        "popularity": doc["popularity"],
        "title": doc["title"],
        "summary": doc["summary"],
        "url": doc["url"],
    }


def _offered_on(docs: Iterable[dict]) -> dict[tuple[str, str], list[str]]:
    # Per language: an English 全市通办 result must not be hidden by a site that offers the theme only in Chinese.
    sites: dict[tuple[str, str], set[str]] = {}
    for d in docs:
        sites.setdefault((d["code"], d["locale"]), set()).add(d["site_code"])
    return {key: sorted(s) for key, s in sites.items()}


def _actions(docs: list[dict], index: str):
    offered = _offered_on(docs)
    for d in docs:
        yield {"_op_type": "index", "_index": index, "_id": d["id"], "_source": to_source(d, offered[(d["code"], d["locale"])])}


def rebuild(docs: list[dict], es: OpenSearch | None = None, alias: str | None = None, progress=None,
            chunk_size: int = 500) -> dict:
    """Zero-downtime rebuild: a new index, bulk, then swap the alias atomically and drop the old indices."""
    es = es or client(timeout=60)
    alias = alias or alias_name()
    new_index = f"{alias}-{time.strftime('%Y%m%d%H%M%S')}-{time.monotonic_ns() % 1_000_000:06d}"
    es.indices.create(index=new_index, body={**index_body(), "settings": {**index_body()["settings"],
                                                                          "refresh_interval": "-1"}})
    started = time.perf_counter()
    indexed = 0
    for chunk_start in range(0, len(docs), chunk_size):
        chunk = docs[chunk_start : chunk_start + chunk_size]
        ok, _ = bulk(es, _actions_with(chunk, new_index, docs), refresh=False, request_timeout=120)
        indexed += ok
        if progress is not None:
            progress(len(chunk))
    es.indices.put_settings(index=new_index, body={"index": {"refresh_interval": "1s"}})
    es.indices.refresh(index=new_index)
    seconds = time.perf_counter() - started
    old = list(es.indices.get_alias(name=alias).keys()) if es.indices.exists_alias(name=alias) else []
    actions = [{"remove": {"index": i, "alias": alias}} for i in old] + [{"add": {"index": new_index, "alias": alias}}]
    if es.indices.exists(index=alias) and not es.indices.exists_alias(name=alias):
        es.indices.delete(index=alias)  # a concrete index squatting on the alias name (never ours to keep)
    es.indices.update_aliases(body={"actions": actions})
    for i in old:
        es.indices.delete(index=i, ignore_unavailable=True)
    return {"index": new_index, "docs": indexed, "seconds": seconds}


_offered_cache: dict[int, dict[str, list[str]]] = {}


def _actions_with(chunk: list[dict], index: str, all_docs: list[dict]):
    # offered_on needs every site of a code, which may lie outside this chunk.
    key = id(all_docs)
    if key not in _offered_cache:
        _offered_cache.clear()
        _offered_cache[key] = _offered_on(all_docs)
    offered = _offered_cache[key]
    for d in chunk:
        yield {"_op_type": "index", "_index": index, "_id": d["id"], "_source": to_source(d, offered[(d["code"], d["locale"])])}


class ThemeFacetedSearch(FacetedSearch):
    facets = {name: TermsFacet(field=FACET_FIELDS[name], size=200) for name in FACET_NAMES}

    def __init__(self, es: OpenSearch, index: str, query: SearchQuery, analysed: Analysed):
        self.es, self.index, self.request, self.analysed = es, index, query, analysed
        filters = {k: list(v) for k, v in query.filters.items() if v and k in FACET_NAMES}
        super().__init__(query=query.q, filters=filters,
                         sort=[{"_score": "desc"}, {"popularity": "desc"}, {"code": "asc"}, {"site_code": "asc"}])

    def search(self):
        s = Search(using=self.es, index=self.index)
        return s.response_class(FacetedResponse).extra(track_total_hits=True)

    def query(self, search, query):
        return search.query(text_query(self.analysed, scope_filter(self.request)))

    def highlight(self, search):
        return search  # highlighting is shared with the database engine (search.backends.highlight_hits)


def scope_filter(query: SearchQuery):
    language = Q("term", locale=query.language)
    own = Q("term", site_code=query.site_code)
    if query.scope != "city":
        return Q("bool", filter=[language, own])
    others = Q("bool", filter=[Q("term", canonical=True)], must_not=[Q("term", offered_on=query.site_code)])
    return Q("bool", filter=[language], should=[own, others], minimum_should_match=1)


def text_query(analysed: Analysed, scope):
    if analysed.empty:
        return Q("constant_score", filter=scope, boost=0)
    should = []
    # English: the field's search analyzer carries the Chinese synonyms; the query names the English one.
    analyzer = {"analyzer": ENGLISH_SEARCH_ANALYZER} if analysed.language == "en" else {}
    for group in analysed.groups:
        # The search analyzer's synonym_graph expands group[0] into the rest of the group (a multi-word group[0]
        # or alternative becomes a phrase, as the database engine's LIKE '% a b %' matches it).
        should.append(Q("dis_max", tie_breaker=0, queries=[
            Q("constant_score", filter=Q("match", **{f: {"query": group[0], **analyzer}}), boost=w)
            for f, w in FIELD_WEIGHTS.items()
        ]))
    if analysed.pinyin:
        pinyin = [Q("constant_score", filter=Q("term", pinyin=analysed.pinyin), boost=PINYIN_EXACT)]
        if len(analysed.pinyin) >= MIN_PINYIN_PREFIX:
            pinyin.append(Q("constant_score", filter=Q("prefix", pinyin=analysed.pinyin), boost=PINYIN_PREFIX))
        should.append(Q("dis_max", tie_breaker=0, queries=pinyin))
    return Q("bool", should=should, minimum_should_match=1, filter=[scope])


@register("opensearch")
class OpenSearchBackend:
    name = "opensearch"

    def __init__(self, url: str | None = None, index: str | None = None):
        self.url, self.index = url, index or alias_name()

    def search(self, query: SearchQuery) -> SearchResults:
        analysed = Analysed.of(query.q, query.language)
        es = client(self.url, timeout=3)
        fs = ThemeFacetedSearch(es, self.index, query, analysed)[query.offset : query.offset + query.per_page]
        try:
            response = fs.execute()
            other = SearchQuery(q=query.q, site_code=query.site_code, filters=query.filters, language=query.language,
                                scope="site" if query.scope == "city" else "city")
            # Search.count() would ignore the facet selections (a post_filter): filter the query itself.
            other_fs = ThemeFacetedSearch(es, self.index, other, analysed)
            counted = Search(using=es, index=self.index).query(text_query(analysed, scope_filter(other)))
            for facet_filter in other_fs._filters.values():
                counted = counted.filter(facet_filter)
            other_total = counted.count()
        except UNAVAILABLE as exc:
            raise BackendUnavailable(str(exc)) from exc
        hits = [
            Hit(code=h.code, title=h.title, summary=h.summary, url=h.url, site_code=h.site_code, category=h.category,
                online=h.online, visits_after=h.visits_after, audience=list(h.audience), score=h.meta.score or 0.0)
            for h in response.hits
        ]
        facets = {name: {str(v): n for v, n, _ in response.facets[name] if n} for name in FACET_NAMES}
        scope = "city" if query.scope == "city" else "site"
        return SearchResults(hits=hits, total=response.hits.total.value, facets=facets,
                             scope_counts={scope: response.hits.total.value,
                                           ("site" if scope == "city" else "city"): other_total},
                             engine=self.name)

    def index_documents(self, docs: list[dict], *, code: str | None = None) -> None:
        """Replace one theme code's documents in place (code given), or rebuild the whole index."""
        if code is None:
            rebuild(docs, client(self.url, timeout=60), self.index)
            return
        es = client(self.url, timeout=30)
        try:
            # Not _delete_by_query: that lives in the reindex module, which a minimal node may lack.
            keep = {d["id"] for d in docs}
            found = Search(using=es, index=self.index).filter("term", code=code).source(False).extra(size=1000)
            stale = [{"_op_type": "delete", "_index": self.index, "_id": h.meta.id}
                     for h in found.execute().hits if h.meta.id not in keep]
            bulk(es, [*stale, *_actions(docs, self.index)], refresh=True)
        except UNAVAILABLE as exc:
            raise BackendUnavailable(str(exc)) from exc
