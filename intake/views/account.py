"""The applicant's account: register, log in (keeping this browser's forms), log out."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from .. import identity
from ..forms import LoginForm, RegisterForm
from .session import SUBMITTED, TOKENS


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
