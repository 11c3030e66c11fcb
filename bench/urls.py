"""The site's URLs plus /bench/ping/, the baseline every page is compared with (bench settings only)."""

from django.http import HttpResponse
from django.urls import path

from guide_site.urls import urlpatterns as site_urlpatterns


def ping(request):
    return HttpResponse(b"pong", content_type="text/plain")


# Prepended, not included: the site's URLconf uses i18n_patterns, which Django allows only at the root.
urlpatterns = [path("bench/ping/", ping), *site_urlpatterns]
