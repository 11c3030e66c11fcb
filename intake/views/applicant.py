"""The applicant's own pages: the receipt of an application, the drafts and applications of an account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from .. import identity, storage
from ..constants import Status
from ..models import Application, Draft, Upload
from .session import _owned_application


def receipt(request, tracking: str):
    app = _owned_application(request, tracking)
    return TemplateResponse(request, "intake/receipt.html", {
        "app": app, "rows": app.field_rows(masked=True), "uploads": app.current_uploads,
        "history": app.history.all(), "returned": app.status == Status.RETURNED,
    })


@login_required(login_url="intake:login")
def drafts(request):
    user = identity.current_applicant(request)
    rows = [(d, f"{reverse('intake:apply', args=[d.theme_code])}?{d.query}&_draft={d.pk}")
            for d in Draft.objects.filter(owner=user)]
    apps = Application.objects.filter(applicant=user)[:50]
    return TemplateResponse(request, "intake/drafts.html", {"drafts": rows, "applications": apps})


@login_required(login_url="intake:login")
@require_POST
def draft_delete(request, pk: int):
    draft = get_object_or_404(Draft, pk=pk, owner=identity.current_applicant(request))
    for upload in Upload.objects.filter(token=draft.token, application__isnull=True):
        storage.delete(upload.stored_name)
        upload.delete()
    draft.delete()
    messages.success(request, gettext("草稿已删除。"))
    return redirect("intake:drafts")
