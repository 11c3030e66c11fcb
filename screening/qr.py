"""QR codes as inline SVG: a window clerk scans the printed checklist to reopen exactly that checklist."""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _


def qr_svg_markup(url: str) -> str:
    """The bare SVG the qrcode library draws for ``url`` (paths only, so no Pillow is needed)."""
    # Medium error correction survives a creased or smudged printout.
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    return image.to_string(encoding="unicode")


def qr_svg(url: str) -> str:
    """The SVG wrapped for the page: labelled for screen readers, with the encoded URL in ``data-qr-url``."""
    label = _("二维码：%(url)s") % {"url": url}  # outside the f-string, where xgettext can see it
    svg = qr_svg_markup(url).replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" focusable="false" ', 1)
    return mark_safe(f'<div class="qr" data-qr-url="{escape(url)}">{svg}</div>')
