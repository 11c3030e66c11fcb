from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from guide_site.health import healthz
from guides import api as guides_api
from home import views as home_views
from screening import api as screening_api
from search import views as search_views

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("oidc/", include("accounts.urls")),
    path("api/themes/", guides_api.theme_list, name="api-theme-list"),
    path("api/themes/<str:code>/", guides_api.theme_detail, name="api-theme-detail"),
    path("api/themes/<str:code>/checklist/", screening_api.theme_checklist, name="api-theme-checklist"),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Public pages, the intake and the window: Chinese unprefixed (the default), English under /en/. Admin, API and
# documents stay unprefixed only. The machine endpoints (/intake/webhook/, /window/handoff/) keep answering unprefixed.
urlpatterns += i18n_patterns(
    # Before Wagtail's catch-all, which would otherwise look for pages at /search/, /intake/, /window/.
    path("search/", search_views.search_page, name="search"),
    path("search/autocomplete/", search_views.autocomplete, name="search-autocomplete"),
    path("elder/", home_views.elder_mode, name="elder-mode"),
    path("intake/", include("intake.urls")),
    path("window/", include("window.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
