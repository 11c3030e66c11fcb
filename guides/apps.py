from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class GuidesConfig(AppConfig):
    name = "guides"
    verbose_name = "主题服务"

    def ready(self):
        from .cache import bump_registry_version
        from .models import Department, FormField, Material, ServiceItem

        for model in (Department, ServiceItem, Material, FormField):
            post_save.connect(bump_registry_version, sender=model, dispatch_uid=f"guides-version-{model.__name__}")
            post_delete.connect(bump_registry_version, sender=model, dispatch_uid=f"guides-version-del-{model.__name__}")
