"""The self-screening wizard and the 一次告知单 pages (HTML, PDF, QR), on the imported reference catalogue."""

import html as html_lib
import re
import shutil
import subprocess
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guides.models import ThemePage
from screening.engine import answer_paths, evaluate
from screening.qr import qr_svg_markup
from screening.themes import screening_for

pytestmark = pytest.mark.django_db

SUPERMARKET = "AK-YJS-001"
# A concrete answer set, hand-checked against demo/catalogue/themes/AK-YJS-001.yaml.
ANSWERS = [("subject", "company"), ("food", "bulk"), ("area", "large"), ("tobacco", "sells"), ("sign", "large"),
           ("premises", "own")]
EXPECTED_ITEMS = ["AK-XK-0001", "AK-XK-0003", "AK-XK-0005", "AK-XK-0006", "AK-XK-0008", "AK-XK-0007",
                  "AK-GG-0001", "AK-GG-0002"]


def _page(code=SUPERMARKET):
    return ThemePage.objects.get(code=code, alias_of__isnull=True, locale__language_code="zh-hans")


def _path(page):
    """The page's path on its own site (page.url is absolute when there are several sites)."""
    return page.get_url_parts()[2]


def _qs(pairs):
    from urllib.parse import urlencode

    return urlencode(pairs)


def _main(response):
    text = response.content.decode()
    return re.search(r"<main.*?</main>", text, re.S).group(0)


