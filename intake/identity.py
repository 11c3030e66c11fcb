"""Who the applicant is: the one seam between the intake and an identity provider.

Today applicants are django.contrib.auth users whose username is their mobile number, proved by an SMS code
(intake.otp) when they register, with a password. A unified
identity provider (e.g. the province's OIDC 统一身份认证) replaces this module alone: keep the function
signatures, make `current_applicant` map the provider's session to a local user (created on first sign-in with
the verified phone), point `login_url` at the provider, and drop `register`/`authenticate`. Nothing else in the
intake reads passwords, sessions or the user model directly.
"""

from __future__ import annotations

from django.contrib import auth
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext

from . import otp
from .validators import Invalid, check_mobile


class RegistrationError(ValueError):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("registration refused")
        self.errors = errors


def current_applicant(request):
    """The signed-in applicant (a user), or None."""
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def phone_of(user) -> str:
    return user.username if user is not None else ""


def register(phone: str, password: str, code: str):
    """A new applicant account once ``code`` proves the phone is theirs; RegistrationError with messages by field.

    The code is checked last, so a refused password does not use up its tries."""
    errors: dict[str, list[str]] = {}
    try:
        phone = check_mobile(phone)
    except Invalid as exc:
        errors["phone"] = [exc.render(gettext)]
    User = get_user_model()
    if not errors and User.objects.filter(username=phone).exists():
        errors["phone"] = [gettext("该手机号已注册，请直接登录。")]
    user = User(username=phone)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if not errors and not otp.check_code(phone, code or ""):
        errors["code"] = [gettext("短信验证码不正确或已过期，请重新获取。")]
    if errors:
        raise RegistrationError(errors)
    user.set_password(password)
    user.save()
    return user


def authenticate(request, phone: str, password: str):
    try:
        phone = check_mobile(phone)
    except Invalid:
        return None
    return auth.authenticate(request, username=phone, password=password)


def login(request, user) -> None:
    auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")


def logout(request) -> None:
    auth.logout(request)


def login_url(next_url: str = "") -> str:
    from urllib.parse import urlencode

    return reverse("intake:login") + (f"?{urlencode({'next': next_url})}" if next_url else "")
