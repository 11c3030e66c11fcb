"""Status changes made in the window are reported back to intake, so the applicant's progress page follows.

In the same deployment this calls intake's `workflow.transition` (what the webhook calls). When the window runs
apart from intake, set WINDOW_INTAKE_WEBHOOK_URL and the report is POSTed to intake's signed webhook instead
(intake/webhooks.py: body JSON, header X-Intake-Signature), after the window's transaction commits.
A report never blocks the window: a refusal is logged and recorded on the case's timeline.
"""

from __future__ import annotations

import http.client
import json
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

log = logging.getLogger("window.reporting")


def report(case, status: str, *, note: str = "", problems: list[str] | None = None,
           results: dict[str, dict] | None = None, fix: dict | None = None, delivery: dict | None = None) -> str:
    """Tell intake that ``case`` is now ``status`` (an intake Status value); returns what happened.

    ``fix``: the codes of the materials and fields returned for correction; ``delivery``: how to collect the
    results (download_url, pickup_code, pickup_place, waybill_number), which may come without a status change.
    """
    url = getattr(settings, "WINDOW_INTAKE_WEBHOOK_URL", "")
    if url:
        body = {"tracking_number": case.tracking_number, "status": status, "note": note,
                "problems": problems or [], "results": results or {}, "fix": fix or {}, "delivery": delivery or {}}
        transaction.on_commit(lambda: _post(url, body))
        return "queued"
    from intake.models import Application
    from intake.workflow import (
        InvalidTransition,
        clean_delivery_info,
        record_decisions,
        record_delivery_info,
        transition,
    )

    app = Application.objects.filter(tracking_number=case.tracking_number).first()
    if app is None:
        return "unknown"  # received over HTTP from an intake this deployment does not hold
    record_delivery_info(app, clean_delivery_info(delivery))
    try:
        if app.status == status and status != "returned":
            # The same rule as the webhook: a repeated report is not an error; in approval it may bring a
            # department's decision.
            if status == "in_approval" and results:
                return "reported" if record_decisions(app, results) else "unchanged"
            return "unchanged"
        transition(app, status, by="综合窗口", note=note, problems=problems, results=results, fix=fix)
    except InvalidTransition as exc:
        log.warning("intake refused %s → %s for %s: %s", exc.current, exc.target, case.tracking_number, exc)
        from .models import Event

        Event.objects.create(case=case, action="进度同步失败", by="系统", note=f"申请端拒绝：{exc}")
        return "refused"
    return "reported"


def _post(url: str, body: dict) -> None:
    from intake.signing import sign

    raw = json.dumps(body, ensure_ascii=False).encode()
    parts = urlsplit(url)
    conn_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = conn_class(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("POST", parts.path or "/", raw, {"Content-Type": "application/json",
                                                      "X-Intake-Signature": sign(raw, settings.INTAKE_HANDOFF_SECRET)})
        status = conn.getresponse().status
        if status >= 300:
            log.warning("intake webhook answered %s for %s", status, body["tracking_number"])
    except (OSError, http.client.HTTPException) as exc:
        log.warning("intake webhook unreachable for %s: %s", body["tracking_number"], exc)
    finally:
        conn.close()
