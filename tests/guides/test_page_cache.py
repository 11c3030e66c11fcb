"""The anonymous page cache (guides.pagecache): what it keeps, what it varies on, and every change that drops it.

The cache is the real shared one of the settings (a database table here), inside each test's transaction.
"""

import shutil
from pathlib import Path

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from wagtail.models import PageViewRestriction, Site

from counties.models import ThemeOverride
from guides.models import FormField, Material, ServiceItem, ServiceLocation, ThemePage
from home.models import HomePage

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
CODE = "AK-YJS-001"
ANSWERS = "subject=company&food=bulk&area=large&tobacco=sells&sign=large&premises=own"


def _theme(language="zh-hans"):
    return ThemePage.objects.get(code=CODE, alias_of__isnull=True, locale__language_code=language)


def _path(language="zh-hans"):
    return _theme(language).get_url_parts()[2]


def _get(url, host="localhost", client=None, **extra):
    return (client or Client()).get(url, HTTP_HOST=host, **extra)


def _warm(url, host="localhost", **extra):
    """Fetch twice: the second answer must come from the cache (so a later MISS proves a drop)."""
    first = _get(url, host, **extra)
    assert first.status_code == 200 and first["X-Page-Cache"] in ("MISS", "HIT"), first.get("X-Page-Cache")
    second = _get(url, host, **extra)
    assert second["X-Page-Cache"] == "HIT"
    assert second.content == first.content
    return second.content.decode()


# --------------------------------------------------------------------------- kept, and varied

@pytest.mark.parametrize("url", ["/", "/themes/", "theme", "theme:screening/", f"theme:checklist/?{ANSWERS}",
                                 "/search/?q=超市", "/api/themes/", f"/api/themes/{CODE}/checklist/?{ANSWERS}", "/en/"])
def test_public_pages_are_kept_for_anonymous_visitors(url):
    if url.startswith("theme"):
        url = _path() + url.removeprefix("theme").removeprefix(":")
    _warm(url)


def test_public_pages_carry_no_csrf_token_or_cookie():
    response = _get(_path())
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert not response.cookies


def test_varies_on_host_language_and_the_elder_cookie():
    city = _warm(_path())
    county_path = ThemePage.objects.get(
        code=CODE, path__startswith=HomePage.objects.get(site_code="hanbin", locale__language_code="zh-hans").path
    ).get_url_parts()[2]
    county = _warm(county_path, "hanbin.localhost")
    assert county != city
    english = _warm(_path("en"))
    assert 'lang="en"' in english and english != city

    elder = Client()
    elder.cookies["elder"] = "1"
    first = _get(_path(), client=elder)
    assert first["X-Page-Cache"] == "MISS" and 'class="elder"' in first.content.decode()
    assert _get(_path(), client=elder)["X-Page-Cache"] == "HIT"
    assert 'class="elder"' not in _get(_path()).content.decode()  # the standard page is still the standard one
    assert "Cookie" in first["Vary"]


# --------------------------------------------------------------------------- never kept

def test_signed_in_visitors_are_never_served_or_stored():
    _warm(_path())
    user = get_user_model().objects.create_user("editor1", password="x", is_staff=True)
    client = Client()
    client.force_login(user)
    for _ in range(2):
        assert _get(_path(), client=client)["X-Page-Cache"] == "BYPASS"


def test_any_session_or_other_cookie_bypasses():
    _warm(_path())
    assert _get(_path(), HTTP_COOKIE="sessionid=abc")["X-Page-Cache"] == "BYPASS"
    assert _get(_path(), HTTP_COOKIE="messages=abc")["X-Page-Cache"] == "BYPASS"
    # The CSRF cookie a visitor got from a form elsewhere is no reason to miss the shared page.
    assert _get(_path(), HTTP_COOKIE="csrftoken=abcdefghijklmnopqrstuvwxyz012345")["X-Page-Cache"] == "HIT"


@pytest.mark.parametrize("url", [f"/intake/apply/{CODE}/?{ANSWERS}", "/intake/progress/", "/window/rate/"])
def test_forms_and_personal_pages_are_never_stored(url):
    for _ in range(2):
        response = _get(url)
        assert response.status_code == 200
        assert response["X-Page-Cache"] == "BYPASS"


def test_post_is_never_served_from_the_cache():
    _warm(_path())
    response = Client().post(_path(), {}, HTTP_HOST="localhost")
    assert "X-Page-Cache" not in response
    response = Client().post("/elder/", {"elder": "1", "next": "/"}, HTTP_HOST="localhost")
    assert response.status_code == 302 and "X-Page-Cache" not in response


