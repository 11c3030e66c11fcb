from django.urls import path

from . import views
from .constants import Audience

app_name = "accounts"

# Unprefixed by language: the callback URLs are registered at the provider and must not move.
urlpatterns = [
    route
    for audience in Audience.values
    for route in (
        path(f"{audience}/login/", views.Start.as_view(audience=audience), name=f"{audience}-login"),
        path(f"{audience}/callback/", views.Callback.as_view(audience=audience), name=f"{audience}-callback"),
    )
]
