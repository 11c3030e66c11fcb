"""Publish / unpublish / delete a theme -> a reindex task (ImmediateBackend in tests) -> the search sees it."""

import pytest

from guides.models import ThemePage
from search.backends import SearchQuery, search

pytestmark = pytest.mark.django_db


def find(q, site="ankang"):
    return [h.code for h in search(SearchQuery(q=q, site_code=site, per_page=20), backend="database").hits]


def test_publish_title_change_then_unpublish(search_documents, django_capture_on_commit_callbacks):
    page = ThemePage.objects.get(code="AK-YJS-001", alias_of__isnull=True, locale__language_code="zh-hans")
    page.title = "我要开蔬果鲜超市"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert find("蔬果鲜")[:1] == ["AK-YJS-001"]
    assert find("蔬果鲜", site="hanbin")[:1] == ["AK-YJS-001"]  # the county alias follows
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert "AK-YJS-001" not in find("蔬果鲜")


def test_delete_removes_documents(search_documents, django_capture_on_commit_callbacks):
    page = ThemePage.objects.get(code="AK-YJS-091")  # a county-only theme
    site = page.get_site().root_page.specific.site_code
    assert "AK-YJS-091" in find(page.title, site=site)
    with django_capture_on_commit_callbacks(execute=True):
        page.delete()
    assert "AK-YJS-091" not in find(page.title, site=site)


def test_a_rolled_back_change_does_not_block_later_reindexing(search_documents, django_capture_on_commit_callbacks):
    from django.db import transaction

    page = ThemePage.objects.get(code="AK-YJS-001", alias_of__isnull=True, locale__language_code="zh-hans")
    try:
        with transaction.atomic():
            page.title = "回滚的标题"
            page.save_revision().publish()
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    page.refresh_from_db()
    page.title = "我要开水果超市"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert find("水果超市")[:1] == ["AK-YJS-001"]
