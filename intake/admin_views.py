"""Staff views inside the Wagtail admin: the application list (IDs masked), detail (every read logged), resend."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from . import handoff, tasks
from .constants import OutboxState, Status
from .models import Application, Outbox
from .validators import mask_phone
from .views import can_read_applications, log_access


def _require(request, perm: str = "intake.view_application") -> None:
    if not (can_read_applications(request.user) and request.user.has_perm(perm)):
        raise PermissionDenied


def application_list(request):
    _require(request)
    failed = Outbox.objects.filter(application=OuterRef("pk"), state=OutboxState.FAILED)
    apps = Application.objects.annotate(attention=Exists(failed)).order_by("-submitted_at")
    status = request.GET.get("status", "")
    if status in Status.values:
        apps = apps.filter(status=status)
    if request.GET.get("attention"):
        apps = apps.filter(attention=True)
    q = request.GET.get("q", "").strip().upper()
    if q:
        apps = apps.filter(tracking_number__startswith=q)
    page = Paginator(apps, 50).get_page(request.GET.get("p"))
    rows = [(a, mask_phone(a.phone)) for a in page]
    params = request.GET.copy()  # the page links keep the filters
    params.pop("p", None)
    return TemplateResponse(request, "intake/admin/list.html", {
        "page_obj": page, "rows": rows, "query": params.urlencode(), "statuses": Status.choices, "status": status,
        "attention": bool(request.GET.get("attention")), "q": q, "header_title": "办件",
    })


def application_detail(request, tracking: str):
    _require(request)
    app = get_object_or_404(Application, tracking_number=tracking)
    log_access(request, app, "admin-view")  # personal data: every staff read is recorded
    return TemplateResponse(request, "intake/admin/detail.html", {
        "app": app, "rows": app.field_rows(masked=True), "uploads": app.uploads.all(), "history": app.history.all(),
        "outbox": app.outbox.all(), "tasks": app.tasks.all(), "access": app.access_log.select_related("user")[:20],
        "header_title": f"办件 {app.tracking_number}",
    })


@require_POST
def application_resend(request, tracking: str):
    _require(request, "intake.change_application")
    app = get_object_or_404(Application, tracking_number=tracking)
    failed = list(app.outbox.filter(state=OutboxState.FAILED))
    for outbox in failed:
        handoff.resend(outbox)
        tasks.enqueue_on_commit(outbox.pk)
    log_access(request, app, "resend")
    messages.success(request, f"已重新推送 {app.tracking_number}。" if failed else "没有需要重新推送的记录。")
    return redirect("intake_admin_detail", tracking=app.tracking_number)
