"""One HomePage per site (the city and each county): the entry to its themes."""

from django.core.validators import RegexValidator
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page, Site
from wagtail_localize.fields import SynchronizedField

from guides.catalogue import REGION_CODE
from guides.constants import SiteLevel


class HomePage(Page):
    # Not unique: the English home of a site is a translation carrying the same code (a constraint cannot span
    # Page.locale from here); the importer keys the Chinese homes by it.
    site_code = models.SlugField("站点编码", max_length=32,
                                 help_text="与目录 sites.yaml 中的编码一致，如 ankang、hanbin。")
    level = models.CharField("层级", max_length=8, choices=SiteLevel.choices, default=SiteLevel.COUNTY)
    region_code = models.CharField(
        "行政区划代码", max_length=6, blank=True,
        validators=[RegexValidator(REGION_CODE, "请填写6位数字的行政区划代码（GB/T 2260），如 610902。")],
        help_text="GB/T 2260 的6位代码，如汉滨区 610902：在本站提交的办件编号以它开头。留空则用市级默认代码。")
    intro = models.TextField("欢迎语", blank=True)

    content_panels = [*Page.content_panels, FieldPanel("site_code"), FieldPanel("level"), FieldPanel("region_code"),
                      FieldPanel("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["guides.ThemeIndexPage"]

    override_translatable_fields = [SynchronizedField("site_code", overridable=False), SynchronizedField("level", overridable=False),
                                    SynchronizedField("region_code", overridable=False)]

    class Meta:
        verbose_name = "站点首页"

    def get_context(self, request, *args, **kwargs):
        from guides.queries import home_context

        context = super().get_context(request, *args, **kwargs)
        context.update(home_context(self, Site.find_for_request(request)))
        return context
