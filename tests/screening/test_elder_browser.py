"""长辈模式 in a real headless Chromium at phone size: large text, 7:1 contrast, 48 px touch targets, no pop-ups,
remembered across pages by its cookie, and switched back.

Same set-up as test_browser.py (Debian's chromium, skipped when missing except in CI; a pytest session of its own
because ``live_server`` flushes the database).
"""

import json
from urllib.parse import urlencode

import pytest

from bench.browser_bench import launch
from tests.screening.test_browser import _require_browser

pytestmark = pytest.mark.browser

ANSWERS = [("subject", "company"), ("food", "bulk"), ("area", "large"), ("tobacco", "sells"), ("sign", "large"),
           ("premises", "rent")]

MIN_FONT_PX = 18
MIN_LINE_RATIO = 1.3
MIN_CONTRAST = 7.0
MIN_TARGET_PX = 48

# Measures what the MIIT rules ask for, from computed styles: every visible element in <main> and the header that
# shows text of its own, and every touch target (links, buttons, radio/checkbox labels, disclosure summaries).
MEASURE = """
() => {
  const parse = c => { const m = c.match(/[\\d.]+/g).map(Number); return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; };
  const lum = ({r, g, b}) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
                               return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const over = (top, below) => ({r: top.r * top.a + below.r * (1 - top.a), g: top.g * top.a + below.g * (1 - top.a),
                                 b: top.b * top.a + below.b * (1 - top.a), a: 1});
  const background = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c.a > 0) { layers.push(c); if (c.a === 1) break; } }
    return layers.reverse().reduce((acc, c) => over(c, acc), {r: 255, g: 255, b: 255, a: 1});
  };
  const visible = el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 1 && r.height > 1 && s.visibility !== "hidden" && !el.closest(".visually-hidden, [hidden]"); };
  const name = el => el.tagName.toLowerCase() + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "")
                     + " «" + (el.textContent || el.value || "").trim().slice(0, 20) + "»";
  const texts = [], targets = [];
  for (const el of document.querySelectorAll("main *, .site-header *")) {
    if (!visible(el) || ["svg", "path", "input", "select", "textarea", "script", "style"].includes(el.tagName.toLowerCase())) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own && !el.matches("p, li, h1, h2, h3, h4, dt, dd, legend, label")) continue;
    const s = getComputedStyle(el), size = parseFloat(s.fontSize);
    const fg = over(parse(s.color), background(el)), bg = background(el);
    const [l1, l2] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    texts.push({el: name(el), tag: el.tagName.toLowerCase(), inMain: !!el.closest("main"), size,
                ratio: s.lineHeight === "normal" ? null : parseFloat(s.lineHeight) / size,
                contrast: (l1 + 0.05) / (l2 + 0.05),
                underlined: el.tagName === "A" ? getComputedStyle(el).textDecorationLine.includes("underline") : null,
                button: el.matches(".button, button")});
  }
  for (const el of document.querySelectorAll("main a, main button, main .choice label, main summary, main input[type=search], .site-header a, .site-header button")) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    targets.push({el: name(el), width: r.width, height: r.height});
  }
  const fixed = [...document.querySelectorAll("body *")].filter(el => {
    const s = getComputedStyle(el), r = el.getBoundingClientRect();
    return ["fixed", "absolute"].includes(s.position) && visible(el) && r.width * r.height > 4 && r.bottom > 0 && r.right > 0
           && r.top < innerHeight && r.left < innerWidth && !el.matches(".choice input");
  }).map(name);
  return {root: parseFloat(getComputedStyle(document.documentElement).fontSize),
          body: parseFloat(getComputedStyle(document.body).fontSize), elder: document.documentElement.classList.contains("elder"),
          texts, targets, fixed};
}
"""


def _check_elder(page, label, report, tags=("p", "li", "h1", "h2")):
    m = page.evaluate(MEASURE)
    assert m["elder"], label
    texts = [t for t in m["texts"] if t["inMain"]]
    assert texts, label
    small = [(t["el"], t["size"]) for t in texts if t["size"] < MIN_FONT_PX]
    assert not small, f"{label}: text under {MIN_FONT_PX}px: {small}"
    tight = [(t["el"], t["ratio"]) for t in m["texts"] if t["ratio"] is None or t["ratio"] < MIN_LINE_RATIO]
    assert not tight, f"{label}: line-height under {MIN_LINE_RATIO}: {tight}"
    for tag in tags:
        assert any(t["tag"] == tag for t in texts), f"{label}: no <{tag}> measured"
    low = [(t["el"], round(t["contrast"], 2)) for t in m["texts"] if t["contrast"] < MIN_CONTRAST]
    assert not low, f"{label}: contrast under {MIN_CONTRAST}:1: {low}"
    plain = [t["el"] for t in m["texts"] if t["underlined"] is False and not t["button"] and "brand" not in t["el"]]
    assert not plain, f"{label}: links without underline: {plain}"
    tiny = [(t["el"], round(t["width"]), round(t["height"])) for t in m["targets"]
            if t["height"] < MIN_TARGET_PX or t["width"] < MIN_TARGET_PX]
    assert not tiny, f"{label}: touch targets under {MIN_TARGET_PX}px: {tiny}"
    assert not m["fixed"], f"{label}: overlays: {m['fixed']}"
    report[label] = {
        "root_px": m["root"], "body_px": m["body"],
        "min_text_px": min(t["size"] for t in texts),
        "min_line_ratio": round(min(t["ratio"] for t in m["texts"]), 2),
        "min_contrast": round(min(t["contrast"] for t in m["texts"]), 2),
        "min_target_px": [round(min(t["width"] for t in m["targets"])), round(min(t["height"] for t in m["targets"]))],
        "targets": len(m["targets"]), "texts": len(m["texts"]),
    }


