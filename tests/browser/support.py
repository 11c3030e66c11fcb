"""Chromium for the browser tests, the phone and desktop profiles, and a visitor whose every page is audited by axe.

Uses Debian's chromium (no `playwright install`; `make test` installs it). Outside CI a missing browser skips the
test; with CI=true it fails, so a broken image cannot pass silently.
"""

from __future__ import annotations

import os
import re
import shutil
from importlib import resources
from pathlib import Path

import pytest

from bench.browser_bench import CHROMIUM  # one browser, one set of flags for tests and bench

ROOT = Path(__file__).resolve().parents[2]
# Failure screenshots and page sources land here; .ci/run lists them when a run fails.
ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS", ROOT / "var" / "browser-artifacts"))
PROFILES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
              "has_touch": True},
    "desktop": {"viewport": {"width": 1366, "height": 900}},
}
LANGUAGES = {"zh": {"locale": "zh-CN", "prefix": ""}, "en": {"locale": "en-US", "prefix": "/en"}}
# WCAG 2.1 A and AA: the bar is zero violations of these on every page a journey visits.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


# Contrast is judged on the page at rest: finite animations and transitions (a message fading in) run to the end.
SETTLE = """() => Promise.race([
  Promise.all(document.getAnimations()
    .filter(a => a.effect && isFinite(a.effect.getComputedTiming().endTime))
    .map(a => a.finished.catch(() => null))),
  new Promise(resolve => setTimeout(resolve, 3000)),
])"""


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_browser() -> None:
    problem = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problem = "playwright is not installed (pip install -r requirements.txt)"
    if problem is None and not (os.path.isfile(CHROMIUM) or shutil.which(CHROMIUM)):
        problem = f"chromium not found at {CHROMIUM} (apt-get install chromium)"
    if problem:
        if in_ci():
            pytest.fail(f"browser test cannot run in CI: {problem}")
        pytest.skip(problem)


def axe_source() -> str:
    return resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", e =>
  window.__cspViolations.push(`${e.effectiveDirective}: ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`));
"""


class Visitor:
    """One person's browser context. ``seen()`` after each page load runs axe on it; ``finish()`` fails the test
    on any violation and on any page that was visited but never audited."""

    def __init__(self, name: str, context, base: str, prefix: str, axe: str):
        self.name = name
        self.context = context
        self.page = context.new_page()
        self.base = base
        self.prefix = prefix
        self._axe = axe
        # Every page records what the Content Security Policy refused; seen() reports it as a violation.
        context.add_init_script(CSP_LISTENER)
        self.visited: list[str] = []
        self.audited: set[str] = set()
        self.violations: list[str] = []
        self.page.on("framenavigated", self._navigated)

    def _navigated(self, frame) -> None:
        if frame == self.page.main_frame and frame.url.startswith("http"):
            self.visited.append(frame.url.split("#", 1)[0])  # a jump to an anchor is the same page

    def url(self, path: str, *, translated: bool = True) -> str:
        return self.base + (self.prefix if translated else "") + path

    def goto(self, path: str, *, translated: bool = True, label: str = ""):
        response = self.page.goto(self.url(path, translated=translated))
        self.seen(label)
        return response

    def seen(self, label: str = "") -> None:
        """Audit the page now shown (WCAG 2.1 A/AA)."""
        page = self.page
        page.wait_for_load_state("load")
        if "html" not in (page.evaluate("document.contentType") or ""):
            return
        page.evaluate(SETTLE)
        if not page.evaluate("typeof window.axe === 'object'"):
            # Evaluated through the DevTools protocol, so a Content Security Policy cannot block it.
            page.evaluate(self._axe)
        result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
        self.audited.add(page.url.split("#", 1)[0])
        where = f"{page.url}{f' ({label})' if label else ''}"
        for refused in page.evaluate("window.__cspViolations || []"):
            self.violations.append(f"{where}: Content Security Policy refused {refused}")
        for v in result["violations"]:
            targets = "; ".join(" ".join(map(str, n["target"])) + _detail(n) for n in v["nodes"][:5])
            self.violations.append(f"{where}: {v['id']} [{v['impact']}] {v['help']} -> {targets}")

    def finish(self) -> None:
        missed = [u for u in dict.fromkeys(self.visited) if u not in self.audited and not _machine(u)]
        problems = self.violations + [f"{u}: visited but not audited" for u in missed]
        assert not problems, f"{self.name}: accessibility or Content Security Policy problems:\n" + "\n".join(problems)

    def save_artifacts(self, stem: str) -> list[Path]:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        out = []
        for n, page in enumerate(self.context.pages):
            base = ARTIFACTS / f"{stem}-{self.name}-{n}"
            try:
                page.screenshot(path=str(base.with_suffix(".png")), full_page=True)
                base.with_suffix(".html").write_text(page.content(), encoding="utf-8")
                out.append(base.with_suffix(".png"))
            except Exception as exc:  # a crashed page must not hide the test's own failure
                base.with_suffix(".txt").write_text(f"{page.url}: {exc}", encoding="utf-8")
        return out


def _detail(node: dict) -> str:
    """The measured colours of a contrast failure, so the report says what to change."""
    data = next((c.get("data") for c in node.get("any", []) if isinstance(c.get("data"), dict)), None) or {}
    if "contrastRatio" not in data:
        return ""
    return f" ({data.get('fgColor')} on {data.get('bgColor')}: {data['contrastRatio']}:1)"


def _machine(url: str) -> bool:
    """Files and PDFs the browser opened: not pages to audit."""
    return bool(re.search(r"\.pdf(\?|$)|/files/|/results/[^/]+/\d+/", url))
