"""The test settings for the PostgreSQL benchmarks, with the CMS search index not kept up to date: on PostgreSQL
Wagtail's database backend renormalises every entry after each page it indexes, which makes the catalogue import
take a quarter of an hour. No page measured with these settings searches."""

from guide_site.settings.test import *  # noqa: F401,F403

WAGTAILSEARCH_BACKENDS["default"]["AUTO_UPDATE"] = False  # noqa: F405
