"""What a form asks: `Context` for a theme and a set of answers, `Correction` for a returned application."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext
from wagtail.models import Site

from guides.i18n import is_english, vocab

from ..constants import EXEMPT_SOURCE
from ..forms import field_specs
from ..models import Application


def _theme(request, code: str):
    from guides.extensions import local_theme
    from guides.queries import site_theme

    site = Site.find_for_request(request)
    page = site_theme(site, code) if site is not None else None
    if page is None or local_theme(page, site).hidden:
        raise Http404(gettext("没有这项主题服务。"))
    return site, page


def _shown(page):
    """The page in the visitor's language when it is translated (for the words); the Chinese one otherwise."""
    from guides.i18n import is_english

    if not is_english():
        return page
    from wagtail.models import Locale

    return page.get_translation_or_none(Locale.get_active()) or page


def _raw_answers(params) -> dict[str, list[str]]:
    # Parameters starting with "_" belong to the pages (the wizard's, our draft id), not to the theme.
    return {k: params.getlist(k) for k in params.keys() if not k.startswith("_")}


def _registry(codes, rows=None) -> dict[str, dict]:
    """Field rows by code, labels in the active language (guides.i18n.localized); ``rows``: already fetched."""
    from guides.i18n import localized
    from guides.models import FormField

    if rows is None:
        rows = FormField.objects.filter(code__in=list(codes))
    return {f.code: {"label": localized(f, "label"), "type": f.type, "choices": list(f.choices or []),
                     "choice_labels": _choice_labels(f)}
            for f in rows}


def _choice_labels(field) -> list[str]:
    """The choices as shown: the registry's English column on English pages (paired by position), else the
    catalogue vocabulary; the stored values stay the Chinese choices."""
    choices = list(field.choices or [])
    if is_english() and len(field.choices_en or []) == len(choices):
        return list(field.choices_en)
    return [vocab(c) for c in choices]


class Context:
    """Everything the form needs about one theme and one set of answers.

    What is stored and handed off (theme title, item and material names) is the Chinese, which the window reads;
    the labels shown come from the page in the visitor's language. Codes, conditions and figures are synchronised
    between translations, so both evaluate to the same items, fields and materials.
    """

    def __init__(self, request, code: str):
        from guides.i18n import is_english
        from screening.engine import evaluate, to_query
        from screening.themes import screening_for

        self.site, self.page = _theme(request, code)
        self.shown = _shown(self.page)
        self.screening = screening_for(self.page)
        theme = self.screening.theme
        self.outcome = evaluate(theme, _raw_answers(request.GET))
        self.query = urlencode(to_query(theme, self.outcome.answers))
        self.page_url = self.shown.get_url(request=request)
        qs = request.GET.copy()
        qs.pop("_draft", None)
        self.wizard_url = f"{self.page_url}screening/" + (f"?{qs.urlencode()}" if qs else "")
        self.checklist_url = f"{self.page_url}checklist/?{self.query}"
        if not self.outcome.complete or not self.outcome.applies:
            return
        shown = self.screening
        shown_outcome = self.outcome
        if self.shown.pk != self.page.pk or is_english():
            shown = screening_for(self.shown)
            shown = shown.in_english() if is_english() else shown
            shown_outcome = evaluate(shown.theme, _raw_answers(request.GET))
        from guides.models import FormField

        # Fetched once: the form shows them in the visitor's language, stored_specs keeps them in Chinese.
        self._fields = list(FormField.objects.filter(code__in=list(self.outcome.fields)))
        self.specs = field_specs(list(self.outcome.fields), _registry(self.outcome.fields, self._fields),
                                 list(self.page.delivery))
        names = {code: info.name for code, info in self.screening.items.items()}
        labels = {code: info.name for code, info in shown.items.items()}
        self.items = [{"code": c, "name": names.get(c, c), "label": labels.get(c) or names.get(c, c)}
                      for c in self.outcome.items]
        shown_materials = {m.code: m for m, _ in shown_outcome.materials}
        self.slots = []
        for m, served in self.outcome.materials:
            if m.source == EXEMPT_SOURCE:
                continue
            words = shown_materials.get(m.code, m)
            self.slots.append({"code": m.code, "name": m.name, "label": words.name, "form": vocab(m.form),
                               "copies": m.copies, "note": words.note or "",
                               "serves": [labels.get(c) or names.get(c, c) for c in served]})
        self.exempt = [shown_materials.get(m.code, m).name for m, _ in self.outcome.materials
                       if m.source == EXEMPT_SOURCE]

    def stored_specs(self) -> list:
        """The specs with Chinese labels, as the application stores them for the window, whatever was shown."""
        with translation.override(settings.LANGUAGE_CODE):
            specs = field_specs(list(self.outcome.fields), _registry(self.outcome.fields, self._fields),
                                list(self.page.delivery))
            return [dataclasses.replace(s, label=str(s.label), help="") for s in specs]

    def answers_json(self) -> dict:
        return {k: v if isinstance(v, str) else sorted(v) for k, v in self.outcome.answers.items()}


class Correction:
    """What a returned application asks again: the fields and materials the window ticked (all of them when the
    window only wrote a free-text reason), everything else kept as submitted."""

    def __init__(self, app: Application):
        from guides.models import ThemePage
        from screening.themes import screening_for

        self.app = app
        codes = [f["code"] for f in app.form_fields]
        page = ThemePage.objects.filter(code=app.theme_code, alias_of__isnull=True,
                                        locale__language_code=settings.LANGUAGE_CODE).first()
        delivery = list(page.delivery) if page is not None else []
        shown = _shown(page) if page is not None else None
        self.title = shown.title if shown is not None else app.theme_title
        # Material names in the visitor's language from the page (stored names are the Chinese ones).
        words = {m.code: m.name for m in screening_for(shown).theme.materials} if shown is not None else {}
        specs = field_specs(codes, _registry(codes), delivery)
        fix = app.return_fix or {}
        wanted_fields = set(fix.get("fields") or ([] if fix else codes))
        self.specs = [s for s in specs if s.code in wanted_fields]
        wanted_materials = set(fix.get("materials") or [])
        self.required_materials = wanted_materials
        uploads = list(app.current_uploads)
        # Materials to upload again: the ticked ones (required); with no ticks, any may be replaced (optional).
        self.slots = [{"code": u.material_code, "name": u.material_name, "current": u,
                       "label": words.get(u.material_code) or u.material_name,
                       "required": u.material_code in wanted_materials}
                      for u in uploads if u.material_code in wanted_materials or not fix]
        slotted = {s["code"] for s in self.slots}
        self.kept = [words.get(u.material_code) or u.material_name for u in uploads if u.material_code not in slotted]
