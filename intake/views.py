"""Applicant-facing views: the unified form, drafts, account, receipt, public progress, files; staff detail."""

from __future__ import annotations

import dataclasses
import logging
import secrets
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.models import Site

from guides.i18n import is_english, vocab

from . import identity, storage
from .constants import EXEMPT_SOURCE, Status
from .forms import CONTACT_FIELD, DELIVERY_FIELD, LoginForm, ProgressForm, RegisterForm, UnifiedForm, field_specs
from .models import AccessLog, Application, Draft, Upload
from .ratelimit import client_ip, rate_limited
from .services import NotReturned, resubmit, submit
from .validators import sanitise_filename, sniff

log = logging.getLogger("intake")
TOKENS = "intake_tokens"  # form tokens this browser holds (uploads before submission belong to them)
SUBMITTED = "intake_submitted"  # tracking numbers submitted from this browser


# --------------------------------------------------------------------------- helpers


def _theme(request, code: str):
    from guides.extensions import local_theme
    from guides.queries import site_theme

    site = Site.find_for_request(request)
    page = site_theme(site, code) if site is not None else None
    if page is None or local_theme(page, site).hidden:
        raise Http404(gettext("没有这项主题服务。"))
    return site, page


def _shown(page):
    """The page in the visitor's language when it is translated (for the words); the Chinese one otherwise."""
    from guides.i18n import is_english

    if not is_english():
        return page
    from wagtail.models import Locale

    return page.get_translation_or_none(Locale.get_active()) or page


def _raw_answers(params) -> dict[str, list[str]]:
    # Parameters starting with "_" belong to the pages (the wizard's, our draft id), not to the theme.
    return {k: params.getlist(k) for k in params.keys() if not k.startswith("_")}


def _remember(request, key: str, value: str, limit: int = 50) -> None:
    values = [v for v in request.session.get(key, []) if v != value][-(limit - 1):]
    request.session[key] = [*values, value]


def _registry(codes) -> dict[str, dict]:
    """Field rows by code, labels in the visitor's language (guides.i18n.localized)."""
    from guides.i18n import localized
    from guides.models import FormField

    return {f.code: {"label": localized(f, "label"), "type": f.type, "choices": list(f.choices or []),
                     "choice_labels": _choice_labels(f)}
            for f in FormField.objects.filter(code__in=list(codes))}


def _choice_labels(field) -> list[str]:
    """The choices as shown: the registry's English column on English pages (paired by position), else the
    catalogue vocabulary; the stored values stay the Chinese choices."""
    choices = list(field.choices or [])
    if is_english() and len(field.choices_en or []) == len(choices):
        return list(field.choices_en)
    return [vocab(c) for c in choices]


