"""The queue's theme choices come from the shared cache (window/themes.py), and are exact: a case with a new theme,
a case accepted at another window, a deleted case and a bulk write all show in the next queue."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from window import services, themes
from window.models import Case

from .conftest import login, make_document


def _received(site="hanbin.localhost", code="AK-YJS-001", title="我要开超市"):
    doc = make_document(site=site)
    doc["theme"] = {"code": code, "title": title}
    case, outcome = services.receive(doc)
    assert outcome == "created"
    return case


def offered(client) -> set[str]:
    body = client.get(reverse("window:queue")).content.decode()
    return {code for code in ("AK-YJS-001", "AK-YJS-002", "AK-YJS-003") if f'<option value="{code}"' in body}


def test_a_new_theme_is_offered_at_once(client, staff, sites):
    _received()
    login(client, staff["clerk"])
    assert offered(client) == {"AK-YJS-001"}
    _received(code="AK-YJS-002", title="新生儿出生")
    assert offered(client) == {"AK-YJS-001", "AK-YJS-002"}


def test_the_cached_list_is_read_without_a_distinct_over_cases(client, staff, sites):
    _received()
    login(client, staff["city_clerk"])
    client.get(reverse("window:queue"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("window:queue")).status_code == 200
    assert not [q["sql"] for q in queries if "DISTINCT" in q["sql"] and "window_case" in q["sql"]]


def test_each_clerk_is_offered_only_the_themes_of_cases_they_see(client, staff, sites):
    _received()
    _received(site=sites["other"].hostname, code="AK-YJS-002", title="新生儿出生")
    login(client, staff["clerk"])
    assert offered(client) == {"AK-YJS-001"}
    login(client, staff["other_clerk"])
    assert offered(client) == {"AK-YJS-002"}
    login(client, staff["city_clerk"])
    assert offered(client) == {"AK-YJS-001", "AK-YJS-002"}


def test_accepting_at_another_window_offers_the_theme_there(client, staff, sites):
    case = _received(site=sites["other"].hostname, code="AK-YJS-003", title="我要开饭店")
    login(client, staff["clerk"])
    assert offered(client) == set()
    services.accept(case, user=staff["clerk"], site=sites["hanbin"])  # 全市通办: accepted where the clerk works
    assert offered(client) == {"AK-YJS-003"}


def test_a_deleted_case_takes_its_theme_away(client, staff, sites):
    _received()
    gone = _received(code="AK-YJS-002", title="新生儿出生")
    login(client, staff["clerk"])
    assert offered(client) == {"AK-YJS-001", "AK-YJS-002"}
    gone.delete()
    assert offered(client) == {"AK-YJS-001"}


def test_a_bulk_write_is_seen_after_changed(client, staff, sites):
    template = _received()
    login(client, staff["clerk"])
    assert offered(client) == {"AK-YJS-001"}
    copy = Case.objects.get(pk=template.pk)
    copy.pk, copy.tracking_number, copy.theme_code = None, "61090020260301999999", "AK-YJS-002"
    Case.objects.bulk_create([copy])  # no post_save: the cached list does not know it yet
    assert offered(client) == {"AK-YJS-001"}
    themes.changed()
    assert offered(client) == {"AK-YJS-001", "AK-YJS-002"}
