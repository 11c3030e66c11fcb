"""The site's URLs plus /bench/ping/, the baseline every page is compared with (bench settings only)."""

from django.conf import settings
from django.contrib.staticfiles.views import serve as serve_static
from django.http import HttpResponse
from django.urls import path, re_path

from guide_site.urls import urlpatterns as site_urlpatterns


def ping(request):
    return HttpResponse(b"pong", content_type="text/plain")


# Prepended, not included: the site's URLconf uses i18n_patterns, which Django allows only at the root.
urlpatterns = [
    path("bench/ping/", ping),
    # With DEBUG off the site serves no static files (production leaves them to the front server); the browser
    # section needs the CSS and JS a visitor would get, as they are (uncompressed, like the rest of the stack).
    re_path(rf"^{settings.STATIC_URL.lstrip('/')}(?P<path>.*)$", serve_static, {"insecure": True}),
    *site_urlpatterns,
]
