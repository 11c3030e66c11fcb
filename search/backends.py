"""Search engines behind one small interface, chosen by the GUIDE_SEARCH_BACKEND setting.

Both engines rank the same way so they give the same answers (tests/search/test_parity.py):
the query is analysed once by search.text into groups of alternatives (a token and its
synonyms); a document scores, for each group, the weight of its best field containing one of
the alternatives (FIELD_WEIGHTS), summed over the groups, plus a pinyin score; ties go to
popularity, then theme code. Constant scores instead of BM25 because SQLite FTS5, PostgreSQL
and Lucene each compute BM25 differently, so their first results would disagree.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from django.conf import settings

from guides.plugins import Registry

from .text import english_query_groups, get_analyzer, normalize_query

log = logging.getLogger(__name__)

TEXT_FIELDS = ("title_text", "items_text", "summary_text", "materials_text", "questions_text")
FIELD_WEIGHTS = {"title_text": 10, "items_text": 4, "summary_text": 3, "materials_text": 2, "questions_text": 1}
PINYIN_EXACT, PINYIN_PREFIX = 12, 6
MIN_PINYIN_PREFIX = 2  # a single letter would match a third of the titles
FACET_NAMES = ("category", "audience", "department", "online", "visits")
SCOPES = ("site", "city")


class BackendUnavailable(RuntimeError):
    """The engine cannot answer now (node down, timeout): the caller falls back to the database."""


@dataclass(frozen=True)
class SearchQuery:
    q: str = ""
    site_code: str = ""
    scope: str = "site"  # "site": this site's themes; "city": 全市通办, de-duplicated by theme code
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    page: int = 1
    per_page: int = 10
    # The page language ("zh-hans" or "en"): documents are per locale, and the query is analysed in that language.
    language: str = "zh-hans"

    @property
    def offset(self) -> int:
        return (max(self.page, 1) - 1) * self.per_page


@dataclass
class Analysed:
    """What both engines need from a query (see search.text)."""

    groups: list[list[str]]
    pinyin: str
    # Which synonyms the groups carry; OpenSearch expands group[0] with that language's search analyzer.
    language: str = "zh-hans"

    @classmethod
    def of(cls, q: str, language: str = "zh-hans") -> Analysed:
        q = normalize_query(q)
        if language == "en":
            return cls(groups=english_query_groups(q), pinyin="", language="en")
        analyzer = get_analyzer()
        return cls(groups=analyzer.query_tokens(q), pinyin=analyzer.query_pinyin(q) if q else "")

    @property
    def empty(self) -> bool:
        return not self.groups and not self.pinyin

    @property
    def terms(self) -> list[str]:
        return [t for g in self.groups for t in g]


@dataclass
class Hit:
    code: str
    title: str
    summary: str
    url: str
    site_code: str
    category: str
    online: str
    visits_after: int
    audience: list[str]
    score: float
    title_html: str = ""
    summary_html: str = ""


@dataclass
class SearchResults:
    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]]  # facet -> value -> count (non-zero values only)
    scope_counts: dict[str, int]  # "site" / "city" -> total with the same text and filters
    engine: str = ""
    fallback: bool = False


class SearchBackend(Protocol):
    name: ClassVar[str]

    def search(self, query: SearchQuery) -> SearchResults: ...

    def index_documents(self, docs: list[dict], *, code: str | None = None) -> None: ...


# Engines are listed in settings.GUIDE_SEARCH_ENGINES like intake's hand-off plugins, so this interface imports
# none of them; imported late because the OpenSearch engine imports opensearch-py, which the default never needs.
_engines: Registry[SearchBackend] = Registry("search backend", None, plugins_setting="GUIDE_SEARCH_ENGINES")
register = _engines.register
available = _engines.names


def get_backend(name: str | None = None) -> SearchBackend:
    return _engines.get(name or getattr(settings, "GUIDE_SEARCH_BACKEND", "database"))


def search(query: SearchQuery, backend: str | None = None) -> SearchResults:
    """Search with the configured engine; answer from the database when that engine is unreachable."""
    engine = get_backend(backend)
    try:
        results = engine.search(query)
    except BackendUnavailable as exc:
        if engine.name == "database":
            raise
        log.warning("search engine %r unavailable (%s); answering from the database", engine.name, exc)
        results = get_backend("database").search(query)
        results.fallback = True
    highlight_hits(results.hits, Analysed.of(query.q, query.language))
    return results


# --- highlighting (shared, so both engines mark the same words) --------------------------------


def _mark(text: str, terms: list[str]) -> str:
    terms = sorted({t for t in terms if t}, key=len, reverse=True)
    if not terms:
        return html.escape(text)
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(html.escape(text[last : m.start()]))
        out.append(f"<mark>{html.escape(m.group(0))}</mark>")
        last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def highlight_hits(hits: list[Hit], analysed: Analysed) -> None:
    terms = analysed.terms
    for hit in hits:
        hit.title_html = _mark(hit.title, terms)
        hit.summary_html = _mark(hit.summary, terms)
