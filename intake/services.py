"""Writing applications: tracking numbers and the submission transaction (application + uploads + outbox)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from guides.extensions import site_root

from . import signals
from .constants import Status
from .models import Application, Draft, Outbox, RegionSequence, StatusChange, Upload
from .tracking import REGION_RE, format_number

log = logging.getLogger("intake")
CITY_REGION = "610900"  # 安康市: where a site has no region code of its own (INTAKE_REGION_CODE overrides)


def default_region() -> str:
    region = getattr(settings, "INTAKE_REGION_CODE", CITY_REGION)
    if not REGION_RE.fullmatch(region):
        raise ImproperlyConfigured(f"INTAKE_REGION_CODE={region!r} is not a 6-digit GB/T 2260 region code")
    return region


def next_tracking_number(site=None, day=None) -> str:
    """The site's region code + yyyymmdd + the region's next sequence that day (intake.tracking), gap-free per region
    and day unless the surrounding transaction rolls back.

    Call it first in the transaction that stores the number. One statement, no retries: an upsert that adds one to
    the (region, day) counter and returns it, the region read from the site's home page (its region code, else
    `default_region`) by a subquery of the same statement. On PostgreSQL the row it inserts or updates stays locked
    until commit, so a concurrent caller waits and then reads our value; on SQLite, being a write, it takes the
    database write lock at the start of the transaction, so concurrent allocations queue on the busy timeout instead
    of failing on a read-to-write lock upgrade. (It replaced insert-if-missing, SELECT … FOR UPDATE and UPDATE: five
    round trips with the savepoint, of the 27 queries a submission made.)
    """
    day = day or timezone.localdate()
    quote = connection.ops.quote_name
    table = quote(RegionSequence._meta.db_table)
    region_sql, params = "%s", [default_region()]
    home = site_root()
    if site is not None and home is not None:
        column = quote(home._meta.get_field("region_code").column)
        region_sql = (f"COALESCE((SELECT NULLIF({column}, '') FROM {quote(home._meta.db_table)} "
                      f"WHERE {quote(home._meta.pk.column)} = %s), %s)")
        params = [site.root_page_id, *params]
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (region, day, last) VALUES ({region_sql}, %s, 1) "
                       f"ON CONFLICT (region, day) DO UPDATE SET last = {table}.last + 1 RETURNING region, last",
                       [*params, day])
        region, last = cursor.fetchone()
    return format_number(region, day, last)


def submit(*, token: str, applicant, site, theme_code: str, theme_title: str, answers: dict, items: list[dict],
           specs, values: dict[str, str], delivery: str, phone: str) -> tuple[Application, bool]:
    """(application, created). The same token twice returns the first application: a double click, a retried
    request or a back-button resubmission makes one application.

    No lookup first (the form view has made one): a second submission of a token fails the unique constraint, and
    its rolled-back transaction gives back the tracking number it drew."""
    try:
        with transaction.atomic():
            app = Application.objects.create(
                tracking_number=next_tracking_number(site),
                submission_token=token,
                applicant=applicant,
                theme_code=theme_code,
                theme_title=theme_title,
                site=site,
                answers=answers,
                values=values,
                form_fields=[{"code": s.code, "label": s.label, "type": s.type} for s in specs],
                items=items,
                delivery=delivery,
                phone=phone,
            )
            Upload.objects.filter(token=token, application__isnull=True).update(application=app)
            Draft.objects.filter(token=token).delete()  # the draft it was (in here: no transaction of its own)
            change = StatusChange.objects.create(application=app, from_status="", to_status=Status.SUBMITTED,
                                                 by="申请人", note="网上提交")
            signals.submitted.send(sender=Application, application=app, change=change)
            # The outbox row commits with the application or not at all: no application is left without a
            # hand-off, and no hand-off refers to an application that was rolled back.
            outbox = Outbox.objects.create(application=app, backend=settings.INTAKE_HANDOFF_BACKEND)
            from .tasks import enqueue_on_commit

            enqueue_on_commit(outbox.pk)
    except IntegrityError:
        # The token was submitted before, or a concurrent request with it won the unique constraint.
        existing = Application.objects.filter(submission_token=token).first()
        if existing is None:
            raise
        return existing, False
    log.info("application %s submitted for %s", app.tracking_number, theme_code)
    return app, True


class NotReturned(ValueError):
    """Only an application returned for correction may be resubmitted."""


def resubmit(app: Application, *, token: str, values: dict[str, str]) -> Application:
    """补正后重新提交: the corrected values and the files uploaded under ``token`` replace the old ones, the
    version goes up, and a new hand-off is queued in the same transaction (the window sees what changed)."""
    from .workflow import transition

    with transaction.atomic():
        row = Application.objects.select_for_update().get(pk=app.pk)
        if row.status != Status.RETURNED:
            raise NotReturned(row.status)
        now = timezone.now()
        fresh = list(Upload.objects.filter(token=token, application__isnull=True))
        row.current_uploads.filter(material_code__in=[u.material_code for u in fresh]).update(superseded_at=now)
        Upload.objects.filter(pk__in=[u.pk for u in fresh]).update(application=row)
        row.values = {**row.values, **values}
        row.version += 1
        row.save(update_fields=["values", "version"])
        transition(row, Status.SUBMITTED, by="申请人", note=f"补正后重新提交（第{row.version}版）")
        outbox = Outbox.objects.create(application=row, backend=settings.INTAKE_HANDOFF_BACKEND)
        from .tasks import enqueue_on_commit

        enqueue_on_commit(outbox.pk)
    log.info("application %s resubmitted as version %d", row.tracking_number, row.version)
    app.refresh_from_db()
    return app
