"""Page events -> one reindex task per theme code, enqueued after the transaction commits.

Batched per transaction: publishing a city theme also republishes its ten county aliases, and
an import publishes hundreds of pages; each code is reindexed once, with the committed state.
"""

from __future__ import annotations

import threading

from django.db import transaction
from django.db.models.signals import post_delete
from wagtail.signals import page_published, page_unpublished, post_page_move

_pending = threading.local()


def _codes() -> set[str]:
    if not hasattr(_pending, "codes"):
        _pending.codes = set()
    return _pending.codes


def _flush() -> None:
    from .tasks import reindex_theme

    codes = sorted(_codes())
    _codes().clear()
    for code in codes:
        reindex_theme.enqueue(code)


def schedule(code: str | None) -> None:
    if not code:
        return
    pending = _codes()
    registered = any(entry[1] is _flush for entry in transaction.get_connection().run_on_commit)
    if registered and pending:
        pending.add(code)
        return
    # No flush is waiting for these codes: codes left over belong to a transaction that rolled back (its callbacks
    # are gone); drop them so a rollback can never stop later changes from reaching the index.
    pending.clear()
    pending.add(code)
    transaction.on_commit(_flush)


def _theme_code(instance) -> str | None:
    from guides.models import ThemePage

    if isinstance(instance, ThemePage):
        return instance.code
    specific = getattr(instance, "specific_deferred", None)
    return getattr(specific, "code", None) if isinstance(specific, ThemePage) else None


def on_page_changed(sender, instance, **kwargs):
    schedule(_theme_code(instance))


def on_page_moved(sender, instance, **kwargs):
    from guides.models import ThemePage

    page = instance.specific_deferred if not isinstance(instance, ThemePage) else instance
    if isinstance(page, ThemePage):
        schedule(page.code)


def on_theme_changed(sender, code=None, **kwargs):
    # A county hiding a theme, a new English alias: what a site shows changed without a publish.
    schedule(code)


def connect() -> None:
    from guides.extensions import theme_changed
    from guides.models import ThemePage

    page_published.connect(on_page_changed, sender=ThemePage, dispatch_uid="search-published")
    page_unpublished.connect(on_page_changed, sender=ThemePage, dispatch_uid="search-unpublished")
    post_delete.connect(on_page_changed, sender=ThemePage, dispatch_uid="search-deleted")
    post_page_move.connect(on_page_moved, dispatch_uid="search-moved")
    theme_changed.connect(on_theme_changed, dispatch_uid="search-theme-changed")
