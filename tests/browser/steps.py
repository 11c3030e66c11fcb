"""Steps the journeys share: answer a wizard, fill the unified form, sign staff in. Selectors are ids, names and
values (the same in both languages); visible words are checked only where a test is about them."""

from __future__ import annotations

import re
import time
from pathlib import Path

import yaml
from playwright.sync_api import expect

from .support import ROOT, Visitor

TRACKING = re.compile(r"6109\d{16}")  # an 安康 region code, yyyymmdd and the sequence (intake.tracking)
FIELD_TYPES = {row["code"].replace(".", "-"): row["type"]
               for row in yaml.safe_load((ROOT / "demo" / "catalogue" / "fields.yaml").read_text(encoding="utf-8"))}
SAMPLE = {
    "text": "张三", "textarea": "日用百货零售", "id_number": "11010519491231002X", "uscc": "91350100M000100Y43",
    "phone": "13800001234", "date": "2026-12-01", "number": "120", "address": "汉滨区新城街道兴安路1号",
    "email": "zhangsan@example.com",
}
# A real (tiny) PDF: uploads are checked by content, not by name.
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


def answer(v: Visitor, question: str, *values: str) -> None:
    """Tick the options of the question shown and continue."""
    page = v.page
    expect(page.locator(f".wizard input[name='{question}']").first).to_be_visible()
    for value in values:
        page.locator(f".wizard input[name='{question}'][value='{value}']").check()
    page.locator(".wizard button[type=submit]").click()
    v.seen()


def screen(v: Visitor, answers: list[tuple[str, str]]) -> None:
    for question, value in answers:
        answer(v, question, value)


def screen_through(v: Visitor) -> None:
    """Answer every remaining question with its first option, up to the checklist."""
    while v.page.locator(".wizard").count():
        name = v.page.locator(".wizard fieldset input").first.get_attribute("name")
        answer(v, name, v.page.locator(f".wizard input[name='{name}']").first.get_attribute("value"))


def fill_form(v: Visitor, pdf: Path, *, delivery: str, skip: frozenset[str] = frozenset()) -> dict[str, str]:
    """Fill every field of the unified form with sample values and attach the PDF to every upload slot.

    Returns what was typed by input name; ``skip`` leaves those inputs as they are."""
    page = v.page
    typed = {}
    for el in page.locator(".intake-form input:not([type=hidden]), .intake-form textarea, .intake-form select").all():
        name = el.get_attribute("name")
        kind = el.get_attribute("type") or ""
        if not name or name in skip or name in ("declaration", "token"):
            continue
        if kind == "file":
            el.set_input_files(str(pdf))
        elif kind == "radio":
            if name == "delivery-method":
                page.locator(f"input[name='{name}'][value='{delivery}']").check()
            elif not page.locator(f"input[name='{name}']:checked").count():
                page.locator(f"input[name='{name}']").first.check()
        elif el.evaluate("e => e.tagName") == "SELECT":
            options = [o for o in el.locator("option").evaluate_all("os => os.map(o => o.value)") if o]
            el.select_option(delivery if name == "delivery-method" else options[0])
        elif kind == "checkbox":
            el.check()
        else:
            value = SAMPLE.get(FIELD_TYPES.get(name, "text"), "张三")
            if name == "contact-phone":
                value = SAMPLE["phone"]
            el.fill(value)
            typed[name] = value
    page.locator("#id_declaration").check()
    return typed


def submit_form(v: Visitor) -> str:
    v.page.locator(".intake-form button[name=action][value=submit]").click()
    v.seen()
    number = v.page.locator(".intake-number").first.inner_text()
    assert TRACKING.fullmatch(number), number
    return number


def staff_login(v: Visitor, username: str, password: str, next_path: str) -> None:
    """Staff sign in through the CMS login (the window has no login of its own)."""
    page = v.page
    page.goto(v.url("/admin/login/", translated=False) + f"?next={next_path}")
    v.seen()
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("form button[type=submit]").first.click()
    v.seen()


def logout_staff(v: Visitor) -> None:
    v.context.clear_cookies()


def until(v: Visitor, check, what: str, timeout: float = 40) -> None:
    """Reload until ``check()`` holds: the worker and the window move on their own time."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what} at {v.page.url}"
        time.sleep(0.5)
        v.page.reload()
    v.seen()
