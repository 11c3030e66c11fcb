"""Turn live theme pages into search documents (plain dicts), the one input of both engines."""

from __future__ import annotations

from django.conf import settings
from wagtail.models import Site

from guides.extensions import hidden_codes
from guides.i18n import localized
from guides.models import ThemePage
from guides.spec import Lookups, page_to_spec

from .text import english_tokens, get_analyzer

# Facets every document carries; both engines count exactly these.
FACETS = ("category", "audience", "department", "online", "visits")


def _pad(text: str) -> str:
    # Padding lets the database engine match a whole token with LIKE '% tok %'.
    return f" {text} " if text else " "


def _site_roots() -> list[tuple[Site, str, str, str, str]]:
    """(site, site code, root path, root url path, language) for every site and every translation of its root,
    deepest root first so nested roots win."""
    out = []
    for site in Site.objects.select_related("root_page"):
        root = site.root_page
        code = getattr(root.specific, "site_code", None) or site.hostname
        # An English home is a translation of the site's root, elsewhere in the tree: its pages belong to the site.
        for home in root.get_translations(inclusive=True).select_related("locale"):
            out.append((site, code, home.path, home.url_path, home.locale.language_code))
    return sorted(out, key=lambda s: -len(s[2]))


def _relative_url(page, root_url_path: str, language: str) -> str:
    # Computed, not page.get_url(): that looks the site up again for every page. Non-default languages are
    # served under their i18n_patterns prefix (/en/...).
    prefix = "" if language == settings.LANGUAGE_CODE else f"/{language}"
    return prefix + "/" + page.url_path[len(root_url_path):]


def _english_text(text: str) -> str:
    return _pad(" ".join(english_tokens(text)))


def _english_analysis(spec: dict, lookups: Lookups) -> dict:
    by_code = {i.code: i for i in lookups.items_by_pk.values()}
    item_names = [localized(by_code[i["item"]], "name", "en") for i in spec["items"] if i["item"] in by_code]
    return {
        "title_text": _english_text(spec["title"]),
        "summary_text": _english_text(spec["summary"]),
        "items_text": _english_text(" ".join(item_names)),
        "materials_text": _english_text(" ".join(m["name"] or "" for m in spec["materials"])),
        "questions_text": _english_text(" ".join(q["text"] or "" for q in spec["questions"])),
        "pinyin": " ",
        "departments": sorted({by_code[i["item"]].department.code for i in spec["items"] if i["item"] in by_code}),
    }


def _analysis(spec: dict, lookups: Lookups) -> dict:
    analyzer = get_analyzer()
    items = [lookups_item for lookups_item in lookups.items_by_pk.values()]
    by_code = {i.code: i for i in items}
    item_names = [by_code[i["item"]].name for i in spec["items"] if i["item"] in by_code]
    departments = sorted({by_code[i["item"]].department.code for i in spec["items"] if i["item"] in by_code})
    return {
        "title_text": _pad(analyzer.index_text(spec["title"])),
        "summary_text": _pad(analyzer.index_text(spec["summary"])),
        "items_text": _pad(analyzer.index_text(" ".join(item_names))),
        "materials_text": _pad(analyzer.index_text(" ".join(m["name"] or "" for m in spec["materials"]))),
        "questions_text": _pad(analyzer.index_text(" ".join(q["text"] or "" for q in spec["questions"]))),
        "pinyin": _pad(" ".join(analyzer.pinyin_keys(spec["title"]))),
        "departments": departments,
    }


def _hidden(sites) -> set[tuple[int, str]]:
    """(site id, theme code) of the city themes a county hides: not searchable there, in any language."""
    return {(site.pk, code) for site in sites for code in hidden_codes(site)}


def build_documents(pages) -> list[dict]:
    """Documents for live theme pages (aliases included): one per page, placed on the site that holds it."""
    pages = list(pages)
    if not pages:
        return []
    lookups = Lookups.for_pages(pages)
    roots = _site_roots()
    hidden = _hidden({s.pk: s for s, *_ in roots}.values())
    cache: dict[tuple, dict] = {}
    docs = []
    for page in pages:
        site = next(((s, c, u, lang) for s, c, path, u, lang in roots if page.path.startswith(path)), None)
        if site is None or (site[0].pk, page.code) in hidden:
            continue
        language = site[3]
        spec = page_to_spec(page, lookups)
        # Aliases carry the original's content: analyse each distinct content once (jieba is the cost).
        key = (language, spec["title"], spec["summary"], repr(spec["items"]), repr(spec["materials"]),
               repr(spec["questions"]))
        if key not in cache:
            cache[key] = _english_analysis(spec, lookups) if language == "en" else _analysis(spec, lookups)
        analysis = cache[key]
        url = _relative_url(page, site[2], language)
        docs.append({
            "id": f"{site[1]}:{page.pk}",
            "site_id": site[0].pk,
            "site_code": site[1],
            "page_id": page.pk,
            "code": page.code,
            "locale": language,
            "canonical": page.alias_of_id is None,
            "url": url,
            "title": page.title,
            "summary": page.summary,
            "popularity": page.popularity,
            "category": spec["category"],
            "online": page.online,
            "visits_after": page.visits_after,
            "audience": sorted(page.audience or []),
            **analysis,
        })
    return docs


def facet_values(doc: dict) -> dict[str, list[str]]:
    """The facet values of a document, as strings (the engines' keyword values)."""
    return {
        "category": [doc["category"]],
        "audience": list(doc["audience"]),
        "department": list(doc["departments"]),
        "online": [doc["online"]],
        "visits": [str(doc["visits_after"])],
    }


def live_theme_pages(code: str | None = None):
    qs = ThemePage.objects.live().public().select_related("category").order_by("path")
    if code is not None:
        qs = qs.filter(code=code)
    return qs
