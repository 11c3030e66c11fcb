"""Public progress lookup by tracking number and phone, rate-limited."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ..constants import Status
from ..forms import ProgressForm
from ..models import Application
from ..ratelimit import rate_limited
from .session import SUBMITTED, _remember


def progress_url(request, number: str) -> str:
    """The absolute address of the progress lookup with ``number`` filled in."""
    return request.build_absolute_uri(f"{reverse('intake:progress')}?{urlencode({'tracking_number': number})}")


def _rate_limited(request) -> bool:
    return rate_limited(request, "intake:progress", settings.INTAKE_PROGRESS_RATE)  # shared with the window


@require_http_methods(["GET", "POST"])
def progress(request):
    if request.method == "GET":
        # The receipt's QR code opens the page with its number filled in (progress_url); the phone is still asked.
        initial = {"tracking_number": request.GET.get("tracking_number", "")[:32]}
        return TemplateResponse(request, "intake/progress.html", {"form": ProgressForm(initial=initial)})
    if _rate_limited(request):
        return TemplateResponse(request, "intake/progress.html", {"form": ProgressForm(request.POST),
                                                                 "limited": True}, status=429)
    form = ProgressForm(request.POST)
    app = None
    if form.is_valid():
        number = form.cleaned_data["tracking_number"]
        phone = "".join(c for c in form.cleaned_data["phone"] if c.isdigit())[-11:]
        app = Application.objects.filter(tracking_number=number).first()
        if app is not None and not secrets.compare_digest(app.phone, phone):
            app = None  # wrong phone: the same answer as an unknown number
    if app is not None and app.status == Status.RETURNED:
        # The number and the phone are the applicant's credentials here: they may now correct from this browser.
        _remember(request, SUBMITTED, app.tracking_number)
    context = {"form": form, "searched": form.is_valid(), "app": app,
               "timeline": list(app.history.all()) if app else []}
    return TemplateResponse(request, "intake/progress.html", context)
