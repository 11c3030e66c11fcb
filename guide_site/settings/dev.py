"""Local development: DEBUG on, a throwaway key, every *.localhost site reachable."""

from .base import *  # noqa: F401,F403

DEBUG = True
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")  # noqa: F405
ALLOWED_HOSTS = ["localhost", ".localhost", "127.0.0.1", "[::1]"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Locally the built-in window receives the applications, so the whole path can be tried after `make run`.
INTAKE_HANDOFF_BACKEND = os.environ.get("INTAKE_HANDOFF_BACKEND", "window")  # noqa: F405
