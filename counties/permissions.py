"""Row-level scoping of site-owned records (offices, overrides) to the sites a user's groups are tied to."""

from __future__ import annotations

from wagtail.models import Site

from .constants import Role


def sites_for_user(user, roles=(Role.EDITOR, Role.REVIEWER)):
    """Sites whose records the user may manage. City-level groups and superusers manage every site."""
    if not user.is_authenticated:
        return Site.objects.none()
    if user.is_superuser or user.groups.filter(site_role__site__is_default_site=True,
                                               site_role__role__in=roles).exists():
        return Site.objects.all()
    return Site.objects.filter(roles__group__user=user, roles__role__in=roles).distinct()


class SiteScopedViewMixin:
    """For generic admin views: only rows of the user's sites exist, so guessed ids give 404."""

    site_field = "site"

    def get_base_queryset(self):
        return super().get_base_queryset().filter(**{f"{self.site_field}__in": sites_for_user(self.request.user)})

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset.filter(**{f"{self.site_field}__in": sites_for_user(self.request.user)})


def scoped(view_class):
    """The same admin view, limited to the user's sites."""
    return type(f"SiteScoped{view_class.__name__}", (SiteScopedViewMixin, view_class), {})
