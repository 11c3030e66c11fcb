"""A real OIDC provider for the sign-in tests: Keycloak on loopback with the demo realm (deploy/keycloak.py).

The tests drive it as a browser would: our site sends the visitor to the provider, the provider's own login form
is filled and posted, and its redirect comes back to our callback, which exchanges the code with the provider over
HTTP. Nothing of mozilla-django-oidc or the provider is mocked.
"""

from __future__ import annotations

import html
import os
import re
from urllib.parse import urlsplit

import pytest
import requests


@pytest.fixture(scope="session")
def keycloak():
    from deploy.keycloak import KeycloakError, KeycloakNode
    from tests.processes import free_port

    try:
        node = KeycloakNode(free_port()).start()
    except (KeycloakError, OSError) as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Keycloak could not start (CI=true): {exc}")
        pytest.skip(f"Keycloak could not start: {exc}")
    yield node
    node.stop()


@pytest.fixture
def providers(settings, keycloak):
    """Both audiences signed in through the demo realm's clients."""
    from django.core.cache import cache

    settings.OIDC_PROVIDERS = {
        audience: {"issuer": keycloak.issuer, "client_id": client, "client_secret": keycloak.client(client)["secret"],
                   "scopes": "openid"}
        for audience, client in (("public", "guide-public"), ("staff", "guide-staff"))
    }
    cache.clear()  # discovery documents of another test's settings
    return keycloak


class Browser:
    """The visitor's browser at the provider (its own cookies: the provider's session)."""

    def __init__(self):
        self.http = requests.Session()

    def get(self, url: str) -> requests.Response:
        return self._as_browser(self.http.get(url, allow_redirects=False, timeout=30))

    def post(self, url: str, data: dict) -> requests.Response:
        return self._as_browser(self.http.post(url, data=data, allow_redirects=False, timeout=30))

    def _as_browser(self, response):
        # A browser sends Keycloak's cookies back to http://127.0.0.1 (a trustworthy origin), ``Secure`` and
        # ``Version=1`` as they are; Python's cookie policy would hold both back.
        for cookie in self.http.cookies:
            cookie.secure, cookie.version = False, 0
        return response

    def login(self, authorize_url: str, username: str, password: str) -> str:
        """Fill the provider's login form; the URL it sends the browser back to (our callback)."""
        page = self.get(authorize_url)
        if page.status_code == 302:  # still signed in at the provider (single sign-on): straight back
            return page.headers["Location"]
        match = re.search(r'<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"', page.text)
        assert match, f"no login form at the provider ({page.status_code}):\n{page.text[:500]}"
        sent = self.post(html.unescape(match.group(1)),
                         {"username": username, "password": password, "credentialId": ""})
        assert sent.status_code == 302, f"the provider refused the login ({sent.status_code}):\n{sent.text[:500]}"
        return sent.headers["Location"]


def local(url: str) -> str:
    """Path and query of a URL on our site (the test client's requests)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


@pytest.fixture
def sign_in(providers):
    """sign_in(client, username, password, audience, next) -> (callback URL, our response to it, browser)."""

    def run(client, username, password, audience="public", next_url="/intake/drafts/", browser=None):
        browser = browser or Browser()
        start = client.get(f"/oidc/{audience}/login/", {"next": next_url})
        assert start.status_code == 302 and start["Location"].startswith(providers.issuer), start
        callback = browser.login(start["Location"], username, password)
        assert local(callback).startswith(f"/oidc/{audience}/callback/?"), callback
        return callback, client.get(local(callback)), browser

    return run


def direct_grant(node, client_id: str, username: str, password: str) -> dict:
    """Tokens the provider issues to ``client_id`` for a user (resource-owner grant, enabled in the demo realm)."""
    response = requests.post(f"{node.issuer}/protocol/openid-connect/token", timeout=30, data={
        "grant_type": "password", "client_id": client_id, "client_secret": node.client(client_id)["secret"],
        "username": username, "password": password, "scope": "openid"})
    response.raise_for_status()
    return response.json()


from tests.intake.conftest import case  # noqa: E402,F401  (the supermarket theme's form, for the prefill test)
