"""Hand-off with real processes, independent of pytest-django's test database.

A module fixture makes its own database (a temp SQLite file, or a fresh database on the PostgreSQL server that
DATABASE_URL names), runs ``manage.py migrate`` and ``manage.py import_catalogue tests/intake/catalogue`` (one
theme) in subprocesses and starts ``manage.py runserver``. Applications are made by HTTP: GET the form, POST it
multipart with one PDF per upload slot. Then a real receiver (receiver.py) and a real ``manage.py db_worker``
(django-tasks database queue) run as subprocesses. Every wait is bounded; every subprocess is killed in finally;
everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import html.parser
import http.cookiejar
import json
import re
import secrets
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests import processes
from tests.processes import free_port, fresh_database, kill, socket_open, wait_for

pytestmark = pytest.mark.process

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE / "catalogue"
THEME = "AK-YJS-001"
# A company selling bulk food in a large rented shop with a large sign: many items, fields and upload slots.
ANSWERS = {"subject": "company", "food": "bulk", "area": "large", "tobacco": "sells", "sign": "large",
           "premises": "rent"}
SECRET = "test-handoff-secret"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SAMPLE = {
    "text": "张三", "textarea": "日用百货零售", "id_number": "11010519491231002X", "uscc": "91350100M000100Y43",
    "phone": "13800001234", "date": "2026-12-01", "number": "120", "address": "汉滨区新城街道兴安路1号",
    "email": "zhangsan@example.com",
}


class World(processes.World):
    """The database, environment and web server shared by this module's tests."""

    def __init__(self, tmp: Path, url: str):
        super().__init__(tmp, url, INTAKE_HANDOFF_BACKEND="http", INTAKE_HANDOFF_SECRET=SECRET,
                         INTAKE_HANDOFF_BACKOFF_BASE="2", INTAKE_HANDOFF_LEASE="4", INTAKE_HANDOFF_TIMEOUT="3",
                         INTAKE_SWEEP_INTERVAL="1")

    def outbox(self, tracking: str) -> dict | None:
        """The hand-off row, read with a plain driver connection (fast enough to poll)."""
        sql = ("SELECT o.state, o.attempts, o.last_error FROM intake_outbox o JOIN intake_application a "
               "ON a.id = o.application_id WHERE a.tracking_number = %s")
        if self.url.startswith("sqlite:///"):
            import sqlite3

            with contextlib.closing(sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=10)) as db:
                row = db.execute(sql.replace("%s", "?"), (tracking,)).fetchone()
        else:
            import psycopg

            with psycopg.connect(self.url, connect_timeout=10) as db:
                row = db.execute(sql, (tracking,)).fetchone()
        return dict(zip(("state", "attempts", "last_error"), row, strict=True)) if row else None


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("intake-processes")
    with fresh_database(tmp) as url:
        w = World(tmp, url)
        w.manage("migrate", "--noinput")
        w.manage("import_catalogue", str(CATALOGUE), "--no-progress")
        try:
            w.start_server()
            yield w
        finally:
            w.stop()


# --------------------------------------------------------------------------- applying over HTTP


