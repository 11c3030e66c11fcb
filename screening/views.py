"""The self-screening wizard and the 一次告知单 (checklist), as functions of (request, theme page).

Everything lives in the query string: each form is a GET that carries the earlier answers as hidden inputs, so
the wizard works without JavaScript, cookies or an account, and a checklist URL reopens exactly that checklist.
Two parameters belong to the wizard, not to the theme: ``_asked`` (the question the submitted form showed) and
``_change`` (show this answered question again to change it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.db.models import F
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.models import Site

from guides.elder import LARGE_PARAM, is_elder
from guides.extensions import local_theme
from guides.i18n import is_english, vocab
from screening.engine import AnswerError, Outcome, Question, evaluate, prune, to_query

from .themes import ScreeningTheme, screening_for

log = logging.getLogger(__name__)

ASKED = "_asked"
CHANGE = "_change"
RESERVED = frozenset({ASKED, CHANGE, LARGE_PARAM})  # _large: the PDF in large print (长辈模式)
EXEMPT_SOURCE = "电子证照免提交"


def raw_answers(params) -> dict[str, list[str]]:
    """The theme's part of a query string: every key but the wizard's own, all values kept."""
    return {key: params.getlist(key) for key in params.keys() if key not in RESERVED}


def query(theme, answers, **extra) -> str:
    pairs = to_query(theme, answers) + [(k, v) for k, v in extra.items() if v is not None]
    return urlencode(pairs)


def page_url(request, page) -> str:
    return page.get_url(request=request)


def wizard_url(request, page, theme, answers, change: str | None = None) -> str:
    return f"{page_url(request, page)}screening/?{query(theme, answers, **{CHANGE: change})}".rstrip("?")


def checklist_url(request, page, theme, answers, suffix: str = "") -> str:
    return f"{page_url(request, page)}checklist/{suffix}?{query(theme, answers)}".rstrip("?")


@dataclass
class AnswerRow:
    question: Question
    labels: list[str]
    change_url: str


def answer_rows(request, page, theme, outcome: Outcome, before: Question | None = None) -> list[AnswerRow]:
    """The answered shown questions (up to ``before``), each with its "修改" link."""
    rows = []
    for question in outcome.shown:
        if before is not None and question.id == before.id:
            break
        value = outcome.answers.get(question.id)
        if value is None:
            continue
        chosen = [value] if isinstance(value, str) else [o for o in question.option_ids if o in value]
        labels = [question.option(o).label for o in chosen]
        rows.append(AnswerRow(question, labels, wizard_url(request, page, theme, outcome.answers, question.id)))
    return rows


# --------------------------------------------------------------------------- wizard


def _offered_or_404(request, page) -> None:
    """A theme the county hides (counties.ThemeOverride) shows only its reason: no wizard or checklist, whatever
    the language or the URL the visitor kept."""
    if local_theme(page, Site.find_for_request(request)).hidden:
        raise Http404(_("本站点暂不提供此项主题服务"))


def wizard(request, page):
    _offered_or_404(request, page)
    screening = screening_for(page)
    theme = screening.theme
    raw = raw_answers(request.GET)
    asked = request.GET.get(ASKED)
    if asked and theme.question(asked) is not None and not any(raw.get(asked, [])):
        raw[asked] = [""]  # a form sent without a choice: let the engine say "请回答…"
    outcome = evaluate(theme, raw)
    errors = list(outcome.errors)
    if asked:
        # The form carried later answers that the new choice may hide: drop them silently (engine.prune),
        # as the "修改" link promises. Hand-edited URLs (no _asked) still hear about them.
        errors = [e for e in errors if e.code != "hidden_question"]
    # The engine's messages are Chinese templates; the visitor reads them in the page's language.
    errors = [replace(e, message=e.render(_)) for e in errors]
    answers = prune(theme, raw)
    current = evaluate(theme, answers)
    changing = None
    if not errors and not asked and request.GET.get(CHANGE) in answers:
        changing = theme.question(request.GET[CHANGE])  # a "修改" or back link: show that answered question again
    if not errors and changing is None and (asked or current.complete):
        # A submitted form always lands on a clean URL: the next question, or the finished checklist.
        target = checklist_url(request, page, theme, answers) if current.complete else \
            wizard_url(request, page, theme, answers)
        return HttpResponseRedirect(target)
    return _render_question(request, page, screening, current, changing or current.next_question, errors)


def _render_question(request, page, screening: ScreeningTheme, current: Outcome, question: Question | None,
                     errors: list[AnswerError]):
    theme = screening.theme
    answers = dict(current.answers)
    context = {
        "page": page,
        "self": page,
        "theme": theme,
        "errors": errors,
        "question": question,
        "guide_url": page_url(request, page),
        "form_action": f"{page_url(request, page)}screening/",
        "checklist_url": checklist_url(request, page, theme, answers) if current.complete else None,
        "answers_so_far": answer_rows(request, page, theme, current, before=question),
    }
    if question is not None:
        chosen = answers.get(question.id)
        chosen = set() if chosen is None else {chosen} if isinstance(chosen, str) else set(chosen)
        others = {k: v for k, v in answers.items() if k != question.id}
        position = current.shown.index(question)
        previous = current.shown[position - 1] if position else None
        context.update(
            options=[(o, o.id in chosen) for o in question.options],
            hidden=to_query(theme, others),
            asked_name=ASKED,
            number=position + 1,
            total=len(current.shown),
            back_url=wizard_url(request, page, theme, answers, previous.id) if previous else page_url(request, page),
            back_label=_("上一题") if previous else _("返回办事指南"),
            error_ids={e.question for e in errors},
        )
    status = 400 if errors else 200
    return TemplateResponse(request, "screening/wizard.html", context, status=status)


# --------------------------------------------------------------------------- checklist


def _complete_outcome(request, page):
    """(screening, outcome) for complete valid answers, or (screening, redirect to the wizard)."""
    _offered_or_404(request, page)
    screening = screening_for(page)
    if is_english():
        screening = screening.in_english()
    outcome = evaluate(screening.theme, raw_answers(request.GET))
    if outcome.complete:
        return screening, outcome
    # Incomplete or invalid: the wizard shows the first question needing an answer and says why.
    qs = request.GET.urlencode()
    return screening, HttpResponseRedirect(f"{page_url(request, page)}screening/" + (f"?{qs}" if qs else ""))


def checklist_context(request, page, screening: ScreeningTheme, outcome: Outcome) -> dict:
    from guides.queries import locations_for_site

    theme = screening.theme
    items = [screening.items[code] for code in outcome.items]
    names = {code: info.name for code, info in screening.items.items()}
    materials = [
        {"code": m.code, "name": m.name, "form": vocab(m.form), "copies": m.copies, "source": vocab(m.source),
         "note": m.note,
         "exempt": m.source == EXEMPT_SOURCE, "items": [names.get(c, c) for c in served]}
        for m, served in outcome.materials
    ]
    site = Site.find_for_request(request)
    local = local_theme(page, site)
    absolute = request.build_absolute_uri(checklist_url(request, page, theme, outcome.answers))
    return {
        "page": page,
        "self": page,
        "theme": theme,
        "outcome": outcome,
        "applies": outcome.applies,
        "items": items,
        "departments": list(dict.fromkeys(i.department_name for i in items)),
        "all_items": [screening.items[i.code] for i in theme.items if i.code in screening.items],
        "to_submit": [m for m in materials if not m["exempt"]],
        "exempt": [m for m in materials if m["exempt"]],
        "fields": [screening.field_labels.get(code, code) for code in outcome.fields],
        "steps": [{"name": s.name, "actor": s.actor, "actor_label": vocab(screening.actor_label(s.actor)), "days": s.days}
                  for s in outcome.steps],
        # A county's own promise (counties.ThemeOverride) replaces the city's "after" figures on that county.
        "days": {**outcome.days, "after": local.days_after},
        "visits": {**outcome.visits, "after": local.visits_after},
        "locations": locations_for_site(site),
        "site": site,
        "answers": answer_rows(request, page, theme, outcome),
        "guide_url": page_url(request, page),
        "absolute_url": absolute,
        "pdf_url": checklist_url(request, page, theme, outcome.answers, "pdf/"),
        "restart_url": f"{page_url(request, page)}screening/",
    }


def checklist(request, page):
    screening, outcome = _complete_outcome(request, page)
    if isinstance(outcome, HttpResponse):
        return outcome
    from guides.models import ThemePage

    from .qr import qr_svg

    context = checklist_context(request, page, screening, outcome)
    context["qr_svg"] = qr_svg(context["absolute_url"])
    if is_elder(request):
        # The link itself asks for large print, so a downloaded or shared PDF URL keeps it.
        context["pdf_url"] += ("&" if "?" in context["pdf_url"] else "?") + f"{LARGE_PARAM}=1"
    if outcome.applies:
        # The unified online form (intake) takes the same answers, so the applicant does not answer twice.
        context["apply_url"] = f"{reverse('intake:apply', args=[screening.theme.code])}?{query(screening.theme, outcome.answers)}"
    # An F() update: concurrent visitors each count, and the page is not re-saved (no revision, no signals).
    # Counted on the page and its translations alike: popularity is synchronised from the source on translation.
    ThemePage.objects.filter(translation_key=page.translation_key).update(popularity=F("popularity") + 1)
    return TemplateResponse(request, "screening/checklist.html", context)


def checklist_pdf(request, page):
    screening, outcome = _complete_outcome(request, page)
    if isinstance(outcome, HttpResponse):
        return outcome
    from .pdf import checklist_pdf_bytes, pdf_response

    context = checklist_context(request, page, screening, outcome)
    large = is_elder(request) or request.GET.get(LARGE_PARAM) == "1"
    return pdf_response(lambda: checklist_pdf_bytes(context, large=large), f"checklist-{screening.theme.code}.pdf",
                        _("暂时无法生成 PDF：服务器缺少中文字体。请使用浏览器的“打印”功能保存告知单，或联系网站管理员。"))
