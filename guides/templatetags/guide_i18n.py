"""Template helpers: registry names and links to the other language of the current page."""

from django import template
from django.utils.translation import get_language

from ..i18n import localized, vocab

register = template.Library()


@register.filter
def loc(obj, field="name"):
    """``{{ item|loc }}``, ``{{ department|loc:"short" }}``, ``{{ field|loc:"label" }}``."""
    return localized(obj, field)


@register.filter
def tr(value):
    """A stored vocabulary value (category, source, form, actor...) in the active language."""
    return vocab(value)


@register.simple_tag(takes_context=True)
def language_links(context):
    """The switcher's and hreflang's targets: see guides.switcher."""
    from ..switcher import language_links as links

    request = context.get("request")
    if request is None:
        return []
    return links(request, context.get("page"), get_language())
