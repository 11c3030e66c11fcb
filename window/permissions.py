"""Who sees what. Every view goes through these querysets, so a guessed id outside them is a 404.

A clerk sees the cases of the site(s) where they work; the city window (the default site) takes applications from
the whole city (全市通办). A reviewer sees only their department's tasks. A supervisor sees everything, read-only.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .constants import Role
from .models import Case, Task, WindowRole


def roles(user) -> list[WindowRole]:
    if not user.is_authenticated:
        return []
    if not hasattr(user, "_window_roles"):
        user._window_roles = list(WindowRole.objects.filter(user=user).select_related("site"))
    return user._window_roles


def has(user, role: str) -> bool:
    return any(r.role == role for r in roles(user))


def clerk_sites(user) -> list:
    return [r.site for r in roles(user) if r.role == Role.CLERK and r.site_id]


def is_supervisor(user) -> bool:
    return has(user, Role.SUPERVISOR)


def is_city_clerk(user) -> bool:
    return any(s.is_default_site for s in clerk_sites(user))


def case_site_ids(user) -> set[int] | None:
    """The sites whose cases (from there or accepted there) ``user`` sees; None: every case."""
    if is_supervisor(user) or is_city_clerk(user):
        return None
    return {s.pk for s in clerk_sites(user)}


def visible_cases(user) -> QuerySet[Case]:
    qs = Case.objects.select_related("site", "accepted_site")
    sites = case_site_ids(user)
    if sites is None:
        return qs
    if not sites:
        return qs.none()
    return qs.filter(Q(site__in=sites) | Q(accepted_site__in=sites))


def visible_sites(user) -> QuerySet:
    """The sites whose cases ``user`` sees: what the queue's and the dashboard's site choices offer."""
    from wagtail.models import Site

    qs = Site.objects.order_by("-is_default_site", "site_name")
    if is_supervisor(user) or is_city_clerk(user):
        return qs
    return qs.filter(pk__in=[s.pk for s in clerk_sites(user)])


def workable_cases(user) -> QuerySet[Case]:
    """Cases this user may act on as a clerk (supervisors only look)."""
    if not clerk_sites(user):
        return Case.objects.none()
    if is_city_clerk(user):
        return Case.objects.all()
    sites = clerk_sites(user)
    return Case.objects.filter(Q(site__in=sites) | Q(accepted_site__in=sites))


def window_site(user, case: Case):
    """The window where this clerk accepts ``case``: their own site for the case's county, else their first."""
    sites = clerk_sites(user)
    return next((s for s in sites if s.pk == case.site_id), sites[0] if sites else None)


def departments(user) -> set[str]:
    return {r.department_code for r in roles(user) if r.role == Role.REVIEWER and r.department_code}


def visible_tasks(user) -> QuerySet[Task]:
    return Task.objects.select_related("case").filter(department_code__in=departments(user))
