"""The identity providers this site trusts: one OIDC client per audience, configured by settings.

``settings.OIDC_PROVIDERS`` maps an audience (``public``, ``staff``) to ``issuer``, ``client_id``, ``client_secret``
and ``scopes``; an audience without an issuer has no provider and its pages answer 404, so the embedded default
(password sign-in only) needs no setting at all. Endpoints are read from the issuer's discovery document, kept in
the shared cache: every process agrees on them and the provider is asked once per ``OIDC_DISCOVERY_TTL``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from mozilla_django_oidc.utils import import_from_settings

from .constants import Audience

# mozilla-django-oidc setting -> key of the discovery document
_ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
# Where a sign-in lands: the public go back to what they were doing (``next``), staff to the admin.
_SUCCESS = {Audience.PUBLIC: "/", Audience.STAFF: "wagtailadmin_home"}
_FAILURE = {Audience.PUBLIC: "intake:login", Audience.STAFF: "wagtailadmin_login"}


class ProviderUnavailable(RuntimeError):
    """The provider did not answer, or answered something that is not its discovery document."""


@dataclass(frozen=True)
class Provider:
    audience: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: str = "openid"

    def discovery(self) -> dict:
        key = f"accounts:discovery:{self.issuer}"
        doc = cache.get(key)
        if doc is None:
            url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
            try:
                response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
                response.raise_for_status()
                doc = response.json()
            except (requests.RequestException, ValueError) as exc:
                raise ProviderUnavailable(f"{url}: {exc}") from exc
            # OIDC Discovery 4.3: the document must name the issuer it was asked for.
            if doc.get("issuer") != self.issuer:
                raise ProviderUnavailable(f"{url} names issuer {doc.get('issuer')!r}, not {self.issuer!r}")
            cache.set(key, doc, settings.OIDC_DISCOVERY_TTL)
        return doc

    def endpoint(self, name: str) -> str:
        value = self.discovery().get(name)
        if not value:
            raise ProviderUnavailable(f"{self.issuer} publishes no {name}")
        return value

    @property
    def callback_url_name(self) -> str:
        return f"accounts:{self.audience}-callback"

    @property
    def failure_url(self) -> str:
        return reverse(_FAILURE[self.audience])

    def setting(self, attr: str, *default):
        """The value of a mozilla-django-oidc setting for this client; the site-wide setting otherwise."""
        if attr in _ENDPOINTS:
            return self.endpoint(_ENDPOINTS[attr])
        own = {
            "OIDC_RP_CLIENT_ID": self.client_id,
            "OIDC_RP_CLIENT_SECRET": self.client_secret,
            "OIDC_RP_SCOPES": self.scopes,
            "OIDC_RP_SIGN_ALGO": "RS256",
            "OIDC_RP_IDP_SIGN_KEY": None,
            "OIDC_USE_PKCE": True,
            "OIDC_STORE_ID_TOKEN": True,
            "OIDC_AUTHENTICATION_CALLBACK_URL": self.callback_url_name,
            "LOGIN_REDIRECT_URL": _SUCCESS[self.audience],
            "LOGIN_REDIRECT_URL_FAILURE": self.failure_url,
        }
        if attr in own:
            return own[attr]
        return import_from_settings(attr, *default)


def get(audience: str) -> Provider | None:
    """The provider of ``audience``, or None where none is configured."""
    conf = getattr(settings, "OIDC_PROVIDERS", {}).get(audience) or {}
    if audience not in Audience.values or not conf.get("issuer") or not conf.get("client_id"):
        return None
    return Provider(audience=audience, issuer=conf["issuer"], client_id=conf["client_id"],
                    client_secret=conf.get("client_secret", ""), scopes=conf.get("scopes") or "openid")


def login_url(audience: str, next_url: str = "") -> str | None:
    """The start of sign-in at ``audience``'s provider, or None where none is configured."""
    if get(audience) is None:
        return None
    return reverse(f"accounts:{audience}-login") + (f"?{urlencode({'next': next_url})}" if next_url else "")
