from wagtail.models import Site


def site_context(request):
    """The current site (city or county) for the header, footer and the 'switch site' list."""
    site = Site.find_for_request(request)
    return {"current_site": site}
