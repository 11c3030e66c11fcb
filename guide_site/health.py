"""/healthz for the load balancer and monitoring: can this web process reach its database and its cache?

JSON, 200 when both answer and 503 otherwise, naming only which check failed (never a host, a URL or an error text:
the endpoint is public).
"""

import logging
import secrets

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from guides.sites import site_free

log = logging.getLogger(__name__)


def _database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _cache() -> bool:
    # A value of its own per request: two web machines probing at once must not read each other's.
    key, value = f"healthz:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, 30)
    try:
        return cache.get(key) == value
    finally:
        cache.delete(key)


@site_free  # probed with the machine's address as the host; with the cache down it must not try it first
@never_cache
def healthz(request):
    checks = {}
    for name, check in (("database", _database), ("cache", _cache)):
        try:
            checks[name] = "ok" if check() else "fail"
        except Exception:
            log.exception("health check %s failed", name)
            checks[name] = "fail"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503)
