from wagtail.snippets.models import register_snippet

from .models import ThemeOverride
from .views import SiteScopedSnippetViewSet


class ThemeOverrideViewSet(SiteScopedSnippetViewSet):
    model = ThemeOverride
    icon = "site"
    menu_label = "县级差异设置"
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["theme", "site", "hidden", "drift_summary", "updated_at"]
    list_filter = ["site", "hidden"]


register_snippet(ThemeOverrideViewSet)
