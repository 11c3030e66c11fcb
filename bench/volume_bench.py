"""Staff pages and the progress lookup at 1,000 and at 100,000 cases, on a throwaway PostgreSQL cluster.

    .venv/bin/python -m bench.volume_bench [--large 100000]     # prints JSON

How the data set is made, without bypassing the model's rules:

1. **Templates through the real code.** 24 applications are submitted through the intake form (the test client,
   two uploads each, content-checked), handed off in-process to the window (`window` backend, tasks run
   immediately), and walked by the window's services to every state: received, returned for correction, in
   approval, decided, issued, delivered and rated (a bad rating opens a follow-up). Each step goes through
   `window.services.move`, so every template's history is a path of allowed transitions.
2. **Copies of whole templates.** Each copy repeats one template's rows (application, status history, approval
   tasks, outbox; case, versions, tasks, timeline, rating, follow-up) with a new tracking number in the real format
   (the site's region code + day + the region's next sequence that day, and `RegionSequence` raised to match, so
   later submissions never collide), its timestamps moved back by whole days (spread over a year), the source site
   rotated among the sites (the document's `site` with it), deadlines and working days taken recomputed on the working-day calendar for the new
   dates, and the version digests recomputed. Uploads are not copied: their files belong to the templates.

Pages are fetched in-process (Django test client, signed-in staff), each 15 times after one warm-up; the figure is
the median. The same run measures both sizes, so the ratio compares like with like.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = 24
FATES = ("received", "returned", "in_approval", "decided", "issued", "delivered")
REPEAT = 15


def _templates(client) -> None:
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bench.intake_bench import _two_upload_case
    from tests.intake.conftest import PDF, Case, token_of
    from window import services
    from window.models import Case as WindowCase

    case = _two_upload_case(Case)
    user = get_user_model().objects.create_user("bench-staff")
    for n in range(TEMPLATES):
        token = token_of(client.get(case.url, HTTP_HOST="localhost"))
        files = {f"m-{m.code}": SimpleUploadedFile("a.pdf", PDF * 200) for m in case.slots}
        assert client.post(case.url, {**case.data(token), **files}, HTTP_HOST="localhost").status_code == 302
        c = WindowCase.objects.order_by("-pk").first()
        fate = FATES[n % len(FATES)]
        if fate == "returned":
            services.return_for_correction(c, user=user, problems=["材料不清晰，请重新上传"])
            continue
        if fate == "received":
            continue
        services.accept(c, user=user, site=c.site)
        if fate == "in_approval":
            continue
        for task in c.tasks.all():
            services.decide(task, user=user, approve=True, licence_number=f"L-{task.item_code}")
        c.refresh_from_db()
        if fate == "decided":
            continue
        services.issue(c, user=user)
        if fate == "delivered":
            c.refresh_from_db()
            services.record_pickup(c, user=user, code=c.pickup_code)
            services.rate(c, score=1 + n % 5)


def _multiply(total: int) -> None:
    """Copies of the templates until there are ``total`` cases (see the module's docstring)."""
    from django.db import transaction
    from django.utils import timezone
    from wagtail.models import Site

    from intake.models import Application, ApprovalTask, Outbox, RegionSequence, StatusChange
    from intake.services import default_region
    from intake.tracking import format_number
    from window import calendar, services, themes, workdays
    from window.constants import FOLLOW_UP_WORKDAYS
    from window.models import Case, CaseVersion, Event, FollowUp, Rating, Task

    exceptions = workdays.exceptions()
    add_memo: dict = {}

    def add(day, days):
        if (day, days) not in add_memo:
            add_memo[(day, days)] = calendar.add_workdays(day, days, exceptions)
        return add_memo[(day, days)]

    sites = list(Site.objects.order_by("pk"))
    # As next_tracking_number reads it: the site's home page's region code, else the default.
    regions = {pk: code or default_region()
               for pk, code in Site.objects.values_list("pk", "root_page__homepage__region_code")}
    templates = list(Case.objects.filter(pk__in=Case.objects.order_by("pk").values("pk")[:TEMPLATES]).order_by("pk"))
    apps = {a.tracking_number: a for a in Application.objects.filter(tracking_number__in=[t.tracking_number
                                                                                           for t in templates])}
    children = {
        "history": _by(StatusChange.objects.all(), "application_id"),
        "approval": _by(ApprovalTask.objects.all(), "application_id"),
        "outbox": _by(Outbox.objects.all(), "application_id"),
        "versions": _by(CaseVersion.objects.all(), "case_id"),
        "tasks": _by(Task.objects.all(), "case_id"),
        "events": _by(Event.objects.all(), "case_id"),
        "rating": _by(Rating.objects.all(), "case_id"),
        "follow_up": _by(FollowUp.objects.all(), "rating_id"),
    }
    last = {(region, day): n for region, day, n in RegionSequence.objects.values_list("region", "day", "last")}
    start = Case.objects.count()
    batch = 2000
    for first in range(start, total, batch):
        plan = []
        for k in range(first, min(first + batch, total)):
            t = templates[k % len(templates)]
            delta = timedelta(days=1 + (k // len(templates)) % 365)
            day = timezone.localdate(t.submitted_at - delta)
            site = sites[k % len(sites)]
            key = (regions[site.pk], day)
            last[key] = last.get(key, 0) + 1
            plan.append((t, delta, format_number(*key, last[key]), site))
        with transaction.atomic():
            new_apps = [_copy(apps[t.tracking_number], t.tracking_number, number, delta, site=site,
                              submission_token=secrets.token_urlsafe(24)) for t, delta, number, site in plan]
            Application.objects.bulk_create(new_apps)
            rows = {StatusChange: [], ApprovalTask: [], Outbox: []}
            for (t, delta, number, _), app in zip(plan, new_apps, strict=True):
                old = apps[t.tracking_number].pk
                rows[StatusChange] += [_copy(r, t.tracking_number, number, delta, application_id=app.pk)
                                       for r in children["history"].get(old, [])]
                rows[ApprovalTask] += [_copy(r, t.tracking_number, number, delta, application_id=app.pk)
                                       for r in children["approval"].get(old, [])]
                rows[Outbox] += [_copy(r, t.tracking_number, number, delta, application_id=app.pk)
                                 for r in children["outbox"].get(old, [])]
            for model, objs in rows.items():
                model.objects.bulk_create(objs)
            new_cases = []
            for t, delta, number, site in plan:
                c = _copy(t, t.tracking_number, number, delta, site_id=site.pk)
                c.document["site"] = site.hostname
                if c.accepted_at:
                    c.due_date = add(timezone.localdate(c.accepted_at), c.promised_days)
                if c.issued_at:
                    c.workdays_taken = calendar.workdays_between(timezone.localdate(c.accepted_at),
                                                                 timezone.localdate(c.issued_at), exceptions)
                new_cases.append(c)
            Case.objects.bulk_create(new_cases)
            versions, tasks, events, ratings, follow_ups = [], [], [], [], []
            for (t, delta, number, site), c in zip(plan, new_cases, strict=True):
                for v in children["versions"].get(t.pk, []):
                    v = _copy(v, t.tracking_number, number, delta, case_id=c.pk)
                    v.document["site"] = site.hostname
                    v.digest = services.digest(v.document)
                    versions.append(v)
                tasks += [_copy(r, t.tracking_number, number, delta, case_id=c.pk, due_date=c.due_date)
                          for r in children["tasks"].get(t.pk, [])]
                events += [_copy(r, t.tracking_number, number, delta, case_id=c.pk)
                           for r in children["events"].get(t.pk, [])]
                for r in children["rating"].get(t.pk, []):
                    rating = _copy(r, t.tracking_number, number, delta, case_id=c.pk)
                    ratings.append((rating, children["follow_up"].get(r.pk, [])))
            CaseVersion.objects.bulk_create(versions)
            Task.objects.bulk_create(tasks)
            Event.objects.bulk_create(events)
            Rating.objects.bulk_create([r for r, _ in ratings])
            for rating, fs in ratings:  # due FOLLOW_UP_WORKDAYS working days after the rating, as services.rate
                follow_ups += [_copy(f, "", "", delta, rating_id=rating.pk,
                                     due_date=add(timezone.localdate(rating.at), FOLLOW_UP_WORKDAYS)) for f in fs]
            FollowUp.objects.bulk_create(follow_ups)
    RegionSequence.objects.bulk_create([RegionSequence(region=r, day=d, last=n) for (r, d), n in last.items()],
                                       update_conflicts=True, unique_fields=["region", "day"], update_fields=["last"])
    themes.changed()  # bulk_create sends no post_save
    _analyze()


def _by(queryset, key: str) -> dict:
    out: dict = {}
    for row in queryset.order_by("pk"):
        out.setdefault(getattr(row, key), []).append(row)
    return out


def _copy(row, old: str, new: str, delta: timedelta, **changes):
    """A new unsaved row like ``row``: the tracking number replaced in every text, every instant moved by delta."""
    from django.db import models

    copy = type(row)()
    for field in row._meta.concrete_fields:
        if field.primary_key:
            continue
        value = getattr(row, field.attname)
        if isinstance(field, models.FileField):
            value = value.name
        elif isinstance(field, models.DateTimeField) and value is not None:
            value = value - delta
        elif isinstance(field, models.JSONField) and old:
            value = json.loads(json.dumps(value, ensure_ascii=False).replace(old, new))
        elif isinstance(value, str) and old:
            value = value.replace(old, new)
        setattr(copy, field.attname, value)
    for key, value in changes.items():
        setattr(copy, key, value)
    return copy


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:  # fresh planner statistics, as autovacuum would have after a day
        cursor.execute("ANALYZE")


def _measure(client, staff: dict, sample) -> dict:
    from django.urls import reverse

    def median_ms(user, method, url, data=None, **extra) -> float:
        client.force_login(user)
        times = []
        for n in range(REPEAT + 1):
            began = time.perf_counter()
            r = getattr(client, method)(url, data or {}, **extra, REMOTE_ADDR=f"10.0.{n // 250}.{n % 250}")
            elapsed = time.perf_counter() - began
            assert r.status_code == 200, (url, r.status_code)
            if n:  # the first is the warm-up
                times.append(elapsed)
        return round(statistics.median(times) * 1000, 2)

    return {
        "queue_city_ms": median_ms(staff["city"], "get", reverse("window:queue")),
        "queue_county_ms": median_ms(staff["county"], "get", reverse("window:queue")),
        "tasks_ms": median_ms(staff["reviewer"], "get", reverse("window:tasks")),
        "case_page_ms": median_ms(staff["city"], "get", reverse("window:case", args=[sample.tracking_number])),
        "dashboard_ms": median_ms(staff["supervisor"], "get", reverse("window:dashboard")),
        "progress_ms": median_ms(staff["city"], "post", reverse("intake:progress"),
                                 {"tracking_number": sample.tracking_number, "phone": sample.contact_phone}),
    }


def _staff() -> dict:
    from django.contrib.auth import get_user_model
    from wagtail.models import Site

    from window.constants import Role
    from window.models import Task, WindowRole

    User = get_user_model()
    county = Site.objects.filter(is_default_site=False).order_by("pk").first()
    department = Task.objects.values_list("department_code", flat=True).order_by("department_code").first()
    roles = {"city": (Role.CLERK, Site.objects.get(is_default_site=True), ""), "county": (Role.CLERK, county, ""),
             "reviewer": (Role.REVIEWER, None, department), "supervisor": (Role.SUPERVISOR, None, "")}
    out = {}
    for name, (role, site, code) in roles.items():
        out[name] = User.objects.create_user(f"bench-{name}")
        WindowRole.objects.create(user=out[name], role=role, site=site, department_code=code)
    return out


def run_here(large: int) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from window.models import Case

    settings.ALLOWED_HOSTS = ["*"]
    settings.INTAKE_PROGRESS_RATE = (10**6, 600)  # the lookup is measured, not its rate limit
    call_command("migrate", "--noinput", verbosity=0)
    call_command("import_catalogue", "--no-progress", verbosity=0)
    call_command("seed_workdays", verbosity=0)
    client = Client()
    began = time.perf_counter()
    _templates(client)
    staff = _staff()
    out: dict = {"templates": TEMPLATES, "template_s": round(time.perf_counter() - began, 1)}
    for size in (1000, large):
        began = time.perf_counter()
        _multiply(size)
        out[f"build_{size}_s"] = round(time.perf_counter() - began, 1)
        sample = Case.objects.filter(status="in_approval").order_by("-pk").first()
        out[str(size)] = {"cases": Case.objects.count(), **_measure(client, staff, sample)}
    small, big = out["1000"], out[str(large)]
    out["ratio"] = {k: round(big[k] / small[k], 2) for k in small if k.endswith("_ms")}
    out["worst_ratio"] = max(out["ratio"].values())
    return out


def run(large: int = 100_000) -> dict:
    """Starts the cluster and measures in a child process (its own Django settings and database)."""
    from bench import pg

    uploads = tempfile.mkdtemp(prefix="bench-volume-uploads-")
    try:
        with pg.cluster() as url:
            env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.pg_settings", "DATABASE_URL": url,
                   "GUIDE_TASKS_BACKEND": "immediate", "INTAKE_HANDOFF_BACKEND": "window",
                   "INTAKE_STORAGE_DIR": uploads}
            out = subprocess.run([sys.executable, "-m", "bench.volume_bench", "--here", "--large", str(large)],
                                 cwd=ROOT, env=env, capture_output=True, text=True)
    finally:
        shutil.rmtree(uploads, ignore_errors=True)
    if out.returncode:
        raise SystemExit(f"volume bench failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--here", action="store_true", help=argparse.SUPPRESS)  # the child: DATABASE_URL is set
    args = parser.parse_args()
    print(json.dumps(run_here(args.large) if args.here else run(args.large), ensure_ascii=False))


if __name__ == "__main__":
    main()
