"""The 一次告知单 as a PDF (reportlab), with an embedded CJK TrueType font.

reportlab embeds TrueType (glyf) fonts only; Noto/Source Han CJK are CFF-based and cannot be used. The font is
found through the ``CJK_FONT_PATH`` setting, else the first of `DEFAULT_FONTS` that exists (Debian packages
fonts-wqy-zenhei, fonts-wqy-microhei, fonts-arphic-uming, fonts-droid-fallback).
"""

from __future__ import annotations

import io
import logging
import threading
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from guides.i18n import localized

DEFAULT_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
log = logging.getLogger("screening.pdf")
FONT_NAME = "GuideCJK"
_lock = threading.Lock()
_registered: str | None = None


class FontUnavailable(RuntimeError):
    """No usable CJK TrueType font: the message says what to install or set."""


def font_path() -> Path:
    configured = getattr(settings, "CJK_FONT_PATH", "") or ""
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise FontUnavailable(f"CJK_FONT_PATH={configured} does not exist.")
        return path
    for candidate in DEFAULT_FONTS:
        if Path(candidate).is_file():
            return Path(candidate)
    raise FontUnavailable(
        "no CJK TrueType font found; install one (apt-get install fonts-wqy-zenhei) or set CJK_FONT_PATH to a "
        ".ttf/.ttc file with Chinese glyphs (CFF/OpenType fonts such as Noto Sans CJK cannot be embedded). "
        f"Looked for: {', '.join(DEFAULT_FONTS)}."
    )


def register_font() -> str:
    global _registered
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    path = font_path()
    with _lock:
        if _registered != str(path):
            try:
                # For a .ttc collection the first face is the regular Chinese one in every default above.
                pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
            except TTFError as exc:
                raise FontUnavailable(f"{path} cannot be embedded by reportlab (is it a CFF font?): {exc}") from exc
            _registered = str(path)
    return FONT_NAME


def _working_days(n: int) -> str:
    return ngettext("%(n)s 个工作日", "%(n)s 个工作日", n) % {"n": n}


def _visits(n: int) -> str:
    return ngettext("%(n)s 次", "%(n)s 次", n) % {"n": n}


def qr_drawing(url: str, size: float):
    """The qrcode library's modules for ``url`` as reportlab squares: vector, sharp at any print resolution."""
    import qrcode
    from reportlab.graphics.shapes import Drawing, Rect
    from reportlab.lib import colors

    # Medium error correction survives a creased or smudged printout (as screening.qr).
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(url)
    matrix = code.get_matrix()  # the quiet zone included
    module = size / len(matrix)
    drawing = Drawing(size, size)
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            end = x
            while end < len(row) and row[end]:
                end += 1
            # One rectangle per run of dark modules: no seams between neighbours when the page is rasterised.
            drawing.add(Rect(x * module, size - (y + 1) * module, (end - x) * module, module,
                             fillColor=colors.black, strokeColor=None))
            x = end
    return drawing


