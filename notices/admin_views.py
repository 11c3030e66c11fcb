"""The 通知 list in the Wagtail admin: every message with its state, recipients masked; failed ones can be resent.

Staff who may read applications and hold notices.view_notice see it; resending needs notices.change_notice."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from . import delivery
from .constants import Channel, Event, State
from .models import Notice
from .tasks import enqueue_on_commit


def can_view(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm("notices.view_notice"))


def _require(request, perm: str = "notices.view_notice") -> None:
    if not (can_view(request.user) and request.user.has_perm(perm)):
        raise PermissionDenied


def notice_list(request):
    _require(request)
    rows = Notice.objects.select_related("application").order_by("-created_at", "-pk")
    chosen = {}
    for name, choices in (("state", State), ("event", Event), ("channel", Channel)):
        value = request.GET.get(name, "")
        if value in choices.values:
            rows = rows.filter(**{name: value})
            chosen[name] = value
    q = request.GET.get("q", "").strip().upper()
    if q:
        rows = rows.filter(application__tracking_number__startswith=q)
    page = Paginator(rows, 50).get_page(request.GET.get("p"))
    params = request.GET.copy()  # the page links keep the filters
    params.pop("p", None)
    return TemplateResponse(request, "notices/admin/list.html", {
        "page_obj": page, "query": params.urlencode(), "q": q,
        "filters": [(name, label, choices.choices, chosen.get(name, "")) for name, label, choices in
                    (("state", "状态", State), ("event", "节点", Event), ("channel", "渠道", Channel))],
        "can_resend": request.user.has_perm("notices.change_notice"), "header_title": "通知",
    })


@require_POST
def notice_resend(request, pk: int):
    _require(request, "notices.change_notice")
    notice = get_object_or_404(Notice, pk=pk, state=State.FAILED)
    delivery.resend(notice)
    enqueue_on_commit([notice.pk])
    messages.success(request, f"已重新发送：{notice}")
    return redirect("notices_admin_list")
