"""Uploaded files, handed out only to their applicant, the browser holding the form, or logged staff."""

from __future__ import annotations

from django.http import FileResponse, Http404

from ..models import Upload
from .session import _owns, _token_ok
from .staff import can_read_applications, log_access


def download(request, key):
    upload = Upload.objects.select_related("application").filter(key=key, purged_at__isnull=True).first()
    if upload is None:
        raise Http404
    allowed = False
    if can_read_applications(request.user) and upload.application is not None:
        log_access(request, upload.application, f"download:{upload.material_code}"[:32])
        allowed = True
    elif upload.application is not None:
        allowed = _owns(request, upload.application)
    else:
        allowed = _token_ok(request, upload.token)
    if not allowed:
        raise Http404  # the same answer as a missing file: no probing for keys
    try:
        handle = open(upload.path, "rb")  # noqa: SIM115 - FileResponse closes it
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=upload.original_name,
                            content_type=upload.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
