"""Who the applicant is: the one seam between the intake and the ways of signing in.

Applicants are django.contrib.auth users. Two ways in: a mobile number proved by an SMS code (intake.otp) at
registration, with a password; or the unified identity provider (统一身份认证, OIDC, accounts/), whose first sign-in
creates the user from its verified claims. Either way the intake reads only this module: nothing else in it reads
passwords, provider sessions or the user model directly.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import auth
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext

from accounts import providers, services
from accounts import views as provider_views
from accounts.constants import Audience, SubjectType

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


def verified_identity(user):
    """The applicant's identity at the provider as of their latest sign-in there, or None (password account)."""
    return services.latest(user, Audience.PUBLIC)


def prefill(user) -> dict[str, str]:
    """Form values (by field code) the provider has verified: asked once, at the provider, not again here."""
    ident = verified_identity(user)
    if ident is None:
        return {}
    values = {"applicant.name": ident.name, "applicant.id_number": ident.id_number, "applicant.phone": ident.phone}
    if ident.subject_type == SubjectType.LEGAL:
        values |= {"enterprise.name": ident.company_name, "enterprise.uscc": ident.credit_code}
    return {code: value for code, value in values.items() if value}


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


def logout(request, return_to: str = "/") -> str:
    """Sign out here, and at the provider when the session came from it: the URL to send the browser to."""
    at_provider = provider_views.provider_logout_url(request, return_to)
    auth.logout(request)
    return at_provider or return_to


def login_url(next_url: str = "") -> str:
    return reverse("intake:login") + (f"?{urlencode({'next': next_url})}" if next_url else "")


def provider_login_url(next_url: str = "") -> str | None:
    """Sign-in at the unified identity provider, or None where the site has none configured."""
    return providers.login_url(Audience.PUBLIC, next_url)
