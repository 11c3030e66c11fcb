"""The themes the clerk's queue offers as a filter, without a DISTINCT over every case on each request (81 ms of
the city queue's 153 ms at 92,000 cases, and growing with them).

The distinct (source site, accepting window, theme code, theme title) rows of all cases are kept in the shared cache
under a version token (guides.cache). A saved case whose row is not in the cached list, and any deleted case, replace
the token, so the next queue reads the rows afresh; bulk writes, which send no signals, call ``changed()``.
"""

from __future__ import annotations

from django.core.cache import cache

from guides.cache import bump, version

from .models import Case

VERSION_KEY = "window:case-themes-version"
DAY = 24 * 3600  # lists under replaced tokens expire instead of staying forever


def _key() -> str:
    return f"window:case-themes:{version(VERSION_KEY)}"


def _row(case: Case) -> tuple:
    return case.site_id, case.accepted_site_id, case.theme_code, case.theme_title


def _rows() -> list[tuple]:
    key = _key()
    rows = cache.get(key)
    if rows is None:
        rows = [tuple(r) for r in Case.objects.order_by().values_list(
            "site_id", "accepted_site_id", "theme_code", "theme_title").distinct()]
        cache.set(key, rows, timeout=DAY)
    return rows


def themes(site_ids: set[int] | None) -> list[tuple[str, str]]:
    """(code, title) of the themes of the cases from or accepted at ``site_ids`` (None: every case), by code."""
    return sorted({(code, title) for site, accepted, code, title in _rows()
                   if site_ids is None or site in site_ids or accepted in site_ids})


def changed(**_kwargs) -> None:
    bump(VERSION_KEY)


def case_saved(instance: Case, **_kwargs) -> None:
    # Not cached yet still replaces the token: a list being read at this moment may predate this row.
    rows = cache.get(_key())
    if rows is None or _row(instance) not in rows:
        changed()
