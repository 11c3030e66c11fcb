"""Browser figures on a Lighthouse-like phone profile: LCP, FCP, DOMContentLoaded, load, requests and bytes.

Called by `python -m bench` with the port of its gunicorn (demo data); `measure()` is also what
tests/screening/test_page_weight.py counts bytes with, so the test and the benchmark agree on what a byte is.

Each page is opened in a fresh browser context, so every run starts with a cold cache and no connections.
Bytes are Chromium's own count (CDP ``Network.loadingFinished.encodedDataLength``): what crossed the wire,
headers included, compressed if the server compressed. Timings are medians over a few runs and are reported
against /bench/ping/ (a text/plain "pong") measured the same way in the same run, so they compare across
machines; bytes and request counts are exact and need no baseline.
"""

from __future__ import annotations

import json
import os
import statistics
import urllib.request
from urllib.parse import urlencode, urlsplit

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Lighthouse's mobile profile (a mid-range Android phone on slow 4G).
PHONE = {
    "viewport": {"width": 412, "height": 823}, "device_scale_factor": 1.75, "is_mobile": True, "has_touch": True,
    "user_agent": ("Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/120.0.0.0 Mobile Safari/537.36"),
    "locale": "zh-CN",
}
SLOW_4G = {"offline": False, "latency": 150, "downloadThroughput": 1_638_400 / 8, "uploadThroughput": 750 * 1024 / 8}
CPU_SLOWDOWN = 4
THEME = "AK-YJS-001"  # the supermarket theme: the one the browser tests walk
TYPES = ("document", "stylesheet", "script", "font", "image")

# Reads the largest-contentful-paint entries the page already had (buffered), after a short settle: LCP is final
# once the page stops painting larger content, and nothing here interacts with the page.
_PAINT_JS = """() => new Promise(resolve => {
  let last = null;
  const po = new PerformanceObserver(list => { const e = list.getEntries(); if (e.length) last = e[e.length - 1]; });
  po.observe({type: 'largest-contentful-paint', buffered: true});
  setTimeout(() => {
    po.disconnect();
    const nav = performance.getEntriesByType('navigation')[0];
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    resolve({lcp: last ? last.startTime : null, lcp_element: last && last.element ? last.element.tagName : null,
             fcp: fcp ? fcp.startTime : null, dcl: nav.domContentLoadedEventEnd,
             load: nav.loadEventEnd, html_bytes: document.documentElement.outerHTML.length});
  }, %d);
})"""


def launch(pw):
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def measure(browser, url: str, *, throttle: bool = True, settle_ms: int = 500) -> dict:
    """Open ``url`` cold in a new phone context; its timings (ms) and what it transferred, by resource type."""
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        if throttle:
            cdp.send("Network.emulateNetworkConditions", SLOW_4G)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        requests: dict[str, dict] = {}

        def sent(e):
            r = requests.setdefault(e["requestId"], {"bytes": 0, "redirect_bytes": 0, "type": e.get("type", "Other")})
            r["url"] = e["request"]["url"]  # a redirect keeps the request id: the final URL is the one that counts
            if "redirectResponse" in e:
                r["redirect_bytes"] += e["redirectResponse"].get("encodedDataLength", 0)

        def received(e):
            r = requests.setdefault(e["requestId"], {"bytes": 0, "url": e["response"]["url"]})
            r["type"], r["status"] = e.get("type", r.get("type", "Other")), e["response"]["status"]

        def finished(e):
            r = requests.setdefault(e["requestId"], {"url": "", "type": "Other", "redirect_bytes": 0})
            r["bytes"] = e["encodedDataLength"] + r.get("redirect_bytes", 0)

        cdp.on("Network.requestWillBeSent", sent)
        cdp.on("Network.responseReceived", received)
        cdp.on("Network.loadingFinished", finished)
        response = page.goto(url, wait_until="load", timeout=60_000)
        try:
            page.wait_for_load_state("networkidle", timeout=10_000)
        except Exception:  # noqa: BLE001 - a page that keeps polling is still measured, it is just never idle
            pass
        timings = page.evaluate(_PAINT_JS % settle_ms)
        status = response.status if response else None
    finally:
        context.close()

    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    # Only the page's network fetches count (data: URLs never leave the page). /favicon.ico is left out: the
    # browser asks for it on its own, only on some loads, so counting it would make the figures flicker.
    fetched = [r for r in requests.values() if r.get("url", "").startswith(("http:", "https:"))
               and urlsplit(r["url"]).path != "/favicon.ico"]
    by_type = {t: 0 for t in TYPES}
    other = 0
    for r in fetched:
        kind = r.get("type", "Other").lower()
        if kind in by_type:
            by_type[kind] += r["bytes"]
        else:
            other += r["bytes"]
    total = sum(r["bytes"] for r in fetched)
    return {
        "url": url, "status": status, **{k: (round(v, 1) if isinstance(v, float) else v) for k, v in timings.items()},
        "requests": len(fetched), "bytes": total, "bytes_no_images": total - by_type["image"],
        "bytes_by_type": {**by_type, "other": other},
        "foreign": sorted({r["url"] for r in fetched if not r["url"].startswith(origin + "/")}),
        "failed": sorted(r["url"] for r in fetched if r.get("status", 200) >= 400),
    }


def _json(port: int, path: str):
    with urllib.request.urlopen(f"http://localhost:{port}{path}", timeout=30) as response:
        return json.loads(response.read())


