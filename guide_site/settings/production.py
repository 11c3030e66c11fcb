"""Production: every secret and host from the environment; refuses to start without them.

Behind nginx (deploy/nginx/guide-site.conf), which terminates TLS and sets X-Forwarded-Proto; gunicorn must listen
only where nothing but the proxy can reach it, since that header is trusted. `manage.py check --deploy` is clean
(tests/deploy/test_security.py).
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403

for _name in ("SECRET_KEY", "ALLOWED_HOSTS"):
    if not os.environ.get(_name):  # noqa: F405
        raise ImproperlyConfigured(f"{_name} must be set in the environment for production.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
# The load balancer probes the web machines directly over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# A year, for every county's subdomain too. Lower SECURE_HSTS_SECONDS (e.g. 300) for the first days of a new domain.
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31_536_000))  # noqa: F405
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# The client address for the look-up rate limits: nginx's X-Real-IP, not the proxy's own address.
INTAKE_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
