"""Registries (departments, items, materials, form fields, categories, offices) and the theme pages."""

from __future__ import annotations

from functools import cached_property

from django.core.exceptions import ValidationError
from django.db import models
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.fields import StreamField
from wagtail.models import Page, Site
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from . import extensions
from .blocks import FormFieldsBlock, MaterialsBlock, QuestionsBlock, StepsBlock, ThemeItemsBlock
from .constants import Audience, Category, Delivery, FieldType, ItemKind, OnlineLevel
from .fields import ChoiceListField


class Department(index.Indexed, models.Model):
    code = models.CharField("编码", max_length=16, unique=True)
    name = models.CharField("名称", max_length=200)
    short = models.CharField("简称", max_length=100)
    # Registries are shared rows, not pages: their English names sit beside the Chinese (guides.i18n.localized).
    name_en = models.CharField("英文名称", max_length=300, blank=True)
    short_en = models.CharField("英文简称", max_length=150, blank=True)

    panels = [FieldPanel("code"), FieldPanel("name"), FieldPanel("short"), FieldPanel("name_en"), FieldPanel("short_en")]
    search_fields = [index.SearchField("name"), index.SearchField("short"), index.FilterField("code")]

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["code"]

    def __str__(self):
        return self.short or self.name


class ServiceItem(index.Indexed, models.Model):
    code = models.CharField("事项编码", max_length=32, unique=True)
    name = models.CharField("事项名称", max_length=300)
    kind = models.CharField("事项类型", max_length=16, choices=ItemKind.choices)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="items",
                                   verbose_name="实施部门")
    legal_days = models.PositiveIntegerField("法定办结时限（工作日）", help_text="0 表示即办")
    promised_days = models.PositiveIntegerField("承诺办结时限（工作日）")
    fee = models.CharField("收费", max_length=200, default="不收费")
    basis = models.JSONField("设定依据", default=list, help_text="每条依据一项。")
    name_en = models.CharField("英文名称", max_length=400, blank=True)
    basis_en = models.JSONField("英文设定依据", default=list, blank=True,
                                help_text="可留空；填写时与中文设定依据逐条对应、条数相同。")

    panels = [
        FieldPanel("code"), FieldPanel("name"), FieldPanel("name_en"), FieldPanel("kind"), FieldPanel("department"),
        FieldRowPanel([FieldPanel("legal_days"), FieldPanel("promised_days")]),
        FieldPanel("fee"), FieldPanel("basis"), FieldPanel("basis_en"),
    ]
    search_fields = [index.SearchField("name"), index.SearchField("code"), index.FilterField("kind")]

    class Meta:
        verbose_name = "政务服务事项"
        verbose_name_plural = "政务服务事项"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    def clean(self):
        if self.promised_days is not None and self.legal_days is not None and self.promised_days > self.legal_days:
            raise ValidationError({"promised_days": "承诺时限不能超过法定时限。"})
        if not self.basis or not all(isinstance(b, str) and b.strip() for b in self.basis):
            raise ValidationError({"basis": "至少填写一条设定依据（文字列表）。"})
        # Shown as a whole instead of the Chinese list, so it must say the same, entry by entry.
        if self.basis_en and (not isinstance(self.basis_en, list) or len(self.basis_en) != len(self.basis)
                              or not all(isinstance(b, str) and b.strip() for b in self.basis_en)):
            raise ValidationError({"basis_en": "英文设定依据须为文字列表，且与中文设定依据条数相同。"})


class Material(index.Indexed, models.Model):
    code = models.CharField("材料编码", max_length=64, unique=True)
    name = models.CharField("规范名称", max_length=300)
    name_en = models.CharField("英文名称", max_length=400, blank=True)

    panels = [FieldPanel("code"), FieldPanel("name"), FieldPanel("name_en")]
    search_fields = [index.SearchField("name"), index.SearchField("code")]

    class Meta:
        verbose_name = "材料"
        verbose_name_plural = "材料"
        ordering = ["code"]

    def __str__(self):
        return self.name


