"""Applicant-facing views: the unified form, drafts, account, receipt, public progress, files; staff detail.

Modules: `context` (what a form asks: `Context` for a theme and answers, `Correction` for a returned application),
`session` (what this browser holds, ownership), `submission` (uploads, expired tokens, the error summary shared by
the form and its correction), `form` (the unified form), `correction` (补正), `applicant` (receipt and its PDF, drafts),
`files` (downloads), `lookup` (public progress), `account`, `staff`.
"""

from .account import login_view, logout_view, register_view
from .applicant import draft_delete, drafts, receipt, receipt_pdf
from .context import Context, _registry
from .correction import correct
from .files import download
from .form import apply
from .lookup import progress
from .staff import can_read_applications, log_access, staff_detail

__all__ = [
    "login_view",
    "logout_view",
    "register_view",
    "draft_delete",
    "drafts",
    "receipt",
    "receipt_pdf",
    "Context",
    "_registry",
    "correct",
    "download",
    "apply",
    "progress",
    "can_read_applications",
    "log_access",
    "staff_detail",
]
