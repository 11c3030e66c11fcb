"""Tests: fast hashing, in-memory media, the same database choice as base (DATABASE_URL or SQLite)."""

import tempfile

from .base import *  # noqa: F401,F403

SECRET_KEY = "test-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="guide-media-"))  # noqa: F405
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Real-process tests (tests/intake) run `db_worker` with these settings and the database queue.
if os.environ.get("GUIDE_TASKS_BACKEND") == "database":  # noqa: F405
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
INTAKE_STORAGE_DIR = Path(os.environ.get("INTAKE_STORAGE_DIR") or tempfile.mkdtemp(prefix="guide-uploads-"))  # noqa: F405
INTAKE_HANDOFF_SECRET = os.environ.get("INTAKE_HANDOFF_SECRET", "test-handoff-secret")  # noqa: F405
# GUIDE_ADMIN_INDEX=bulk: pages are not written to Wagtail's admin index one by one (the browser world's demo build
# runs `update_index` once instead): on PostgreSQL its database backend recomputes a table-wide title average on
# every insert, which made one demo import take 555 s.
if os.environ.get("GUIDE_ADMIN_INDEX") == "bulk":  # noqa: F405
    WAGTAILSEARCH_BACKENDS = {name: {**conf, "AUTO_UPDATE": False}  # noqa: F405
                              for name, conf in WAGTAILSEARCH_BACKENDS.items()}  # noqa: F405
