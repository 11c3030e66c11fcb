"""Window fixtures: hand-off documents built like intake's, staff with roles, and the 2026 holiday calendar."""

from __future__ import annotations

import itertools

import pytest

_seq = itertools.count(1)
ITEMS = ["AK-GG-0001", "AK-GG-0002", "AK-GG-0003"]  # three departments in the reference catalogue


def make_document(*, site: str = "hanbin.localhost", number: str | None = None, delivery: str = "自取",
                  items: list[str] | None = None, name: str = "张三") -> dict:
    from guides.models import ServiceItem

    codes = items or ITEMS
    names = dict(ServiceItem.objects.filter(code__in=codes).values_list("code", "name"))
    return {
        "schema_version": 1,
        "tracking_number": number or f"61090020260301{next(_seq):06d}",
        "submitted_at": "2026-03-02T09:00:00+08:00",
        "site": site,
        "theme": {"code": "AK-YJS-001", "title": "我要开超市"},
        "answers": {"subject": "company"},
        "items": [{"code": c, "name": names.get(c, c)} for c in codes],
        "fields": [
            {"code": "applicant.name", "label": "申请人姓名", "type": "text", "value": name},
            {"code": "applicant.id_number", "label": "身份证号码", "type": "id_number", "value": "11010519491231002X"},
            {"code": "business.address", "label": "经营场所", "type": "address", "value": "汉滨区兴安路1号"},
        ],
        "delivery": delivery,
        "contact_phone": "13800001234",
        "materials": [
            {"code": "M-LEASE", "name": "租赁合同", "file_name": "lease.pdf", "content_type": "application/pdf",
             "size": 100, "sha256": "a" * 64, "id": "3f1c7d8e-0000-4000-8000-000000000001"},
        ],
    }


@pytest.fixture(autouse=True)
def default_language():
    """reverse() follows the thread's active language, and a test client's request to /en/ leaves English active:
    every window test starts and ends in the default (Chinese, unprefixed URLs)."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def received(**kw):
    """A case the window received from a hand-off document (make_document's keywords)."""
    from window import services

    case, outcome = services.receive(make_document(**kw))
    assert outcome == "created"
    return case


def accepted(staff, sites, **kw):
    from window import services

    return services.accept(received(**kw), user=staff["clerk"], site=sites["hanbin"])


def approve_all(case, staff):
    from window import services

    for task in case.tasks.all():
        reviewer = {"GAJ": staff["gaj"], "SWJ": staff["swj"], "RSJ": staff["rsj"]}[task.department_code]
        services.decide(task, user=reviewer, approve=True, licence_number=f"L-{task.item_code}")
    case.refresh_from_db()
    return case


@pytest.fixture
def document():
    return make_document


@pytest.fixture
def sites(db):
    from wagtail.models import Site

    city = Site.objects.get(is_default_site=True)
    hanbin = Site.objects.get(hostname="hanbin.localhost")
    other = Site.objects.exclude(pk__in=[city.pk, hanbin.pk]).order_by("hostname").first()
    return {"city": city, "hanbin": hanbin, "other": other}


@pytest.fixture
def staff(db, sites, django_user_model):
    from window.constants import Role
    from window.models import WindowRole

    def user(name, role, site=None, dept=""):
        u = django_user_model.objects.create_user(name, password="pw-123456")
        WindowRole.objects.create(user=u, role=role, site=site, department_code=dept)
        return u

    return {
        "clerk": user("clerk_hanbin", Role.CLERK, sites["hanbin"]),
        "other_clerk": user("clerk_other", Role.CLERK, sites["other"]),
        "city_clerk": user("clerk_city", Role.CLERK, sites["city"]),
        "gaj": user("reviewer_gaj", Role.REVIEWER, dept="GAJ"),
        "swj": user("reviewer_swj", Role.REVIEWER, dept="SWJ"),
        "rsj": user("reviewer_rsj", Role.REVIEWER, dept="RSJ"),
        "supervisor": user("supervisor", Role.SUPERVISOR),
    }


@pytest.fixture
def holidays(db):
    from django.core.management import call_command

    call_command("seed_workdays", verbosity=0)


def login(client, user):
    client.force_login(user)
    return client
