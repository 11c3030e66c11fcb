"""The request's site and a code's theme page come from the shared cache under the content version (guides.sites,
guides.queries.site_theme): read once, then no query for them until something changes."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from guides.models import ThemePage

pytestmark = pytest.mark.django_db

CODE = "AK-YJS-001"
FORM = f"/intake/apply/{CODE}/?subject=company&food=bulk&area=large&tobacco=sells&sign=large&premises=own"


def _tables(url, host="localhost"):
    """The tables each query of one request read from, in order (the form is never page-cached)."""
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(url, HTTP_HOST=host)
    assert response.status_code == 200
    return " ".join(q["sql"] for q in queries.captured_queries)


def test_the_second_request_reads_neither_the_sites_nor_the_tree():
    first = _tables(FORM)
    assert "wagtailcore_site" in first and "wagtailcore_pageviewrestriction" in first
    second = _tables(FORM)
    assert "wagtailcore_site" not in second and "wagtailcore_pageviewrestriction" not in second
    assert "wagtailcore_page" in second  # the page itself, by its key


def test_each_host_has_its_own_site():
    city = Client().get(FORM, HTTP_HOST="localhost")
    county = Client().get(FORM, HTTP_HOST="hanbin.localhost")
    assert city.wsgi_request._wagtail_site.is_default_site
    assert county.wsgi_request._wagtail_site.root_page.specific.site_code == "hanbin"


def test_an_unknown_host_falls_back_to_the_default_site_twice():
    for _ in range(2):
        response = Client().get(FORM, HTTP_HOST="elsewhere.localhost")
        assert response.wsgi_request._wagtail_site == Site.objects.get(is_default_site=True)


def test_an_unpublished_theme_is_gone_at_once():
    _tables(FORM)
    ThemePage.objects.get(code=CODE, alias_of__isnull=True, locale__language_code="zh-hans").unpublish()
    assert Client().get(FORM, HTTP_HOST="localhost").status_code == 404
