"""Per-client rate limits for the public look-up pages (intake's progress page, the window's rating page).

Both ask for a tracking number and a phone number, so both are counted per client IP in the shared cache (every
web process sees the same counts), each page under its own key and its own ``(limit, seconds)`` setting.
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
    """Count this request under ``scope``; True once the client made ``limit`` requests in the last ``seconds``.

    Each allowed request takes one of ``limit`` slots for ``seconds`` with ``cache.add``, the one operation atomic
    across processes on every backend used (an INSERT on the key in the database cache, SET NX in Redis; ``incr``
    is a get then a set there). Two processes can never take the same slot, so the limit holds exactly.
    """
    return exhausted(f"{scope}:{client_ip(request)}", rate)


def exhausted(key: str, rate: tuple[int, int]) -> bool:
    """Count one use of ``key`` (a client, a phone number …); True once it had ``limit`` in ``seconds``."""
    limit, seconds = rate
    return not any(cache.add(f"{key}:{slot}", 1, seconds) for slot in range(limit))
