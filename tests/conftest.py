"""Shared fixtures: the reference catalogue is imported once per test session into the test database."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "demo" / "catalogue"


@pytest.fixture(scope="session")
def catalogue_dir() -> Path:
    return CATALOGUE


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _import_demo()


@pytest.fixture
def city_host():
    return "localhost"


@pytest.fixture
def county_client():
    from django.test import Client

    return Client(HTTP_HOST="hanbin.localhost")


def _import_demo():
    call_command("import_catalogue", str(CATALOGUE), "--no-progress", verbosity=0)
    call_command("setup_editorial", verbosity=0)
    call_command("import_translations", str(ROOT / "demo" / "translations" / "en"), verbosity=0)


@pytest.fixture
def live_catalogue(live_server):
    """``live_server`` with the demo catalogue in its database.

    ``live_server`` tests flush the whole database when they end, the migrations' rows (Wagtail's root page, the
    default locale) included, so the session's import does not survive an earlier one: put it back.
    """
    from wagtail.models import Locale, Page

    from guides.models import ThemePage

    if not ThemePage.objects.exists():
        Locale.objects.get_or_create(language_code="zh-hans")
        if not Page.get_first_root_node():
            Page.add_root(instance=Page(title="Root", slug="root"))
        # Not into Wagtail's admin index: these tests never search the CMS, and on PostgreSQL its database backend
        # recomputes a table-wide title average on every insert, which made each re-import take minutes.
        backends = {name: {**conf, "AUTO_UPDATE": False} for name, conf in settings.WAGTAILSEARCH_BACKENDS.items()}
        with override_settings(WAGTAILSEARCH_BACKENDS=backends):
            _import_demo()
    return live_server
