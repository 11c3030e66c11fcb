"""Admin hooks: lint warnings when a theme is opened or saved, and the link to its situation tree (情形树)."""

from django.contrib import messages
from django.urls import path
from wagtail import hooks
from wagtail.admin.ui.menus.pages import PageMenuItem

from . import admin_views


def _is_theme(page) -> bool:
    from guides.models import ThemePage

    return issubclass(page.specific_class or type(page), ThemePage)


def _warn(request, page) -> None:
    # A save redirects to the edit view, whose GET would repeat what the save already reported.
    storage = messages.get_messages(request)
    pending = {str(m.message) for m in storage}
    storage.used = False
    for text in admin_views.warning_messages(page.specific):
        if text not in pending:
            messages.warning(request, text)


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("screening/themes/<int:page_id>/situations/", admin_views.situation_tree_view,
             name="screening_situation_tree"),
    ]


@hooks.register("before_edit_page")
def warn_on_open(request, page):
    # Only when the form is shown: on a save, after_edit_page reports on what was saved.
    if request.method == "GET" and _is_theme(page):
        _warn(request, page)


@hooks.register("after_edit_page")
def warn_after_edit(request, page):
    if _is_theme(page):
        _warn(request, page)


@hooks.register("after_create_page")
def warn_after_create(request, page):
    if _is_theme(page):
        _warn(request, page)


class SituationTreeButton(PageMenuItem):
    label = "情形树"
    icon_name = "sitemap"
    url_name = "screening_situation_tree"

    def is_shown(self, user):
        return self.page.permissions_for_user(user).can_edit()


@hooks.register("register_page_header_buttons")
def situation_tree_header_button(page, user, view_name, next_url=None):
    if _is_theme(page):
        yield SituationTreeButton(page=page, priority=66)


@hooks.register("register_page_listing_more_buttons")
def situation_tree_listing_button(page, user, next_url=None):
    if _is_theme(page):
        yield SituationTreeButton(page=page, priority=45)
