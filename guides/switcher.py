"""The language switcher and hreflang links: the same page (and answers) in the other language.

A page with a live translation links to it, keeping what follows the page's URL (``screening/``,
``checklist/``...) and the query string (the wizard's answers). A page without one links to that language's
home page with ``?untranslated=1`` so the home page can say why the visitor landed there. Views that are not
pages (search, the intake and the window, even when their context holds the theme page) swap the language prefix of
the same path with Django's translate_url.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import translate_url
from django.utils.translation import override
from wagtail.models import Locale, Page, Site

UNTRANSLATED = "untranslated"


@dataclass
class LanguageLink:
    code: str
    name: str
    url: str
    current: bool
    available: bool  # False: the page has no translation and the link goes to that language's home page


def _with_query(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url


def _home_url(request, language: str) -> str:
    site = Site.find_for_request(request)
    root = site.root_page if site is not None else None
    locale = Locale.objects.filter(language_code=language).first()
    home = root.get_translation_or_none(locale) if root is not None and locale is not None else None
    if home is not None and home.live:
        return home.get_url(request=request)
    with override(language):
        return translate_url("/", language)


def _serves_page(request) -> bool:
    """True when Wagtail serves this request (a page or one of its routes); False for the site's own views."""
    match = getattr(request, "resolver_match", None)
    return match is None or match.url_name == "wagtail_serve"


def language_links(request, page, current: str) -> list[LanguageLink]:
    links = []
    query = request.META.get("QUERY_STRING", "")
    page = page if isinstance(page, Page) and _serves_page(request) else None
    page_url = page.get_url(request=request) if page is not None else None
    rest = request.path[len(page_url):] if page_url and request.path.startswith(page_url) else ""
    for code, name in settings.LANGUAGES:
        if code == current:
            links.append(LanguageLink(code, name, _with_query(request.path, query), True, True))
            continue
        if page is None:
            links.append(LanguageLink(code, name, _with_query(translate_url(request.path, code), query), False, True))
            continue
        locale = Locale.objects.filter(language_code=code).first()
        target = page.get_translation_or_none(locale) if locale is not None else None
        if target is not None and target.live:
            url = target.get_url(request=request) + rest
            links.append(LanguageLink(code, name, _with_query(url, query), False, True))
        else:
            links.append(LanguageLink(code, name, f"{_home_url(request, code)}?{UNTRANSLATED}=1", False, False))
    return links
