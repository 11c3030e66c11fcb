"""A county's own sub-site (汉滨区 at hanbin.localhost): its catalogue, its offices on the guide and checklist, and an
application made there reaches the county's 综合窗口 (and the city's, which may accept any case), not another county's."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .steps import fill_form, screen_through, staff_login, submit_form, until

pytestmark = pytest.mark.browser

COUNTY = {"zh": {"name": "汉滨区", "office": "汉滨区政务服务中心", "theme": "kai-chao-shi-ak-yjs-001"},
          "en": {"name": "Hanbin District", "office": "Hanbin District Government Service Centre",
                 "theme": "opening-a-supermarket"}}


@pytest.mark.parametrize(("profile", "language"), [("phone", "zh"), ("desktop", "en")])
def test_county_site_guide_checklist_and_its_own_window(world, visitor, sample_pdf, profile, language):
    words = COUNTY[language]
    v = visitor(profile, language, county=True)
    page = v.page
    v.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(words["name"])
    page.locator("main a[href*='category=market-entry']").first.click()
    v.seen()
    page.locator(f"main a[href$='/themes/{words['theme']}/']").first.click()
    v.seen()
    expect(page.locator("main")).to_contain_text(words["office"])  # the county's hall, not the city's

    page.locator("a[href$='/screening/']").first.click()
    v.seen()
    screen_through(v)
    expect(page.locator("main")).to_contain_text(words["office"])
    page.locator("a[href*='/intake/apply/']").first.click()
    v.seen()
    fill_form(v, sample_pdf, delivery="自取")
    number = submit_form(v)

    county_clerk = visitor("desktop", language, name="county-clerk")
    staff_login(county_clerk, "clerk_hanbin", world.staff["password"], county_clerk.prefix + "/window/")
    link = county_clerk.page.locator(f"a[href*='/cases/{number}/']")
    until(county_clerk, lambda: link.count() > 0, "the hand-off to the county's window")

    other = visitor("desktop", language, name="other-county-clerk")
    staff_login(other, "clerk_hanyin", world.staff["password"], other.prefix + "/window/")
    expect(other.page.locator(f"a[href*='/cases/{number}/']")).to_have_count(0)
    response = other.page.goto(other.url(f"/window/cases/{number}/"))  # a guessed number is refused as well
    other.seen()
    assert response.status in (403, 404), response.status
