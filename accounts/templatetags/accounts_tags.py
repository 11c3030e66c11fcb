from django import template

from .. import providers

register = template.Library()


@register.simple_tag
def provider_login_url(audience: str, next_url: str = "") -> str:
    """The start of sign-in at ``audience``'s provider, or "" where none is configured."""
    return providers.login_url(audience, next_url) or ""