def _form(response):
    """(action, hidden pairs, question name, [(value, checked)]) of the wizard's form."""
    main = _main(response)
    action = html_lib.unescape(re.search(r'<form method="get" action="([^"]+)"', main).group(1))
    hidden = [(n, html_lib.unescape(v)) for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', main)]
    options = re.findall(r'<input type="(?:radio|checkbox)" name="([^"]+)" value="([^"]+)"[^>]*?( checked)?>', main)
    name = options[0][0]
    return action, hidden, name, [(v, bool(c)) for _n, v, c in options]


def _submit(client, response, value, host=None):
    action, hidden, name, _ = _form(response)
    pairs = hidden + ([(name, value)] if value is not None else [])
    return client.get(f"{action}?{_qs(pairs)}", **({"HTTP_HOST": host} if host else {}))


def test_guide_page_button_opens_the_wizard(client):
    page = _page()
    html = client.get(_path(page)).content.decode()
    assert f'href="{_path(page)}screening/"' in html
    response = client.get(f"{_path(page)}screening/")
    assert response.status_code == 200
    main = _main(response)
    assert "第 1 题，共约 6 题" in main
    assert "<legend>您以什么主体形式开办超市？" in main and "个体工商户由经营者个人承担责任" in main
    assert 'type="radio" name="subject" value="individual"' in main
    assert '<label for="opt-subject-1">个体工商户</label>' in main
    assert 'name="_asked" value="subject"' in main
    assert f'href="{_path(page)}"' in main  # back to the guide from the first question


def test_each_wizard_page_links_back_to_the_guide_once(client):
    """Besides the breadcrumb: the first question's back link, later ones' own link under the answers."""
    page = _page()
    first = _main(client.get(f"{_path(page)}screening/"))
    second = _main(client.get(f"{_path(page)}screening/?{_qs(ANSWERS[:1])}"))
    guide = f'href="{html_lib.escape(_path(page))}"'
    for main in (first, second):
        body = main.split("</nav>", 1)[1]  # after the breadcrumb
        assert body.count(guide) == 1
    assert "‹ 返回办事指南" in first and "‹ 上一题" in second
    assert "办事指南</a></p>" in second and "办事指南</a></p>" not in first


def test_walk_the_supermarket_wizard_to_the_checklist(client):
    page = _page()
    response = client.get(f"{_path(page)}screening/")
    for n, (qid, value) in enumerate(ANSWERS, 1):
        assert f"第 {n} 题，共约 6 题" in _main(response)
        _, hidden, name, _ = _form(response)
        assert name == qid
        assert [(k, v) for k, v in hidden if k != "_asked"] == ANSWERS[:n - 1]  # earlier answers as hidden inputs
        response = _submit(client, response, value)
        assert response.status_code == 302
        if n < len(ANSWERS):
            assert response["Location"] == f"{_path(page)}screening/?{_qs(ANSWERS[:n])}"
            if n > 1:
                back = client.get(response["Location"])
                back_url = f"{_path(page)}screening/?{_qs(ANSWERS[:n])}&_change={ANSWERS[n - 1][0]}"
                assert f'href="{html_lib.escape(back_url)}">‹ 上一题' in _main(back)
            response = client.get(response["Location"])
    assert response["Location"] == f"{_path(page)}checklist/?{_qs(ANSWERS)}"
    checklist = client.get(response["Location"])
    assert checklist.status_code == 200
    assert "一次告知单" in checklist.content.decode()


def test_checklist_content_matches_the_engine_and_the_catalogue(client):
    page = _page()
    screening = screening_for(page)
    outcome = evaluate(screening.theme, {k: v for k, v in ANSWERS})
    assert list(outcome.items) == EXPECTED_ITEMS
    response = client.get(f"{_path(page)}checklist/?{_qs(ANSWERS)}")
    main = _main(response)
    assert f"需要办理的事项（{len(EXPECTED_ITEMS)} 项）" in main
    for code in EXPECTED_ITEMS:
        assert screening.items[code].name in main
    for code in ("AK-XK-0002", "AK-XK-0004"):  # individual registration, prepacked-only filing
        assert f"<td>{screening.items[code].name}</td>" not in main
    # Materials: each once; electronic licences are "无需提交" with the items they serve.
    to_submit = [m for m, _ in outcome.materials if m.source != "电子证照免提交"]
    assert "需要提交的材料（10 种）" in main and len(to_submit) == 10
    for material, _served in outcome.materials:
        assert main.count(f"<strong>{material.name}</strong>") == 1, material.name
    assert "经营场所租赁合同" not in main  # premises=own
    assert "无需提交的材料（2 种）" in main
    exempt = re.search(r"<strong>法定代表人（经营者）身份证</strong> <span class=\"tag ok\">无需提交</span>.*?用于：([^<]+)",
                       main, re.S).group(1)
    assert exempt == "企业设立登记；食品经营许可（新办）；烟草专卖零售许可"
    assert '<span class="tag">复印件</span><span class="tag">1 份</span><span class="tag">政府部门核发</span>' in main
    # Unified-form fields by label, rule-filtered.
    for label in ("申请人姓名", "注册资本（万元）", "食品经营项目", "招牌尺寸（长×宽，米）"):
        assert f"<li>{label}</li>" in main, label
    assert len(re.findall(r"<ul class=\"field-list\">(.*?)</ul>", main, re.S)[0].split("<li>")) - 1 == len(outcome.fields)
    # Steps, figures, offices.
    assert "综合窗口一次收件、审核材料" in main and "相关部门并联审批、联合现场核查（6 个工作日）" in main
    assert '<span class="before">46 天</span> → 8 天' in main and '<span class="before">6 次</span> → 1 次' in main
    assert "安康市政务服务中心" in main and "0915-3261234" in main
    assert "<td>即办</td>" in main


def test_checklist_filters_department_steps():
    """SCHEMA rule 4 through the page's engine theme: a department step only with that department's item."""
    for page in ThemePage.objects.filter(alias_of__isnull=True, locale__language_code="zh-hans").order_by("code"):
        theme = screening_for(page).theme
        if not any(s.department for s in theme.steps):
            continue
        for answers in answer_paths(theme):
            outcome = evaluate(theme, answers)
            listed = {s.actor for s in outcome.steps if s.department}
            assert listed <= set(outcome.departments)
            missing = {s.actor for s in theme.steps if s.department} - set(outcome.departments)
            if missing:
                return
    pytest.skip("no theme with a department step that drops out")


def test_checklist_counts_popularity_only_when_complete(client):
    page = _page()
    before = ThemePage.objects.get(pk=page.pk).popularity
    client.get(f"{_path(page)}checklist/?{_qs(ANSWERS)}")
    client.get(f"{_path(page)}checklist/?{_qs(ANSWERS[:3])}")  # incomplete: redirected, not counted
    assert ThemePage.objects.get(pk=page.pk).popularity == before + 1


def test_change_link_keeps_later_answers_that_still_apply(client):
    page = _page()
    checklist = client.get(f"{_path(page)}checklist/?{_qs(ANSWERS)}")
    link = html_lib.unescape(re.search(r'href="([^"]+_change=food)"', _main(checklist)).group(1))
    response = client.get(link)
    main = _main(response)
    assert "第 2 题，共约 6 题" in main
    _, hidden, name, options = _form(response)
    assert name == "food" and ("bulk", True) in options  # the current answer is preselected
    assert ("area", "large") in hidden and ("premises", "own") in hidden
    response = _submit(client, response, "prepacked")
    expected = [("food", "prepacked") if k == "food" else (k, v) for k, v in ANSWERS]
    assert response["Location"] == f"{_path(page)}checklist/?{_qs(expected)}"
    main = _main(client.get(response["Location"]))
    items = screening_for(page).items
    assert f"<td>{items['AK-XK-0004'].name}</td>" in main
    assert f"<td>{items['AK-XK-0003'].name}</td>" not in main


def test_change_that_hides_a_later_question_drops_its_answer(client):
    """On a theme with show_if, changing the governing answer prunes the hidden answer instead of failing."""
    for page in ThemePage.objects.filter(alias_of__isnull=True, locale__language_code="zh-hans").order_by("code"):
        theme = screening_for(page).theme
        dependent = next((q for q in theme.questions if q.show_if), None)
        if dependent is None:
            continue
        paths = list(answer_paths(theme, 5000))
        with_it = next(p for p in paths if dependent.id in p)
        without = next((p for p in paths if dependent.id not in p), None)
        if without is None:
            continue
        governing = next(q for q in theme.questions if with_it.get(q.id) != without.get(q.id)
                         and q.id in with_it and q.id in without and not q.multi)
        break
    else:
        pytest.skip("no theme with a conditional question")
    url = _path(page)
    from screening.engine import to_query

    pairs = to_query(theme, with_it)
    pairs = [(k, v) for k, v in pairs if k != governing.id] + [(governing.id, without[governing.id]),
                                                                ("_asked", governing.id)]
    response = client.get(f"{url}screening/?{_qs(pairs)}")
    assert response.status_code == 302
    target = dict(parse_qsl(urlsplit(response["Location"]).query))
    assert dependent.id not in target and "_asked" not in target


@pytest.mark.parametrize(
    ("pairs", "message", "question"),
    [
        ([("subject", "robot")], "“您以什么主体形式开办超市？”没有“robot”这个选项，请重新选择。", "subject"),
        ([("subject", "company"), ("colour", "red")], "您的回答中有本事项不包含的问题", "food"),
        ([("subject", "company"), ("subject", "individual")], "只能选择一项", "subject"),
        ([("subject", "company"), ("_asked", "food")], "请回答“超市是否经营食品？”。", "food"),
    ],
    ids=["unknown-option", "unknown-question", "two-values-for-single", "missing-answer"],
)
def test_invalid_answers_return_to_the_question_and_say_why(client, pairs, message, question):
    page = _page()
    for url in (f"{_path(page)}checklist/?{_qs(pairs)}", f"{_path(page)}screening/?{_qs(pairs)}"):
        response = client.get(url, follow=True)
        main = _main(response)
        assert response.status_code == 400
        assert 'role="alert"' in main and message in main
        _, hidden, name, _ = _form(response)
        assert name == question
        assert "colour" not in dict(hidden) and "robot" not in dict(hidden).values()
        assert "需要办理的事项" not in main


def test_answer_to_a_hidden_question_is_reported_never_used(client):
    for page in ThemePage.objects.filter(alias_of__isnull=True, locale__language_code="zh-hans").order_by("code"):
        theme = screening_for(page).theme
        paths = list(answer_paths(theme, 5000))
        for path in paths:
            hidden = next((q for q in theme.questions if q.id not in path and q.show_if), None)
            if hidden is not None:
                break
        else:
            continue
        break
    from screening.engine import to_query

    pairs = to_query(theme, path) + [(hidden.id, hidden.options[0].id)]
    response = client.get(f"{_path(page)}checklist/?{_qs(pairs)}", follow=True)
    main = _main(response)
    assert response.status_code == 400
    assert f"根据您前面的回答，不需要回答“{hidden.text}”" in main
    # The rest is complete: the visitor confirms and gets the checklist of the valid answers only.
    assert html_lib.escape(f"{_path(page)}checklist/?{_qs(to_query(theme, path))}") in main


def test_checklist_without_answers_goes_to_the_first_question(client):
    page = _page()
    response = client.get(f"{_path(page)}checklist/")
    assert response.status_code == 302 and response["Location"] == f"{_path(page)}screening/"


def _no_item_case():
    for page in ThemePage.objects.filter(alias_of__isnull=True, locale__language_code="zh-hans").order_by("code"):
        theme = screening_for(page).theme
        for answers in answer_paths(theme):
            if not evaluate(theme, answers).items:
                return page, theme, answers
    raise AssertionError("the reference catalogue has 52 answer paths that select no item")


def test_theme_that_does_not_apply_says_so_with_phone_and_items(client):
    page, theme, answers = _no_item_case()
    from screening.engine import to_query

    response = client.get(f"{_path(page)}checklist/?{_qs(to_query(theme, answers))}")
    main = _main(response)
    assert response.status_code == 200
    assert f"“{page.title}”不适用于您的情况" in main
    assert "0915-3261234" in main
    screening = screening_for(page)
    for item in theme.items:
        assert screening.items[item.code].name in main
    assert "需要提交的材料" not in main


def test_county_site_checklist_shows_the_county_office(county_client):
    from home.models import HomePage

    root = HomePage.objects.get(site_code="hanbin", locale__language_code="zh-hans")
    alias = ThemePage.objects.get(code=SUPERMARKET, path__startswith=root.path)
    path = alias.get_url_parts()[2]
    response = county_client.get(f"{path}checklist/?{_qs(ANSWERS)}")
    main = _main(response)
    assert response.status_code == 200
    assert "汉滨区政务服务中心" in main and "0915-3212345" in main
    assert "安康市政务服务中心" not in main
    assert 'data-qr-url="http://hanbin.localhost/' in main


def test_qr_code_encodes_the_absolute_checklist_url(client):
    page = _page()
    main = _main(client.get(f"{_path(page)}checklist/?{_qs(ANSWERS)}"))
    url = f"http://testserver{_path(page)}checklist/?{_qs(ANSWERS)}"
    assert f'data-qr-url="{html_lib.escape(url)}"' in main
    svg = re.search(r'<div class="qr"[^>]*>(<svg.*?</svg>)</div>', main, re.S).group(1)
    expected = qr_svg_markup(url)
    # Same modules as the library draws for the URL (the page only adds accessibility attributes).
    assert re.search(r'<path d="([^"]+)"', svg).group(1) == re.search(r'<path d="([^"]+)"', expected).group(1)
    assert 'role="img"' in svg


def test_pdf_embeds_a_cjk_font_and_has_the_checklist(client, tmp_path):
    page = _page()
    response = client.get(f"{_path(page)}checklist/pdf/?{_qs(ANSWERS)}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert b"/FontFile2" in response.content  # an embedded TrueType font
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pdf = tmp_path / "checklist.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "一次告知单" in text and "我要开超市" in text and "公司章程" in text


def test_pdf_without_a_font_is_a_clear_503(client, settings):
    settings.CJK_FONT_PATH = "/nonexistent/font.ttf"
    page = _page()
    response = client.get(f"{_path(page)}checklist/pdf/?{_qs(ANSWERS)}")
    assert response.status_code == 503
    assert "中文字体" in response.content.decode()


def test_engine_theme_is_cached_per_page_version():
    page = _page()
    screening_for(page)
    with CaptureQueriesContext(connection) as queries:
        assert screening_for(page) is screening_for(page)
    # Not rebuilt: the only reads are the registry version in the shared cache (a table in the embedded default).
    cache_table = settings.CACHES["default"].get("LOCATION")
    assert all(cache_table in q["sql"] for q in queries.captured_queries), queries.captured_queries
