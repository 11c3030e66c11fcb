"""The window in the Wagtail admin: links to the staff's own pages (by role), and the holiday calendar and staff
roles as snippets."""

from django.urls import reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
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


class RoleMenuItem(MenuItem):
    """Shown only to staff whose window role opens the page behind it (the views check the same again)."""

    def __init__(self, *args, roles: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.roles = roles

    def is_shown(self, request):
        from . import permissions

        return any(permissions.has(request.user, role) for role in self.roles)


@hooks.register("register_admin_menu_item")
def register_window_menu():
    from .constants import Role

    items = [
        RoleMenuItem("受理队列", reverse("window:queue"), icon_name="list-ul", order=1,
                     roles=(Role.CLERK, Role.SUPERVISOR)),
        RoleMenuItem("部门审批", reverse("window:tasks"), icon_name="tasks", order=2, roles=(Role.REVIEWER,)),
        RoleMenuItem("统计看板", reverse("window:dashboard"), icon_name="table", order=3,
                     roles=(Role.SUPERVISOR,)),
        RoleMenuItem("差评整改", reverse("window:follow-ups"), icon_name="warning", order=4,
                     roles=(Role.SUPERVISOR,)),
    ]
    return SubmenuMenuItem("综合窗口", Menu(items=items), icon_name="group", order=255)
