"""The applicant's account: register, log in (keeping this browser's forms), log out."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import identity, otp
from ..forms import LoginForm, RegisterForm
from ..validators import Invalid, check_mobile, mask_phone
from .session import SUBMITTED, TOKENS


@require_http_methods(["GET", "POST"])
def register_view(request):
    if request.method == "POST" and request.POST.get("action") == "send_code":
        return _send_code(request)
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = identity.register(form.cleaned_data["phone"], form.cleaned_data["password"],
                                     form.cleaned_data["code"])
        except identity.RegistrationError as exc:
            for name, errors in exc.errors.items():
                for e in errors:
                    form.add_error(name, e)
        else:
            identity.login(request, user)
            messages.success(request, gettext("注册成功，已登录。"))
            return HttpResponseRedirect(_next(request))
    return _register_page(request, form, "full" if request.method == "POST" else "phone",
                          400 if form.errors else 200)


REFUSALS = {
    "wait": _("验证码已发送，请{seconds}秒后再重新获取。"),
    "phone": _("该手机号获取验证码次数过多，请1小时后再试。"),
    "client": _("获取验证码过于频繁，请稍后再试。"),
}


def _send_code(request):
    """“获取验证码”: then the rest of the form, the number as typed (passwords are never sent back to a browser)."""
    form = RegisterForm(initial={"phone": request.POST.get("phone", "")})
    status, step = 200, "full"
    try:
        phone = check_mobile(request.POST.get("phone", ""))
        otp.request_code(request, phone)
    except Invalid as exc:
        form = RegisterForm({"phone": request.POST.get("phone", "")})
        form.errors.clear()  # only the number was asked for so far
        form.add_error("phone", exc.render(gettext))
        status, step = 400, "phone"
    except otp.Refused as exc:
        messages.error(request, gettext(REFUSALS[exc.reason]).format(seconds=settings.INTAKE_OTP_INTERVAL))
        status, step = 429, "full" if exc.reason == "wait" else "phone"
    else:
        messages.success(request, gettext("验证码已发送至 {phone}，{minutes}分钟内有效。").format(
            phone=mask_phone(phone), minutes=settings.INTAKE_OTP_TTL // 60))
    response = _register_page(request, form, step, status)
    if status == 429:
        response["Retry-After"] = str(settings.INTAKE_OTP_INTERVAL)
    return response


def _register_page(request, form, step: str, status: int = 200):
    """Two steps, each one form with one submit button, so Enter always does what the page says."""
    return TemplateResponse(request, "intake/account.html", {
        "form": form, "title": gettext("注册"), "register": True, "step": step,
        "fields": [form["phone"]] if step == "phone" else list(form),
        "provider_login": identity.provider_login_url(request.GET.get("next", ""))}, status=status)


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
    return TemplateResponse(request, "intake/account.html", {
        "form": form, "title": gettext("登录"), "register": False, "fields": list(form),
        "provider_login": identity.provider_login_url(request.GET.get("next", ""))},
        status=400 if form.errors else 200)


@require_POST
def logout_view(request):
    return redirect(identity.logout(request, "/"))


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or reverse("intake:drafts")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return reverse("intake:drafts")
    return target