def answer_query(detail: dict, answers) -> str:
    """The checklist query string for answers given as (question text, option label), as the wizard builds it."""
    by_text = {q["text"]: q for q in detail["questions"]}
    pairs = []
    for text, label in answers:
        question = by_text[text]
        option = next(o for o in question["options"] if o["label"] == label)
        pairs.append((question["id"], option["id"]))
    return urlencode(pairs)


def pages(port: int, answers=None) -> dict[str, str]:
    """The measured paths, by name, found through the JSON API as `bench_http` finds theme pages. The checklist
    is the one for ``answers``, by default the complete supermarket answer set the browser test walks."""
    if answers is None:
        from tests.screening.test_browser import ANSWERS as answers

    themes = {t["code"]: t for t in _json(port, "/api/themes/")["themes"]}
    if THEME not in themes:
        raise SystemExit(f"{THEME} is not on the city site: is the demo database imported (make demo)?")
    theme = urlsplit(themes[THEME]["url"]).path
    detail = _json(port, f"/api/themes/{THEME}/")
    return {"baseline": "/bench/ping/", "home": "/", "theme": theme, "wizard": f"{theme}screening/",
            "checklist": f"{theme}checklist/?{answer_query(detail, answers)}"}


def _warm(port: int, targets: dict[str, str]) -> None:
    """Every page a few times over plain HTTP first: each gunicorn worker pays its first-request costs (imports,
    template loading, the theme guide's fragment cache) before anything is timed, as on a server in service."""
    for _ in range(4):
        for path in targets.values():
            with urllib.request.urlopen(f"http://localhost:{port}{path}", timeout=60) as response:
                response.read()


def run(port: int, runs: int = 5) -> dict:
    from playwright.sync_api import sync_playwright

    targets = pages(port)
    _warm(port, targets)
    out: dict = {"profile": {"viewport": "412x823", "dpr": PHONE["device_scale_factor"], "latency_ms": SLOW_4G["latency"],
                             "down_kbps": round(SLOW_4G["downloadThroughput"] * 8 / 1024),
                             "up_kbps": round(SLOW_4G["uploadThroughput"] * 8 / 1024), "cpu_slowdown": CPU_SLOWDOWN},
                 "runs": runs, "pages": {}}
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            # Round-robin, so a slow moment of the machine spreads over every page, the baseline included.
            samples: dict[str, list[dict]] = {name: [] for name in targets}
            for path in targets.values():  # untimed: the browser's own first-use costs (renderer start-up)
                measure(browser, f"http://localhost:{port}{path}")
            for _ in range(runs):
                for name, path in targets.items():
                    samples[name].append(measure(browser, f"http://localhost:{port}{path}"))
        finally:
            browser.close()
    for name, runs_of in samples.items():
        first = runs_of[0]
        row = {k: first[k] for k in ("url", "status", "lcp_element", "requests", "bytes", "bytes_no_images",
                                     "bytes_by_type", "foreign", "failed", "html_bytes")}
        for key in ("lcp", "fcp", "dcl", "load"):
            values = [r[key] for r in runs_of if r[key] is not None]
            row[f"{key}_ms"] = round(statistics.median(values), 1) if values else None
        out["pages"][name] = row
    base = out["pages"]["baseline"]["lcp_ms"]
    for row in out["pages"].values():
        row["lcp_vs_baseline"] = round(row["lcp_ms"] / base, 2) if base and row["lcp_ms"] else None
    return out


def report_lines(b: dict) -> list[str]:
    p = b["profile"]
    lines = [f"浏览器（手机画像 {p['viewport']} @{p['dpr']}x，{p['latency_ms']} ms / {p['down_kbps']} kbps 下行，"
             f"CPU 降速 {p['cpu_slowdown']}x，冷缓存，{b['runs']} 次取中位数）:",
             "  (LCP/base = LCP / 基线 LCP；字节为实际传输量，含响应头)",
             f"  {'page':<10}{'LCP ms':>8}{'/base':>7}{'FCP ms':>8}{'DCL ms':>8}{'load ms':>9}{'req':>5}"
             f"{'bytes':>9}{'no img':>9}{'doc':>8}{'css':>7}{'js':>7}{'font':>6}{'img':>6}"]

    def fmt(v, width: int, digits: int = 0) -> str:
        return f"{v:>{width}.{digits}f}" if v is not None else f"{'—':>{width}}"

    for name, r in b["pages"].items():
        t = r["bytes_by_type"]
        lines.append(f"  {name:<10}{fmt(r['lcp_ms'], 8)}{fmt(r['lcp_vs_baseline'], 7, 2)}{fmt(r['fcp_ms'], 8)}"
                     f"{fmt(r['dcl_ms'], 8)}{fmt(r['load_ms'], 9)}{r['requests']:>5}{r['bytes']:>9}"
                     f"{r['bytes_no_images']:>9}{t['document']:>8}{t['stylesheet']:>7}{t['script']:>7}"
                     f"{t['font']:>6}{t['image']:>6}")
    for name, r in b["pages"].items():
        if r["foreign"] or r["failed"] or r["status"] != 200:
            lines.append(f"  注：{name} 状态 {r['status']}，失败 {r['failed']}，外站请求 {r['foreign']}")
    return lines


if __name__ == "__main__":
    import sys

    print(json.dumps(run(int(sys.argv[1])), ensure_ascii=False, indent=2))