class _FormParser(html.parser.HTMLParser):
    """The named controls of the page's forms: {name: [(tag, type, value), …]}."""

    def __init__(self):
        super().__init__()
        self.controls: dict[str, list[tuple[str, str, str]]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("input", "textarea", "select") and a.get("name"):
            self.controls.setdefault(a["name"], []).append((tag, a.get("type", ""), a.get("value") or ""))
            self._select = a["name"] if tag == "select" else None
        elif tag == "option" and self._select and a.get("value"):
            self.controls[self._select].append(("option", "", a["value"]))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: application/pdf\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def field_types() -> dict[str, str]:
    """Input name → field type, from the tiny catalogue's field registry (plus the form's own contact field)."""
    rows = yaml.safe_load((CATALOGUE / "fields.yaml").read_text())
    return {**{r["code"].replace(".", "-"): r["type"] for r in rows}, "contact-phone": "phone"}


def apply_over_http(world: World) -> str:
    """A browser's path: GET the form, POST it with every field and one PDF per slot; returns the tracking number."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    url = f"{world.base}/intake/apply/{THEME}/?{urllib.parse.urlencode(ANSWERS)}"
    with opener.open(url, timeout=30) as response:
        assert response.status == 200
        page = response.read().decode()
    parser = _FormParser()
    parser.feed(page)
    types = field_types()
    data, files = {"action": "submit", "declaration": "on"}, {}
    for name, controls in parser.controls.items():
        tag, kind, value = controls[0]
        if name in ("csrfmiddlewaretoken", "token"):
            data[name] = value
        elif kind == "file":
            files[name] = (f"{name}.pdf", PDF)
        elif kind == "radio" or tag == "select":
            options = [v for _, _, v in controls if v]
            data[name] = "自取" if "自取" in options else options[-1]
        elif name in types:
            data[name] = SAMPLE[types[name]]
    assert files, "the form offered no upload slot"
    body, content_type = _multipart(data, files)
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": content_type, "Referer": url})
    try:
        opener.open(request, timeout=60)
        raise AssertionError("the form was not accepted (no redirect to the receipt)")
    except urllib.error.HTTPError as exc:
        if exc.code != 302:
            raise AssertionError(f"POST answered {exc.code}: {exc.read()[:2000].decode(errors='replace')}") from None
        location = exc.headers["Location"]
    match = re.search(r"/intake/applications/(\d{20})/", location)
    assert match, location
    return match.group(1)


# --------------------------------------------------------------------------- receiver and worker


class Run:
    """One test's receiver and workers; the log holds every delivery attempt the receiver saw."""

    def __init__(self, world: World, tmp: Path):
        self.world = world
        self.tmp = tmp
        self.log = tmp / "receiver.jsonl"
        self.port = free_port()
        self.procs: list[subprocess.Popen] = []

    def receiver(self, *args) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, str(HERE / "receiver.py"), str(self.port), str(self.log),
                                 "--secret", SECRET, *args], stdout=subprocess.PIPE, text=True)
        self.procs.append(proc)
        wait_for(lambda: socket_open(self.port), 20, "the receiver to listen")
        return proc

    def worker(self) -> subprocess.Popen:
        env = {**self.world.env, "INTAKE_HANDOFF_URL": f"http://127.0.0.1:{self.port}/intake"}
        proc = subprocess.Popen([sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay"],
                                cwd=processes.ROOT, env=env, stdout=open(self.tmp / "worker.log", "a"),
                                stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def deliveries(self, key: str) -> list[dict]:
        if not self.log.exists():
            return []
        rows = [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]
        return [r for r in rows if r["key"] == key]

    def wait_outbox(self, tracking: str, predicate, what: str, timeout: float = 60) -> dict:
        try:
            return wait_for(lambda: (row := self.world.outbox(tracking)) and predicate(row) and row, timeout, what)
        except AssertionError as exc:
            worker_log = (self.tmp / "worker.log").read_text()[-3000:] if (self.tmp / "worker.log").exists() else ""
            raise AssertionError(f"{exc}; outbox: {self.world.outbox(tracking)}; worker log:\n{worker_log}") from None

    def stop(self) -> None:
        for proc in self.procs:
            kill(proc)


@pytest.fixture
def run(world, tmp_path):
    r = Run(world, tmp_path)
    try:
        yield r
    finally:
        r.stop()


# --------------------------------------------------------------------------- the tests


def test_receiver_down_for_two_attempts_then_delivered_exactly_once(world, run):
    tracking = apply_over_http(world)
    run.worker()  # nothing listens on the receiver's port yet: connection refused
    row = run.wait_outbox(tracking, lambda r: r["attempts"] >= 2, "two failed attempts")
    assert row["state"] == "pending" and "network" in row["last_error"], row
    assert not run.deliveries(tracking)
    # Attempt 2 failed; the next is due backoff(2) = 4 s later, long enough to bring the receiver up first.
    run.receiver()
    row = run.wait_outbox(tracking, lambda r: r["state"] == "delivered", "delivery")
    # Normally 3; a heavily loaded machine may start the receiver only after a 3rd refused attempt.
    assert row["attempts"] >= 3, row
    log = run.deliveries(tracking)
    assert [d["status"] for d in log] == [200], log  # one request reached it: no duplicate after the retries
    assert sum(d["accepted"] for d in log) == 1
    assert all(d["signature_ok"] for d in log)


def test_worker_killed_mid_delivery_is_delivered_after_restart_exactly_once(world, run):
    tracking = apply_over_http(world)
    run.receiver("--sleep-first", "8")  # takes the first delivery, then "processes" while the worker dies
    worker = run.worker()
    wait_for(lambda: run.deliveries(tracking), 60, "the worker to reach the receiver", 0.1)
    worker.send_signal(signal.SIGKILL)
    worker.wait(10)
    row = world.outbox(tracking)
    assert row["state"] == "pending" and row["attempts"] == 1, row  # the kill lost the answer
    run.worker()  # restart: once the lease (4 s) has expired the sweeper sends it again
    row = run.wait_outbox(tracking, lambda r: r["state"] == "delivered", "delivery after the restart")
    log = run.deliveries(tracking)
    assert len(log) >= 2, log  # sent again after the restart …
    assert sum(d["accepted"] for d in log) == 1, log  # … and accepted once, thanks to the Idempotency-Key
    assert all(d["signature_ok"] for d in log)


CONCURRENCY = """
import json, threading
from datetime import date
from django.db import connection, transaction
from wagtail.models import Site
from intake.services import next_tracking_number

day, results, errors = date(2099, 1, 1), [], []
sites = [Site.objects.get(root_page__homepage__site_code=code) for code in ("ankang", "hanbin")]  # 610900, 610902
barrier = threading.Barrier(8)

def work(site):
    try:
        barrier.wait(30)
        for _ in range(10):
            with transaction.atomic():
                results.append(next_tracking_number(site, day))
    except Exception as exc:  # reported, not retried: the test wants none
        errors.append(f"{exc.__class__.__name__}: {exc}")
    finally:
        connection.close()

threads = [threading.Thread(target=work, args=(sites[n % 2],)) for n in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join(120)
print(json.dumps({"results": results, "errors": errors, "vendor": connection.vendor}))
"""


def test_tracking_numbers_are_unique_under_concurrency(world):
    """8 threads × 10 numbers for one day, half on each of two sites (regions), each thread on its own database
    connection, no retries.

    This runs against the module's real database (a SQLite *file*, or a real PostgreSQL database), not the
    in-memory test database: there, threads share one cache with table-level locks that fail instead of waiting,
    which would test SQLite's shared-cache mode rather than our code. On PostgreSQL it proves the row lock on the
    (region, day) counter (and the conflict-ignoring insert of its first row) hands out each number once; on SQLite
    it proves that the insert-first transaction takes the database write lock at once, so concurrent allocations
    wait (busy timeout) instead of failing. It cannot prove the absence of every interleaving.
    """
    out = world.query(CONCURRENCY, timeout=180)
    assert out["errors"] == [], out["errors"]
    numbers = out["results"]
    assert len(numbers) == 80 and len(set(numbers)) == 80
    for region in ("610900", "610902"):  # gap-free per region and day
        mine = [n for n in numbers if n.startswith(f"{region}20990101")]
        assert sorted(int(n[-6:]) for n in mine) == list(range(1, 41)), region


def test_forged_webhook_is_refused(client):
    """The signature is checked before anything else: no database needed."""
    body = json.dumps({"tracking_number": "61090020260101000001", "status": "accepted"}).encode()
    response = client.post("/intake/webhook/", body, content_type="application/json",
                           HTTP_X_INTAKE_SIGNATURE="sha256=" + "0" * 64, HTTP_HOST="localhost")
    assert response.status_code == 403
    assert response.json() == {"error": "bad signature"}
    response = client.post("/intake/webhook/", body, content_type="application/json", HTTP_HOST="localhost")
    assert response.status_code == 403