class FormField(index.Indexed, models.Model):
    code = models.CharField("字段编码", max_length=64, unique=True,
                            help_text="点分小写，如 applicant.name；前缀决定分组。")
    label = models.CharField("标签", max_length=200)
    type = models.CharField("类型", max_length=16, choices=FieldType.choices)
    choices = models.JSONField("可选值", default=list, blank=True, help_text="仅“选择”类型需要。")
    label_en = models.CharField("英文标签", max_length=300, blank=True)
    choices_en = models.JSONField("可选值（英文）", default=list, blank=True,
                                  help_text="与“可选值”逐项对应、数量相同；留空则英文页面显示中文。保存的值始终是中文。")

    panels = [FieldPanel("code"), FieldPanel("label"), FieldPanel("label_en"), FieldPanel("type"), FieldPanel("choices"),
              FieldPanel("choices_en")]
    search_fields = [index.SearchField("label"), index.SearchField("code")]

    class Meta:
        verbose_name = "一次表单字段"
        verbose_name_plural = "一次表单字段"
        ordering = ["code"]

    def __str__(self):
        return f"{self.label}（{self.code}）"

    @property
    def group(self) -> str:
        return self.code.split(".", 1)[0]

    def clean(self):
        if self.type == FieldType.CHOICE and not self.choices:
            raise ValidationError({"choices": "“选择”类型的字段需要可选值。"})
        if self.choices_en and len(self.choices_en) != len(self.choices or []):
            raise ValidationError({"choices_en": f"英文可选值应与中文可选值一一对应（中文{len(self.choices or [])}项）。"})


