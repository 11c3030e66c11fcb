"""A page cache for anonymous visitors, in the shared cache, keyed by the content version (guides.cache).

Every change a public page can show bumps the content version, so a page is never served stale and every process
sees the change at once; old entries are simply no longer asked for and expire. The key holds the host (county
sites), the active language, the elder-mode cookie (the only cookie a cacheable page reads) and the full path.

Only what is the same for every anonymous visitor is kept: GET, a request carrying no cookie but the CSRF and elder
ones (a session or messages cookie means someone's own state), a 200 from one of ``PAGE_CACHE_VIEW_MODULES`` that
sets no cookie, used no CSRF token (a form) and did not ask not to be cached. ``X-Page-Cache`` says HIT, MISS
(rendered and stored) or BYPASS (not cacheable), which the tests read.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django.utils.cache import cc_delim_re, get_max_age

from .cache import CACHE_ERRORS, content_version
from .elder import COOKIE as ELDER_COOKIE

HEADER = "X-Page-Cache"
#: Headers a stored page may vary on: each is either in the key or the same for every request the key matches.
_VARY_OK = {"cookie", "accept-language", "accept-encoding"}
_PRIVATE = ("private", "no-store", "no-cache")
log = logging.getLogger(__name__)


def _key(request) -> str:
    url = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    elder = "1" if request.COOKIES.get(ELDER_COOKIE) == "1" else "0"
    return f"page:{content_version()}:{translation.get_language()}:{elder}:{url}"


def _anonymous_get(request) -> bool:
    allowed = {settings.CSRF_COOKIE_NAME, ELDER_COOKIE}
    return (request.method == "GET" and "HTTP_AUTHORIZATION" not in request.META
            and all(name in allowed for name in request.COOKIES))


def _storable(request, response) -> bool:
    match = request.resolver_match
    if (response.status_code != 200 or response.streaming or response.cookies or match is None
            or not match.func.__module__.startswith(tuple(settings.PAGE_CACHE_VIEW_MODULES))):
        return False
    # A rendered {% csrf_token %} (any form that posts) marks the request; the page holds that visitor's token.
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    control = response.get("Cache-Control", "").lower()
    if any(word in control for word in _PRIVATE) or get_max_age(response) == 0:
        return False
    vary = {v.strip().lower() for v in cc_delim_re.split(response.get("Vary", "")) if v.strip()}
    return vary <= _VARY_OK


class PageCacheMiddleware:
    """Placed after the locale (the key holds the language) and the auth middleware; see settings.MIDDLEWARE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _anonymous_get(request):
            response = self.get_response(request)
            if request.method == "GET":
                response[HEADER] = "BYPASS"
            return response
        try:
            key = _key(request)
            cached = cache.get(key)
        except CACHE_ERRORS:
            # The cache is down: pages are rendered uncached, and /healthz (which needs no cache here) reports it.
            log.exception("page cache unreachable")
            key = cached = None
        if cached is not None:
            cached[HEADER] = "HIT"
            return cached
        response = self.get_response(request)
        if key is not None and _storable(request, response):
            cache.set(key, response, settings.PAGE_CACHE_SECONDS)
            response[HEADER] = "MISS"
        else:
            response[HEADER] = "BYPASS"
        return response
