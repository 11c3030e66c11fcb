"""Window roles from the identity provider: a staff member's ``window_roles`` claim replaces their roles here.

Each value is ``clerk@<site code>`` (综合窗口 at that site), ``reviewer@<department code>`` or ``supervisor``. A
provider that sends no such claim leaves the roles an administrator set; values naming no site or department here
are logged and skipped, never guessed.
"""

from __future__ import annotations

import logging

from django.db import transaction
from wagtail.models import Locale, Site

from accounts.services import claim
from guides.extensions import site_root
from guides.models import Department

from .constants import Role
from .models import WindowRole

logger = logging.getLogger(__name__)


def parse(values, sites: dict[str, Site], departments: set[str]) -> set[tuple[str, int | None, str]]:
    """(role, site id, department code) for each value that names something that exists; the rest logged."""
    wanted = set()
    for value in values:
        role, _, where = str(value).strip().partition("@")
        if role == Role.SUPERVISOR and not where:
            wanted.add((role, None, ""))
        elif role == Role.CLERK and where in sites:
            wanted.add((role, sites[where].pk, ""))
        elif role == Role.REVIEWER and where in departments:
            wanted.add((role, None, where))
        else:
            logger.warning("window_roles value %r names no role, site or department here; skipped", value)
    return wanted


def _sites() -> dict[str, Site]:
    homes = site_root().objects.filter(locale=Locale.get_default()).values_list("pk", "site_code")
    code_of = dict(homes)
    return {code_of[s.root_page_id]: s for s in Site.objects.filter(root_page_id__in=code_of)}


def on_staff_signed_in(sender, identity, claims, **kwargs):
    values = claim(claims, "window_roles")
    if values is None:
        return
    values = values if isinstance(values, list) else [values]
    wanted = parse(values, _sites(), set(Department.objects.values_list("code", flat=True)))
    with transaction.atomic():
        have = {(r.role, r.site_id, r.department_code): r for r in WindowRole.objects.filter(user=identity.user)}
        WindowRole.objects.filter(pk__in=[r.pk for key, r in have.items() if key not in wanted]).delete()
        WindowRole.objects.bulk_create([WindowRole(user=identity.user, role=role, site_id=site, department_code=code)
                                        for role, site, code in wanted - have.keys()])
