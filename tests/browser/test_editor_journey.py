"""Editors in the CMS: a city editor rewords a wizard question and submits it, the city's reviewer approves and it is
published to the public wizard at once; a county editor cannot reach the city's pages."""

from __future__ import annotations

import secrets

import pytest
from playwright.sync_api import expect

from .steps import staff_login

pytestmark = pytest.mark.browser

THEME = "AK-YJS-002"
PAGE = """
import json
from guides.models import ThemePage
page = ThemePage.objects.get(code=%r, alias_of__isnull=True, locale__language_code="zh-hans")
print(json.dumps({"id": page.pk, "url": page.get_url_parts()[2], "text": page.questions.raw_data[0]["value"]["text"],
                  "question": page.questions.raw_data[0]["value"]["id"]}))
"""


@pytest.fixture(scope="module")
def theme(world):
    return world.query(PAGE % THEME)


def test_editor_rewords_a_question_reviewer_publishes(world, visitor, theme):
    reworded = theme["text"].rstrip("？") + f"（含个体工商户，{secrets.token_hex(2)}）？"
    editor = visitor("desktop", "zh", name="editor")
    staff_login(editor, "city_editor", world.staff["password"], f"/admin/pages/{theme['id']}/edit/")
    text = editor.page.locator("input[name='questions-0-value-text']")
    text.fill(reworded)
    editor.page.get_by_role("button", name="更多动作").click()
    editor.page.locator("button[name=action-submit]").click()
    editor.seen()
    expect(editor.page.locator(".messages")).to_contain_text("已经提交进行审核")

    # Not yet public: the reviewer's approval publishes it.
    public = visitor("phone", "zh", name="public")
    public.goto(theme["url"] + "screening/", translated=False)
    expect(public.page.locator(".wizard legend")).to_have_text(theme["text"])

    reviewer = visitor("desktop", "zh", name="reviewer")
    staff_login(reviewer, "city_reviewer", world.staff["password"], f"/admin/pages/{theme['id']}/edit/")
    approve = reviewer.page.locator("button[data-workflow-action-name=approve]:not([data-workflow-action-modal-url])")
    if not approve.is_visible():
        reviewer.page.get_by_role("button", name="更多动作").click()
    with reviewer.page.expect_navigation():
        approve.click()
    reviewer.seen()

    public.page.reload()
    public.seen()
    expect(public.page.locator(".wizard legend")).to_have_text(reworded)


def test_county_editor_cannot_reach_city_pages(world, visitor, theme):
    county = visitor("desktop", "zh", name="county-editor")
    staff_login(county, "hanbin_editor", world.staff["password"], "/admin/pages/")
    # The explorer opens on the county's own tree; the city's theme is neither listed nor editable.
    expect(county.page.locator("main")).to_contain_text(world.staff["hanbin"])
    expect(county.page.locator(f"a[href*='/admin/pages/{theme['id']}/']")).to_have_count(0)
    response = county.page.goto(county.url(f"/admin/pages/{theme['id']}/edit/", translated=False))
    county.seen()
    assert response.status == 403 or "/admin/" in county.page.url and "edit" not in county.page.url, response.status
    expect(county.page.locator("input[name='questions-0-value-text']")).to_have_count(0)
