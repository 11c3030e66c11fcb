"""Read queries shared by the pages, the API and the search: one place decides what a site shows."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Count

from .cache import content_version
from .extensions import hidden_codes
from .models import ServiceLocation, ThemeCategory, ThemeIndexPage, ThemePage

THEME_KEY_SECONDS = 86_400  # only bounds memory: a new content version is a new key
LISTING_FIELDS = ("id", "title", "slug", "url_path", "code", "category_id", "audience", "summary", "online",
                  "visits_before", "visits_after", "days_before", "days_after", "popularity", "path", "depth")


def site_themes(site, root=None):
    """The live themes a site offers: its own pages and the aliases of city themes it has not hidden.

    ``root`` is the site's home in another language (a translation of its root page): that language's themes.
    """
    root = root or site.root_page
    return (ThemePage.objects.live().public().descendant_of(root).exclude(code__in=hidden_codes(site))
            .select_related("category").only(*LISTING_FIELDS, "category__name", "category__slug"))


def site_theme(site, code: str) -> ThemePage | None:
    """One theme of a site with all its content, for the API, the screening and the form.

    Which page a code names on a site (live, public, under its root) is kept in the shared cache under the content
    version, which publishing, unpublishing, moving and view restrictions replace: the tree and the restrictions
    are then not read again, only the page by its key (still live: a rolled-back bump cannot show an unpublished one).
    """
    key = f"site-theme:{content_version()}:{site.pk}:{code}"
    pk = cache.get(key)
    if pk is None:
        page = (ThemePage.objects.live().public().descendant_of(site.root_page).filter(code=code)
                .select_related("category").first())
        cache.set(key, page.pk if page is not None else 0, THEME_KEY_SECONDS)
        return page
    return ThemePage.objects.live().filter(pk=pk).select_related("category").first() if pk else None


def themes_for_listing(index_page: ThemeIndexPage, site) -> list[ThemePage]:
    return list(ThemePage.objects.live().public().child_of(index_page).exclude(code__in=hidden_codes(site))
                .select_related("category").only(*LISTING_FIELDS, "category__name", "category__slug")
                .order_by("code"))


def locations_for_site(site) -> list[ServiceLocation]:
    if site is None:
        return []
    return list(ServiceLocation.objects.filter(site=site).order_by("sort_order", "name"))


def home_context(home, site) -> dict:
    themes = site_themes(site, root=home) if site is not None else ThemePage.objects.none()
    counts = dict(themes.order_by().values_list("category").annotate(n=Count("id")))
    categories = [(c, counts.get(c.pk, 0)) for c in ThemeCategory.objects.all()]
    index_page = ThemeIndexPage.objects.live().child_of(home).first()
    return {
        "categories": categories,
        "popular_themes": list(themes.order_by("-popularity", "code")[:8]),
        "theme_index": index_page,
        "locations": locations_for_site(site),
        "theme_total": sum(counts.values()),
    }
