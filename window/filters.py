"""The clerk's queue filters (django-filter)."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from . import themes, workdays
from .constants import DUE_SOON_WORKDAYS, RUNNING, CaseStatus
from .models import Case

DUE_CHOICES = [("overdue", _("已超期")), ("soon", _("即将到期")), ("week", _("7日内到期"))]


class CaseFilter(django_filters.FilterSet):
    site = django_filters.ModelChoiceFilter(label=_("来源站点"),
                                            queryset=Site.objects.order_by("-is_default_site", "site_name"))
    theme_code = django_filters.ChoiceFilter(label=_("主题"), choices=[], empty_label=_("全部主题"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=CaseStatus.choices, empty_label=_("全部状态"))
    due = django_filters.ChoiceFilter(label=_("办结期限"), choices=DUE_CHOICES, method="filter_due", empty_label=_("不限"))
    tracking_number = django_filters.CharFilter(label=_("办件编号"), lookup_expr="icontains")

    class Meta:
        model = Case
        fields = ["site", "theme_code", "status", "due", "tracking_number"]

    def __init__(self, *args, sites=None, site_ids: set[int] | None = None, **kwargs):
        """``sites``: the site choices; ``site_ids``: whose cases' themes are offered (None: every case's)."""
        super().__init__(*args, **kwargs)
        # Only the sites whose cases this user sees: another site's id is an invalid choice, not a wider list.
        if sites is not None:
            self.filters["site"].queryset = sites
        self.filters["theme_code"].extra["choices"] = [(c, gettext("%(title)s（%(code)s）") % {"title": t, "code": c})
                                                       for c, t in themes.themes(site_ids)]

    def filter_due(self, queryset, name, value):
        today = workdays.today()
        running = queryset.filter(status__in=RUNNING, due_date__isnull=False)
        if value == "overdue":
            return running.filter(due_date__lt=today)
        if value == "soon":
            return running.filter(due_date__gte=today,
                                  due_date__lte=workdays.add_workdays(today, DUE_SOON_WORKDAYS))
        return running.filter(due_date__gte=today, due_date__lte=today + timedelta(days=7))
