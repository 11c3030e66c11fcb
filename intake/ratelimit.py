"""Per-client rate limits for the public look-up pages (intake's progress page, the window's rating page).

Both ask for a tracking number and a phone number, so both are counted per client IP in the cache, each page under
its own key and its own ``(limit, seconds)`` setting.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    # Behind the production proxy REMOTE_ADDR is the proxy; settings may name a trusted header instead.
    header = getattr(settings, "INTAKE_CLIENT_IP_HEADER", "")
    if header and request.META.get(header):
        return request.META[header].split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def rate_limited(request, scope: str, rate: tuple[int, int]) -> bool:
    """Count this request under ``scope``; True once the client made more than ``limit`` in ``seconds``."""
    limit, seconds = rate
    key = f"{scope}:{client_ip(request)}"
    cache.add(key, 0, seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        count = 1
    return count > limit
