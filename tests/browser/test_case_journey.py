"""After submitting: the 综合窗口 returns the application for correction, the applicant corrects it, the clerk accepts,
every department approves in parallel, the clerk issues, and the result is collected at the window or online;
then the applicant rates the service, and a bad rating is followed up by the supervisor. Applicants on phones,
staff at desks; the hand-off runs through the real task worker."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .steps import fill_form, screen_through, staff_login, submit_form, until
from .support import Visitor

pytestmark = pytest.mark.browser

CASE_TASKS = """
import json
from window.models import Case
case = Case.objects.get(tracking_number=%r)
print(json.dumps(sorted(set(case.tasks.values_list("department_code", flat=True)))))
"""


def apply(v: Visitor, theme_url: str, pdf, delivery: str) -> str:
    v.page.goto(v.base + theme_url + "screening/")
    v.seen()
    screen_through(v)
    v.page.locator("a[href*='/intake/apply/']").first.click()
    v.seen()
    fill_form(v, pdf, delivery=delivery)
    return submit_form(v)


def open_case(clerk: Visitor, number: str) -> None:
    clerk.goto("/window/")
    until(clerk, lambda: clerk.page.locator(f"a[href*='/cases/{number}/']").count() > 0, "the hand-off")
    clerk.page.locator(f"a[href*='/cases/{number}/']").first.click()
    clerk.seen()


def act(clerk: Visitor, action: str) -> None:
    clerk.page.locator(f"form[action$='/{action}/'] button[type=submit]").click()
    clerk.seen()


def every_department_approves(world, desk: Visitor, number: str) -> None:
    departments = world.query(CASE_TASKS % number)
    assert len(departments) >= 2, departments  # a joint case: several departments at once
    for code in departments:
        desk.context.clear_cookies()
        staff_login(desk, world.staff["reviewers"][code], world.staff["password"], desk.prefix + "/window/tasks/")
        rows = desk.page.locator("tr", has_text=number)
        for _ in range(rows.count()):
            rows.first.locator("a").first.click()
            desk.seen()
            desk.page.locator("input[name=decision][value=approve]").check()
            desk.page.locator("#id_licence_number").fill(f"{code}-2026-001")
            desk.page.locator("main form button[type=submit]").click()
            desk.seen()
            desk.goto("/window/tasks/")
    desk.context.clear_cookies()


def rate(v: Visitor, number: str, phone: str, score: int, comment: str) -> None:
    v.goto("/window/rate/")
    v.page.locator("#id_q-tracking_number").fill(number)
    v.page.locator("#id_q-phone").fill(phone)
    v.page.locator("main form button[type=submit]").click()
    v.seen()
    v.page.locator(f"input[name=r-score][value='{score}']").check()
    v.page.locator("#id_r-comment").fill(comment)
    v.page.locator("main form button[type=submit]").click()
    v.seen()
    expect(v.page.locator("main [role=status]")).to_be_visible()


@pytest.fixture(scope="module")
def themes(world):
    code = """
import json
from guides.models import ThemePage
pages = ThemePage.objects.filter(code__in=["AK-YJS-001", "AK-YJS-029"], alias_of__isnull=True).select_related("locale")
print(json.dumps({f"{p.code}/{p.locale.language_code}": p.get_url_parts()[2] for p in pages}))
"""
    return world.query(code)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_return_correct_approve_pickup_and_follow_up(world, visitor, themes, sample_pdf, language):
    applicant = visitor("phone", language, name="applicant")
    clerk = visitor("desktop", language, name="clerk")
    lang = "zh-hans" if language == "zh" else "en"
    number = apply(applicant, themes[f"AK-YJS-001/{lang}"], sample_pdf, "自取")
    receipt = applicant.page.url

    staff_login(clerk, "clerk_city", world.staff["password"], clerk.prefix + "/window/")
    open_case(clerk, number)
    # 一次性告知: the name is wrong; say so once.
    clerk.page.locator("input[name=fields][value='applicant.name']").check()
    clerk.page.locator("#id_other").fill("申请人姓名与身份证不一致，请更正。")
    act(clerk, "return")

    applicant.page.goto(receipt)
    until(applicant, lambda: applicant.page.locator("a[href$='/correct/']").count() > 0, "the return")
    applicant.page.locator("a[href$='/correct/']").first.click()
    applicant.seen()
    expect(applicant.page.locator("main")).to_contain_text("申请人姓名与身份证不一致")
    applicant.page.locator("#id_applicant-name").fill("王五")
    applicant.page.locator("#id_declaration").check()
    applicant.page.locator(".intake-form button[type=submit]").click()
    applicant.seen()

    clerk.page.reload()
    until(clerk, lambda: clerk.page.locator("form[action$='/accept/']").count() > 0, "the corrected version")
    expect(clerk.page.locator("main")).to_contain_text("王五")
    act(clerk, "accept")

    every_department_approves(world, clerk, number)
    staff_login(clerk, "clerk_city", world.staff["password"], clerk.prefix + f"/window/cases/{number}/")
    act(clerk, "issue")

    applicant.page.goto(receipt)
    until(applicant, lambda: applicant.page.locator(".intake-delivery .intake-number").count() > 0, "the pickup code")
    code = applicant.page.locator(".intake-delivery .intake-number").inner_text()
    clerk.page.locator("#id_code").fill(code)
    act(clerk, "pickup")

    rate(applicant, number, "13800001234", 1, "材料要求没有一次说清楚")
    supervisor = visitor("desktop", language, name="supervisor")
    staff_login(supervisor, "supervisor", world.staff["password"], supervisor.prefix + "/window/follow-ups/")
    expect(supervisor.page.locator("main")).to_contain_text(number)
    row = supervisor.page.locator("li, tr, section, article", has_text=number).last
    row.locator("textarea").fill("已电话回访，补充了材料清单说明。")
    row.locator("button[type=submit]").click()
    supervisor.seen()
    status = world.query(f"""
import json
from window.models import Case
print(json.dumps(Case.objects.get(tracking_number={number!r}).rating.follow_up.status))
""")
    assert status != "open", status


def test_online_delivery_and_good_rating(world, visitor, themes, sample_pdf):
    applicant = visitor("phone", "zh", name="applicant")
    clerk = visitor("desktop", "zh", name="clerk")
    number = apply(applicant, themes["AK-YJS-029/zh-hans"], sample_pdf, "网上")
    receipt = applicant.page.url
    staff_login(clerk, "clerk_city", world.staff["password"], "/window/")
    open_case(clerk, number)
    act(clerk, "accept")
    every_department_approves(world, clerk, number)
    staff_login(clerk, "clerk_city", world.staff["password"], f"/window/cases/{number}/")
    act(clerk, "issue")

    applicant.page.goto(receipt)
    download = applicant.page.locator(".intake-delivery a.button")
    until(applicant, lambda: download.count() > 0, "the download link")
    download.click()
    applicant.seen()
    expect(applicant.page.locator("main")).to_contain_text(number)
    applicant.page.locator("a[href$='/rate/']").click()
    applicant.seen()
    rate(applicant, number, "13800001234", 5, "")
    assert world.query(f"""
import json
from window.models import Case
print(json.dumps(Case.objects.get(tracking_number={number!r}).status))
""") == "delivered"
