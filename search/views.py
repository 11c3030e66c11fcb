"""The search page and the autocomplete endpoint. They speak to search.backends only, never to page models."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from wagtail.models import Site

from guides.constants import Category

from . import backends
from .filters import SearchFilterSet
from .text import MAX_QUERY_LENGTH, normalize_query

PER_PAGE = 10
AUTOCOMPLETE_LIMIT = 8
SUGGESTED_THEMES = 6


def _site_code(request) -> tuple[Site | None, str]:
    site = Site.find_for_request(request)
    if site is None:
        return None, ""
    return site, getattr(site.root_page.specific, "site_code", "") or site.hostname


def _json_error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def _facet_rows(filterset, results, query) -> list[dict]:
    """Every value of every facet (zero counts included, shown disabled) with a link that toggles it."""
    rows = []
    for name in SearchFilterSet.FACETS:
        field = filterset.form.fields[name]
        selected = set(query.filters.get(name, ()))
        counts = results.facets.get(name, {})
        values = []
        for value, label in field.choices:
            value = str(value)
            chosen = selected ^ {value}
            params = _params(query, **{name: sorted(chosen)})
            values.append({"value": value, "label": label, "count": counts.get(value, 0),
                           "selected": value in selected, "url": "?" + urlencode(params, doseq=True)})
        rows.append({"name": name, "label": field.label, "values": values, "any": bool(selected)})
    return rows


def _params(query, **override) -> dict:
    params = {"q": query.q} if query.q else {}
    for name, values in query.filters.items():
        params[name] = list(values)
    if query.scope != "site":
        params["scope"] = query.scope
    for k, v in override.items():
        if v in (None, [], ""):
            params.pop(k, None)
        else:
            params[k] = v
    return params


def _absolute_urls(request, hits, site_code: str) -> None:
    """全市通办 results from another site link to that site's host (same scheme and port as this request)."""
    foreign = {h.site_code for h in hits if h.site_code != site_code}
    if not foreign:
        return
    hosts = {}
    for s in Site.objects.select_related("root_page"):
        code = getattr(s.root_page.specific, "site_code", "")
        if code in foreign:
            hosts[code] = s.hostname
    port = request.get_port()
    suffix = "" if port in ("80", "443") else f":{port}"
    for h in hits:
        if h.site_code in hosts:
            h.url = f"{request.scheme}://{hosts[h.site_code]}{suffix}{h.url}"


def _search_language() -> str:
    # /en/search/ activates English (LocaleMiddleware and i18n_patterns); anything else searches Chinese.
    return "en" if (get_language() or "").startswith("en") else "zh-hans"


@require_GET
def search_page(request):
    site, site_code = _site_code(request)
    filterset = SearchFilterSet(request.GET)
    language = _search_language()
    query, dropped = filterset.clean_query(site_code, per_page=PER_PAGE, language=language)
    results = backends.search(query)
    paginator = Paginator(range(results.total), PER_PAGE)
    page_obj = paginator.get_page(query.page)
    if page_obj.number != query.page and results.total:
        # Past the last page: show the last one rather than an empty list.
        query = backends.SearchQuery(q=query.q, site_code=query.site_code, scope=query.scope,
                                     filters=query.filters, page=page_obj.number, per_page=PER_PAGE,
                                     language=language)
        results = backends.search(query)
    _absolute_urls(request, results.hits, site_code)
    suggestions = []
    if not results.hits:
        suggestions = backends.search(backends.SearchQuery(site_code=site_code, per_page=SUGGESTED_THEMES,
                                                                   language=language)).hits
    base = _params(query)
    context = {
        "query": query,
        "results": results,
        "hits": results.hits,
        "facets": _facet_rows(filterset, results, query),
        "page_obj": page_obj,
        "page_params": urlencode(base, doseq=True),
        "scope_links": [
            {"value": "site", "label": _("本站"), "count": results.scope_counts.get("site", 0),
             "selected": query.scope == "site", "url": "?" + urlencode(_params(query, scope=None), doseq=True)},
            {"value": "city", "label": _("全市通办"), "count": results.scope_counts.get("city", 0),
             "selected": query.scope == "city", "url": "?" + urlencode(_params(query, scope="city"), doseq=True)},
        ],
        "clear_url": "?" + urlencode({"q": query.q} if query.q else {}),
        "dropped": dropped,
        "suggestions": suggestions,
        "categories": [c for c, _ in Category.choices],
        "max_query_length": MAX_QUERY_LENGTH,
        "site": site,
    }
    return render(request, "search/search_page.html", context)


@require_GET
def autocomplete(request):
    raw = request.GET.get("q", "")
    if len(raw) > MAX_QUERY_LENGTH * 2:
        return _json_error(400, "query_too_long", _("搜索词过长（最多 %(n)s 个字）。") % {"n": MAX_QUERY_LENGTH})
    scope = request.GET.get("scope", "site")
    if scope not in backends.SCOPES:
        return _json_error(400, "invalid_scope", _("范围只能是 site 或 city。"))
    q = normalize_query(raw)
    site, site_code = _site_code(request)
    if not q:
        return JsonResponse({"q": q, "suggestions": []}, json_dumps_params={"ensure_ascii": False})
    results = backends.search(backends.SearchQuery(q=q, site_code=site_code, scope=scope,
                                                   per_page=AUTOCOMPLETE_LIMIT, language=_search_language()))
    _absolute_urls(request, results.hits, site_code)
    data = [{"code": h.code, "title": h.title, "url": h.url, "category": h.category} for h in results.hits]
    return JsonResponse({"q": q, "suggestions": data}, json_dumps_params={"ensure_ascii": False})
