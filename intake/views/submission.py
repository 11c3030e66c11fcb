"""What the unified form and its correction share: file slots stored at once, an expired token, the error summary."""

from __future__ import annotations

import secrets

from django import forms
from django.conf import settings
from django.contrib import messages
from django.utils.translation import gettext

from .. import storage
from ..forms import UnifiedForm
from ..models import Upload
from ..validators import sanitise_filename, sniff
from .context import Context, Correction
from .session import TOKENS, _remember


def _slot_name(code: str) -> str:
    return f"m-{code}"


def _save_uploads(request, ctx: Context | Correction, token: str, held_out: set | None = None) -> dict[str, str]:
    """Store each uploaded file at once (so a rejected form keeps it); errors by slot input name. ``held_out``
    receives the material codes the token now holds (saving the caller a query)."""
    errors = {}
    held = {u.material_code: u for u in Upload.objects.filter(token=token, application__isnull=True)}
    total = sum(u.size for u in held.values())
    for slot in ctx.slots:
        name = _slot_name(slot["code"])
        upload = request.FILES.get(name)
        if upload is None:
            continue
        label = slot.get("label") or slot["name"]
        if upload.size > settings.INTAKE_MAX_FILE_BYTES:
            errors[name] = gettext("{label}：文件超过{mb}MB，请压缩后再上传。").format(
                label=label, mb=settings.INTAKE_MAX_FILE_BYTES // 2**20)
            continue
        previous = held.get(slot["code"])
        if total - (previous.size if previous else 0) + upload.size > settings.INTAKE_MAX_APPLICATION_BYTES:
            errors[name] = gettext("{label}：全部材料合计超过{mb}MB。").format(
                label=label, mb=settings.INTAKE_MAX_APPLICATION_BYTES // 2**20)
            continue
        upload.seek(0)
        kind = sniff(upload.read(16))
        upload.seek(0)
        if kind is None:
            errors[name] = gettext("{label}：只接受 PDF、JPG、PNG 格式的文件（按文件内容判断，改扩展名无效）。").format(label=label)
            continue
        content_type, ext = kind
        row = Upload(token=token, material_code=slot["code"], material_name=slot["name"],
                     original_name=sanitise_filename(upload.name, ext), content_type=content_type, size=0, sha256="")
        row.size, row.sha256 = storage.save(row.stored_name, upload.chunks())
        row.save()
        if previous is not None:  # one file per slot: the new one replaces the old
            storage.delete(previous.stored_name)
            previous.delete()
        total += row.size - (previous.size if previous else 0)
        held[slot["code"]] = row
    if held_out is not None:
        held_out.update(held)
    return errors


def _expired(request, specs) -> tuple[UnifiedForm, str]:
    """A post with a token this browser does not hold (expired session, replay): keep what was typed under a new
    token and say why; files must be chosen again because they were not stored under the old one."""
    token = secrets.token_urlsafe(24)
    _remember(request, TOKENS, token)
    form = UnifiedForm(specs, {**request.POST.dict(), "token": token}, final=False)
    form.is_valid()
    messages.error(request, gettext("页面已过期，请核对后重新提交（已选择的文件需要重新选择）。"))
    return form, token


def _error_summary(form: UnifiedForm, slots: list[dict]) -> list[tuple[str, str]]:
    """(anchor, message) for the summary at the top: every field and file error, linked to its input."""
    summary = []
    if form.is_bound:
        for name, errors in form.errors.items():
            if name == "__all__":
                summary.extend(("", e) for e in errors)
                continue
            field = form.fields.get(name)
            radio = field is not None and isinstance(field.widget, forms.RadioSelect)
            anchor = f"id_{name}_0" if radio else f"id_{name}"
            summary.extend((anchor, e) for e in errors)
    summary.extend((f"id_{s['input']}", s["error"]) for s in slots if s["error"])
    return summary
