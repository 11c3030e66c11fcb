"""Scoped snippet viewsets for records that belong to one site."""

from wagtail.admin.panels import ObjectList
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from guides.models import ServiceLocation

from .forms import SiteScopedForm
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


class ServiceLocationViewSet(SiteScopedSnippetViewSet):
    """Service locations in the catalogue menu (guides.extensions): a county editor sees and files only their own."""

    model = ServiceLocation
    icon = "site"
    list_display = ["name", "site", "address", "phone"]
    list_filter = ["site"]
    search_fields = ["name", "address"]

    def get_edit_handler(self):
        return ObjectList(ServiceLocation.panels, base_form_class=SiteScopedForm).bind_to_model(ServiceLocation)
