"""Keep the search documents in step with the pages: per theme code, or everything at once."""

from __future__ import annotations

import logging

from django.conf import settings

from .backends import BackendUnavailable, get_backend
from .documents import build_documents, live_theme_pages

log = logging.getLogger(__name__)


def reindex_code(code: str) -> int:
    """Rebuild the documents of one theme code (the page and its aliases) in every configured engine."""
    docs = build_documents(live_theme_pages(code))
    get_backend("database").index_documents(docs, code=code)  # always: it is the fallback
    if getattr(settings, "OPENSEARCH_URL", None):
        try:
            get_backend("opensearch").index_documents(docs, code=code)
        except BackendUnavailable as exc:
            # The next rebuild_search_index catches up; the database answers meanwhile.
            log.warning("OpenSearch unavailable, theme %s not reindexed there: %s", code, exc)
    return len(docs)


def all_documents() -> list[dict]:
    return build_documents(live_theme_pages())
