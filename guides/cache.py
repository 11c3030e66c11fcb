"""A version number for the registries, so cached guide fragments drop when an item, material or field changes."""

from django.core.cache import cache

KEY = "guides:registry-version"


def registry_version() -> int:
    return cache.get_or_set(KEY, 1, timeout=None)


def bump_registry_version(**_kwargs) -> None:
    try:
        cache.incr(KEY)
    except ValueError:
        cache.set(KEY, 2, timeout=None)
