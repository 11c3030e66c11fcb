from wagtail.admin.forms import WagtailAdminModelForm

from .permissions import sites_for_user


class SiteScopedForm(WagtailAdminModelForm):
    """Offers only the user's own sites, so a county editor cannot file a record under another site."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None and "site" in self.fields:
            self.fields["site"].queryset = sites_for_user(self.for_user)
