from django.apps import AppConfig


class WindowConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "window"
    verbose_name = "综合窗口"
