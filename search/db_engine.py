"""The embedded engine: SQL over search.ThemeDocument (SQLite or PostgreSQL, no extra service).

Queried directly rather than through Wagtail's database search backend: the text columns are
already segmented by search.text, so a token is matched with LIKE '% tok %' and scored with CASE
expressions implementing the shared constant-score ranking (see search.backends). That keeps
its answers identical to OpenSearch's, which FTS5's or PostgreSQL's own ranking would not. At a
city's scale (about a hundred themes a site, a thousand documents) a scan costs a few ms; a
larger catalogue is what the OpenSearch engine is for.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Greatest

from .backends import (
    FACET_NAMES,
    FIELD_WEIGHTS,
    MIN_PINYIN_PREFIX,
    PINYIN_EXACT,
    PINYIN_PREFIX,
    Analysed,
    Hit,
    SearchQuery,
    SearchResults,
    register,
)
from .documents import facet_values
from .models import ThemeDocument, ThemeDocumentFacet


def _contains_any(field: str, terms: list[str]) -> Q:
    q = Q()
    for t in terms:
        q |= Q(**{f"{field}__contains": f" {t} "})
    return q


def _score(analysed: Analysed):
    parts = []
    for group in analysed.groups:
        per_field = [Case(When(_contains_any(f, group), then=Value(w)), default=Value(0), output_field=IntegerField())
                     for f, w in FIELD_WEIGHTS.items()]
        parts.append(Greatest(*per_field))
    if analysed.pinyin:
        whens = [When(pinyin__contains=f" {analysed.pinyin} ", then=Value(PINYIN_EXACT))]
        if len(analysed.pinyin) >= MIN_PINYIN_PREFIX:
            whens.append(When(pinyin__contains=f" {analysed.pinyin}", then=Value(PINYIN_PREFIX)))
        parts.append(Case(*whens, default=Value(0), output_field=IntegerField()))
    score = Value(0, output_field=IntegerField())
    for p in parts:
        score = score + p
    return score


def _scope(query: SearchQuery) -> Q:
    language = Q(locale=query.language)
    own = Q(site_code=query.site_code)
    if query.scope != "city":
        return language & own
    # 全市通办: this site's documents, plus the original of every theme this site does not offer.
    own_codes = ThemeDocument.objects.filter(site_code=query.site_code, locale=query.language).values("code")
    return language & (own | (Q(canonical=True) & ~Q(code__in=own_codes)))


def _facet_filter(name: str, values) -> Q:
    return Q(Exists(ThemeDocumentFacet.objects.filter(document=OuterRef("pk"), facet=name, value__in=list(values))))


@register("database")
class DatabaseBackend:
    name = "database"

    def _matching(self, query: SearchQuery, analysed: Analysed, scope: Q):
        qs = ThemeDocument.objects.filter(scope)
        if analysed.empty:
            return qs.annotate(score=Value(0, output_field=IntegerField()))
        return qs.annotate(score=_score(analysed)).filter(score__gt=0)

    def search(self, query: SearchQuery) -> SearchResults:
        analysed = Analysed.of(query.q, query.language)
        filters = {k: v for k, v in query.filters.items() if v and k in FACET_NAMES}
        # One scan scores the whole city scope (this site's documents are a subset of it), so both scope
        # counts come from it; the rest are small queries on the facet table, keyed by document id.
        city = SearchQuery(site_code=query.site_code, scope="city", language=query.language)
        city_rows = list(self._matching(query, analysed, _scope(city))
                         .values_list("pk", "score", "popularity", "code", "site_code"))
        site_rows = [r for r in city_rows if r[4] == query.site_code]
        rows = city_rows if query.scope == "city" else site_rows
        ids = [r[0] for r in rows]
        selected = {
            name: set(ThemeDocumentFacet.objects.filter(facet=name, value__in=list(values),
                                                        document_id__in=[r[0] for r in city_rows])
                      .values_list("document_id", flat=True))
            for name, values in filters.items()
        }

        def allowed(except_facet: str | None = None, among=None) -> list[int]:
            among = ids if among is None else among
            keep = set(among)
            for name, matched in selected.items():
                if name != except_facet:
                    keep &= matched
            return [i for i in among if i in keep]

        hit_ids = set(allowed())
        ranked = sorted((r for r in rows if r[0] in hit_ids), key=lambda r: (-r[1], -r[2], r[3], r[4]))
        page_rows = ranked[query.offset : query.offset + query.per_page]
        docs = ThemeDocument.objects.in_bulk([r[0] for r in page_rows])
        hits = []
        for pk, score, *_ in page_rows:
            d = docs[pk]
            hits.append(Hit(code=d.code, title=d.title, summary=d.summary, url=d.url, site_code=d.site_code,
                            category=d.category, online=d.online, visits_after=d.visits_after,
                            audience=list(d.audience), score=float(score)))
        facets = {}
        for name in FACET_NAMES:
            # Disjunctive faceting: a facet's counts apply every other facet's selection, not its own.
            counts = (ThemeDocumentFacet.objects.filter(facet=name, document_id__in=allowed(name))
                      .values_list("value").annotate(n=Count("document_id")).order_by())
            facets[name] = dict(counts)
        scope_counts = {"site": len(allowed(among=[r[0] for r in site_rows])),
                        "city": len(allowed(among=[r[0] for r in city_rows]))}
        return SearchResults(hits=hits, total=len(ranked), facets=facets, scope_counts=scope_counts,
                             engine=self.name)

    def index_documents(self, docs: list[dict], *, code: str | None = None) -> None:
        """Replace the documents of one theme code (code given) or all documents (code None)."""
        with transaction.atomic():
            stale = ThemeDocument.objects.all()
            if code is not None:
                stale = stale.filter(Q(code=code) | Q(page_id__in=[d["page_id"] for d in docs]))
            stale.delete()
            fields = {f.name for f in ThemeDocument._meta.concrete_fields} | {"site_id", "page_id"}
            objs = [ThemeDocument(**{k: v for k, v in d.items() if k in fields and k != "id"}) for d in docs]
            created = ThemeDocument.objects.bulk_create(objs, batch_size=500)
            facet_rows = [
                ThemeDocumentFacet(document=obj, facet=name, value=value)
                for obj, d in zip(created, docs, strict=True)
                for name, values in facet_values(d).items()
                for value in values
            ]
            ThemeDocumentFacet.objects.bulk_create(facet_rows, batch_size=1000)
