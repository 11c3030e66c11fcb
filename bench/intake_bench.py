"""Intake figures: sustained submissions per second (two uploads each) and hand-off latency p50/p95.

    .venv/bin/python -m bench.intake_bench [--profile]   # prints JSON; run() returns the same dict

Runs twice in the same run, each in a child process with its own database (migrate + catalogue import first,
~1-2 min each): on the production stack (a throwaway PostgreSQL cluster and redis-server, bench/pg.py), the figure
that counts, and on the embedded default (a throwaway SQLite file, its cache in the same file), the baseline it is
compared with. Submissions go over HTTP to gunicorn (4 workers) from 4 client threads, each POSTing a form with two
uploads that it loaded before the clock started; then the same in-process, one at a time, with the database's
share timed per query (where the time goes); then a real receiver (tests/intake/receiver.py) and a real
`manage.py db_worker` for the hand-off. --profile prints an in-process cProfile (cumulative) to stderr.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import math
import os
import pstats
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import cpu

ROOT = Path(__file__).resolve().parent.parent


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(submissions: int = 200, handoffs: int = 50, profile: bool = False) -> dict:
    """The production stack's figures (PostgreSQL, Redis as the cache), with the embedded default's (SQLite, the
    cache in its database) submissions per second from the same run as the baseline."""
    from bench import pg

    with pg.cluster() as url, pg.redis() as redis_url:
        out = _child(url, submissions, handoffs, profile, REDIS_URL=redis_url)
    out["database"] = "postgresql"
    out["cache"] = "redis"
    baseline = _child("", submissions, handoffs, False, REDIS_URL="")
    out["sqlite_submissions_per_s"] = baseline["submissions_per_s"]
    out["postgresql_vs_sqlite"] = round(out["submissions_per_s"] / baseline["submissions_per_s"], 2)
    return out


def _child(database_url: str, submissions: int, handoffs: int, profile: bool, **env) -> dict:
    cmd = [sys.executable, "-m", "bench.intake_bench", "--child", "--submissions", str(submissions),
           "--handoffs", str(handoffs), *(["--profile"] if profile else [])]
    env = {**os.environ, "BENCH_DATABASE_URL": database_url, **env}
    out = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(submissions: int, handoffs: int, profile: bool = False) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="intake-bench-"))
    port = _port()
    database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'db.sqlite3'}"
    settings_module = "bench.pg_settings" if database_url.startswith("postgres") else "guide_site.settings.test"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module, "DATABASE_URL": database_url,
           "INTAKE_STORAGE_DIR": str(tmp / "uploads"), "GUIDE_TASKS_BACKEND": "database", "INTAKE_HANDOFF_BACKEND": "http",
           "INTAKE_HANDOFF_URL": f"http://127.0.0.1:{port}/intake", "INTAKE_SWEEP_INTERVAL": "1",
           # Persistent connections, as docs/deploy.md runs production: one per worker, not one per request.
           "CONN_MAX_AGE": "60"}
    procs = []
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        subprocess.run([sys.executable, "manage.py", "import_catalogue", "--no-progress", "-v", "0"], cwd=ROOT, env=env,
                       check=True)
        os.environ.update(env)
        import django

        django.setup()
        from django.conf import settings
        from django.test import Client

        settings.ALLOWED_HOSTS = ["*"]
        from intake.models import Application
        from tests.intake.conftest import PDF, Case, token_of

        case = _two_upload_case(Case)
        client = Client()

        def submit_one():
            token = token_of(client.get(case.url, HTTP_HOST="localhost"))
            from django.core.files.uploadedfile import SimpleUploadedFile

            files = {f"m-{m.code}": SimpleUploadedFile("a.pdf", PDF * 2000) for m in case.slots}
            r = client.post(case.url, {**case.data(token), **files}, HTTP_HOST="localhost")
            assert r.status_code == 302, r.status_code

        # 1. Submissions per second, no worker running (the queue only grows): the web side's cost, as production
        # serves it (gunicorn, several workers, clients at once). The forms are loaded first: a visitor loads the
        # form minutes before sending it, so the peak the web side must take is of the POSTs.
        web = _http_submissions(env, case, submissions, PDF * 2000)
        # Where one submission's time goes: in-process, one at a time, the database's share timed per query.
        where = _breakdown(client, case, PDF * 2000, 30)
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
            for _ in range(30):
                submit_one()
            profiler.disable()
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
        # 2. Hand-off latency with a healthy receiver and one worker, submissions at a steady pace.
        log = tmp / "receiver.jsonl"
        receiver = subprocess.Popen([sys.executable, str(ROOT / "tests/intake/receiver.py"), str(port), str(log)],
                                    stdout=subprocess.PIPE, text=True)
        procs.append(receiver)
        receiver.stdout.readline()
        from django_tasks_db.models import DBTaskResult

        from intake.models import Outbox

        # Phase 1's backlog (rows and their queued tasks) is not part of the latency figure.
        Outbox.objects.update(state="delivered")
        DBTaskResult.objects.all().delete()
        worker = subprocess.Popen([sys.executable, "manage.py", "db_worker", "--interval", "0.1", "--no-startup-delay"],
                                  cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(worker)
        time.sleep(2)
        first = Application.objects.count()
        for _ in range(handoffs):
            submit_one()
            time.sleep(0.2)
        deadline = time.monotonic() + 60
        rows = []
        while time.monotonic() < deadline:
            rows = list(Outbox.objects.filter(application__pk__gt=first).values_list("state", "created_at", "delivered_at"))
            if rows and all(r[0] == "delivered" for r in rows):
                break
            time.sleep(0.5)
        latencies = sorted((d - c).total_seconds() for s, c, d in rows if d)
        # Where the time goes (to explain the tail): commit → enqueued, enqueued → a worker starts it (polling
        # and SQLite's single writer), started → finished (the HTTP delivery and the outbox update).
        # Only the deliveries (not the periodic sweep), waiting counted from when each was due (run_after).
        tasks = list(DBTaskResult.objects.filter(started_at__isnull=False, finished_at__isnull=False,
                                                 task_path__endswith="deliver_outbox")
                     .values_list("enqueued_at", "run_after", "started_at", "finished_at"))
        tasks = [(max(e, r) if r.year < 9999 else e, s, f) for e, r, s, f in tasks]  # no run_after = year 9999
        waits = sorted((s - e).total_seconds() for e, s, f in tasks)
        runs = sorted((f - s).total_seconds() for e, s, f in tasks)
        return {
            "theme": case.page.code, "uploads_per_submission": len(case.slots),
            **web, **where,
            "handoffs": len(rows), "handoffs_delivered": len(latencies),
            "handoff_latency_p50_s": _percentile(latencies, 50),
            "handoff_latency_p95_s": _percentile(latencies, 95),
            "task_wait_p50_s": _percentile(waits, 50), "task_wait_p95_s": _percentile(waits, 95),
            "task_run_p50_s": _percentile(runs, 50), "task_run_p95_s": _percentile(runs, 95), "tasks": len(tasks),
            "database": "postgresql" if database_url.startswith("postgres") else "sqlite",
        }
    finally:
        for p in procs:
            p.kill()
            p.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


def _http_submissions(env: dict, case, submissions: int, upload: bytes, workers: int = 4, clients: int = 4) -> dict:
    """gunicorn (``workers``) on this database; ``clients`` threads POST ``submissions`` forms loaded beforehand."""
    import re
    import threading

    import requests

    port = _port()
    log = tempfile.TemporaryFile()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
                               f"127.0.0.1:{port}", "--log-level", "warning", "guide_site.wsgi:application"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(base + "/", headers={"Host": "localhost"}, timeout=30)
                break
            except requests.RequestException:
                if time.monotonic() > deadline or server.poll() is not None:
                    log.seek(0)
                    raise SystemExit("gunicorn did not start:\n" + log.read().decode(errors="replace")[-3000:]) from None
                time.sleep(0.2)
        forms = []
        began = time.perf_counter()
        for _ in range(submissions):
            session = requests.Session()
            page = session.get(base + case.url, headers={"Host": "localhost"}, timeout=30).text
            token = re.search(r'name="token" value="([^"]+)"', page).group(1)
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            forms.append((session, {**case.data(token), "csrfmiddlewaretoken": csrf}))
        form_s = time.perf_counter() - began
        files = {f"m-{m.code}": ("a.pdf", upload, "application/pdf") for m in case.slots}
        # The multipart bodies are encoded before the clock too: the load generator shares the cores it measures.
        posts = [(session, session.prepare_request(requests.Request(
            "POST", base + case.url, data=data, files=files, headers={"Host": "localhost"}))) for session, data in forms]
        statuses: list[int] = []
        lock = threading.Lock()

        def client(mine):
            for session, prepared in mine:
                r = session.send(prepared, allow_redirects=False, timeout=60)
                with lock:
                    statuses.append(r.status_code)

        threads = [threading.Thread(target=client, args=(posts[n::clients],)) for n in range(clients)]
        cpu_before = cpu.snapshot()
        began = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - began
        used = cpu.by_group(cpu_before, cpu.snapshot(), {
            "web": cpu.descendant_of(server.pid), "database": cpu.named("postgres"),
            "cache": cpu.named("redis-server"), "load_generator": lambda pid, *_: pid == os.getpid()})
    finally:
        server.terminate()
        server.wait(30)
        log.close()
    accepted = statuses.count(302)
    if accepted != submissions:
        raise SystemExit(f"{submissions - accepted} submissions not accepted: {sorted(set(statuses))}")
    # CPU per submission by process group, and how busy the machine's cores were: where the time goes, and whether
    # the figure is bound by the cores rather than by waiting.
    per = {f"cpu_ms_per_submission_{g}": round(seconds * 1000 / submissions, 1) for g, seconds in used.items()}
    return {"submissions": submissions, "submissions_per_s": round(accepted / elapsed, 1),
            "forms_loaded_one_at_a_time_per_s": round(submissions / form_s, 1), "web_workers": workers,
            "clients": clients, **per, "cores": os.cpu_count(),
            "cores_busy": round(sum(used.values()) / (elapsed * os.cpu_count()), 2)}


def _breakdown(client, case, upload: bytes, n: int) -> dict:
    """Median form load and submission in-process, and the submission's database time and query count."""
    import statistics

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    from tests.intake.conftest import token_of

    db: list[float] = []

    def timed(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            db.append(time.perf_counter() - began)

    loads, posts, db_ms, queries = [], [], [], []
    for _ in range(n):
        began = time.perf_counter()
        token = token_of(client.get(case.url, HTTP_HOST="localhost"))
        loads.append(time.perf_counter() - began)
        files = {f"m-{m.code}": SimpleUploadedFile("a.pdf", upload) for m in case.slots}
        db.clear()
        with connection.execute_wrapper(timed):
            began = time.perf_counter()
            r = client.post(case.url, {**case.data(token), **files}, HTTP_HOST="localhost")
            posts.append(time.perf_counter() - began)
        assert r.status_code == 302, r.status_code
        db_ms.append(sum(db))
        queries.append(len(db))

    def ms(values):
        return round(statistics.median(values) * 1000, 1)

    return {"form_load_ms": ms(loads), "submission_ms": ms(posts), "submission_db_ms": ms(db_ms),
            "submission_queries": int(statistics.median(queries))}


def _percentile(values: list[float], p: int) -> float | None:
    """Nearest-rank percentile of sorted values."""
    return round(values[math.ceil(len(values) * p / 100) - 1], 3) if values else None


def _two_upload_case(Case):
    """The first theme and answer path of the catalogue whose checklist needs exactly two uploads."""
    from wagtail.models import Site

    from guides.queries import site_theme, site_themes
    from screening.engine import answer_paths
    from screening.themes import screening_for

    site = Site.objects.get(is_default_site=True)
    for listed in site_themes(site).order_by("code"):
        page = site_theme(site, listed.code)
        screening = screening_for(page)
        for answers in answer_paths(screening.theme):
            import tests.intake.conftest as conftest

            conftest.THEME = page.code
            case = Case(page, screening, answers)
            case.url = f"/intake/apply/{page.code}/?{case.query}"
            if len(case.slots) == 2 and case.outcome.items:
                return case
    raise RuntimeError("no two-upload checklist in the catalogue")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--handoffs", type=int, default=50)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)  # one database, in this process
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.submissions, args.handoffs, args.profile), ensure_ascii=False))
    else:
        print(json.dumps(run(args.submissions, args.handoffs, args.profile), ensure_ascii=False, indent=2))
