"""The request's Wagtail site from the shared cache, under the content version (guides.cache).

Wagtail matches the host and port against the site table on every request (`Site.find_for_request`, one query with
a CASE expression to compile). Sites change only through the admin or the catalogue import, and a saved or deleted
site replaces the content version, so the match is kept per host and port under that version and put where Wagtail
looks first (``request._wagtail_site``); every later lookup in the request (page routing, URLs, the views) uses it.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.http.request import split_domain_port
from wagtail.models import Site

from .cache import CACHE_ERRORS, content_version

_NONE = "none"  # no site matches: cached too, or a stray host would query on every request
_SECONDS = 86_400  # old versions' entries are never asked for again; this bounds how long they take memory
log = logging.getLogger(__name__)


def site_for_request(request) -> Site | None:
    if hasattr(request, "_wagtail_site"):
        return request._wagtail_site
    hostname = split_domain_port(request._get_raw_host())[0]  # as Wagtail does: ALLOWED_HOSTS is checked elsewhere
    try:
        key = f"site:{content_version()}:{hostname}:{request.get_port()}"
        site = cache.get(key)
        if site is None:
            site = Site._find_for_request(request) or _NONE
            cache.set(key, site, _SECONDS)
    except CACHE_ERRORS:
        # The cache is down (as in guides.pagecache): match in the database, so /healthz can still answer and say so.
        log.exception("site cache unreachable")
        site = Site._find_for_request(request) or _NONE
    request._wagtail_site = None if site == _NONE else site
    return request._wagtail_site


def site_free(view):
    """Marks a view that never asks for the site (a signed webhook): the middleware reads no cache for it."""
    view.site_free = True
    return view


class SiteMiddleware:
    """Resolves the site once the view is known and before it runs: Wagtail and the views ask for it then."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "site_free", False):
            site_for_request(request)
