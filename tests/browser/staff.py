"""Run in `manage.py shell` against the journeys' database: the staff who take part in them (idempotent).

Prints one JSON line: the usernames by role. Everyone shares PASSWORD (a test-only value)."""

import json

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.models import Site

from guides.models import Department
from window.constants import Role
from window.models import WindowRole

PASSWORD = "journey-pw-2026"


def _user(name: str):
    user, _ = get_user_model().objects.get_or_create(username=name)
    user.set_password(PASSWORD)
    user.save()
    return user


city = Site.objects.get(is_default_site=True)
hanbin = Site.objects.get(hostname="hanbin.localhost")
WindowRole.objects.get_or_create(user=_user("clerk_city"), role=Role.CLERK, site=city, department_code="")
WindowRole.objects.get_or_create(user=_user("clerk_hanbin"), role=Role.CLERK, site=hanbin, department_code="")
WindowRole.objects.get_or_create(user=_user("clerk_hanyin"), role=Role.CLERK,
                                 site=Site.objects.get(hostname="hanyin.localhost"), department_code="")
WindowRole.objects.get_or_create(user=_user("supervisor"), role=Role.SUPERVISOR, site=None, department_code="")
reviewers = {}
for code in Department.objects.values_list("code", flat=True):
    reviewers[code] = f"reviewer_{code.lower()}"
    WindowRole.objects.get_or_create(user=_user(reviewers[code]), role=Role.REVIEWER, site=None, department_code=code)
editors = {"city_editor": f"{city.site_name}编辑", "city_reviewer": f"{city.site_name}审核",
           "hanbin_editor": f"{hanbin.site_name}编辑"}
for name, group in editors.items():
    _user(name).groups.add(Group.objects.get(name=group))
print(json.dumps({"password": PASSWORD, "reviewers": reviewers, "city": city.site_name, "hanbin": hanbin.site_name}))
