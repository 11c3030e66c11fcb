"""The browser journeys' world: the whole demo (catalogue, counties, English, workdays, search index, staff) in a
database of its own, served by `manage.py runserver` with a real `db_worker` beside it, reached by Chromium.

Built once per session (about 80 s). Each test opens visitors (``visitor("phone", "zh")``): every page they load is
audited by axe, and a failing test leaves a screenshot and the page source of every open tab in
``var/browser-artifacts/`` (BROWSER_ARTIFACTS), which .ci/run lists.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bench.browser_bench import launch
from tests.processes import World, free_port, fresh_database

from .steps import PDF
from .support import ARTIFACTS, LANGUAGES, PROFILES, Visitor, axe_source, require_browser

HERE = Path(__file__).resolve().parent
DEMO = [
    ("migrate", "--noinput"),
    ("import_catalogue", "--no-progress"),
    ("setup_editorial",),
    ("import_translations", "demo/translations/en"),
    ("seed_workdays",),
    ("rebuild_search_index", "--no-progress"),
    ("update_index",),  # Wagtail's admin index in one pass: the build runs with GUIDE_ADMIN_INDEX=bulk
]


@pytest.fixture(scope="session")
def world(tmp_path_factory):
    require_browser()
    tmp = tmp_path_factory.mktemp("journeys")
    if os.environ.get("JOURNEY_REUSE"):
        yield _reused(tmp, os.environ["JOURNEY_REUSE"])
        return
    port = free_port()
    with fresh_database(tmp, "journeys") as url:
        # The built-in window receives the applications through the real task queue, as under `make run`;
        # result links are absolute, so the base URL is this server's.
        w = World(tmp, url, INTAKE_HANDOFF_BACKEND="window", WAGTAILADMIN_BASE_URL=f"http://localhost:{port}",
                  INTAKE_SWEEP_INTERVAL="1")
        try:
            # The demo's index updates run inline (test settings' default), leaving no backlog for the worker.
            build = {k: v for k, v in w.env.items() if k != "GUIDE_TASKS_BACKEND"} | {"GUIDE_ADMIN_INDEX": "bulk"}
            for command in DEMO:
                w.manage(*command, timeout=600, env=build)
            if os.path.exists("/usr/bin/msgfmt"):
                w.manage("compilemessages", "-l", "en", "--ignore", ".venv/*", "-v", "0")
            w.staff = w.query((HERE / "staff.py").read_text(encoding="utf-8"))
            w.start_server("--insecure", port=port)  # --insecure: static files without DEBUG
            w.start_worker()
            w.base = f"http://localhost:{port}"
            w.county = f"http://hanbin.localhost:{port}"
            yield w
        finally:
            w.stop()


def _reused(tmp: Path, spec: str) -> World:
    """JOURNEY_REUSE=PORT,DATABASE_URL: a world already built and served (with a worker) by hand, so that writing a
    journey does not rebuild the demo each run. Never set in CI."""
    port, url = spec.split(",", 1)
    w = World(tmp, url)
    w.staff = w.query((HERE / "staff.py").read_text(encoding="utf-8"))
    w.port, w.base, w.county = int(port), f"http://localhost:{port}", f"http://hanbin.localhost:{port}"
    return w


@pytest.fixture(scope="session")
def chromium(world):
    from playwright.sync_api import sync_playwright

    shutil.rmtree(ARTIFACTS, ignore_errors=True)  # only this run's failures
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def axe():
    return axe_source()


@pytest.fixture
def visitor(request, world, chromium, axe):
    """visitor(profile, language, name=…, county=False) → a new browser context; all are audited at the end."""
    opened: list[Visitor] = []

    def open_(profile: str = "phone", language: str = "zh", *, name: str = "", county: bool = False) -> Visitor:
        lang = LANGUAGES[language]
        context = chromium.new_context(**PROFILES[profile], locale=lang["locale"], accept_downloads=True)
        context.set_default_timeout(20_000)
        v = Visitor(name or f"{profile}-{language}", context, world.county if county else world.base,
                    lang["prefix"], axe)
        opened.append(v)
        return v

    request.node.stash[VISITORS] = opened
    yield open_
    try:
        if not _failed(request.node):
            for v in opened:
                v.finish()
    finally:
        for v in opened:
            v.context.close()


VISITORS = pytest.StashKey[list]()


def _failed(item) -> bool:
    report = item.stash.get(REPORT, None)
    return report is not None and report.failed


REPORT = pytest.StashKey[pytest.TestReport]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[REPORT] = report
    if report.failed and report.when in ("call", "teardown"):
        stem = item.name.replace("/", "_").replace("[", "-").replace("]", "")
        saved = [str(p) for v in item.stash.get(VISITORS, []) for p in v.save_artifacts(f"{report.when}-{stem}")]
        if saved:
            report.sections.append(("browser artifacts", "\n".join(saved)))
    return report


@pytest.fixture(scope="session")
def sample_pdf(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("files") / "材料.pdf"
    path.write_bytes(PDF)
    return path
