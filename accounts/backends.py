"""Authentication backends for the OIDC code flow, one per audience, on mozilla-django-oidc.

Django builds every listed backend for each password sign-in and for each request of a signed-in user, so these
read their provider lazily: only a callback of their own audience (``request.oidc_audience``) reaches the provider.
The ID token is checked beyond what the library checks: issuer, audience (and ``azp`` with several audiences),
expiry, issue time and not-before, with ``OIDC_LEEWAY`` seconds of clock skew.
"""

from __future__ import annotations

import time

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import providers, services
from .constants import Audience


def now() -> float:
    """The clock the expiry is read against (tests move it)."""
    return time.time()


class ProviderBackend(OIDCAuthenticationBackend):
    audience = ""

    def __init__(self, *args, **kwargs):
        # No provider settings here (see the module docstring); _configure reads them for a callback.
        self.UserModel = get_user_model()
        self.provider = None

    def get_settings(self, attr, *args):
        return self.provider.setting(attr, *args)

    def _configure(self) -> None:
        self.provider = providers.get(self.audience)
        if self.provider is None:
            raise SuspiciousOperation(f"no provider for {self.audience}")
        super().__init__()

    def authenticate(self, request, **kwargs):
        if request is None or getattr(request, "oidc_audience", None) != self.audience:
            return None
        self._configure()
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        # A token the library cannot even read (no kid, bad header) is refused like a forged one, not a crash.
        try:
            return super().verify_token(token, **kwargs)
        except (jwt.InvalidTokenError, KeyError, TypeError, ValueError) as exc:
            raise SuspiciousOperation(f"ID token refused: unreadable ({exc!r})") from exc

    def _verify_jws(self, payload, key):
        try:
            claims = jwt.decode(
                payload, key, algorithms=[self.OIDC_RP_SIGN_ALGO], audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.provider.issuer,
                options={"require": ["iss", "sub", "aud", "exp", "iat"], "verify_exp": False,
                         "verify_iat": False, "verify_nbf": False},
            )
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc}") from exc
        self._verify_times(claims)
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        # OIDC Core 3.1.3.7: with several audiences the token must have been issued to us (azp).
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("ID token refused: issued to another party (azp)")
        return claims

    @staticmethod
    def _verify_times(claims: dict) -> None:
        leeway, t = settings.OIDC_LEEWAY, now()
        try:
            exp, iat, nbf = float(claims["exp"]), float(claims["iat"]), float(claims.get("nbf", 0))
        except (TypeError, ValueError) as exc:
            raise SuspiciousOperation("ID token refused: exp/iat/nbf are not numbers") from exc
        if exp <= t - leeway:
            raise SuspiciousOperation(f"ID token refused: expired {t - exp:.0f} s ago")
        if iat > t + leeway or nbf > t + leeway:
            raise SuspiciousOperation("ID token refused: issued in the future")

    def get_or_create_user(self, access_token, id_token, payload):
        info = self.get_userinfo(access_token, id_token, payload)
        # OIDC Core 5.3.2: userinfo of another subject must not be used.
        if str(info.get("sub")) != str(payload["sub"]):
            raise SuspiciousOperation("userinfo is about another subject")
        # The signed ID token wins where both carry a claim.
        try:
            return services.sign_in(self.audience, self.provider.issuer, {**info, **payload})
        except services.SignInRefused as exc:
            raise SuspiciousOperation(f"sign-in refused: {exc}") from exc


class PublicBackend(ProviderBackend):
    audience = Audience.PUBLIC


class StaffBackend(ProviderBackend):
    audience = Audience.STAFF
