"""The search page's GET parameters: validated by SearchFilterSet, invalid ones dropped, never an error."""

import pytest
from django.http import QueryDict

from search.filters import SearchFilterSet

pytestmark = pytest.mark.django_db


def clean(qs: str, site="ankang"):
    return SearchFilterSet(QueryDict(qs)).clean_query(site)


def test_valid_facets_and_scope_become_the_query():
    query, dropped = clean("q=开超市&category=市场准入&audience=法人&online=网上预审&visits=1&scope=city&page=2")
    assert dropped == []
    assert query.q == "开超市" and query.scope == "city" and query.page == 2 and query.site_code == "ankang"
    assert query.filters == {"category": ("市场准入",), "audience": ("法人",), "online": ("网上预审",),
                             "visits": ("1",)}


def test_department_choices_come_from_the_registry():
    query, dropped = clean("department=SCJG&department=GAJ")
    assert dropped == [] and set(query.filters["department"]) == {"SCJG", "GAJ"}


@pytest.mark.parametrize("qs, bad", [
    ("category=不存在", "category"),
    ("audience=外星人", "audience"),
    ("department=NOPE", "department"),
    ("online=1' OR '1'='1", "online"),
    ("visits=99", "visits"),
    ("scope=world", "scope"),
    ("page=abc", "page"),
    ("page=-3", "page"),
    ("page=NaN", "page"),
    ("page=1e400", "page"),
])
def test_unknown_values_are_dropped_not_errors(qs, bad):
    query, dropped = clean(qs)
    assert bad in dropped
    assert query.page >= 1 and query.scope in ("site", "city")
    assert not query.filters


def test_over_long_and_odd_queries_are_normalised():
    query, _ = clean("q=" + "超市" * 5000)
    assert len(query.q) == 100
    query, _ = clean("q=%EF%BD%8B%EF%BD%83%EF%BD%93%E2%80%8B%00")  # full-width kcs, zero-width space, NUL
    assert query.q == "kcs"


def test_empty_parameters_mean_browse_everything():
    query, dropped = clean("")
    assert query.q == "" and query.filters == {} and query.scope == "site" and query.page == 1 and dropped == []