def test_elder_mode_at_phone_size(live_catalogue, tmp_path):
    live_server = live_catalogue
    _require_browser()
    from playwright.sync_api import expect, sync_playwright

    from guides.models import ThemePage

    # All database work before Playwright starts (its sync API runs an event loop in this thread).
    theme = ThemePage.objects.get(code="AK-YJS-001", alias_of__isnull=True, locale__language_code="zh-hans")
    theme_path = theme.get_url_parts()[2]
    report = {}

    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                          locale="zh-CN")
            page = context.new_page()
            page.goto(live_server.url + "/")
            standard = page.evaluate(MEASURE)
            assert not standard["elder"] and standard["body"] == 18  # the standard look is unchanged
            # The same checks would fail in the standard look (brand-blue links 6.7:1, small inline links).
            assert min(t["contrast"] for t in standard["texts"]) < MIN_CONTRAST
            assert min(t["height"] for t in standard["targets"]) < MIN_TARGET_PX
            page.screenshot(path=str(tmp_path / "home-standard.png"), full_page=True)

            # Standard mode: typing asks for suggestions (so the check below can tell the difference).
            page.goto(live_server.url + "/search/")
            with page.expect_request(lambda r: "/search/autocomplete/" in r.url):
                page.locator("#search-q").press_sequentially("超市", delay=50)

            page.goto(live_server.url + "/")
            page.get_by_role("button", name="长辈模式（大字体）").click()
            expect(page.locator("html")).to_have_class("elder")
            assert page.url == live_server.url + "/"
            assert any(c["name"] == "elder" and c["value"] == "1" for c in context.cookies())
            _check_elder(page, "home", report)
            assert report["home"]["body_px"] >= 1.25 * standard["body"]
            page.screenshot(path=str(tmp_path / "home-elder.png"), full_page=True)

            # Navigation keeps the mode: a link on the page, then the wizard from the theme page.
            page.locator("main .cards a", has_text="我要开超市").first.click()
            page.wait_for_url(f"**{theme_path}")
            _check_elder(page, "theme", report, tags=("p", "li", "h1", "h2", "h3", "dt", "dd"))
            page.screenshot(path=str(tmp_path / "theme-elder.png"), full_page=True)
            page.get_by_role("link", name="开始自助筛查").click()
            expect(page.locator("legend")).to_be_visible()
            _check_elder(page, "wizard", report, tags=("p", "li", "h1", "legend", "label"))
            page.screenshot(path=str(tmp_path / "wizard-elder.png"), full_page=True)

            # The 一次告知单 straight from its URL: tables, tags, the QR caption.
            page.goto(f"{live_server.url}{theme_path}checklist/?{urlencode(ANSWERS)}")
            _check_elder(page, "checklist", report, tags=("p", "li", "h1", "h2", "td", "th", "dt", "dd"))
            assert "_large=1" in page.get_by_role("link", name="下载 PDF").get_attribute("href")
            page.screenshot(path=str(tmp_path / "checklist-elder.png"), full_page=True)
            page.go_back()

            # A focused control shows a thick ring.
            page.keyboard.press("Tab")
            ring = page.evaluate("() => { const s = getComputedStyle(document.activeElement);"
                                 " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }")
            assert ring[0] == "solid" and ring[1] >= 4, ring

            # A new page in the same context (the cookie): still elder; the search box suggests nothing.
            search = context.new_page()
            requests = []
            search.on("request", lambda r: requests.append(r.url))
            search.goto(live_server.url + "/search/")
            expect(search.locator("html")).to_have_class("elder")
            search.locator("#search-q").press_sequentially("超市", delay=50)
            search.wait_for_timeout(800)
            assert not [u for u in requests if "/search/autocomplete/" in u]
            assert search.evaluate(MEASURE)["fixed"] == []
            search.screenshot(path=str(tmp_path / "search-elder.png"), full_page=True)
            search.locator("#search-q").press("Enter")
            search.wait_for_load_state()
            _check_elder(search, "search results", report, tags=("p", "li", "h1", "h2"))
            search.close()

            # Switching back restores the standard look on the same page.
            page.get_by_role("button", name="返回标准模式").click()
            expect(page.locator("html")).not_to_have_class("elder")
            assert "screening/" in page.url
            assert page.evaluate(MEASURE)["body"] == standard["body"]
            assert not any(c["name"] == "elder" for c in context.cookies())
            page.screenshot(path=str(tmp_path / "wizard-standard.png"), full_page=True)
        finally:
            browser.close()
    (tmp_path / "elder-measurements.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    print(json.dumps(report, ensure_ascii=False, indent=1))
    assert (tmp_path / "home-elder.png").stat().st_size > 10_000