class Context:
    """Everything the form needs about one theme and one set of answers.

    What is stored and handed off (theme title, item and material names) is the Chinese, which the window reads;
    the labels shown come from the page in the visitor's language. Codes, conditions and figures are synchronised
    between translations, so both evaluate to the same items, fields and materials.
    """

    def __init__(self, request, code: str):
        from guides.i18n import is_english
        from screening.engine import evaluate, to_query
        from screening.themes import screening_for

        self.site, self.page = _theme(request, code)
        self.shown = _shown(self.page)
        self.screening = screening_for(self.page)
        theme = self.screening.theme
        self.outcome = evaluate(theme, _raw_answers(request.GET))
        self.query = urlencode(to_query(theme, self.outcome.answers))
        self.page_url = self.shown.get_url(request=request)
        qs = request.GET.copy()
        qs.pop("_draft", None)
        self.wizard_url = f"{self.page_url}screening/" + (f"?{qs.urlencode()}" if qs else "")
        self.checklist_url = f"{self.page_url}checklist/?{self.query}"
        if not self.outcome.complete or not self.outcome.applies:
            return
        shown = self.screening
        shown_outcome = self.outcome
        if self.shown.pk != self.page.pk or is_english():
            shown = screening_for(self.shown)
            shown = shown.in_english() if is_english() else shown
            shown_outcome = evaluate(shown.theme, _raw_answers(request.GET))
        self.specs = field_specs(list(self.outcome.fields), _registry(self.outcome.fields), list(self.page.delivery))
        names = {code: info.name for code, info in self.screening.items.items()}
        labels = {code: info.name for code, info in shown.items.items()}
        self.items = [{"code": c, "name": names.get(c, c), "label": labels.get(c) or names.get(c, c)}
                      for c in self.outcome.items]
        shown_materials = {m.code: m for m, _ in shown_outcome.materials}
        self.slots = []
        for m, served in self.outcome.materials:
            if m.source == EXEMPT_SOURCE:
                continue
            words = shown_materials.get(m.code, m)
            self.slots.append({"code": m.code, "name": m.name, "label": words.name, "form": vocab(m.form),
                               "copies": m.copies, "note": words.note or "",
                               "serves": [labels.get(c) or names.get(c, c) for c in served]})
        self.exempt = [shown_materials.get(m.code, m).name for m, _ in self.outcome.materials
                       if m.source == EXEMPT_SOURCE]

    def stored_specs(self) -> list:
        """The specs with Chinese labels, as the application stores them for the window, whatever was shown."""
        with translation.override(settings.LANGUAGE_CODE):
            specs = field_specs(list(self.outcome.fields), _registry(self.outcome.fields), list(self.page.delivery))
            return [dataclasses.replace(s, label=str(s.label), help="") for s in specs]

    def answers_json(self) -> dict:
        return {k: v if isinstance(v, str) else sorted(v) for k, v in self.outcome.answers.items()}


def _slot_name(code: str) -> str:
    return f"m-{code}"


