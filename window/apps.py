from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class WindowConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "window"
    verbose_name = "综合窗口"

    def ready(self):
        from accounts.signals import staff_signed_in
        from guides import extensions

        from . import roles, themes, workdays
        from .models import Case

        extensions.add_workdays.register(workdays.add_workdays)
        post_save.connect(themes.case_saved, sender=Case, dispatch_uid="window-case-themes-saved")
        post_delete.connect(themes.changed, sender=Case, dispatch_uid="window-case-themes-deleted")
        staff_signed_in.connect(roles.on_staff_signed_in, dispatch_uid="window-roles-from-provider")