class ThemeCategory(models.Model):
    name = models.CharField("名称", max_length=32, unique=True, choices=Category.choices)
    slug = models.SlugField("网址名", max_length=32, unique=True)
    description = models.CharField("说明", max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description"), FieldPanel("sort_order")]

    class Meta:
        verbose_name = "主题类别"
        verbose_name_plural = "主题类别"
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class ServiceLocation(models.Model):
    """A place where a site's themes are handled (办理地点): an office with its windows and hours."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="locations", verbose_name="站点")
    name = models.CharField("名称", max_length=200)
    address = models.CharField("地址", max_length=300)
    windows = models.CharField("窗口", max_length=200, blank=True, help_text="如：综合窗口 1–6 号")
    hours = models.TextField("办公时间")
    phone = models.CharField("咨询电话", max_length=64)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    # English beside the Chinese, as for the registries (guides.i18n.localized); empty shows the Chinese.
    name_en = models.CharField("英文名称", max_length=300, blank=True)
    address_en = models.CharField("英文地址", max_length=400, blank=True)
    windows_en = models.CharField("英文窗口", max_length=300, blank=True)
    hours_en = models.TextField("英文办公时间", blank=True)

    panels = [
        FieldPanel("site"),
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
        FieldRowPanel([FieldPanel("address"), FieldPanel("address_en")]),
        FieldRowPanel([FieldPanel("windows"), FieldPanel("windows_en")]),
        FieldRowPanel([FieldPanel("hours"), FieldPanel("hours_en")]),
        FieldPanel("phone"), FieldPanel("sort_order"),
    ]

    class Meta:
        verbose_name = "办理地点"
        verbose_name_plural = "办理地点"
        ordering = ["site", "sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="unique_location_per_site")]

    def __str__(self):
        return f"{self.name}（{self.site.site_name}）"


class ThemeIndexPage(Page):
    intro = models.TextField("简介", blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["guides.ThemePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = "主题服务目录"

    def get_context(self, request, *args, **kwargs):
        from .queries import themes_for_listing

        context = super().get_context(request, *args, **kwargs)
        categories = list(ThemeCategory.objects.all())
        selected = request.GET.get("category")
        themes = themes_for_listing(self, Site.find_for_request(request))
        counts = {}
        for theme in themes:
            counts[theme.category_id] = counts.get(theme.category_id, 0) + 1
        current = next((c for c in categories if c.slug == selected), None)
        if current is not None:
            themes = [t for t in themes if t.category_id == current.pk]
        context.update(
            categories=[(c, counts.get(c.pk, 0)) for c in categories],
            current_category=current,
            themes=themes,
        )
        return context


class ThemePage(RoutablePageMixin, Page):
    code = models.CharField("主题编码", max_length=32, db_index=True)
    category = models.ForeignKey(ThemeCategory, on_delete=models.PROTECT, related_name="themes",
                                 verbose_name="主题类别")
    audience = ChoiceListField("服务对象", choice_list=Audience.choices)
    summary = models.TextField("简介")
    conditions = models.TextField("受理条件")
    online = models.CharField("网办程度", max_length=16, choices=OnlineLevel.choices)
    delivery = ChoiceListField("送达方式", choice_list=Delivery.choices)
    fee = models.CharField("收费", max_length=200, default="不收费")
    visits_before = models.PositiveSmallIntegerField("跑动次数（集成前）")
    visits_after = models.PositiveSmallIntegerField("跑动次数（集成后）")
    days_before = models.PositiveSmallIntegerField("办理时限（集成前，工作日）")
    days_after = models.PositiveSmallIntegerField("办理时限（集成后，工作日）")
    popularity = models.PositiveIntegerField("热度", default=0, help_text="用于首页“热门主题”排序。")
    items = StreamField(ThemeItemsBlock(), verbose_name="集成事项", use_json_field=True)
    questions = StreamField(QuestionsBlock(), verbose_name="情形", blank=True, use_json_field=True)
    materials = StreamField(MaterialsBlock(), verbose_name="材料", use_json_field=True)
    steps = StreamField(StepsBlock(), verbose_name="流程", use_json_field=True)
    form_fields = StreamField(FormFieldsBlock(), verbose_name="一次表单字段", blank=True, use_json_field=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("code"), FieldPanel("category"), FieldPanel("audience"), FieldPanel("summary"),
             FieldPanel("conditions")],
            heading="基本信息",
        ),
        MultiFieldPanel(
            [FieldPanel("online"), FieldPanel("delivery"), FieldPanel("fee"),
             FieldRowPanel([FieldPanel("visits_before"), FieldPanel("visits_after")]),
             FieldRowPanel([FieldPanel("days_before"), FieldPanel("days_after")]),
             FieldPanel("popularity")],
            heading="办理方式与时限",
        ),
        HelpPanel(content="条件中的问题编号、选项编号须与“情形”中的一致；保存时会检查每一条条件。"),
        FieldPanel("items"),
        FieldPanel("questions"),
        FieldPanel("materials"),
        FieldPanel("steps"),
        FieldPanel("form_fields"),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("code"),
        index.FilterField("code"),
        index.FilterField("category"),
        index.FilterField("online"),
    ]

    parent_page_types = ["guides.ThemeIndexPage"]
    subpage_types = []

    # Only words are translated: the code, the vocabularies and the figures are copied from the Chinese source on
    # every sync, and the identifiers inside the StreamFields are CodeBlocks / RegistryChooserBlocks that yield no
    # segment, so an English page always selects exactly what its source selects.
    override_translatable_fields = [
        SynchronizedField("code", overridable=False),
        SynchronizedField("category", overridable=False),
        SynchronizedField("audience", overridable=False),
        SynchronizedField("online", overridable=False),
        SynchronizedField("delivery", overridable=False),
        TranslatableField("fee"),
        SynchronizedField("visits_before", overridable=False),
        SynchronizedField("visits_after", overridable=False),
        SynchronizedField("days_before", overridable=False),
        SynchronizedField("days_after", overridable=False),
        SynchronizedField("popularity", overridable=False),
    ]

    class Meta:
        verbose_name = "主题服务"

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        # An alias carries its original's content, checked when the original was saved; the importer has checked
        # the whole catalogue before writing. Checking every answer path again there would only cost time.
        if self.alias_of_id or getattr(self, "_spec_checked", False):
            return
        from .spec import theme_problems

        problems = theme_problems(self)
        if problems:
            raise ValidationError([ValidationError(p) for p in problems])

    @cached_property
    def guide(self):
        """Everything the guide page shows, resolved with a fixed number of queries."""
        from .spec import ThemeGuide

        return ThemeGuide.for_page(self)

    def with_content_json(self, content):
        # Popularity counts use, it is not content: publishing a revision (or syncing an alias) must not roll it back.
        page = super().with_content_json(content)
        page.popularity = self.popularity
        return page

    def get_context(self, request, *args, **kwargs):
        from .cache import registry_version
        from .queries import locations_for_site

        context = super().get_context(request, *args, **kwargs)
        site = Site.find_for_request(request)
        context["registry_version"] = registry_version()
        context["local"] = extensions.local_theme(self, site)
        context["locations"] = locations_for_site(site)
        return context

    @classmethod
    def get_subpage_urls(cls):
        # The sub-pages (the screening's wizard, checklist and PDF) belong to the apps that registered them.
        return (*super().get_subpage_urls(), *extensions.theme_routes())
