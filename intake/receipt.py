"""The 受理回执 as a PDF: what was submitted, what happens next and by when, and a QR code of the progress lookup.

Drawn with reportlab and the CJK TrueType font the checklist PDF registers (screening.pdf).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from guides.extensions import add_workdays, local_theme
from guides.queries import site_theme
from screening.pdf import qr_drawing, register_font

from .constants import DELIVERY_LABELS, Status
from .models import Application
from .validators import mask_phone

#: The three stages every application goes through (一次联办), as the window works them.
WINDOW, APPROVAL, DELIVERY = range(3)
STAGE_OF = {Status.SUBMITTED: WINDOW, Status.RETURNED: WINDOW, Status.ACCEPTED: APPROVAL,
            Status.IN_APPROVAL: APPROVAL, Status.COMPLETED: DELIVERY, Status.PARTLY_REJECTED: DELIVERY}


@dataclass(frozen=True)
class Promise:
    days: int
    due: date | None  # None: no working-day calendar to count on
    accepted: bool  # counted from the acceptance, else from today as if accepted today


def stages(app: Application) -> list[str]:
    delivery = DELIVERY_LABELS.get(app.delivery, app.delivery)
    return [_("综合窗口受理审核"), _("各部门并联审批"),
            _("送达（%(way)s）") % {"way": delivery} if delivery else _("送达")]


def next_step(app: Application) -> str:
    if app.status == Status.RETURNED:
        return _("按退回意见补正材料后重新提交")
    if app.status not in STAGE_OF:
        return _("已送达，办理完结")
    return stages(app)[STAGE_OF[app.status]]


def promise(app: Application, today: date | None = None) -> Promise | None:
    """The theme's promised working days on the site applied on (a county's own promise included) and the date they
    run out, counted like the window counts its due date: from the day of acceptance. None when the theme is gone."""
    page = site_theme(app.site, app.theme_code) if app.site is not None else None
    days = local_theme(page, app.site).days_after if page is not None else 0
    if not days:
        return None
    accepted = (app.history.filter(to_status__in=[Status.ACCEPTED, Status.IN_APPROVAL]).order_by("at", "pk")
                .values_list("at", flat=True).first())
    start = timezone.localdate(accepted) if accepted else (today or timezone.localdate())
    return Promise(days=days, due=add_workdays(start, days), accepted=accepted is not None)


def _promise_text(p: Promise | None) -> str:
    if p is None:
        return _("办理时限以综合窗口受理时告知为准。")
    if p.due is None:
        return ngettext("自受理之日起 %(n)s 个工作日内办结。", "自受理之日起 %(n)s 个工作日内办结。", p.days) % {"n": p.days}
    values = {"n": p.days, "due": p.due.strftime("%Y-%m-%d")}
    if p.accepted:
        return ngettext("自受理之日起 %(n)s 个工作日内办结，即 %(due)s 前。",
                        "自受理之日起 %(n)s 个工作日内办结，即 %(due)s 前。", p.days) % values
    return ngettext("自受理之日起 %(n)s 个工作日内办结；如今日受理，预计 %(due)s 前办结。",
                    "自受理之日起 %(n)s 个工作日内办结；如今日受理，预计 %(due)s 前办结。", p.days) % values


def receipt_pdf_bytes(app: Application, progress_url: str, today: date | None = None) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = register_font()
    # CJK wrapping breaks anywhere, which would split English words; English wraps at spaces.
    wrap = None if (get_language() or "").startswith("en") else "CJK"
    base = ParagraphStyle("base", fontName=font, fontSize=10.5, leading=16, wordWrap=wrap)
    small = ParagraphStyle("small", parent=base, fontSize=8.5, leading=12)
    h1 = ParagraphStyle("h1", parent=base, fontSize=20, leading=28, alignment=1, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=base, fontSize=12.5, leading=18, spaceBefore=8, spaceAfter=4)

    def p(text, style=base):
        return Paragraph(escape(str(text)), style)

    width = A4[0] - 40 * mm
    site = app.site
    rows = [
        (_("办件编号"), app.tracking_number),
        (_("主题服务"), app.theme_title),
        (_("提交时间"), timezone.localtime(app.submitted_at).strftime("%Y-%m-%d %H:%M")),
        (_("联系手机"), mask_phone(app.phone)),
        (_("当前状态"), app.get_status_display()),
    ]
    facts = Table([[p(label), p(value)] for label, value in rows], colWidths=[width * 0.22, width * 0.78])
    facts.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#e8eef4")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story = [p(_("受理回执"), h1)]
    if site is not None:
        story.append(p(site.site_name, small))
    story += [Spacer(1, 3 * mm), facts]

    story.append(p(_("适用事项（%(n)s 项）") % {"n": len(app.items)}, h2))
    story += [p(f"{n}. {item.get('name') or item.get('code', '')}") for n, item in enumerate(app.items, 1)]

    story.append(p(_("下一步"), h2))
    story.append(p(next_step(app)))
    current = STAGE_OF.get(app.status, DELIVERY + 1)
    for n, stage in enumerate(stages(app)):
        mark = _("（已完成）") if n < current else _("（当前）") if n == current else ""
        story.append(p(f"{n + 1}. {stage}{mark}"))

    story.append(p(_("承诺时限"), h2))
    story.append(p(_promise_text(promise(app, today))))

    size = 32 * mm
    story += [Spacer(1, 6 * mm), qr_drawing(progress_url, size),
              p(_("扫描二维码查询办理进度（需输入申请时填写的手机号码）："), small), p(progress_url, small)]

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=f"{_('受理回执')} {app.tracking_number}",
                            author=site.site_name if site is not None else "")
    doc.build(story)
    return buffer.getvalue()
