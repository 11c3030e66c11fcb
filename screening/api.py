"""JSON checklist endpoint: `GET /api/themes/<code>/checklist/?<question>=<option>&...` (see docs/api.md)."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from guides.api import _site_or_404, json_error
from guides.queries import site_theme
from screening.engine import evaluate

from .themes import screening_for


@require_GET
def theme_checklist(request, code):
    site, error = _site_or_404(request)
    if error:
        return error
    page = site_theme(site, code)
    if page is None:
        return json_error(404, "unknown_theme", f"本站点没有编码为 {code} 的主题服务。", theme=code)
    theme = screening_for(page).theme
    # Every parameter must be an answer here (unlike the wizard, the API has no parameters of its own), so an
    # unknown key is an error the caller should hear about rather than a silently ignored typo.
    outcome = evaluate(theme, {key: request.GET.getlist(key) for key in request.GET.keys()})
    if outcome.errors:
        first = outcome.errors[0]
        return json_error(400, "invalid_answer", first.message, question=first.question, value=first.value,
                          reason=first.code, errors=[e.as_dict() for e in outcome.errors], theme=theme.code)
    body = outcome.as_dict()
    body.pop("errors", None)  # always empty on 200: invalid answers are a 400
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})
