"""The 办件 menu in the Wagtail admin (staff with the intake.view_application permission)."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("intake/", admin_views.application_list, name="intake_admin_list"),
        path("intake/<str:tracking>/", admin_views.application_detail, name="intake_admin_detail"),
        path("intake/<str:tracking>/resend/", admin_views.application_resend, name="intake_admin_resend"),
    ]


class ApplicationsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("intake.view_application")


@hooks.register("register_admin_menu_item")
def register_menu():
    return ApplicationsMenuItem("办件", reverse("intake_admin_list"), icon_name="form", order=250)
