"""Shared fixtures: the reference catalogue is imported once per test session into the test database."""

from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "demo" / "catalogue"


@pytest.fixture(scope="session")
def catalogue_dir() -> Path:
    return CATALOGUE


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("import_catalogue", str(CATALOGUE), "--no-progress", verbosity=0)
        call_command("setup_editorial", verbosity=0)
        call_command("import_translations", str(ROOT / "demo" / "translations" / "en"), verbosity=0)


@pytest.fixture
def city_host():
    return "localhost"


@pytest.fixture
def county_client():
    from django.test import Client

    return Client(HTTP_HOST="hanbin.localhost")
