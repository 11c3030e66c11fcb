"""The site's URLs plus /bench/ping/, the baseline every page is compared with (bench settings only)."""

from django.http import HttpResponse
from django.urls import include, path


def ping(request):
    return HttpResponse(b"pong", content_type="text/plain")


urlpatterns = [path("bench/ping/", ping), path("", include("guide_site.urls"))]
