"""Who edits which site, and what a county changes about a city theme without copying it."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel
from wagtail.models import Site

from guides.models import ThemePage

from .constants import OVERRIDABLE_FIELDS, Role
from .forms import SiteScopedForm


class SiteRole(models.Model):
    """Ties a user group to one site: its members edit or review that site's pages, offices and overrides."""

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="site_role", verbose_name="用户组")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="roles", verbose_name="站点")
    role = models.CharField("角色", max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = "站点角色"
        verbose_name_plural = "站点角色"

    def __str__(self):
        return f"{self.site.site_name} {self.get_role_display()}"


class ThemeOverride(models.Model):
    """A county's local version of a city theme: its own promise, or hidden with a reason."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="theme_overrides", verbose_name="县级站点")
    theme = models.ForeignKey(ThemePage, on_delete=models.CASCADE, related_name="overrides",
                              limit_choices_to={"alias_of__isnull": True}, verbose_name="市级主题")
    days_after = models.PositiveSmallIntegerField(OVERRIDABLE_FIELDS["days_after"], null=True, blank=True,
                                                  help_text="留空则沿用市级承诺；只能比市级更少。")
    visits_after = models.PositiveSmallIntegerField(OVERRIDABLE_FIELDS["visits_after"], null=True, blank=True,
                                                    help_text="留空则沿用市级；只能比市级更少。")
    fee = models.CharField(OVERRIDABLE_FIELDS["fee"], max_length=200, blank=True, help_text="留空则沿用市级。")
    hidden = models.BooleanField("本县暂不提供", default=False)
    hidden_reason = models.CharField("不提供的原因（向群众显示）", max_length=300, blank=True)
    hidden_reason_en = models.CharField("不提供的原因（英文）", max_length=500, blank=True,
                                        help_text="可留空，英文页面将显示中文原因。")
    city_values = models.JSONField("覆盖时市级的取值", default=dict, editable=False,
                                   help_text="用于发现市级内容在覆盖之后又有变化。")
    updated_at = models.DateTimeField(auto_now=True)

    base_form_class = SiteScopedForm

    panels = [
        FieldPanel("site"),
        FieldPanel("theme"),
        HelpPanel(content="只填写与市级不同的内容；其余内容（材料、流程、情形）始终与市级一致。"),
        FieldRowPanel([FieldPanel("days_after"), FieldPanel("visits_after")]),
        FieldPanel("fee"),
        FieldPanel("hidden"),
        FieldPanel("hidden_reason"),
        FieldPanel("hidden_reason_en"),
    ]

    class Meta:
        verbose_name = "县级差异设置"
        verbose_name_plural = "县级差异设置"
        constraints = [models.UniqueConstraint(fields=["site", "theme"], name="one_override_per_site_theme")]

    def __str__(self):
        return f"{self.site.site_name}：{self.theme.title}"

    def save(self, *args, **kwargs):
        # Remember the city's values as they were when the county decided, to show drift later.
        self.city_values = {name: getattr(self.theme, name) for name in self.overridden()}
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.hidden and not self.hidden_reason.strip():
            errors["hidden_reason"] = "隐藏市级主题时，请写明原因，群众会看到它。"
        if self.theme_id:
            for name in ("days_after", "visits_after"):
                value = getattr(self, name)
                if value is not None and value > getattr(self.theme, name):
                    errors[name] = f"县级承诺不能多于市级（市级为 {getattr(self.theme, name)}）。"
        if self.site_id and self.site.is_default_site:
            errors["site"] = "差异设置只适用于县级站点。"
        if errors:
            raise ValidationError(errors)

    def overridden(self) -> dict:
        return {name: getattr(self, name) for name in OVERRIDABLE_FIELDS if getattr(self, name) not in (None, "")}

    @property
    def drift(self) -> dict:
        """Overridden fields whose city value changed since the override was saved: {field: (then, now)}."""
        return {
            name: (then, getattr(self.theme, name))
            for name, then in self.city_values.items()
            if getattr(self.theme, name) != then
        }

    @admin.display(description="市级变更提示")
    def drift_summary(self) -> str:
        return "；".join(f"市级{OVERRIDABLE_FIELDS[name]}已由 {then} 改为 {now}，请复核"
                        for name, (then, now) in self.drift.items())

    def accept_city_values(self) -> None:
        """The county has reviewed the city's change: remember the city's current values."""
        self.save()
