"""The applicant's journey, at phone and desktop size, in Chinese and English: search → theme → wizard (an earlier
answer changed) → checklist → PDF → the unified form with bad input first (nothing typed is lost) → uploads →
submit → receipt → progress."""

from __future__ import annotations

import subprocess

import pytest
from playwright.sync_api import expect

from .steps import TRACKING, answer, fill_form, screen, submit_form

pytestmark = pytest.mark.browser

THEME = "AK-YJS-001"
WORDS = {"zh": {"query": "超市", "checklist": "一次告知单"}, "en": {"query": "supermarket", "checklist": "One-time notice"}}
THEME_PAGES = """
import json
from guides.models import ThemePage
pages = ThemePage.objects.filter(code=%r, alias_of__isnull=True).select_related("locale")
print(json.dumps({p.locale.language_code: {"url": p.get_url_parts()[2], "title": p.title} for p in pages}))
"""


@pytest.fixture(scope="module")
def theme(world):
    pages = world.query(THEME_PAGES % THEME)
    return {"zh": pages["zh-hans"], "en": pages["en"]}


@pytest.mark.parametrize(("profile", "language"), [("phone", "zh"), ("desktop", "zh"), ("phone", "en"),
                                                    ("desktop", "en")])
def test_search_screen_apply_and_follow(visitor, theme, sample_pdf, profile, language):
    v = visitor(profile, language)
    page = v.page
    words = WORDS[language]
    guide = theme[language]

    # Search from the home page and open the theme.
    v.goto("/")
    page.locator("input[name=q]").first.fill(words["query"])
    page.locator("form[role=search] button[type=submit]").first.click()
    v.seen()
    page.locator(f"main a[href='{guide['url']}']").first.click()
    v.seen()
    expect(page.get_by_role("heading", level=1)).to_have_text(guide["title"])

    # The wizard: answer, go back to an earlier question, change it, and carry on.
    page.locator(f"a[href$='{guide['url']}screening/']").first.click()
    v.seen()
    page.locator(".wizard button[type=submit]").click()  # nothing chosen: told what is missing, linked to it
    v.seen("error")
    summary_link = page.locator("#errors a")
    expect(summary_link).to_have_count(1)
    summary_link.click()
    expect(page.locator("#opt-subject-1")).to_be_focused()
    screen(v, [("subject", "company"), ("food", "bulk"), ("area", "large")])
    page.locator("a.change-link[href*='_change=food']").click()
    v.seen()
    expect(page.locator("input[name=food][value=bulk]")).to_be_checked()  # the earlier answer is kept
    answer(v, "food", "prepacked")
    expect(page.locator("legend")).not_to_have_count(0)
    while page.locator(".wizard").count():  # the remaining questions, with their stored answers where kept
        name = page.locator(".wizard fieldset input").first.get_attribute("name")
        chosen = {"tobacco": "sells", "sign": "large", "premises": "rent", "area": "large"}.get(name)
        if page.locator(f".wizard input[name='{name}']:checked").count() and chosen is None:
            page.locator(".wizard button[type=submit]").click()
            v.seen()
        else:
            answer(v, name, chosen or page.locator(f".wizard input[name='{name}']").first.get_attribute("value"))

    # The checklist follows the changed answer.
    expect(page.get_by_role("heading", level=1)).to_contain_text(words["checklist"])
    assert "food=prepacked" in page.url and "premises=rent" in page.url
    expect(page.locator("main")).not_to_contain_text("与食品经营相适应的设备布局和工艺流程图")

    # The PDF of the same checklist, fetched with this browser's cookies; Chinese text is really in it.
    pdf_href = page.locator("a[href*='/checklist/pdf/']").first.get_attribute("href")
    response = v.context.request.get(v.base + pdf_href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=body, capture_output=True, check=True).stdout.decode()
    assert guide["title"] in text.replace("\n", "")

    # The unified form: bad input first.
    page.locator(f"a[href*='/intake/apply/{THEME}/']").first.click()
    v.seen()
    page.locator("#id_applicant-name").fill("李四")
    page.locator("#id_applicant-id_number").fill("123456")
    page.locator("#id_applicant-phone").fill("abc")
    page.locator("input[type=file]").first.set_input_files(str(sample_pdf))
    page.locator(".intake-form button[name=action][value=submit]").click()
    v.seen("errors")
    errors = page.locator("#errors a")
    assert errors.count() >= 3
    for link in errors.all():  # every message points at a control on the page
        target = link.get_attribute("href").removeprefix("#")
        assert page.locator(f"[id='{target}']").count() == 1, target
    page.locator("#errors a[href='#id_applicant-id_number']").click()
    expect(page.locator("#id_applicant-id_number")).to_be_focused()
    # Nothing typed is lost, the wrong values included, and the upload is held.
    expect(page.locator("#id_applicant-name")).to_have_value("李四")
    expect(page.locator("#id_applicant-id_number")).to_have_value("123456")
    expect(page.locator("#id_applicant-phone")).to_have_value("abc")
    expect(page.locator(".intake-held")).to_have_count(1)
    expect(page.locator(".intake-held").first).to_contain_text(sample_pdf.name)

    # Correct it, upload the rest and submit.
    typed = fill_form(v, sample_pdf, delivery="自取", skip=frozenset({"applicant-name"}))
    number = submit_form(v)
    receipt = page.locator("main")
    expect(receipt).to_contain_text(number)
    assert "李四" not in typed.values()

    # Progress: by number and phone, from a browser that did not apply.
    other = visitor(profile, language, name="progress")
    other.goto("/intake/progress/")
    other.page.locator("#id_tracking_number").fill(number)
    other.page.locator("#id_phone").fill(typed["applicant-phone"])
    other.page.locator("main form button[type=submit]").click()
    other.seen()
    expect(other.page.locator("#status-h")).to_contain_text(number)
    expect(other.page.locator(".intake-timeline li")).not_to_have_count(0)
    assert TRACKING.search(other.page.locator("#status-h").inner_text())