def test_not_found_is_not_stored():
    for _ in range(2):
        response = _get("/no-such-page/")
        assert response.status_code == 404 and response["X-Page-Cache"] == "BYPASS"


# --------------------------------------------------------------------------- every change drops it

def test_publish():
    _warm(_path())
    page = _theme()
    page.summary = "发布后的新简介：一次告知。"
    page.save_revision().publish()
    response = _get(_path())
    assert response["X-Page-Cache"] == "MISS" and "发布后的新简介" in response.content.decode()


def test_a_draft_is_not_a_change():
    _warm(_path())
    page = _theme()
    page.summary = "草稿简介"
    page.save_revision()
    response = _get(_path())
    assert response["X-Page-Cache"] == "HIT" and "草稿简介" not in response.content.decode()


def test_unpublish():
    path = _path()
    _warm(path)
    _theme().unpublish()
    assert _get(path).status_code == 404


def test_move():
    path = _path()
    _warm(path)
    page = _theme()
    page.move(Site.objects.get(is_default_site=True).root_page, pos="last-child")  # out of its theme index
    assert _get(path).status_code == 301  # Wagtail's redirect to the new place, not the kept page
    moved = ThemePage.objects.get(pk=page.pk).get_url_parts()[2]
    assert moved != path and _get(moved).status_code == 200


@pytest.mark.parametrize("model", [ServiceItem, FormField])
def test_registry_edit(model):
    path = _path()
    page = _warm(path)
    attr = "label" if model is FormField else "name"
    row = next(r for r in model.objects.all() if getattr(r, attr) in page)
    setattr(row, attr, "改名后的登记名称")
    row.save()
    response = _get(path)
    assert response["X-Page-Cache"] == "MISS" and "改名后的登记名称" in response.content.decode()


def test_material_edit():
    # The page shows its own wording of each material; the registry row is what links it (code, English name).
    path = _path()
    _warm(path)
    material = Material.objects.first()
    material.name = "改名后的材料"
    material.save()
    assert _get(path)["X-Page-Cache"] == "MISS"


def test_county_override():
    county = Site.objects.get(root_page__homepage__site_code="hanbin")
    alias = ThemePage.objects.get(code=CODE, path__startswith=county.root_page.path)
    path = alias.get_url_parts()[2]
    _warm(path, "hanbin.localhost")
    ThemeOverride.objects.create(site=county, theme=_theme(), hidden=True, hidden_reason="本县窗口改造，暂停办理")
    response = _get(path, "hanbin.localhost")
    assert response["X-Page-Cache"] != "HIT" and "本县窗口改造" in response.content.decode()


def test_office_change():
    path = _path()
    page = _warm(path)
    office = next(o for o in ServiceLocation.objects.all() if o.name in page)
    office.hours = "周一至周日 8:00–20:00（新）"
    office.save()
    response = _get(path)
    assert response["X-Page-Cache"] == "MISS" and "周一至周日 8:00–20:00（新）" in response.content.decode()


def test_translation_import(tmp_path, django_capture_on_commit_callbacks):
    path = _path("en")
    _warm(path)
    folder = tmp_path / "en"
    shutil.copytree(ROOT / "demo" / "translations" / "en", folder)
    data = yaml.safe_load((folder / f"{CODE}.yaml").read_text(encoding="utf-8"))
    data["summary"] = "Everything for a supermarket, re-translated."
    (folder / f"{CODE}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):  # wagtail-localize publishes the translation on commit
        call_command("import_translations", str(folder), verbosity=0)
    response = _get(path)
    assert response["X-Page-Cache"] == "MISS" and "re-translated" in response.content.decode()


def test_view_restriction():
    # An editor makes the page private: anonymous visitors get the login wall at once, not the kept public page.
    path = _path()
    _warm(path)
    PageViewRestriction.objects.create(page=_theme(), restriction_type=PageViewRestriction.LOGIN)
    response = _get(path)
    assert response.status_code == 302 and "login" in response["Location"]


def test_site_change():
    # A site's hostname moves: the old host no longer finds it (guides.sites keeps the match under the version).
    county = Site.objects.get(root_page__homepage__site_code="hanbin")
    home = _get("/", "hanbin.localhost").content.decode()
    county.hostname = "hanbin-new.localhost"
    county.save()
    assert _get("/", "hanbin-new.localhost").content.decode() == home.replace("hanbin.localhost", "hanbin-new.localhost")
    assert _get("/", "hanbin.localhost").content.decode() != home
