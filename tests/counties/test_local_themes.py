"""City themes on county sites: one source, local offices and promises, hiding, and drift."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from wagtail.models import Site

from counties.models import ThemeOverride
from guides.models import ThemePage
from home.models import HomePage

pytestmark = pytest.mark.django_db


def _site(code):
    return Site.objects.get(root_page__homepage__site_code=code)


def _alias(code, theme="AK-YJS-001"):
    return ThemePage.objects.get(code=theme, path__startswith=HomePage.objects.get(site_code=code, locale__language_code="zh-hans").path)


def _city_theme():
    return ThemePage.objects.get(code="AK-YJS-001", alias_of__isnull=True, locale__language_code="zh-hans")


def _get(host, url):
    return Client(HTTP_HOST=host).get(url)


def test_city_edit_shows_on_every_county():
    page = _city_theme()
    page.summary = "市级修改后的简介：一次告知。"
    page.save_revision().publish()
    for code in ("hanbin", "baihe"):
        html = _get(f"{code}.localhost", _alias(code).get_url()).content.decode()
        assert "市级修改后的简介" in html


def test_county_promise_replaces_city_figure_only_on_that_county():
    ThemeOverride.objects.create(site=_site("hanbin"), theme=_city_theme(), days_after=3)
    hanbin = _get("hanbin.localhost", _alias("hanbin").get_url()).content.decode()
    assert "→ 3 天" in hanbin and "本县承诺" in hanbin
    city = _get("localhost", _city_theme().get_url()).content.decode()
    assert "→ 8 天" in city
    hanyin = _get("hanyin.localhost", _alias("hanyin").get_url()).content.decode()
    assert "→ 8 天" in hanyin


def test_county_cannot_promise_more_than_the_city():
    override = ThemeOverride(site=_site("hanbin"), theme=_city_theme(), days_after=30)
    with pytest.raises(ValidationError) as info:
        override.full_clean()
    assert "不能多于市级" in str(info.value)


def test_hiding_needs_a_reason_and_shows_it():
    with pytest.raises(ValidationError):
        ThemeOverride(site=_site("hanbin"), theme=_city_theme(), hidden=True).full_clean()
    ThemeOverride.objects.create(site=_site("hanbin"), theme=_city_theme(), hidden=True,
                                 hidden_reason="本区超市开办业务已下放至各街道便民服务中心办理。")
    html = _get("hanbin.localhost", _alias("hanbin").get_url()).content.decode()
    assert "本区超市开办业务已下放至各街道便民服务中心办理" in html
    assert "开始自助筛查" not in html
    codes = {t["code"] for t in Client(HTTP_HOST="hanbin.localhost").get("/api/themes/").json()["themes"]}
    assert "AK-YJS-001" not in codes
    listing = _get("hanbin.localhost", "/themes/").content.decode()
    assert "我要开超市" not in listing
    assert "我要开超市" in _get("hanyin.localhost", "/themes/").content.decode()


def test_drift_is_flagged_after_the_city_changes_an_overridden_field():
    override = ThemeOverride.objects.create(site=_site("hanbin"), theme=_city_theme(), days_after=5)
    assert override.drift == {}
    page = _city_theme()
    page.days_after = 6
    page.save_revision().publish()
    override.refresh_from_db()
    assert override.drift == {"days_after": (8, 6)}
    assert "已由 8 改为 6" in override.drift_summary()
    override.accept_city_values()
    override.refresh_from_db()
    assert override.drift == {}


def test_setup_editorial_is_idempotent():
    from django.contrib.auth.models import Group
    from wagtail.models import GroupPagePermission, Workflow

    counts = (Group.objects.count(), GroupPagePermission.objects.count(), Workflow.objects.count())
    call_command("setup_editorial", verbosity=0)
    assert (Group.objects.count(), GroupPagePermission.objects.count(), Workflow.objects.count()) == counts
    assert Group.objects.filter(name="汉滨区编辑").exists()


def test_county_promise_reaches_the_checklist():
    ThemeOverride.objects.create(site=_site("hanbin"), theme=_city_theme(), days_after=3)
    answers = "subject=company&food=bulk&area=large&tobacco=sells&sign=large&premises=rent"
    hanbin = _get("hanbin.localhost", f"{_alias('hanbin').get_url()}checklist/?{answers}").content.decode()
    assert "→ 3 天" in hanbin
    city = _get("localhost", f"{_city_theme().get_url()}checklist/?{answers}").content.decode()
    assert "→ 8 天" in city
