from django.utils.cache import patch_vary_headers


class ElderModeVaryMiddleware:
    """Adds ``Vary: Cookie`` to responses rendered with the elder-mode cookie in view, with or without it.

    Patching only when the cookie is present would let a cache keep the standard page without Vary and serve it
    to elder visitors too. Responses that never looked (API, static files) stay free of it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # TemplateResponses are rendered before they come back through middleware, so the flag is set by now.
        if getattr(request, "elder_mode_read", False):
            patch_vary_headers(response, ("Cookie",))
        return response
