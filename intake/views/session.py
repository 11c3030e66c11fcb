"""What this browser holds in its session (form tokens, numbers it submitted) and the ownership checks on it."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext

from .. import identity, links
from ..models import Application, Draft

TOKENS = "intake_tokens"  # form tokens this browser holds (uploads before submission belong to them)
SUBMITTED = "intake_submitted"  # tracking numbers submitted from this browser


def _remember(request, key: str, value: str, limit: int = 50) -> None:
    values = [v for v in request.session.get(key, []) if v != value][-(limit - 1):]
    request.session[key] = [*values, value]


def _token_ok(request, token: str) -> bool:
    if token in request.session.get(TOKENS, []):
        return True
    user = identity.current_applicant(request)
    return user is not None and Draft.objects.filter(owner=user, token=token).exists()


def _owns(request, app: Application) -> bool:
    user = identity.current_applicant(request)
    if user is not None and app.applicant_id == user.pk:
        return True
    if app.tracking_number in request.session.get(SUBMITTED, []):
        return True
    if links.opens(request.GET.get("k", ""), app.tracking_number):
        _remember(request, SUBMITTED, app.tracking_number)  # the form's POST carries no key
        return True
    return False


def _owned_application(request, tracking: str) -> Application:
    app = Application.objects.filter(tracking_number=tracking).first()
    if app is None or not _owns(request, app):
        raise Http404(gettext("没有找到该办件。"))
    return app
