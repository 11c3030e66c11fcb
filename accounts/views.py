"""Sign-in through the provider: start (redirect to it), callback (back from it) and sign-out at the provider.

mozilla-django-oidc does the code flow (state, nonce and PKCE kept in the session, each state used once); these
views pick the audience's client and turn every refusal (a replayed or unknown state, a refused token, a provider
that does not answer) into a message in Chinese on the sign-in page instead of an error page.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import requests
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext
from django.views.generic import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from . import providers

logger = logging.getLogger(__name__)

ID_TOKEN = "oidc_id_token"  # where mozilla-django-oidc keeps the ID token (OIDC_STORE_ID_TOKEN)
AUDIENCE = "accounts_audience"  # which provider the session signed in through


class _ProviderView:
    audience = ""
    provider: providers.Provider

    def get_settings(self, attr, *args):
        return self.provider.setting(attr, *args)

    def dispatch(self, request, *args, **kwargs):
        provider = providers.get(self.audience)
        if provider is None:
            raise Http404("no identity provider for this audience")
        self.provider = provider
        try:
            return super().dispatch(request, *args, **kwargs)
        except providers.ProviderUnavailable as exc:
            logger.error("identity provider unavailable: %s", exc)
            return self._refuse(gettext("统一身份认证服务暂时无法访问，请稍后再试，或用手机号和密码登录。"))

    def _refuse(self, message: str):
        messages.error(self.request, message)
        return HttpResponseRedirect(self.provider.failure_url)


class Start(_ProviderView, OIDCAuthenticationRequestView):
    def __init__(self, **kwargs):
        # The library reads the endpoints here; ours are discovered in get(), where a failure can be answered.
        View.__init__(self, **kwargs)

    def get(self, request):
        self.OIDC_OP_AUTH_ENDPOINT = self.provider.endpoint("authorization_endpoint")
        self.OIDC_RP_CLIENT_ID = self.provider.client_id
        return super().get(request)


class Callback(_ProviderView, OIDCAuthenticationCallbackView):
    def get(self, request):
        request.oidc_audience = self.audience  # read by the audience's backend (accounts.backends)
        try:
            return super().get(request)
        except SuspiciousOperation as exc:
            logger.warning("OIDC sign-in refused (%s): %s", self.audience, exc)
            return self._refuse(gettext("登录未完成：登录链接已失效或身份信息校验未通过，请重新登录。"))
        except requests.RequestException as exc:
            logger.warning("OIDC token exchange failed (%s): %s", self.audience, exc)
            return self._refuse(gettext("登录未完成：统一身份认证服务没有确认这次登录，请重新登录。"))

    def login_success(self):
        response = super().login_success()
        self.request.session[AUDIENCE] = self.audience
        return response

    def login_failure(self):
        if self.request.GET.get("error"):
            messages.info(self.request, gettext("您已取消统一身份认证登录。"))
        else:
            messages.error(self.request, gettext("登录未完成，请重新登录。"))
        return super().login_failure()


def provider_logout_url(request, return_to: str) -> str | None:
    """Where to send a visitor who signs out, so that the provider ends its session too; None: no provider session.

    Read before the local session is flushed (the ID token is in it)."""
    provider = providers.get(request.session.get(AUDIENCE, ""))
    id_token = request.session.get(ID_TOKEN)
    if provider is None or not id_token:
        return None
    try:
        end_session = provider.endpoint("end_session_endpoint")
    except providers.ProviderUnavailable as exc:
        logger.warning("no provider sign-out: %s", exc)
        return None
    query = {"id_token_hint": id_token, "client_id": provider.client_id,
             "post_logout_redirect_uri": request.build_absolute_uri(return_to)}
    return f"{end_session}?{urlencode(query)}"
