"""Admin screens for the registries (snippets), grouped under one menu."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .extensions import catalogue_viewsets
from .models import Department, FormField, Material, ServiceItem, ThemeCategory


class DepartmentViewSet(SnippetViewSet):
    model = Department
    icon = "group"
    list_display = ["code", "name", "short"]
    search_fields = ["code", "name", "short"]


class ServiceItemViewSet(SnippetViewSet):
    model = ServiceItem
    icon = "doc-full"
    list_display = ["code", "name", "kind", "department", "promised_days"]
    list_filter = ["kind", "department"]
    search_fields = ["code", "name"]


class MaterialViewSet(SnippetViewSet):
    model = Material
    icon = "doc-empty"
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class FormFieldViewSet(SnippetViewSet):
    model = FormField
    icon = "form"
    list_display = ["code", "label", "type"]
    list_filter = ["type"]
    search_fields = ["code", "label"]


class ThemeCategoryViewSet(SnippetViewSet):
    model = ThemeCategory
    icon = "folder-open-inverse"
    list_display = ["name", "slug", "sort_order"]


class CatalogueGroup(SnippetViewSetGroup):
    menu_label = "事项目录"
    menu_icon = "list-ul"
    menu_order = 200
    # Per-site records (service locations) come from the app that knows an editor's sites.
    items = (ServiceItemViewSet, DepartmentViewSet, MaterialViewSet, FormFieldViewSet, ThemeCategoryViewSet,
             *catalogue_viewsets)


register_snippet(CatalogueGroup)
