"""Application status transitions, in one place. Anything that changes an application's status calls `transition`."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from . import signals
from .constants import DELIVERY_INFO_KEYS, Status, TaskStatus
from .models import Application, ApprovalTask, StatusChange

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.SUBMITTED: frozenset({Status.ACCEPTED, Status.RETURNED}),
    # A returned application is corrected and comes back as submitted.
    Status.RETURNED: frozenset({Status.SUBMITTED}),
    Status.ACCEPTED: frozenset({Status.IN_APPROVAL}),
    Status.IN_APPROVAL: frozenset({Status.COMPLETED, Status.PARTLY_REJECTED}),
    Status.COMPLETED: frozenset({Status.DELIVERED}),
    Status.PARTLY_REJECTED: frozenset({Status.DELIVERED}),
    Status.DELIVERED: frozenset(),
}


class InvalidTransition(ValueError):
    def __init__(self, current: str, target: str, reason: str = ""):
        self.current, self.target = current, target
        super().__init__(reason or f"cannot go from {current} to {target}")


def allowed(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def transition(application: Application, target: str, *, by: str, note: str = "",
               problems: list[str] | None = None, results: dict[str, dict] | None = None,
               fix: dict | None = None) -> Application:
    """Move ``application`` to ``target`` or raise InvalidTransition; returns the fresh, locked row's state.

    ``problems``: for RETURNED, the exact list of what the applicant must fix (required, non-empty).
    ``fix``: for RETURNED, optionally the codes behind ``problems``: {"materials": [...], "fields": [...]}, so the
    correction page asks again for exactly those.
    ``results``: for COMPLETED/PARTLY_REJECTED, item code -> {"status": approved|rejected, "note": ...}.
    """
    if target not in Status.values:
        raise InvalidTransition(application.status, target, f"unknown status {target}")
    with transaction.atomic():
        # Lock the row: two webhooks for one application must not both pass the check on a stale status.
        app = Application.objects.select_for_update().get(pk=application.pk)
        if not allowed(app.status, target):
            raise InvalidTransition(app.status, target)
        problems = [str(p).strip() for p in problems or [] if str(p).strip()]
        if target == Status.RETURNED and not problems:
            raise InvalidTransition(app.status, target, "a return must list what to fix")
        previous = app.status
        app.status = target
        app.return_reasons = problems if target == Status.RETURNED else app.return_reasons
        if target == Status.RETURNED:
            app.return_fix = clean_fix(fix, app)
        if target == Status.IN_APPROVAL:
            ApprovalTask.objects.bulk_create(
                [ApprovalTask(application=app, item_code=i["code"], item_name=i.get("name", i["code"]))
                 for i in app.items],
                ignore_conflicts=True,
            )
        if target in (Status.COMPLETED, Status.PARTLY_REJECTED):
            _record_results(app, target, results or {})
        if target == Status.DELIVERED:
            app.finished_at = timezone.now()
        app.save(update_fields=["status", "return_reasons", "return_fix", "finished_at"])
        change = StatusChange.objects.create(application=app, from_status=previous, to_status=target, by=by,
                                             note=note, problems=problems)
        signals.status_changed.send(sender=Application, application=app, change=change)
    application.refresh_from_db()
    return application


def clean_fix(fix, app: Application) -> dict[str, list[str]]:
    """Only codes the application has: a backend cannot ask for a material or field that was never part of it."""
    if not isinstance(fix, dict):
        return {}
    known = {"materials": {u.material_code for u in app.current_uploads},
             "fields": {f["code"] for f in app.form_fields}}
    out = {}
    for key, codes in known.items():
        asked = fix.get(key) or []
        if not isinstance(asked, list):
            raise InvalidTransition(app.status, Status.RETURNED, f"fix.{key} must be a list")
        unknown = sorted({str(c) for c in asked} - codes)
        if unknown:
            raise InvalidTransition(app.status, Status.RETURNED, f"fix.{key}: unknown codes {unknown}")
        if asked:
            out[key] = list(dict.fromkeys(str(c) for c in asked))
    return out


def clean_delivery_info(info) -> dict[str, str]:
    """The backend's word on collecting the results (link, pickup code, waybill), checked; ValueError if malformed."""
    if not info:
        return {}
    if not isinstance(info, dict) or set(info) - set(DELIVERY_INFO_KEYS):
        raise ValueError(f"delivery keys must be among {list(DELIVERY_INFO_KEYS)}")
    clean = {k: str(v).strip()[:500] for k, v in info.items() if str(v).strip()}
    if clean.get("download_url", "https://").split("://")[0] not in ("http", "https"):
        raise ValueError("delivery.download_url must be an http(s) URL")
    return clean


def record_delivery_info(application: Application, info: dict[str, str]) -> None:
    """Merge checked delivery info into the application. Apart from `transition` because a waybill number comes
    after the result is issued, without a status change."""
    if not info:
        return
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=application.pk)
        app.delivery_info = {**app.delivery_info, **info}
        app.save(update_fields=["delivery_info"])
    application.refresh_from_db()


def record_decisions(application: Application, results: dict[str, dict]) -> int:
    """Departments' decisions as they come, while the application is in approval (the final report carries them all
    again); returns how many were new. Only a pending item can be decided: a repeated report changes nothing."""
    if not results:
        return 0
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=application.pk)
        if app.status != Status.IN_APPROVAL:
            raise InvalidTransition(app.status, app.status, "decisions are reported while in approval")
        tasks = {t.item_code: t for t in app.tasks.all()}
        unknown = set(results) - set(tasks)
        if unknown:
            raise InvalidTransition(app.status, app.status, f"unknown items {sorted(unknown)}")
        recorded = 0
        for code, result in results.items():
            status = result.get("status") if isinstance(result, dict) else None
            if status not in (TaskStatus.APPROVED, TaskStatus.REJECTED):
                raise InvalidTransition(app.status, app.status, f"bad result for {code}")
            task = tasks[code]
            if task.status != TaskStatus.PENDING:
                continue
            task.status, task.note = status, str(result.get("note", ""))[:2000]
            task.save(update_fields=["status", "note"])
            signals.decided.send(sender=Application, application=app, task=task)
            recorded += 1
    return recorded


def _record_results(app: Application, target: str, results: dict[str, dict]) -> None:
    tasks = {t.item_code: t for t in app.tasks.all()}
    unknown = set(results) - set(tasks)
    if unknown:
        raise InvalidTransition(app.status, target, f"unknown items {sorted(unknown)}")
    for code, result in results.items():
        status = result.get("status")
        if status not in (TaskStatus.APPROVED, TaskStatus.REJECTED):
            raise InvalidTransition(app.status, target, f"bad result for {code}")
        tasks[code].status, tasks[code].note = status, str(result.get("note", ""))
        tasks[code].save(update_fields=["status", "note"])
    statuses = {t.status for t in tasks.values()}
    if TaskStatus.PENDING in statuses:
        raise InvalidTransition(app.status, target, "items still pending")
    # The outcome must match the results: all approved = completed; any rejected = partly rejected.
    expected = Status.PARTLY_REJECTED if TaskStatus.REJECTED in statuses else Status.COMPLETED
    if expected != target:
        raise InvalidTransition(app.status, target, f"results say {expected}")
