"""Paging for the staff lists: a fixed page size, the total from one COUNT, links that keep the list's filters."""

from __future__ import annotations

from django.core.paginator import Page, Paginator

PER_PAGE = 50


def paginate(request, queryset, per_page: int = PER_PAGE) -> tuple[Page, str]:
    """(page, query string without the page number) for ``?page=N``; a bad or too large N gives the nearest page."""
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()
