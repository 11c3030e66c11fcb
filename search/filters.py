"""The search page's GET parameters, validated by a django-filter FilterSet (bookmarkable URLs)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from guides.constants import Audience, Category, OnlineLevel
from guides.models import Department

from .backends import SearchQuery
from .models import ThemeDocument
from .text import normalize_query

MAX_PAGE = 1000
def _visits_label(n: int) -> str:
    return pgettext("visits", "%(n)s 次") % {"n": n}


VISITS_CHOICES = [(str(n), lazy(_visits_label, str)(n)) for n in range(0, 6)]
SCOPE_CHOICES = [("site", _("本站")), ("city", _("全市通办"))]
AUDIENCE_CHOICES = [(Audience.PERSON.value, _("个人")), (Audience.ORGANISATION.value, _("法人"))]
CATEGORY_CHOICES = [(value, _(value)) for value, _label in Category.choices]  # labels: guides.i18n
ONLINE_CHOICES = [(value, _(value)) for value, _label in OnlineLevel.choices]


def department_choices():
    from guides.i18n import localized

    return [(d.code, localized(d, "short") or localized(d)) for d in Department.objects.order_by("code")]


class SearchFilterSet(django_filters.FilterSet):
    """Validation only: the engine does the filtering (search.backends); unknown values are errors."""

    q = django_filters.CharFilter(label=_("搜索"))
    category = django_filters.MultipleChoiceFilter(choices=CATEGORY_CHOICES, label=_("主题类别"))
    audience = django_filters.MultipleChoiceFilter(choices=AUDIENCE_CHOICES, label=_("服务对象"))
    department = django_filters.MultipleChoiceFilter(choices=department_choices, label=_("实施部门"))
    online = django_filters.MultipleChoiceFilter(choices=ONLINE_CHOICES, label=_("网办程度"))
    visits = django_filters.MultipleChoiceFilter(choices=VISITS_CHOICES, label=_("跑动次数（集成后）"))
    scope = django_filters.ChoiceFilter(choices=SCOPE_CHOICES, label=_("范围"), empty_label=None)
    page = django_filters.NumberFilter(label=_("页码"), widget=forms.NumberInput)

    class Meta:
        model = ThemeDocument
        fields: list[str] = []

    FACETS = ("category", "audience", "department", "online", "visits")

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and "q" in data:
            # Normalise before validation: a NUL or a 10k paste is cleaned and cut, not rejected.
            data = data.copy()
            data["q"] = normalize_query(data.get("q"))
        super().__init__(data, *args, **kwargs)

    def clean_query(self, site_code: str, per_page: int = 10, language: str = "zh-hans") -> tuple[SearchQuery, list[str]]:
        """A SearchQuery from the valid parameters; the names of the ones dropped as invalid."""
        form = self.form
        data = form.cleaned_data if form.is_bound and (form.is_valid() or True) else {}
        dropped = sorted(form.errors)
        page = data.get("page")
        if page is not None and not (1 <= page <= MAX_PAGE and page == int(page)):
            dropped.append("page")
            page = None
        query = SearchQuery(
            q=normalize_query(data.get("q") or ""),
            site_code=site_code,
            scope=data.get("scope") or "site",
            filters={name: tuple(data.get(name) or ()) for name in self.FACETS if data.get(name)},
            page=int(page or 1),
            per_page=per_page,
            language=language,
        )
        return query, dropped
