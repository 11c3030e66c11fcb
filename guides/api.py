"""JSON API for other channels (apps, kiosks, other government systems): the current site's themes.

The API stays unprefixed (/api/...) and Chinese by default. ``?lang=en`` asks for English: messages in English
and, where a theme has a live English translation, its texts. Only the explicit parameter counts, not
Accept-Language, so a URL always gives the same answer (caches, other systems' logs).
"""

from django.conf import settings
from django.http import JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from wagtail.models import Locale, Site

from .extensions import hidden_codes
from .i18n import localized
from .queries import site_theme, site_themes
from .spec import ThemeGuide


def json_error(status: int, code: str, message: str, **extra) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, **extra}}, status=status,
                        json_dumps_params={"ensure_ascii": False})


LANG_PARAM = "lang"


def api_language(request) -> str:
    wanted = request.GET.get(LANG_PARAM, "")
    return wanted if wanted in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def in_language(page, language: str):
    """The live translation of ``page`` in ``language``, else ``page`` itself (Chinese is always complete)."""
    if page is None or language == settings.LANGUAGE_CODE:
        return page
    locale = Locale.objects.filter(language_code=language).first()
    target = page.get_translation_or_none(locale) if locale is not None else None
    return target.specific if target is not None and target.live else page


def _site_or_404(request):
    site = Site.find_for_request(request)
    if site is None:
        with translation.override(api_language(request)):
            return None, json_error(404, "unknown_site", _("没有与该域名对应的站点。"))
    return site, None


def theme_for_request(request, code):
    """(page in the asked language, language, None) or (None, language, JSON 404) for a theme of this site."""
    language = api_language(request)
    site, error = _site_or_404(request)
    if error:
        return None, language, error
    page = site_theme(site, code)
    # A theme the county hides is not offered there (as in its listing): not by code either, in any language.
    if page is not None and code in hidden_codes(site):
        page = None
    page = in_language(page, language)
    if page is None:
        with translation.override(language):
            return None, language, json_error(
                404, "unknown_theme", _("本站点没有编码为 %(code)s 的主题服务。") % {"code": code}, theme=code)
    return page, language, None


@require_GET
def theme_list(request):
    site, error = _site_or_404(request)
    if error:
        return error
    themes = site_themes(site).order_by("code")
    data = [
        {"code": t.code, "title": t.title, "category": t.category.name, "audience": t.audience,
         "url": request.build_absolute_uri(t.get_url(request=request))}
        for t in themes
    ]
    return JsonResponse({"site": site.root_page.specific.site_code, "count": len(data), "themes": data},
                        json_dumps_params={"ensure_ascii": False})


@require_GET
def theme_detail(request, code):
    page, language, error = theme_for_request(request, code)
    if error:
        return error
    site = Site.find_for_request(request)
    with translation.override(language):
        guide = ThemeGuide.for_page(page)
    spec = guide.spec
    items = [
        {"code": iv.item.code, "name": iv.item.name, "kind": iv.item.kind,
         "department": {"code": iv.item.department.code, "name": iv.item.department.name},
         "legal_days": iv.item.legal_days, "promised_days": iv.item.promised_days, "fee": iv.item.fee,
         "basis": localized(iv.item, "basis", language), "when": next(i.get("when") for i in spec["items"] if i["item"] == iv.item.code)}
        for iv in guide.items
    ]
    fields = [{"code": f.code, "label": f.label, "type": f.type, "choices": f.choices} for f in guide.fields]
    rules = {r["field"]: r["when"] for r in spec.get("field_rules", [])}
    for f in fields:
        f["when"] = rules.get(f["code"])
    body = {
        "code": spec["code"], "title": spec["title"], "category": spec["category"], "audience": spec["audience"],
        "summary": spec["summary"], "conditions": spec["conditions"], "online": spec["online"],
        "delivery": spec["delivery"], "fee": spec["fee"], "visits": spec["visits"], "days": spec["days"],
        "url": request.build_absolute_uri(page.get_url(request=request)),
        "items": items, "questions": spec["questions"], "materials": spec["materials"], "steps": spec["steps"],
        "fields": fields,
        "locations": [
            {"name": localized(loc, "name", language), "address": localized(loc, "address", language),
             "windows": localized(loc, "windows", language), "hours": localized(loc, "hours", language),
             "phone": loc.phone}
            for loc in site.locations.order_by("sort_order", "name")
        ],
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})
