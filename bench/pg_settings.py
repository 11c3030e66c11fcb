"""The test settings for the PostgreSQL benchmarks, with the CMS search index not kept up to date (see
GUIDE_ADMIN_INDEX in guide_site/settings/test.py). No page measured with these settings searches the CMS."""

import os

os.environ["GUIDE_ADMIN_INDEX"] = "bulk"

from guide_site.settings.test import *  # noqa: E402,F401,F403
