"""补正 after a return: the applicant fixes what the window listed and resubmits under the same number."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from ..constants import Status
from ..forms import UnifiedForm
from ..models import Upload
from ..services import NotReturned, resubmit
from .context import Correction
from .session import TOKENS, _owned_application, _remember
from .submission import _error_summary, _expired, _save_uploads, _slot_name


@require_http_methods(["GET", "POST"])
def correct(request, tracking: str):
    """补正: the applicant fixes exactly what the window listed and resubmits once, under the same number."""
    app = _owned_application(request, tracking)
    if app.status != Status.RETURNED:
        messages.info(request, gettext("该办件当前不需要补正。"))
        return redirect("intake:receipt", tracking=app.tracking_number)
    fix = Correction(app)
    if request.method == "GET":
        token = secrets.token_urlsafe(24)
        _remember(request, TOKENS, token)
        form = UnifiedForm(fix.specs, initial={"token": token, **{s.name: app.values.get(s.code, "")
                                                                   for s in fix.specs}})
        return _render_correction(request, fix, form, token)

    token = request.POST.get("token", "")
    if not token or token not in request.session.get(TOKENS, []):
        form, token = _expired(request, fix.specs)
        return _render_correction(request, fix, form, token, status=400)
    upload_errors = _save_uploads(request, fix, token)
    form = UnifiedForm(fix.specs, request.POST, final=True)
    valid = form.is_valid()
    held = {u.material_code for u in Upload.objects.filter(token=token, application__isnull=True)}
    upload_errors.update({_slot_name(c): gettext("请重新上传“{name}”。").format(name=s["label"]) for s in fix.slots
                          if (c := s["code"]) in fix.required_materials and c not in held
                          and _slot_name(c) not in upload_errors})
    if valid and not upload_errors:
        values = form.values()
        if not held and all(values.get(s.code, "") == app.values.get(s.code, "") for s in fix.specs):
            form.add_error(None, gettext("没有修改任何内容：请按补正要求修改或重新上传后再提交。"))
        else:
            try:
                resubmit(app, token=token, values=values)
            except NotReturned:
                messages.info(request, gettext("该办件当前不需要补正。"))
                return redirect("intake:receipt", tracking=app.tracking_number)
            messages.success(request, gettext("补正材料已提交，综合窗口将重新审核，办件编号不变。"))
            return redirect("intake:receipt", tracking=app.tracking_number)
    return _render_correction(request, fix, form, token, upload_errors=upload_errors, status=400)


def _render_correction(request, fix: Correction, form: UnifiedForm, token: str, *, upload_errors=None, status=200):
    upload_errors = upload_errors or {}
    held = {u.material_code: u for u in Upload.objects.filter(token=token, application__isnull=True)}
    slots = [{**s, "input": _slot_name(s["code"]), "held": held.get(s["code"]),
              "error": upload_errors.get(_slot_name(s["code"]))} for s in fix.slots]
    return TemplateResponse(request, "intake/correct.html", {
        "app": fix.app, "title": fix.title, "form": form, "slots": slots, "kept": fix.kept,
        "error_summary": _error_summary(form, slots),
        "max_file_mb": settings.INTAKE_MAX_FILE_BYTES // 2**20,
        "max_total_mb": settings.INTAKE_MAX_APPLICATION_BYTES // 2**20,
    }, status=status)
