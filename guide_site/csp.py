"""Content Security Policy (Django 5.2 has none built in): a strict policy for the site, a looser one for the CMS.

The public pages, the intake and the window load only their own static files: no inline script or style, nothing
from another origin. Wagtail's admin (and Django's) renders inline scripts and style attributes of its own, so
under ADMIN_PREFIXES the policy allows inline code but still only this origin, and framing by this origin only
(the page preview is an iframe of the admin).
"""

from urllib.parse import urlsplit

from django.conf import settings

ADMIN_PREFIXES = ("/admin/", "/django-admin/")


def header(policy: dict[str, list[str]]) -> str:
    return "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())


def provider_origins() -> list[str]:
    """The identity providers' origins: signing out (a form) is redirected there to end their session too."""
    issuers = (conf.get("issuer") for conf in getattr(settings, "OIDC_PROVIDERS", {}).values())
    return sorted({f"{p.scheme}://{p.netloc}" for p in map(urlsplit, filter(None, issuers))})


def with_providers(policy: dict[str, list[str]]) -> dict[str, list[str]]:
    return {**policy, "form-action": [*policy.get("form-action", []), *provider_origins()]}


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.public = header(with_providers(settings.CONTENT_SECURITY_POLICY))
        self.admin = header(with_providers(settings.CONTENT_SECURITY_POLICY_ADMIN))

    def __call__(self, request):
        response = self.get_response(request)
        admin = request.path_info.startswith(ADMIN_PREFIXES)
        response.headers.setdefault("Content-Security-Policy", self.admin if admin else self.public)
        return response
