from django.apps import AppConfig


class NoticesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notices"
    verbose_name = "通知"

    def ready(self):
        from intake import signals

        from . import compose

        # dispatch_uid: connected once however often ready() runs (tests that reload apps).
        signals.submitted.connect(compose.on_submitted, dispatch_uid="notices.submitted")
        signals.status_changed.connect(compose.on_status_changed, dispatch_uid="notices.status_changed")
        signals.decided.connect(compose.on_decided, dispatch_uid="notices.decided")
        signals.code_requested.connect(compose.on_code_requested, dispatch_uid="notices.code_requested")
