"""The window in English under /en/window/ (Chinese unprefixed as before), what it stores staying Chinese, the
language switcher on window and intake pages, and the rating page's rate limit."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import resolve, reverse
from django.utils import translation
from wagtail.models import Site

from window import services
from window.constants import CaseStatus, Delivery

from .conftest import PDF, accepted, approve_all, login, make_document, received

pytestmark = pytest.mark.django_db








def en(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def zh(name: str, *args) -> str:
    # A test client's request leaves its language active in this thread: say which one each URL is in.
    with translation.override("zh-hans"):
        return reverse(name, args=args)


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def main(body: str) -> str:
    return body.split("<main", 1)[1].split("</main>", 1)[0]


@pytest.fixture
def fresh_limits():
    """The rate limits count per client IP in the cache: start and leave it empty for the other tests."""
    cache.clear()
    yield
    cache.clear()


def test_urls_in_both_languages_machine_endpoints_unprefixed():
    assert zh("window:queue") == "/window/" and en("window:queue") == "/en/window/"
    assert zh("window:handoff") == "/window/handoff/" and zh("intake:webhook") == "/intake/webhook/"
    assert en("intake:progress") == "/en/intake/progress/"
    assert resolve("/window/handoff/").url_name == "handoff" and resolve("/intake/webhook/").url_name == "webhook"


def test_queue_in_english_and_chinese(client, staff, sites):
    case = received()
    login(client, staff["clerk"])
    body = text(client.get("/en/window/?status=received"))
    assert '<html lang="en">' in body
    for words in ("Integrated window: case queue", "Case queue", "Department tasks", "Tracking number", "Applicant",
                  "ID number", "Promised by", "Awaiting acceptance", "Set on acceptance", "All statuses",
                  "Filter cases", "1 case, 1–1 on this page"):
        assert words in body, words
    assert f'href="/en/window/cases/{case.tracking_number}/"' in body
    assert 'href="/window/?status=received"' in body  # the switcher: the same view and query in Chinese
    chinese_ui = re.findall(r"[\u4e00-\u9fff]+", main(body))
    # What is left in Chinese is data: the theme, the applicant, the site names.
    site_names = {w for s in Site.objects.all() for w in re.findall(r"[\u4e00-\u9fff]+", s.site_name)}
    assert set(chinese_ui) <= {"我要开超市", "张三"} | site_names, chinese_ui

    chinese = text(client.get("/window/?status=received"))
    assert '<html lang="zh-Hans">' in chinese
    for words in ("综合窗口办件队列", "办件编号", "待受理", "受理后计算", "共 1 件，本页第 1–1 件"):
        assert words in chinese, words
    assert 'href="/en/window/?status=received"' in chinese
    assert "Tracking number" not in chinese


def test_case_page_and_actions_in_english_store_chinese(client, staff, sites):
    case = received()
    login(client, staff["clerk"])
    url = en("window:case", case.tracking_number)
    assert url == f"/en/window/cases/{case.tracking_number}/"
    body = text(client.get(url))
    for words in (f"Case {case.tracking_number}", "Awaiting acceptance", "Not accepted yet", "Application form",
                  "Documents submitted", "Accept and send to all departments", "Return for correction",
                  "Documents to correct", "Case history", "Window actions", " (lease.pdf, 100\xa0bytes)"):
        assert words in body, words
    assert "受理并同步分送各部门" not in body

    response = client.post(en("window:case-action", case.tracking_number, "accept"))
    assert response.status_code == 302 and response["Location"] == url
    body = text(client.get(url))
    assert "Accepted and sent to all the approving departments at once." in body
    assert "In joint approval" in body and "working days, due by" in body
    assert "Joint site inspection (recorded once, shared by the departments)" in body
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_APPROVAL
    # The timeline is stored data: Chinese, whichever language the clerk works in.
    assert "综合窗口受理" in case.events.values_list("action", flat=True)
    assert "收件" in case.events.values_list("action", flat=True)

    chinese = text(client.get(zh("window:case", case.tracking_number)))
    assert "联办审批中" in chinese and "联合踏勘（一次记录，多个部门共用）" in chinese and "Case history" not in chinese


def test_task_page_in_english_and_decision_stored_in_chinese(client, staff, sites):
    case = accepted(staff, sites)
    task = case.tasks.get(department_code="GAJ")
    login(client, staff["gaj"])
    listing = text(client.get(en("window:tasks")))
    assert "Department tasks" in listing and "Pending" in listing and f"/en/window/tasks/{task.pk}/" in listing
    url = en("window:task", task.pk)
    body = text(client.get(url))
    for words in ("Decision", "Approved", "Refused", "Licence number", "Result file (PDF, JPG or PNG)",
                  "Reason for refusal", "Submit decision", "Other departments’ items in this case",
                  f"Approval task {case.tracking_number}", "Application form"):
        assert words in body, words
    refused = client.post(url, {"decision": "approve"})
    assert "An approval needs a licence number or a result file." in refused.content.decode()
    assert client.post(url, {"decision": "approve", "licence_number": "L-1"}).status_code == 302
    event = case.events.order_by("-pk").first()
    assert "准予许可" in event.action and "Approved" not in event.action
    assert "Licence number: L-1" in text(client.get(url))


def test_dashboard_in_english(client, staff, sites):
    done = approve_all(accepted(staff, sites), staff)
    services.issue(done, user=staff["clerk"])
    services.record_pickup(done, user=staff["clerk"], code=done.pickup_code)
    services.rate(done, score=4)
    login(client, staff["supervisor"])
    body = text(client.get(en("window:dashboard")))
    for words in ("Supervision dashboard", "<strong>1</strong> case", "<strong>0</strong> overdue", "By status",
                  "Delivered", "Average time taken and promised time (working days)", "Average time",
                  "Promised time", "Average score", "4.0 points (1 rating)", "Complaint follow-ups"):
        assert words in body, words
    assert "督查看板" in text(client.get(zh("window:dashboard")))


def test_follow_ups_in_english(client, staff, sites):
    case = approve_all(accepted(staff, sites), staff)
    services.issue(case, user=staff["clerk"])
    services.record_pickup(case, user=staff["clerk"], code=case.pickup_code)
    services.rate(case, score=1, comment="太慢")
    login(client, staff["supervisor"])
    body = text(client.get(en("window:follow-ups")))
    assert "1 point · Open: follow-up due" in body and "Comment: 太慢" in body and "Close follow-up" in body
    assert "Follow-up and resolution" in body


def test_results_page_in_english_and_the_link_sent_stays_unprefixed(client, staff, sites):
    case = accepted(staff, sites, delivery=Delivery.ONLINE)
    for task in case.tasks.all():
        services.decide(task, user=None, approve=True, result_file=SimpleUploadedFile("r.pdf", PDF))
    login(client, staff["clerk"])
    response = client.post(en("window:case-action", case.tracking_number, "issue"))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ISSUED
    with translation.override("zh-hans"):
        path = services.download_path(case)
    assert path.startswith("/window/results/")
    page = text(client.get(en("window:case", case.tracking_number)))
    assert "Electronic results link (the applicant downloads with it):" in page
    assert f'href="{path}"' in page  # the link the applicant got: unprefixed
    english = text(Client().get("/en" + path))
    assert f"Results of case {case.tracking_number}" in english and "download the result file" in english
    assert 'href="/en/window/rate/"' in english and "Rate this service" in english
    assert "Approved" in english
    chinese = text(Client().get(path))
    assert "下载结果文件" in chinese and "的办理结果" in chinese


def test_rating_page_in_english(client, staff, sites, fresh_limits):
    case = approve_all(accepted(staff, sites), staff)
    services.issue(case, user=staff["clerk"])
    services.record_pickup(case, user=staff["clerk"], code=case.pickup_code)
    url = en("window:rate")
    body = text(client.get(url))
    for words in ("Rate our service", "Tracking number", "Mobile number", "The mobile number given in the application.",
                  "Look up"):
        assert words in body, words
    lookup = {"q-tracking_number": case.tracking_number, "q-phone": "13800001234"}
    assert "No case matches this tracking number" in text(client.post(url, {**lookup, "q-phone": "13900000000"}))
    found = text(client.post(url, lookup))
    assert "Your rating of this service" in found and "5 – Very satisfied" in found and "Submit rating" in found
    done = text(client.post(url, {**lookup, "r-score": "2", "r-comment": "slow"}))
    assert "Thank you for your rating!" in done and "within 15 working days" in done
    assert "This case has already been rated (2 points)." in text(client.post(url, lookup))
    assert "服务评价" in case.events.values_list("action", flat=True)
    assert "服务评价（好差评）" in text(client.get(zh("window:rate")))


def test_rating_page_rate_limited_per_client(settings, fresh_limits):
    settings.WINDOW_RATING_RATE = (3, 600)
    c = Client(REMOTE_ADDR="10.0.0.9")
    form = {"q-tracking_number": "AK1", "q-phone": "1"}
    assert c.get("/window/rate/").status_code == 200  # reading the page costs nothing
    codes = [c.post("/window/rate/", form).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = c.post("/window/rate/", form)
    assert limited.status_code == 429 and limited["Retry-After"] == "600"
    assert "查询过于频繁，请10分钟后再试。" in limited.content.decode()
    english = c.post("/en/window/rate/", form)
    assert english.status_code == 429 and "Too many look-ups. Please try again in 10 minutes." in english.content.decode()
    assert Client(REMOTE_ADDR="10.0.0.10").post("/window/rate/", form).status_code == 200  # another client
    # The progress page counts on its own key: the window's limit does not block it.
    assert c.post("/intake/progress/", {"tracking_number": "AK1", "phone": "1"}).status_code == 200


def test_switcher_on_intake_page_with_a_theme_page_keeps_the_path():
    from guides.models import ThemePage
    from guides.switcher import language_links

    page = ThemePage.objects.filter(code="AK-YJS-001", alias_of__isnull=True, live=True).first()
    request = RequestFactory().get("/intake/apply/AK-YJS-001/?subject=company", HTTP_HOST="localhost")
    request.resolver_match = resolve(request.path)
    links = {link.code: link for link in language_links(request, page, "zh-hans")}
    assert links["en"].url == "/en/intake/apply/AK-YJS-001/?subject=company" and links["en"].available


def test_handoff_posted_under_en_stores_chinese(client, settings):
    import json

    from intake.signing import sign
    from window.models import Case

    document = make_document()
    raw = json.dumps(document, ensure_ascii=False).encode()
    response = client.post("/en/window/handoff/", raw, content_type="application/json",
                           HTTP_X_INTAKE_SIGNATURE=sign(raw, settings.INTAKE_HANDOFF_SECRET),
                           HTTP_IDEMPOTENCY_KEY=document["tracking_number"])
    assert response.status_code == 201
    case = Case.objects.get(tracking_number=document["tracking_number"])
    assert list(case.events.values_list("note", flat=True)) == ["接口推送"]
