"""The strict Content Security Policy holds in a real Chromium: home, a theme page, the wizard, the checklist and
the application form load with nothing refused (no inline script or style, nothing from elsewhere), and the search
autocomplete, a script of its own, still runs under it."""

from __future__ import annotations

import urllib.parse

import pytest

from .support import CSP_LISTENER

pytestmark = pytest.mark.browser

THEME = "AK-YJS-001"
ANSWERS = {"subject": "company", "food": "bulk", "area": "large", "tobacco": "sells", "sign": "large",
           "premises": "rent"}
THEME_URL = """
import json
from guides.models import ThemePage
print(json.dumps(ThemePage.objects.get(code=%r, locale__language_code="zh-hans", alias_of__isnull=True)
                 .get_url_parts()[2]))  # the path: with 11 sites .url is absolute
"""


def test_public_pages_pass_the_policy(world, chromium):
    theme = world.query(THEME_URL % THEME)
    query = urllib.parse.urlencode(ANSWERS)
    pages = ["/", theme, f"{theme}screening/", f"{theme}checklist/?{query}", f"/intake/apply/{THEME}/?{query}",
             "/search/?q=" + urllib.parse.quote("超市"), "/intake/progress/"]
    context = chromium.new_context()
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    try:
        refused = []
        for path in pages:
            response = page.goto(world.base + path)
            assert response.status == 200, path
            policy = response.headers["content-security-policy"]
            assert "script-src 'self';" in policy and "style-src 'self';" in policy, path
            page.wait_for_load_state("load")
            refused += [f"{path}: {v}" for v in page.evaluate("window.__cspViolations")]
        # The autocomplete (static/js/autocomplete.js) runs: its suggestions appear as the visitor types.
        page.goto(world.base + "/search/")
        page.locator("form[data-autocomplete] input[role=combobox]").press_sequentially("超市", delay=50)
        page.locator("[role=listbox] [role=option]").first.wait_for(timeout=10_000)
        refused += page.evaluate("window.__cspViolations")
    finally:
        context.close()
    assert not refused, "\n".join(refused)
    assert not [line for line in console if "Content Security Policy" in line], console
