"""Version tokens in the shared cache (settings.CACHES): whatever is cached under one drops when it changes.

* the registries' version: item, material, department or field edits (theme-page fragments, the screening memo);
* the content version: any change a public page can show (publish, unpublish, move, registries, county overrides,
  translations, offices, sites), which keys the anonymous page cache (guides.pagecache).

Tokens are random, not counters: setting one is atomic on every backend, and a rolled-back test transaction (the
embedded cache is a database table) puts back the token that matches the content it puts back.
"""

import secrets

from django.core.cache import cache
from django.db import DatabaseError, transaction
from redis.exceptions import RedisError

# What the shared cache raises when it cannot be reached: the embedded default's table, or Redis.
CACHE_ERRORS = (DatabaseError, RedisError, OSError)

KEY = "guides:registry-version"
CONTENT_KEY = "guides:content-version"


def _token() -> str:
    return secrets.token_hex(8)


def version(key: str) -> str:
    """The current token under ``key`` (one is made on first use)."""
    return cache.get_or_set(key, _token, timeout=None)


def registry_version() -> str:
    return version(KEY)


def content_version() -> str:
    return version(CONTENT_KEY)


def bump(key: str) -> None:
    """A new token under ``key``: whatever was cached under the old one is no longer read."""
    # Now, so the rest of the editing request sees it, and again after commit: with Redis a visitor's request
    # between the two could otherwise read the new token with the old rows and keep that page under it.
    def replace():
        cache.set(key, _token(), timeout=None)

    replace()
    transaction.on_commit(replace)


def bump_content_version(**_kwargs) -> None:
    bump(CONTENT_KEY)


def bump_registry_version(**_kwargs) -> None:
    bump(KEY)
    bump(CONTENT_KEY)
