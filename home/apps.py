from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "站点首页"

    def ready(self):
        from guides import extensions

        from .models import HomePage

        extensions.site_root.register(lambda: HomePage)
