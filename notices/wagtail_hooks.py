"""The 通知 menu in the Wagtail admin."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("notices/", admin_views.notice_list, name="notices_admin_list"),
        path("notices/<int:pk>/resend/", admin_views.notice_resend, name="notices_admin_resend"),
    ]


class NoticesMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.can_view(request.user)


@hooks.register("register_admin_menu_item")
def register_menu():
    return NoticesMenuItem("通知", reverse("notices_admin_list"), icon_name="mail", order=260)
