"""What a theme looks like on a given site: the city's content with the county's own promise or hiding."""

from __future__ import annotations

from wagtail.models import Page

from guides.extensions import LocalTheme

from .constants import OVERRIDABLE_FIELDS
from .models import ThemeOverride


def local_theme(page, site) -> LocalTheme:
    """The figures a visitor of `site` sees for `page` (an original or an alias of a city theme, in any language)."""
    override = None
    if site is not None and not site.is_default_site:
        # Overrides name the Chinese city page; an English county page is an alias of the English city page, which
        # shares the Chinese one's translation key.
        original = Page.objects.filter(pk=page.alias_of_id or page.pk).values("translation_key")
        override = ThemeOverride.objects.filter(site=site, theme__translation_key__in=original).first()
    values = {name: getattr(page, name) for name in OVERRIDABLE_FIELDS}
    if override is None:
        return LocalTheme(**values)
    mine = override.overridden()
    values.update(mine)
    return LocalTheme(**values, hidden=override.hidden, hidden_reason=override.hidden_reason,
                      hidden_reason_en=override.hidden_reason_en, overridden=tuple(mine))


def hidden_codes(site) -> list[str]:
    """Codes of the city themes a county has chosen not to offer."""
    if site is None or site.is_default_site:
        return []
    return list(ThemeOverride.objects.filter(site=site, hidden=True).values_list("theme__code", flat=True))