def _save_uploads(request, ctx: Context | Correction, token: str) -> dict[str, str]:
    """Store each uploaded file at once (so a rejected form keeps it); errors by slot input name."""
    errors = {}
    held = {u.material_code: u for u in Upload.objects.filter(token=token, application__isnull=True)}
    total = sum(u.size for u in held.values())
    for slot in ctx.slots:
        name = _slot_name(slot["code"])
        upload = request.FILES.get(name)
        if upload is None:
            continue
        label = slot.get("label") or slot["name"]
        if upload.size > settings.INTAKE_MAX_FILE_BYTES:
            errors[name] = gettext("{label}：文件超过{mb}MB，请压缩后再上传。").format(
                label=label, mb=settings.INTAKE_MAX_FILE_BYTES // 2**20)
            continue
        previous = held.get(slot["code"])
        if total - (previous.size if previous else 0) + upload.size > settings.INTAKE_MAX_APPLICATION_BYTES:
            errors[name] = gettext("{label}：全部材料合计超过{mb}MB。").format(
                label=label, mb=settings.INTAKE_MAX_APPLICATION_BYTES // 2**20)
            continue
        upload.seek(0)
        kind = sniff(upload.read(16))
        upload.seek(0)
        if kind is None:
            errors[name] = gettext("{label}：只接受 PDF、JPG、PNG 格式的文件（按文件内容判断，改扩展名无效）。").format(label=label)
            continue
        content_type, ext = kind
        row = Upload(token=token, material_code=slot["code"], material_name=slot["name"],
                     original_name=sanitise_filename(upload.name, ext), content_type=content_type, size=0, sha256="")
        row.size, row.sha256 = storage.save(row.stored_name, upload.chunks())
        row.save()
        if previous is not None:  # one file per slot: the new one replaces the old
            storage.delete(previous.stored_name)
            previous.delete()
        total += row.size - (previous.size if previous else 0)
        held[slot["code"]] = row
    return errors


def _expired(request, specs) -> tuple[UnifiedForm, str]:
    """A post with a token this browser does not hold (expired session, replay): keep what was typed under a new
    token and say why; files must be chosen again because they were not stored under the old one."""
    token = secrets.token_urlsafe(24)
    _remember(request, TOKENS, token)
    form = UnifiedForm(specs, {**request.POST.dict(), "token": token}, final=False)
    form.is_valid()
    messages.error(request, gettext("页面已过期，请核对后重新提交（已选择的文件需要重新选择）。"))
    return form, token


def _token_ok(request, token: str) -> bool:
    if token in request.session.get(TOKENS, []):
        return True
    user = identity.current_applicant(request)
    return user is not None and Draft.objects.filter(owner=user, token=token).exists()


# --------------------------------------------------------------------------- the unified form


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
        initial = {"token": token, **(draft.values if draft else {})}
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
    upload_errors = _save_uploads(request, ctx, token)
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
    held = set(Upload.objects.filter(token=token, application__isnull=True).values_list("material_code", flat=True))
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
    Draft.objects.filter(token=token).delete()
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


def _error_summary(form: UnifiedForm, slots: list[dict]) -> list[tuple[str, str]]:
    """(anchor, message) for the summary at the top: every field and file error, linked to its input."""
    summary = []
    if form.is_bound:
        for name, errors in form.errors.items():
            if name == "__all__":
                summary.extend(("", e) for e in errors)
                continue
            field = form.fields.get(name)
            radio = field is not None and isinstance(field.widget, forms.RadioSelect)
            anchor = f"id_{name}_0" if radio else f"id_{name}"
            summary.extend((anchor, e) for e in errors)
    summary.extend((f"id_{s['input']}", s["error"]) for s in slots if s["error"])
    return summary


# --------------------------------------------------------------------------- receipt, drafts, files


def _owns(request, app: Application) -> bool:
    user = identity.current_applicant(request)
    if user is not None and app.applicant_id == user.pk:
        return True
    return app.tracking_number in request.session.get(SUBMITTED, [])


def receipt(request, tracking: str):
    app = _owned_application(request, tracking)
    return TemplateResponse(request, "intake/receipt.html", {
        "app": app, "rows": app.field_rows(masked=True), "uploads": app.current_uploads,
        "history": app.history.all(), "returned": app.status == Status.RETURNED,
    })


# --------------------------------------------------------------------------- correction after a return


class Correction:
    """What a returned application asks again: the fields and materials the window ticked (all of them when the
    window only wrote a free-text reason), everything else kept as submitted."""

    def __init__(self, app: Application):
        from guides.models import ThemePage
        from screening.themes import screening_for

        self.app = app
        codes = [f["code"] for f in app.form_fields]
        page = ThemePage.objects.filter(code=app.theme_code, alias_of__isnull=True,
                                        locale__language_code=settings.LANGUAGE_CODE).first()
        delivery = list(page.delivery) if page is not None else []
        shown = _shown(page) if page is not None else None
        self.title = shown.title if shown is not None else app.theme_title
        # Material names in the visitor's language from the page (stored names are the Chinese ones).
        words = {m.code: m.name for m in screening_for(shown).theme.materials} if shown is not None else {}
        specs = field_specs(codes, _registry(codes), delivery)
        fix = app.return_fix or {}
        wanted_fields = set(fix.get("fields") or ([] if fix else codes))
        self.specs = [s for s in specs if s.code in wanted_fields]
        wanted_materials = set(fix.get("materials") or [])
        self.required_materials = wanted_materials
        uploads = list(app.current_uploads)
        # Materials to upload again: the ticked ones (required); with no ticks, any may be replaced (optional).
        self.slots = [{"code": u.material_code, "name": u.material_name, "current": u,
                       "label": words.get(u.material_code) or u.material_name,
                       "required": u.material_code in wanted_materials}
                      for u in uploads if u.material_code in wanted_materials or not fix]
        slotted = {s["code"] for s in self.slots}
        self.kept = [words.get(u.material_code) or u.material_name for u in uploads if u.material_code not in slotted]


def _owned_application(request, tracking: str) -> Application:
    app = Application.objects.filter(tracking_number=tracking).first()
    if app is None or not _owns(request, app):
        raise Http404(gettext("没有找到该办件。"))
    return app


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


def can_read_applications(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm("intake.view_application"))


def log_access(request, app: Application, action: str) -> None:
    AccessLog.objects.create(application=app, user=request.user, action=action, ip=client_ip(request))


def download(request, key):
    upload = Upload.objects.select_related("application").filter(key=key, purged_at__isnull=True).first()
    if upload is None:
        raise Http404
    allowed = False
    if can_read_applications(request.user) and upload.application is not None:
        log_access(request, upload.application, f"download:{upload.material_code}"[:32])
        allowed = True
    elif upload.application is not None:
        allowed = _owns(request, upload.application)
    else:
        allowed = _token_ok(request, upload.token)
    if not allowed:
        raise Http404  # the same answer as a missing file: no probing for keys
    try:
        handle = open(upload.path, "rb")  # noqa: SIM115 - FileResponse closes it
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=upload.original_name,
                            content_type=upload.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --------------------------------------------------------------------------- public progress


def _rate_limited(request) -> bool:
    return rate_limited(request, "intake:progress", settings.INTAKE_PROGRESS_RATE)  # shared with the window


@require_http_methods(["GET", "POST"])
def progress(request):
    if request.method == "GET":
        return TemplateResponse(request, "intake/progress.html", {"form": ProgressForm()})
    if _rate_limited(request):
        return TemplateResponse(request, "intake/progress.html", {"form": ProgressForm(request.POST),
                                                                 "limited": True}, status=429)
    form = ProgressForm(request.POST)
    app = None
    if form.is_valid():
        number = form.cleaned_data["tracking_number"].strip().upper()
        phone = "".join(c for c in form.cleaned_data["phone"] if c.isdigit())[-11:]
        app = Application.objects.filter(tracking_number=number).first()
        if app is not None and not secrets.compare_digest(app.phone, phone):
            app = None  # wrong phone: the same answer as an unknown number
    if app is not None and app.status == Status.RETURNED:
        # The number and the phone are the applicant's credentials here: they may now correct from this browser.
        _remember(request, SUBMITTED, app.tracking_number)
    context = {"form": form, "searched": form.is_valid(), "app": app,
               "timeline": list(app.history.all()) if app else []}
    return TemplateResponse(request, "intake/progress.html", context)


# --------------------------------------------------------------------------- account


@require_http_methods(["GET", "POST"])
def register_view(request):
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = identity.register(form.cleaned_data["phone"], form.cleaned_data["password"])
        except identity.RegistrationError as exc:
            for name, errors in exc.errors.items():
                for e in errors:
                    form.add_error(name, e)
        else:
            identity.login(request, user)
            messages.success(request, gettext("注册成功，已登录。"))
            return HttpResponseRedirect(_next(request))
    return TemplateResponse(request, "intake/account.html", {"form": form, "title": gettext("注册"), "register": True},
                            status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = identity.authenticate(request, form.cleaned_data["phone"], form.cleaned_data["password"])
        if user is not None:
            tokens = request.session.get(TOKENS, [])
            submitted = request.session.get(SUBMITTED, [])
            identity.login(request, user)
            # A new session on login (fixation defence), but the forms in progress stay this browser's.
            request.session[TOKENS], request.session[SUBMITTED] = tokens, submitted
            return HttpResponseRedirect(_next(request))
        form.add_error(None, gettext("手机号码或密码不正确。"))
    return TemplateResponse(request, "intake/account.html", {"form": form, "title": gettext("登录"), "register": False},
                            status=400 if form.errors else 200)


@require_POST
def logout_view(request):
    identity.logout(request)
    return redirect("/")


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or reverse("intake:drafts")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return reverse("intake:drafts")
    return target


# --------------------------------------------------------------------------- staff


def staff_detail(request, tracking: str):
    if not can_read_applications(request.user):
        raise Http404
    app = get_object_or_404(Application, tracking_number=tracking)
    log_access(request, app, "view")
    return TemplateResponse(request, "intake/staff_detail.html", {
        "app": app, "rows": app.field_rows(masked=True), "uploads": app.uploads.all(),
        "history": app.history.all(), "outbox": app.outbox.all(), "tasks": app.tasks.all(),
    })