def pdf_response(build, filename: str, unavailable: str) -> HttpResponse:
    """The PDF ``build()`` makes, as a download; without a CJK font, 503 with ``unavailable`` (what to do instead)
    for the visitor and the reason in the log."""
    try:
        data = build()
    except FontUnavailable as exc:
        log.error("%s: %s", filename, exc)
        return HttpResponse(unavailable, status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def checklist_pdf_bytes(context: dict, large: bool = False) -> bytes:
    """The checklist PDF; ``large`` is the 长辈模式 print: body 16 pt, leading 1.5×, materials as a list (a
    four-column table cannot hold 16 pt text on A4)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = register_font()  # the CJK fonts found here carry Latin glyphs too, so English needs no second font
    # CJK wrapping breaks anywhere, which would split English words; English wraps at spaces.
    wrap = None if (get_language() or "").startswith("en") else "CJK"
    sep, semi = (", ", "; ") if wrap is None else ("、", "；")
    if large:
        base = ParagraphStyle("base", fontName=font, fontSize=16, leading=24, wordWrap=wrap)
        small = ParagraphStyle("small", parent=base, fontSize=14, leading=21)
        h1 = ParagraphStyle("h1", parent=base, fontSize=26, leading=36, spaceAfter=6)
        h2 = ParagraphStyle("h2", parent=base, fontSize=20, leading=28, spaceBefore=12, spaceAfter=6)
    else:
        base = ParagraphStyle("base", fontName=font, fontSize=10, leading=15, wordWrap=wrap)
        small = ParagraphStyle("small", parent=base, fontSize=8.5, leading=12)
        h1 = ParagraphStyle("h1", parent=base, fontSize=18, leading=24, spaceAfter=4)
        h2 = ParagraphStyle("h2", parent=base, fontSize=12.5, leading=18, spaceBefore=8, spaceAfter=4)
    detail = ParagraphStyle("detail", parent=base, leftIndent=base.fontSize * 1.5, spaceAfter=base.fontSize * 0.5)

    def p(text, style=base):
        return Paragraph(escape(str(text)), style)

    def table(rows, widths):
        t = Table(rows, colWidths=widths, repeatRows=1)
        t.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        return t

    page, theme = context["page"], context["theme"]
    site = context.get("site")
    story = [p(_("一次告知单"), h1), p(_("%(title)s（主题编码 %(code)s）") % {"title": page.title, "code": theme.code}, h2)]
    if site is not None:
        story.append(p(site.site_name, small))
    story.append(p(_("您的情况"), h2))
    for row in context["answers"]:
        story.append(p(f"{row.question.text}　{sep.join(row.labels)}"))

    if not context["applies"]:
        story += [p(_("本主题服务不适用于您"), h2),
                  p(_("根据您的回答，不需要通过本主题办理任何事项。如有疑问请电话咨询，或单独办理以下事项："))]
        story += [p(f"· {i.name}（{i.department_name}）" if wrap else f"· {i.name} ({i.department_name})")
                  for i in context["all_items"]]
    else:
        width = A4[0] - 40 * mm
        story.append(p(_("需要办理的事项（%(n)s 项）") % {"n": len(context["items"])}, h2))
        story.append(table([[p(_("事项")), p(_("部门")), p(_("承诺时限"))]] +
                           [[p(i.name), p(i.department_name),
                             p(_working_days(i.promised_days) if i.promised_days else _("即办"))]
                            for i in context["items"]], [width * 0.5, width * 0.3, width * 0.2]))
        story.append(p(_("需要提交的材料（%(n)s 种）") % {"n": len(context["to_submit"])}, h2))
        rows = [[p(_("材料")), p(_("形式 / 份数")), p(_("来源")), p(_("用于事项"))]]
        for n, m in enumerate(context["to_submit"], 1):
            name = m["name"] + ((f"（{m['note']}）" if wrap else f" ({m['note']})") if m["note"] else "")
            form = (ngettext("%(form)s %(copies)s 份", "%(form)s %(copies)s 份", m["copies"])
                    % {"form": m["form"], "copies": m["copies"]})
            if large:
                story += [p(f"{n}. {name}"), p(semi.join([form, m["source"], _("用于：") + semi.join(m["items"])]), detail)]
            else:
                rows.append([p(name), p(form), p(m["source"]), p(semi.join(m["items"]), small)])
        if not large:
            story.append(table(rows, [width * 0.38, width * 0.17, width * 0.15, width * 0.3]))
        if context["exempt"]:
            story.append(p(_("无需提交的材料（电子证照，窗口核验）"), h2))
            story += [p(_("· %(name)s：无需提交（用于：%(items)s）") % {"name": m["name"], "items": semi.join(m["items"])})
                      for m in context["exempt"]]
        story.append(p(_("一次表单需准备的信息"), h2))
        story.append(p(sep.join(context["fields"])))
        story.append(p(_("办理流程"), h2))
        story += [p(f"{n}. {s['actor_label']}: {s['name']}" if not wrap else f"{n}. {s['actor_label']}：{s['name']}")
                  if not s["days"] else
                  p(ngettext("%(n)s. %(actor)s：%(name)s（%(days)s 个工作日）",
                             "%(n)s. %(actor)s：%(name)s（%(days)s 个工作日）", s["days"])
                    % {"n": n, "actor": s["actor_label"], "name": s["name"], "days": s["days"]})
                  for n, s in enumerate(context["steps"], 1)]
        days, visits = context["days"], context["visits"]
        story.append(p(_("时限与跑动次数"), h2))
        # Four figures, each with its own plural: rendered apart, then placed in the sentence.
        story.append(p(_("办理时限：集成前 %(db)s → 集成后 %(da)s；跑动次数：集成前 %(vb)s → 集成后 %(va)s。")
                       % {"db": _working_days(days["before"]), "da": _working_days(days["after"]),
                          "vb": _visits(visits["before"]), "va": _visits(visits["after"])}))
    story.append(p(_("办理地点"), h2))
    for loc in context["locations"]:
        windows = (f"，{loc.windows}" if wrap else f", {localized(loc, 'windows')}") if loc.windows else ""
        story.append(p(_("%(name)s：%(address)s%(windows)s；%(hours)s；咨询电话 %(phone)s")
                       % {"name": localized(loc, "name"), "address": localized(loc, "address"), "windows": windows,
                          "hours": localized(loc, "hours"), "phone": loc.phone}))
    if not context["locations"]:
        story.append(p(_("请拨打 12345 政务服务便民热线咨询。")))

    url = context["absolute_url"]
    story += [Spacer(1, 6 * mm), qr_drawing(url, (40 if large else 32) * mm), p(_("窗口工作人员扫描二维码可打开本告知单："), small), p(url, small)]

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=f"{_('一次告知单')} - {page.title}", author=site.site_name if site else "")
    doc.build(story)
    return buffer.getvalue()
