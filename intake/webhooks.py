"""The approval backend reports status changes here: ``POST /intake/webhook/``, signed like the hand-off.

Body (JSON): ``{"tracking_number": "6109…" (20 digits, intake.tracking), "status": "accepted|returned|in_approval|
completed|partly_rejected|delivered", "note": "…", "problems": ["…"] (returned), "results": {"<item code>":
{"status": "approved|rejected", "note": "…"}} (completed/partly_rejected; with "in_approval", each department's
decision as it is made), "fix": {"materials": ["<code>"],
"fields": ["<code>"]} (returned, optional), "delivery": {"download_url"|"pickup_code"|"pickup_place"|
"waybill_number": "…"} (optional, any status)}``;
header ``X-Intake-Signature: sha256=<HMAC-SHA256 of the body>``.
Answers: 200 {"status": …}; 403 bad signature; 400 malformed (a tracking number against the rule: "malformed
tracking number" with the broken part as "reason"); 404 unknown tracking number; 409 invalid transition.
A repeated report of the status the application already has answers 200 (the backend may retry); its "delivery"
is still recorded, which is how a waybill number sent after issuing arrives.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from guides.sites import site_free

from .constants import Status
from .models import Application
from .signing import verify
from .tracking import MalformedNumber, parse
from .workflow import InvalidTransition, clean_delivery_info, record_decisions, record_delivery_info, transition

log = logging.getLogger("intake.webhook")
MAX_BODY = 256 * 1024


@site_free  # checks the signature before anything else, the database and the cache included
@csrf_exempt  # machine-to-machine: authenticated by the HMAC signature, not by a browser session
@require_POST
def webhook(request):
    body = request.body[: MAX_BODY + 1]
    if not verify(body, settings.INTAKE_HANDOFF_SECRET, request.headers.get("X-Intake-Signature")):
        log.warning("webhook with a bad signature from %s", request.META.get("REMOTE_ADDR"))
        return JsonResponse({"error": "bad signature"}, status=403)
    if len(body) > MAX_BODY:
        return JsonResponse({"error": "body too large"}, status=400)
    try:
        data = json.loads(body)
        number, status = str(data["tracking_number"]), str(data["status"])
        problems = data.get("problems") or []
        results = data.get("results") or {}
        fix = data.get("fix") or {}
        if not all(isinstance(v, t) for v, t in ((problems, list), (results, dict), (fix, dict))):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "malformed body"}, status=400)
    try:
        parse(number)
    except MalformedNumber as exc:
        return JsonResponse({"error": "malformed tracking number", "tracking_number": number, "reason": exc.reason,
                             "detail": str(exc)}, status=400)
    try:
        delivery = clean_delivery_info(data.get("delivery"))
    except ValueError as exc:
        return JsonResponse({"error": "malformed body", "detail": str(exc)}, status=400)
    app = Application.objects.filter(tracking_number=number).first()
    if app is None:
        return JsonResponse({"error": "unknown tracking number"}, status=404)
    try:
        with transaction.atomic():
            unchanged = app.status == status and status != "returned"
            if not unchanged:
                transition(app, status, by="审批系统", note=str(data.get("note", ""))[:2000], problems=problems,
                           results=results, fix=fix)
            elif status == Status.IN_APPROVAL:
                record_decisions(app, results)  # a department's decision before the others
            record_delivery_info(app, delivery)
    except InvalidTransition as exc:
        return JsonResponse({"error": "invalid transition", "from": exc.current, "to": exc.target,
                             "detail": str(exc)}, status=409)
    if unchanged:
        return JsonResponse({"tracking_number": number, "status": app.status, "unchanged": True})
    return JsonResponse({"tracking_number": number, "status": app.status})
