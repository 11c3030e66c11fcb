from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CountiesConfig(AppConfig):
    name = "counties"
    verbose_name = "县级站点与编辑流程"

    def ready(self):
        from guides import extensions

        from .models import ThemeOverride
        from .overrides import hidden_codes, local_theme
        from .views import ServiceLocationViewSet

        extensions.local_theme.register(local_theme)
        extensions.hidden_codes.register(hidden_codes)
        extensions.catalogue_viewsets.register(ServiceLocationViewSet)
        post_save.connect(_override_changed, sender=ThemeOverride, dispatch_uid="counties-override-saved")
        post_delete.connect(_override_changed, sender=ThemeOverride, dispatch_uid="counties-override-deleted")


def _override_changed(sender, instance, **kwargs):
    # Hiding a theme on a county (or showing it again) changes what that site offers. By id: on a cascade from the
    # theme's deletion the page may be gone (its own deletion is announced by Wagtail then).
    from guides.extensions import theme_changed
    from guides.models import ThemePage

    code = ThemePage.objects.filter(pk=instance.theme_id).values_list("code", flat=True).first()
    theme_changed.send(sender=sender, code=code)
