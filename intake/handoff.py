"""The hand-off document (docs/handoff.schema.json) and the outbox delivery logic the tasks run.

Delivery is at-least-once: the outbox row is written with the application, a task delivers it, failures are
retried with exponential backoff, and a delivery interrupted by a crash is retried once its lease expires. The
receiver de-duplicates by the Idempotency-Key (the tracking number).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone

from .backends import DeliveryError, get_backend
from .constants import OutboxState
from .models import Application, Outbox
from .retries import Policy

log = logging.getLogger("intake.handoff")
SCHEMA_ID = "https://ankang.example/intake/handoff.schema.json"
SCHEMA_VERSION = 1


def document(app: Application) -> dict:
    """The JSON document for the approval backend: everything needed to process the application."""
    fields = [{"code": f["code"], "label": f.get("label", f["code"]), "type": f.get("type", "text"),
               "value": app.values.get(f["code"], "")} for f in app.form_fields]
    return {
        "schema_version": SCHEMA_VERSION,
        "tracking_number": app.tracking_number,
        "version": app.version,
        "submitted_at": app.submitted_at.isoformat(),
        "site": app.site.hostname if app.site_id else "",
        "theme": {"code": app.theme_code, "title": app.theme_title},
        "answers": app.answers,
        "items": [{"code": i["code"], "name": i.get("name", i["code"])} for i in app.items],
        "fields": fields,
        "delivery": app.delivery,
        "contact_phone": app.phone,
        "materials": [
            {"code": u.material_code, "name": u.material_name, "file_name": u.original_name,
             "content_type": u.content_type, "size": u.size, "sha256": u.sha256, "id": str(u.key)}
            for u in app.current_uploads
        ],
    }


def idempotency_key(document: dict) -> str:
    """The tracking number for the first submission; a corrected resubmission is a new delivery, so a receiver
    that de-duplicates by key must not take it for a retry of the first."""
    version = document.get("version", 1)
    return document["tracking_number"] if version == 1 else f"{document['tracking_number']}-v{version}"


def policy() -> Policy:
    """Read at each use: settings may change under a running process's tests."""
    return Policy(pending=OutboxState.PENDING, failed=OutboxState.FAILED,
                  backoff_base=settings.INTAKE_HANDOFF_BACKOFF_BASE, backoff_max=settings.INTAKE_HANDOFF_BACKOFF_MAX,
                  lease=settings.INTAKE_HANDOFF_LEASE, max_attempts=settings.INTAKE_HANDOFF_MAX_ATTEMPTS)


def backoff(attempts: int) -> float:
    return policy().backoff(attempts)


def deliver(outbox_id: int) -> str:
    """One delivery attempt of an outbox row; returns what happened (for the task result)."""
    if not policy().claim(Outbox, outbox_id):
        return "skipped"
    outbox = Outbox.objects.select_related("application", "application__site").get(pk=outbox_id)
    app = outbox.application
    try:
        doc = document(app)
        result = get_backend(outbox.backend).deliver(doc, idempotency_key=idempotency_key(doc))
    except Exception as exc:  # any failure is recorded on the row; the worker must not lose it
        retry = exc.retry if isinstance(exc, DeliveryError) else True
        return _failed(outbox, f"{exc.__class__.__name__}: {exc}", retry)
    Outbox.objects.filter(pk=outbox.pk).update(state=OutboxState.DELIVERED, delivered_at=timezone.now(),
                                               locked_until=None, last_error="")
    log.info("hand-off %s delivered on attempt %d%s", app.tracking_number, outbox.attempts,
             " (receiver already had it)" if result.duplicate else "")
    return "delivered"


def _failed(outbox: Outbox, error: str, retry: bool) -> str:
    tracking = outbox.application.tracking_number
    outcome = policy().fail(Outbox, outbox.pk, outbox.attempts, error, retry=retry)
    if outcome == "retry":
        log.warning("hand-off %s attempt %d failed, will retry: %s", tracking, outbox.attempts, error)
    else:
        log.error("hand-off %s failed after %d attempts, needs attention: %s", tracking, outbox.attempts, error)
    return outcome


def due() -> list[int]:
    return policy().due(Outbox)


def resend(outbox: Outbox) -> None:
    policy().reset(Outbox, outbox.pk)
