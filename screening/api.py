"""JSON checklist endpoint: `GET /api/themes/<code>/checklist/?<question>=<option>&...` (see docs/api.md)."""

from django.http import JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from guides.api import LANG_PARAM, json_error, theme_for_request
from screening.engine import evaluate

from .themes import screening_for


@require_GET
def theme_checklist(request, code):
    page, language, error = theme_for_request(request, code)
    if error:
        return error
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
