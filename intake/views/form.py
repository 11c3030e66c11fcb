"""The unified application form: filled from the checklist's answers, saved as a draft or submitted."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from .. import identity
from ..forms import CONTACT_FIELD, DELIVERY_FIELD, UnifiedForm
from ..models import Application, Draft, Upload
from ..services import submit
from .context import Context
from .session import SUBMITTED, TOKENS, _remember, _token_ok
from .submission import _error_summary, _expired, _save_uploads, _slot_name


@require_http_methods(["GET", "POST"])
def apply(request, theme_code: str):
    ctx = Context(request, theme_code)
    if not ctx.outcome.complete:
        # Incomplete or invalid answers: the wizard asks the missing question and says what was wrong.
        return HttpResponseRedirect(ctx.wizard_url)
    if not ctx.outcome.applies:
        return HttpResponseRedirect(ctx.checklist_url)
    user = identity.current_applicant(request)
    if request.method == "GET":
        draft = None
        if request.GET.get("_draft") and user is not None:
            draft = Draft.objects.filter(owner=user, pk=request.GET["_draft"], theme_code=theme_code).first()
        token = draft.token if draft else secrets.token_urlsafe(24)
        _remember(request, TOKENS, token)
        # A draft holds what was typed; otherwise what the identity provider verified, so it is not asked again.
        verified = identity.prefill(user) if draft is None else {}
        known = {spec.name: verified[spec.code] for spec in ctx.specs if spec.code in verified}
        initial = {"token": token, **known, **(draft.values if draft else {})}
        form = UnifiedForm(ctx.specs, initial=initial)
        return _render(request, ctx, form, token, draft=draft)

    token = request.POST.get("token", "")
    done = Application.objects.filter(submission_token=token).first() if token else None
    if done is not None and (token in request.session.get(TOKENS, []) or (user and done.applicant_id == user.pk)):
        # The same form again (double click, retry, back button): the first application, not a second one.
        return redirect("intake:receipt", tracking=done.tracking_number)
    if not token or not _token_ok(request, token):
        form, token = _expired(request, ctx.specs)
        return _render(request, ctx, form, token, status=400)

    action = request.POST.get("action", "submit")
    held: set[str] = set()
    upload_errors = _save_uploads(request, ctx, token, held)
    if action == "draft":
        if user is None:
            messages.info(request, gettext("保存草稿需要先登录。"))
            return redirect(identity.login_url(request.get_full_path()))
        form = UnifiedForm(ctx.specs, request.POST, final=False)
        form.is_valid()
        values = {s.name: request.POST.get(s.name, "") for s in ctx.specs if request.POST.get(s.name)}
        Draft.objects.update_or_create(
            token=token, defaults={"owner": user, "theme_code": theme_code, "theme_title": ctx.page.title,
                                   "query": ctx.query, "values": values})
        messages.success(request, gettext("草稿已保存，可随时在“我的草稿”中继续填写。"))
        return redirect("intake:drafts")

    form = UnifiedForm(ctx.specs, request.POST, final=True)
    valid = form.is_valid()
    missing = {_slot_name(s["code"]): gettext("请上传“{name}”。").format(name=s["label"]) for s in ctx.slots
               if s["code"] not in held and _slot_name(s["code"]) not in upload_errors}
    upload_errors.update(missing)
    if not valid or upload_errors:
        return _render(request, ctx, form, token, upload_errors=upload_errors, status=400)

    values = form.values()
    phone = next((values[s.code] for s in ctx.specs if s.type == "phone" and values.get(s.code)), "")
    app, created = submit(
        token=token, applicant=user, site=ctx.site, theme_code=theme_code, theme_title=ctx.page.title,
        answers=ctx.answers_json(), items=[{"code": i["code"], "name": i["name"]} for i in ctx.items],
        specs=ctx.stored_specs(), values=values, delivery=values.get(DELIVERY_FIELD, ""), phone=phone,
    )
    _remember(request, SUBMITTED, app.tracking_number)
    return redirect("intake:receipt", tracking=app.tracking_number)


def _render(request, ctx: Context, form: UnifiedForm, token: str, *, draft=None, upload_errors=None, status=200):
    upload_errors = upload_errors or {}
    held = {u.material_code: u for u in Upload.objects.filter(token=token, application__isnull=True)}
    slots = [{**s, "input": _slot_name(s["code"]), "held": held.get(s["code"]),
              "error": upload_errors.get(_slot_name(s["code"]))} for s in ctx.slots]
    context = {
        "page": ctx.shown,
        "form": form,
        "slots": slots,
        "exempt": ctx.exempt,
        "items": ctx.items,
        "error_summary": _error_summary(form, slots),
        "action_url": f"{request.path}?{ctx.query}",
        "checklist_url": ctx.checklist_url,
        "draft": draft,
        "signed_in": identity.current_applicant(request) is not None,
        "login_url": identity.login_url(request.get_full_path()),
        "max_file_mb": settings.INTAKE_MAX_FILE_BYTES // 2**20,
        "max_total_mb": settings.INTAKE_MAX_APPLICATION_BYTES // 2**20,
        "contact_field": CONTACT_FIELD,
    }
    return TemplateResponse(request, "intake/form.html", context, status=status)
