"""Language helpers for the registries and the catalogue vocabularies.

Registries (departments, items, materials, form fields) are shared rows referenced by code from every theme, not
pages, so they are not wagtail-localize objects: each carries optional English columns (``name_en``, ``short_en``,
``label_en``) and `localized` picks by the active language, falling back to the Chinese. Making them
TranslatableMixin snippets would give one row per language, and every chooser block, the engine's item registry,
the intake hand-off and the import (matched by code) would have to resolve the row of the right locale; a
translation could also point a theme at a different row. Columns keep one row per code, so the checklist can only
differ in words. The cost: one language beyond English means new columns.

The catalogue vocabularies (categories, online levels, sources, forms...) are stored as Chinese values; their
English labels are message-catalogue entries, listed here with gettext_noop so makemessages extracts them, and
translated at display time with ``{% translate value %}`` or `vocab`.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language, gettext, gettext_noop

ENGLISH = "en"

VOCABULARY = (
    # categories
    gettext_noop("市场准入"), gettext_noop("生产经营"), gettext_noop("工程建设"), gettext_noop("社会事务"),
    gettext_noop("个人生活"), gettext_noop("企业退出"),
    # online levels
    gettext_noop("全程网办"), gettext_noop("网上预审"), gettext_noop("窗口办理"),
    # material sources and forms
    gettext_noop("申请人自备"), gettext_noop("政府部门核发"), gettext_noop("电子证照免提交"), gettext_noop("中介机构出具"),
    gettext_noop("原件"), gettext_noop("复印件"), gettext_noop("原件及复印件"), gettext_noop("电子件"),
    # fixed step actors
    gettext_noop("申请人"), gettext_noop("综合窗口"), gettext_noop("并联"), gettext_noop("快递"),
    # the usual fee
    gettext_noop("不收费"),
)


def is_english(language: str | None = None) -> bool:
    return (language or get_language() or "").split("-")[0] == ENGLISH


def localized(obj, field: str = "name", language: str | None = None) -> str:
    """``obj.<field>_en`` when the language is English and it is filled in, else ``obj.<field>``."""
    if obj is None:
        return ""
    if is_english(language):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field, "") or ""


def vocab(value: str) -> str:
    """A catalogue vocabulary value (stored in Chinese) in the active language."""
    # The values are the message ids: in the source language there is nothing to look up (and a miss walks every
    # catalogue's fallback chain, ~13 of them: 26 lookups took 1.7 ms of a profiled submission).
    if not value or (get_language() or settings.LANGUAGE_CODE) == settings.LANGUAGE_CODE:
        return value
    return gettext(value)
