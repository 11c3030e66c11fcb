"""A real headless Chromium walks the supermarket wizard, changes an answer and sees the checklist follow.

Chromium as in tests/browser/support.py. ``live_server`` flushes the database after the
test, which the session-imported catalogue of other tests cannot survive, so `make test` runs browser tests in a
pytest session of their own.
"""

import pytest

from bench.browser_bench import launch
from tests.browser.support import require_browser as _require_browser

pytestmark = pytest.mark.browser

ANSWERS = [("您以什么主体形式开办超市？", "公司或其他企业"), ("超市是否经营食品？", "销售散装食品（含散装熟食、现场制售）"),
           ("经营场所的建筑面积是多少？", "500平方米及以上"), ("是否销售卷烟、雪茄烟？", "是"),
           ("是否设置户外招牌？", "不设置"), ("经营场所是自有还是租赁？", "租赁或无偿使用")]


def test_wizard_to_checklist_and_change_an_answer(live_catalogue, tmp_path):
    live_server = live_catalogue
    _require_browser()
    from playwright.sync_api import expect, sync_playwright

    from guides.models import ThemePage
    from screening.themes import screening_for

    # All database work before Playwright starts: its sync API runs an event loop in this thread, and Django
    # refuses ORM calls while one is running.
    page_obj = ThemePage.objects.get(code="AK-YJS-001", alias_of__isnull=True, locale__language_code="zh-hans")
    guide_path = page_obj.get_url_parts()[2]
    names = {code: info.name for code, info in screening_for(page_obj).items.items()}

    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                          locale="zh-CN")
            page = context.new_page()
            page.goto(live_server.url + guide_path)
            page.get_by_role("link", name="开始自助筛查").click()
            for n, (question, label) in enumerate(ANSWERS, 1):
                expect(page.locator(".progress")).to_contain_text(f"第 {n} 题")
                expect(page.locator("legend")).to_contain_text(question)
                page.get_by_label(label, exact=True).check()
                page.get_by_role("button", name="继续").click()

            expect(page.get_by_role("heading", level=1)).to_have_text("一次告知单")
            items = page.locator("#items-h + .table-scroll tbody")
            expect(items).to_contain_text(names["AK-XK-0003"])  # bulk food: food business licence
            expect(items).not_to_contain_text(names["AK-XK-0004"])
            expect(page.locator(".materials").first).to_contain_text("经营场所租赁合同")
            assert page.locator(".qr svg").count() == 1
            page.screenshot(path=str(tmp_path / "checklist-before.png"), full_page=True)

            # Change the food answer: later answers are kept, the checklist follows.
            page.locator("a.change-link[href*='_change=food']").click()
            expect(page.locator(".progress")).to_contain_text("第 2 题")
            expect(page.get_by_label(ANSWERS[1][1], exact=True)).to_be_checked()
            page.get_by_label("仅销售预包装食品", exact=True).check()
            page.get_by_role("button", name="继续").click()

            expect(page.get_by_role("heading", level=1)).to_have_text("一次告知单")
            expect(items).to_contain_text(names["AK-XK-0004"])
            expect(items).not_to_contain_text(names["AK-XK-0003"])
            expect(page.locator("main")).not_to_contain_text("与食品经营相适应的设备布局和工艺流程图")
            expect(page.locator("main")).to_contain_text("经营场所租赁合同")  # a later answer that still applies
            assert "food=prepacked" in page.url and "premises=rent" in page.url
            screenshot = tmp_path / "checklist-after.png"
            page.screenshot(path=str(screenshot), full_page=True)
            assert screenshot.stat().st_size > 10_000
        finally:
            browser.close()
