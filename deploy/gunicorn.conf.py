"""gunicorn for one web machine: `gunicorn -c deploy/gunicorn.conf.py guide_site.wsgi:application`.

Every value can be overridden on the command line or through GUNICORN_* in the environment (docs/deploy.md).
"""

import multiprocessing
import os

# Only the proxy may reach gunicorn: production trusts its X-Forwarded-Proto header.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the pages are short CPU-bound renders; an upload holds one worker while it streams in.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# The checklist PDF and an application with 50 MiB of uploads take the longest; both finish well within this.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests, so slow growth of its memory never needs a restart.
max_requests = 2000
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
