from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class GuidesConfig(AppConfig):
    name = "guides"
    verbose_name = "主题服务"

    def ready(self):
        from wagtail.models import PageViewRestriction, Site
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from .cache import bump_content_version, bump_registry_version
        from .extensions import theme_changed
        from .models import Department, FormField, Material, ServiceItem, ServiceLocation, ThemeCategory

        for model in (Department, ServiceItem, Material, FormField):
            post_save.connect(bump_registry_version, sender=model, dispatch_uid=f"guides-version-{model.__name__}")
            post_delete.connect(bump_registry_version, sender=model, dispatch_uid=f"guides-version-del-{model.__name__}")
        # Everything else a public page shows: offices, categories, sites (hosts, roots), who may see a page (a
        # view restriction added to a page makes it private at once, also in the page cache), the pages themselves
        # (Wagtail also sends page_unpublished when a live page is deleted), and theme_changed, which counties send
        # for an override and import_translations for a new translation.
        for model in (ServiceLocation, ThemeCategory, Site, PageViewRestriction):
            post_save.connect(bump_content_version, sender=model, dispatch_uid=f"guides-content-{model.__name__}")
            post_delete.connect(bump_content_version, sender=model, dispatch_uid=f"guides-content-del-{model.__name__}")
        for signal in (page_published, page_unpublished, post_page_move, theme_changed):
            signal.connect(bump_content_version, dispatch_uid=f"guides-content-{id(signal)}")
