"""Intake fixtures: one theme and complete answers from the session-imported reference catalogue, and a valid
submission builder. The real-process tests (test_real_processes.py) use none of this: they make their own database."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

THEME = "AK-YJS-001"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SAMPLE = {
    "text": "张三", "textarea": "日用百货零售", "id_number": "11010519491231002X", "uscc": "91350100M000100Y43",
    "phone": "13800001234", "date": "2026-12-01", "number": "120", "address": "汉滨区新城街道兴安路1号",
    "email": "zhangsan@example.com",
}


class Case:
    def __init__(self, page, screening, answers):
        from intake.forms import field_specs
        from intake.views import _registry
        from screening.engine import evaluate, to_query

        self.page = page
        self.theme = screening.theme
        self.outcome = evaluate(self.theme, answers)
        self.query = urlencode(to_query(self.theme, self.outcome.answers))
        self.url = f"/intake/apply/{THEME}/?{self.query}"
        self.specs = field_specs(list(self.outcome.fields), _registry(self.outcome.fields), list(page.delivery))
        self.slots = [m for m, _ in self.outcome.materials if m.source != "电子证照免提交"]
        self.exempt = [m for m, _ in self.outcome.materials if m.source == "电子证照免提交"]

    def data(self, token: str, **overrides) -> dict:
        data = {"token": token, "declaration": "on", "action": "submit"}
        for spec in self.specs:
            value = spec.choices[-1] if spec.type == "choice" else SAMPLE[spec.type]
            if spec.code == "delivery.method":
                value = "自取"
            data[spec.name] = value
        data.update(overrides)
        return data

    def files(self, content: bytes = PDF) -> dict:
        from django.core.files.uploadedfile import SimpleUploadedFile

        return {f"m-{m.code}": SimpleUploadedFile(f"{m.code}.pdf", content, "application/pdf") for m in self.slots}


@pytest.fixture
def case(db):
    from wagtail.models import Site

    from guides.queries import site_theme
    from screening.themes import screening_for

    site = Site.objects.get(is_default_site=True)
    page = site_theme(site, THEME)
    screening = screening_for(page)
    # A company selling bulk food in a large shop: many items, fields (incl. USCC, choices) and materials.
    answers = {"subject": "company", "food": "bulk", "area": "large", "tobacco": "sells", "sign": "large",
               "premises": "rent"}
    from screening.engine import prune

    answers = dict(prune(screening.theme, answers))
    c = Case(page, screening, answers)
    assert c.outcome.complete, c.outcome.errors
    return c


def token_of(response) -> str:
    import re

    return re.search(rb'name="token" value="([^"]+)"', response.content).group(1).decode()


@pytest.fixture
def start(client, case):
    """GET the form; returns its token."""

    def go(c=client):
        response = c.get(case.url, HTTP_HOST="localhost")
        assert response.status_code == 200, response.content[:500]
        return token_of(response)

    return go
