"""Admin-editable data of the window: the holiday calendar and staff roles, as Wagtail snippets."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import WindowRole, WorkdayException


class WorkdayExceptionViewSet(SnippetViewSet):
    model = WorkdayException
    icon = "date"
    menu_label = "节假日调整"
    add_to_admin_menu = True
    menu_order = 260
    list_display = ["date", "is_workday", "note"]
    ordering = ["date"]


class WindowRoleViewSet(SnippetViewSet):
    model = WindowRole
    icon = "group"
    menu_label = "窗口角色"
    add_to_admin_menu = True
    menu_order = 261
    list_display = ["user", "role", "site", "department_code"]


register_snippet(WorkdayExceptionViewSet)
register_snippet(WindowRoleViewSet)
