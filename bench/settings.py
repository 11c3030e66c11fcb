"""Benchmark settings: the dev settings with DEBUG off (as in production) and a trivial view to compare with."""

from guide_site.settings.dev import *  # noqa: F401,F403

DEBUG = False
ALLOWED_HOSTS = ["localhost", ".localhost", "127.0.0.1"]
ROOT_URLCONF = "bench.urls"
# Request logging would measure the terminal, not the site.
LOGGING = {"version": 1, "disable_existing_loggers": False, "handlers": {}, "root": {"level": "ERROR"}}
