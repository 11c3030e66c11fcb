"""Scoped snippet viewsets for records that belong to one site."""

from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from .permissions import scoped


class SiteScopedSnippetViewSet(SnippetViewSet):
    """A snippet viewset whose every view sees only rows of the user's sites (enforced in querysets)."""

    index_view_class = scoped(snippet_views.IndexView)
    edit_view_class = scoped(snippet_views.EditView)
    delete_view_class = scoped(snippet_views.DeleteView)
    usage_view_class = scoped(snippet_views.UsageView)
    history_view_class = scoped(snippet_views.HistoryView)
    inspect_view_class = scoped(snippet_views.InspectView)
    copy_view_class = scoped(snippet_views.CopyView)
