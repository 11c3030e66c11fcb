"""Who may open, edit and publish what, checked through the admin URLs (including guessed ids)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.models import Site

from counties.models import ThemeOverride
from guides.models import ServiceItem, ServiceLocation, ThemePage
from home.models import HomePage

pytestmark = pytest.mark.django_db


def _user(group_name, username):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "pw")
    user.groups.add(Group.objects.get(name=group_name))
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return user, client


def _home(code):
    return HomePage.objects.get(site_code=code, locale__language_code="zh-hans")


def _site(code):
    return Site.objects.get(root_page=_home(code))


def _own_theme(code):
    """The county's own (not aliased) theme page."""
    return ThemePage.objects.filter(alias_of__isnull=True, locale__language_code="zh-hans").descendant_of(_home(code)).first()


def _city_theme():
    return ThemePage.objects.get(code="AK-YJS-001", alias_of__isnull=True, locale__language_code="zh-hans")


def _denied(response):
    # Wagtail answers a forbidden admin page with a redirect to the dashboard, or 403/404.
    return response.status_code in (302, 403, 404) and "/edit/" not in response.get("Location", "")


@pytest.fixture
def hanbin_editor():
    return _user("汉滨区编辑", "hanbin-editor")


@pytest.fixture
def hanbin_reviewer():
    return _user("汉滨区审核", "hanbin-reviewer")


@pytest.fixture
def city_editor():
    return _user("安康市政务服务网编辑", "city-editor")


def test_county_editor_edits_own_county_pages_only(hanbin_editor):
    _, client = hanbin_editor
    assert client.get(f"/admin/pages/{_own_theme('hanbin').pk}/edit/").status_code == 200
    assert _denied(client.get(f"/admin/pages/{_own_theme('hanyin').pk}/edit/"))
    assert _denied(client.get(f"/admin/pages/{_city_theme().pk}/edit/"))
    assert _denied(client.get(f"/admin/pages/{_home('ankang').pk}/edit/"))


def test_county_editor_cannot_publish_or_unpublish(hanbin_editor, hanbin_reviewer):
    editor, client = hanbin_editor
    page = _own_theme("hanbin")
    assert not page.permissions_for_user(editor).can_publish()
    assert _denied(client.get(f"/admin/pages/{page.pk}/unpublish/"))
    reviewer, reviewer_client = hanbin_reviewer
    assert page.permissions_for_user(reviewer).can_publish()
    assert reviewer_client.get(f"/admin/pages/{page.pk}/unpublish/").status_code == 200
    assert _denied(reviewer_client.get(f"/admin/pages/{_own_theme('hanyin').pk}/unpublish/"))


def test_city_editor_edits_city_themes_not_county_pages(city_editor):
    _, client = city_editor
    assert client.get(f"/admin/pages/{_city_theme().pk}/edit/").status_code == 200
    assert _denied(client.get(f"/admin/pages/{_own_theme('hanbin').pk}/edit/"))


def test_county_editor_sees_and_edits_only_its_offices(hanbin_editor):
    _, client = hanbin_editor
    listing = client.get("/admin/snippets/guides/servicelocation/").content.decode()
    assert "汉滨区政务服务中心" in listing
    assert "安康市政务服务中心" not in listing and "汉阴县政务服务中心" not in listing
    own = ServiceLocation.objects.get(name="汉滨区政务服务中心")
    other = ServiceLocation.objects.get(name="汉阴县政务服务中心")
    assert client.get(f"/admin/snippets/guides/servicelocation/edit/{own.pk}/").status_code == 200
    # A guessed id of another county's office does not exist for this user.
    assert client.get(f"/admin/snippets/guides/servicelocation/edit/{other.pk}/").status_code == 404
    assert client.get(f"/admin/snippets/guides/servicelocation/delete/{other.pk}/").status_code == 404
    response = client.post(f"/admin/snippets/guides/servicelocation/edit/{own.pk}/", {
        "site": _site("hanyin").pk, "name": own.name, "address": own.address, "windows": own.windows,
        "hours": own.hours, "phone": own.phone, "sort_order": 0,
    })
    assert response.status_code == 200  # re-shown with an error: that site is not a choice for this user
    own.refresh_from_db()
    assert own.site == _site("hanbin")


def test_county_editor_cannot_touch_city_registries(hanbin_editor, city_editor):
    _, client = hanbin_editor
    item = ServiceItem.objects.first()
    assert _denied(client.get(f"/admin/snippets/guides/serviceitem/edit/{item.pk}/"))
    _, city_client = city_editor
    assert city_client.get(f"/admin/snippets/guides/serviceitem/edit/{item.pk}/").status_code == 200


def test_county_overrides_are_scoped(hanbin_editor):
    _, client = hanbin_editor
    theme = _city_theme()
    mine = ThemeOverride.objects.create(site=_site("hanbin"), theme=theme, days_after=5)
    theirs = ThemeOverride.objects.create(site=_site("hanyin"), theme=theme, days_after=6)
    assert client.get(f"/admin/snippets/counties/themeoverride/edit/{mine.pk}/").status_code == 200
    assert client.get(f"/admin/snippets/counties/themeoverride/edit/{theirs.pk}/").status_code == 404
    listing = client.get("/admin/snippets/counties/themeoverride/").content.decode()
    assert f"/themeoverride/edit/{mine.pk}/" in listing
    assert f"/themeoverride/edit/{theirs.pk}/" not in listing
