"""Staff lists at volume: every row reachable by page, totals, the dashboard's range and site, and its figures
equal to a recount in Python over the same cases."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from window import calendar, services, workdays
from window.constants import RUNNING, CaseStatus
from window.models import Case
from window.paging import PER_PAGE
from window.views import dashboard_data

from .conftest import accepted, approve_all, login, received

TRACKING = re.compile(r"(?<!\d)6109\d{16}(?!\d)")  # an 安康 region code, yyyymmdd and the sequence


def numbers(response) -> set[str]:
    return set(TRACKING.findall(response.content.decode()))


def test_queue_pages_reach_every_case_with_total(client, staff, sites):
    made = {received().tracking_number for _ in range(PER_PAGE + 5)}
    login(client, staff["clerk"])
    first = client.get(reverse("window:queue"))
    body = first.content.decode()
    assert f"共 {PER_PAGE + 5} 件，本页第 1–{PER_PAGE} 件" in body
    assert '<nav class="window-pager" aria-label="分页">' in body and 'aria-current="page">1<' in body
    second = client.get(reverse("window:queue"), {"page": 2})
    assert f"本页第 {PER_PAGE + 1}–{PER_PAGE + 5} 件" in second.content.decode()
    assert 'aria-current="page">2<' in second.content.decode()
    assert len(numbers(first)) == PER_PAGE and len(numbers(second)) == 5
    assert numbers(first) | numbers(second) == made


def test_page_links_keep_the_filters(client, staff, sites):
    for _ in range(PER_PAGE + 1):
        received()
    login(client, staff["clerk"])
    body = client.get(reverse("window:queue"), {"status": "received"}).content.decode()
    assert 'href="?status=received&amp;page=2"' in body


def test_county_clerk_cannot_widen_to_another_site(client, staff, sites):
    own = {received().tracking_number for _ in range(3)}
    other = {received(site=sites["other"].hostname).tracking_number for _ in range(2)}
    login(client, staff["clerk"])
    guessed = client.get(reverse("window:queue"), {"site": sites["other"].pk})
    assert numbers(guessed) <= own and not numbers(guessed) & other
    assert "共 3 件" in guessed.content.decode()
    # The other site is not even offered as a choice.
    assert f'value="{sites["other"].pk}"' not in guessed.content.decode()
    login(client, staff["city_clerk"])
    assert numbers(client.get(reverse("window:queue"), {"site": sites["other"].pk})) == other


def test_task_list_pages_and_total(client, staff, sites):
    cases = [accepted(staff, sites) for _ in range(PER_PAGE + 2)]
    login(client, staff["gaj"])
    first = client.get(reverse("window:tasks"))
    assert f"共 {PER_PAGE + 2} 项，本页第 1–{PER_PAGE} 项" in first.content.decode()
    second = client.get(reverse("window:tasks"), {"page": 2})
    assert len(numbers(second)) == 2
    assert numbers(first) | numbers(second) == {c.tracking_number for c in cases}
    assert all(t.due_date == c.due_date for c in cases for t in c.tasks.all())


def _on(case: Case, day: date) -> Case:
    Case.objects.filter(pk=case.pk).update(received_at=timezone.make_aware(datetime.combine(day, datetime.min.time())))
    return case


def test_dashboard_range_and_site(client, staff, sites):
    today = workdays.today()
    _on(received(), today)
    _on(received(), today - timedelta(days=29))
    _on(received(), today - timedelta(days=30))  # outside the default 30 days
    _on(received(site=sites["other"].hostname), today - timedelta(days=3))
    login(client, staff["supervisor"])
    url = reverse("window:dashboard")
    assert client.get(url).context["total"] == 3
    hanbin = client.get(url, {"site": sites["hanbin"].pk}).context
    assert hanbin["total"] == 2 and {r["site"] for r in hanbin["rows"]} == {sites["hanbin"].site_name}
    old = today - timedelta(days=30)
    assert client.get(url, {"start": old, "end": old}).context["total"] == 1
    wide = client.get(url, {"start": today - timedelta(days=400), "end": today})
    assert wide.context["total"] == 4 and "统计范围：" in wide.content.decode()
    reversed_range = client.get(url, {"start": today, "end": today - timedelta(days=1)})
    assert "起始日期不能晚于截止日期。" in reversed_range.content.decode()


def recount(cases) -> dict:
    """The dashboard's figures the slow way: every case in Python, the calendar walked per case."""
    from guides.models import ThemePage

    figures = {p.code: p for p in ThemePage.objects.filter(live=True, alias_of__isnull=True)}
    exceptions, today = workdays.exceptions(), workdays.today()
    groups = defaultdict(lambda: {"count": 0, "overdue": 0, "statuses": Counter(), "days": [], "promised": [],
                                  "scores": [], "visits": 0})
    for c in cases:
        g = groups[(c.site.site_name, c.theme_title)]
        g["count"] += 1
        g["statuses"][c.status] += 1
        issued = c.issued_at and timezone.localdate(c.issued_at)
        g["overdue"] += bool(c.due_date and ((c.status in RUNNING and today > c.due_date)
                                             or (issued and issued > c.due_date)))
        if c.issued_at:
            g["days"].append(calendar.workdays_between(timezone.localdate(c.accepted_at), issued, exceptions))
            g["promised"].append(c.promised_days)
        if hasattr(c, "rating"):
            g["scores"].append(c.rating.score)
        f = figures.get(c.theme_code)
        g["visits"] += f.visits_before - f.visits_after if f else 0
    return {key: {"count": g["count"], "overdue": g["overdue"],
                  "statuses": {CaseStatus(s).label: n for s, n in g["statuses"].items()},
                  "avg_days": round(sum(g["days"]) / len(g["days"]), 1) if g["days"] else None,
                  "promised": round(sum(g["promised"]) / len(g["promised"]), 1) if g["promised"] else None,
                  "avg_score": round(sum(g["scores"]) / len(g["scores"]), 1) if g["scores"] else None,
                  "ratings": len(g["scores"]), "visits_saved": g["visits"]} for key, g in groups.items()}


def test_dashboard_equals_a_python_recount(staff, sites, holidays):
    from unittest import mock

    for n, score in enumerate([5, 4, 1]):
        # Accepted on different days, so the working days taken differ (weekends and holidays in between).
        with mock.patch("django.utils.timezone.now", return_value=timezone.now() - timedelta(days=3 + 4 * n)):
            done = approve_all(accepted(staff, sites), staff)
        services.issue(done, user=staff["clerk"])
        services.record_pickup(done, user=staff["clerk"], code=done.pickup_code)
        services.rate(done, score=score)
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() - timedelta(days=60)):
        accepted(staff, sites)  # overdue
        accepted(staff, sites, site=sites["other"].hostname)
    approve_all(accepted(staff, sites), staff)  # decided, not issued
    received()
    received(site=sites["other"].hostname)
    services.return_for_correction(received(), user=staff["clerk"], problems=["租赁合同不清晰"])
    cases = Case.objects.all()
    expected = recount(cases.select_related("site", "rating"))
    data = dashboard_data(cases)
    got = {(r["site"], r["theme"]): {"count": r["count"], "overdue": r["overdue"],
                                     "statuses": {label: n for label, n in r["statuses"] if n},
                                     "avg_days": r["avg_days"], "promised": r["promised"], "avg_score": r["avg_score"],
                                     "ratings": r["ratings"], "visits_saved": r["visits_saved"]} for r in data["rows"]}
    assert got == expected
    assert data["total"] == Case.objects.count() == 9
    assert data["overdue"] == sum(g["overdue"] for g in expected.values()) >= 2
