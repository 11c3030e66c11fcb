"""The applicant's own pages: the receipt of an application (and its PDF), the drafts and applications of an account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from screening.pdf import pdf_response

from .. import identity, storage
from ..constants import Status
from ..models import Application, Draft, Upload
from ..receipt import receipt_pdf_bytes
from .lookup import progress_url
from .session import _owned_application


def receipt(request, tracking: str):
    app = _owned_application(request, tracking)
    return TemplateResponse(request, "intake/receipt.html", {
        "app": app, "rows": app.field_rows(masked=True), "uploads": app.current_uploads,
        "history": app.history.all(), "returned": app.status == Status.RETURNED,
    })


def receipt_pdf(request, tracking: str):
    """受理回执 as a PDF, to the same people as the receipt page."""
    app = _owned_application(request, tracking)
    response = pdf_response(lambda: receipt_pdf_bytes(app, progress_url(request, app.tracking_number)),
                            f"receipt-{app.tracking_number}.pdf",
                            gettext("暂时无法生成 PDF：服务器缺少中文字体。请使用浏览器的“打印”功能保存回执，或联系网站管理员。"))
    response["Cache-Control"] = "private, no-store"  # personal data, like the uploaded files
    return response


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
