"""Staff reading applications: the permission, the access log, the detail page."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from ..models import AccessLog, Application
from ..ratelimit import client_ip


def can_read_applications(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm("intake.view_application"))


def log_access(request, app: Application, action: str) -> None:
    AccessLog.objects.create(application=app, user=request.user, action=action, ip=client_ip(request))


def staff_detail(request, tracking: str):
    if not can_read_applications(request.user):
        raise Http404
    app = get_object_or_404(Application, tracking_number=tracking)
    log_access(request, app, "view")
    return TemplateResponse(request, "intake/staff_detail.html", {
        "app": app, "rows": app.field_rows(masked=True), "uploads": app.uploads.all(),
        "history": app.history.all(), "outbox": app.outbox.all(), "tasks": app.tasks.all(),
    })
