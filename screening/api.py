"""JSON checklist endpoint: `GET /api/themes/<code>/checklist/?<question>=<option>&...` (see docs/api.md)."""

from django.http import JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from guides.api import LANG_PARAM, _site_or_404, api_language, in_language, json_error
from guides.queries import site_theme
from screening.engine import evaluate

from .themes import screening_for


@require_GET
def theme_checklist(request, code):
    site, error = _site_or_404(request)
    if error:
        return error
    language = api_language(request)
    page = in_language(site_theme(site, code), language)
    if page is None:
        with translation.override(language):
            return json_error(404, "unknown_theme", _("本站点没有编码为 %(code)s 的主题服务。") % {"code": code},
                              theme=code)
    theme = screening_for(page).theme
    # Every other parameter must be an answer here (the API's only own one is ``lang``), so an unknown key is an
    # error the caller should hear about rather than a silently ignored typo.
    outcome = evaluate(theme, {key: request.GET.getlist(key) for key in request.GET.keys() if key != LANG_PARAM})
    if outcome.errors:
        first = outcome.errors[0]
        with translation.override(language):
            errors = [e.as_dict(translate=_) for e in outcome.errors]
        return json_error(400, "invalid_answer", errors[0]["message"], question=first.question, value=first.value,
                          reason=first.code, errors=errors, theme=theme.code)
    body = outcome.as_dict()
    body.pop("errors", None)  # always empty on 200: invalid answers are a 400
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})
