"""Settings shared by every environment. Secrets and hosts come from the environment."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h]

INSTALLED_APPS = [
    "home",
    "guides",
    "search",
    "screening",
    "intake",
    "window",
    "notices",
    "accounts",
    "counties",
    # Page translation (English second): wagtail_localize.locales replaces wagtail.locales.
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before common: picks the language from the /en/ prefix (Chinese when there is none).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After locale (its key holds the language) and auth; a hit skips everything below.
    "guides.pagecache.PageCacheMiddleware",
    # After the page cache (a hit needs no site): the request's site from the shared cache (guides.sites), so
    # Wagtail and the views skip their own lookup.
    "guides.sites.SiteMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "guide_site.csp.ContentSecurityPolicyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, so a cache middleware placed before it (it sees responses after this one) stores them with the Vary.
    "home.middleware.ElderModeVaryMiddleware",
]

ROOT_URLCONF = "guide_site.urls"

# On in every environment, so the browser tests prove the pages pass it (guide_site/csp.py; docs/deploy.md).
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Wagtail's admin writes inline scripts and style attributes; it still loads nothing from elsewhere.
CONTENT_SECURITY_POLICY_ADMIN = {
    **CONTENT_SECURITY_POLICY,
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "frame-ancestors": ["'self'"],
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "guides.context_processors.site_context",
                "home.context_processors.elder_mode",
            ],
        },
    },
]

WSGI_APPLICATION = "guide_site.wsgi.application"

# SQLite by default (zero services); PostgreSQL when DATABASE_URL is set.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the task worker share the file: wait for a lock instead of failing, and take the write
    # lock when a transaction starts so two writers never deadlock on upgrading a read lock.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
# One cache that every process shares: the registries' and the content's version numbers, the rate-limit counters,
# the theme-page fragments and the page cache must agree across gunicorn workers and the task worker.
# Production: Redis (REDIS_URL). Embedded default: a table in the site's own database, so `make run` needs no service
# and every process on the machine sees the same entries. A table rather than FileBasedCache: its `add` is one
# INSERT on the primary key, atomic across processes (the rate limit counts with `add`, intake.ratelimit), while
# FileBasedCache's `add` and `incr` check then write. The table comes with `migrate` (guides migration 0007).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # Sessions read from Redis, written through to the database: a restarted Redis signs nobody out, and a
    # request that only reads its session (most of them) costs no query.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "guide_cache",
                          "OPTIONS": {"MAX_ENTRIES": 20_000}}}
# Anonymous visitors' pages (guides.pagecache), dropped at once on any content change; the timeout only bounds memory.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", 600))
# The views whose anonymous pages may be kept: the page tree (theme pages, wizard, checklist), the public API and
# search. Not intake or the window: their pages belong to one applicant or clerk.
PAGE_CACHE_VIEW_MODULES = ["wagtail.views", "guides.api", "screening.api", "search.views"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Chinese is the source language (msgids are the Chinese text) and the unprefixed default; English lives under
# /en/, its page content translated through wagtail-localize and its interface strings in locale/en.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "static_collected"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"

WAGTAIL_SITE_NAME = "安康市一件事一次办"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
# The admin calls no outside service: no avatar look-ups at gravatar.com (staff e-mail hashes), no release check.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# Theme search (search/backends.py): "database" (embedded, the default) or "opensearch".
GUIDE_SEARCH_BACKEND = os.environ.get("GUIDE_SEARCH_BACKEND", "database")
# Modules whose engines register with search.backends.register.
GUIDE_SEARCH_ENGINES = ["search.db_engine", "search.os_engine"]
# OpenSearch node, e.g. http://127.0.0.1:9200; None = not used. When set, the theme index is kept in
# step with the pages, and Wagtail's admin search gets its own index there too.
OPENSEARCH_URL = os.environ.get("OPENSEARCH_URL") or None
OPENSEARCH_INDEX = os.environ.get("OPENSEARCH_INDEX", "guide-themes")
if OPENSEARCH_URL:
    WAGTAILSEARCH_BACKENDS["opensearch"] = {
        "BACKEND": "wagtail.search.backends.opensearch2",
        "URLS": [OPENSEARCH_URL],
        "INDEX": "guide-wagtail",
        "AUTO_UPDATE": True,
    }
WAGTAILDOCS_EXTENSIONS = ["pdf", "jpg", "jpeg", "png"]
# A theme's edit form (questions, options, materials, conditions) posts several thousand fields.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20_000

# Background work (indexing, hand-off) goes through the task framework's database queue.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if os.environ.get("GUIDE_TASKS_BACKEND") == "immediate":
    # Bulk commands (the demo import) run their follow-up tasks inline instead of queueing thousands of index
    # updates that a worker would work through before the first application's hand-off.
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# A TrueType font with Chinese glyphs for the checklist PDF (reportlab cannot embed CFF fonts such as Noto CJK).
# Empty: the first installed of screening.pdf.DEFAULT_FONTS (Debian: fonts-wqy-zenhei).
CJK_FONT_PATH = os.environ.get("CJK_FONT_PATH", "")

# The bundled reference catalogue is the demo content.
CATALOGUE_DIR = BASE_DIR / "demo" / "catalogue"
DEMO_DIR = BASE_DIR / "demo"

# --------------------------------------------------------------------------- intake (一次表单 and hand-off)
# Uploaded materials: outside the web root, served only through intake views that check ownership.
INTAKE_STORAGE_DIR = Path(os.environ.get("INTAKE_STORAGE_DIR", BASE_DIR / "var" / "uploads"))
INTAKE_MAX_FILE_BYTES = int(os.environ.get("INTAKE_MAX_FILE_BYTES", 10 * 2**20))
INTAKE_MAX_APPLICATION_BYTES = int(os.environ.get("INTAKE_MAX_APPLICATION_BYTES", 50 * 2**20))
# Days after an application is finished (delivered) before its uploaded files are removed (purge_uploads).
INTAKE_RETENTION_DAYS = int(os.environ.get("INTAKE_RETENTION_DAYS", 180))
# Hand-off: a backend name from intake/backends ("http", "log"; "window" once that app exists).
INTAKE_HANDOFF_BACKEND = os.environ.get("INTAKE_HANDOFF_BACKEND", "log")
INTAKE_HANDOFF_PLUGINS = ["intake.backends.http", "intake.backends.log", "window.backends"]
INTAKE_HANDOFF_URL = os.environ.get("INTAKE_HANDOFF_URL", "")
INTAKE_HANDOFF_SECRET = os.environ.get("INTAKE_HANDOFF_SECRET", "")
INTAKE_HANDOFF_TIMEOUT = float(os.environ.get("INTAKE_HANDOFF_TIMEOUT", 10))
INTAKE_HANDOFF_MAX_ATTEMPTS = int(os.environ.get("INTAKE_HANDOFF_MAX_ATTEMPTS", 8))
INTAKE_HANDOFF_BACKOFF_BASE = float(os.environ.get("INTAKE_HANDOFF_BACKOFF_BASE", 30))  # seconds, doubled per try
INTAKE_HANDOFF_BACKOFF_MAX = float(os.environ.get("INTAKE_HANDOFF_BACKOFF_MAX", 3600))
# A delivery not finished this long after it started (worker killed) is sent again.
INTAKE_HANDOFF_LEASE = float(os.environ.get("INTAKE_HANDOFF_LEASE", 60))
INTAKE_SWEEP_INTERVAL = float(os.environ.get("INTAKE_SWEEP_INTERVAL", 30))
# A link in a notice (receipt, correction) opens the application in any browser for this long (intake/links.py).
INTAKE_LINK_MAX_AGE = int(os.environ.get("INTAKE_LINK_MAX_AGE", 30 * 86400))
# Registration codes (intake/otp.py): valid for TTL seconds, burnt after MAX_TRIES wrong guesses, one request per
# INTERVAL seconds per number, and at most (count, seconds) per number and per client.
INTAKE_OTP_TTL = 300
INTAKE_OTP_MAX_TRIES = 5
INTAKE_OTP_INTERVAL = 60
INTAKE_OTP_RATE_PHONE = (5, 3600)
INTAKE_OTP_RATE_CLIENT = (20, 3600)
# Public progress look-ups per client IP and window (seconds).
INTAKE_PROGRESS_RATE = (10, 600)
# Public rating-page look-ups (window/rate/, 好差评) per client IP and window (seconds); same counter rule.
WINDOW_RATING_RATE = (10, 600)

# Notices (notices/): a backend per channel, "" to send none on it. Development logs them ("console").
NOTICE_PLUGINS = ["notices.backends.console", "notices.backends.smtp", "notices.backends.sms_http"]
NOTICE_BACKENDS = {"sms": os.environ.get("NOTICE_SMS_BACKEND", "console"),
                   "email": os.environ.get("NOTICE_EMAIL_BACKEND", "console")}
NOTICE_SEND_TIMEOUT = float(os.environ.get("NOTICE_SEND_TIMEOUT", 10))
NOTICE_MAX_ATTEMPTS = int(os.environ.get("NOTICE_MAX_ATTEMPTS", 8))
NOTICE_BACKOFF_BASE = float(os.environ.get("NOTICE_BACKOFF_BASE", 30))
NOTICE_BACKOFF_MAX = float(os.environ.get("NOTICE_BACKOFF_MAX", 3600))
NOTICE_LEASE = float(os.environ.get("NOTICE_LEASE", 60))
NOTICE_SWEEP_INTERVAL = float(os.environ.get("NOTICE_SWEEP_INTERVAL", 30))
# The SMS gateway (backend "sms_http"): its URL, the shared secret it checks our signature with, the registered
# signature, and the template code it approved for each event (notices.constants.Event).
NOTICE_SMS_URL = os.environ.get("NOTICE_SMS_URL", "")
NOTICE_SMS_SECRET = os.environ.get("NOTICE_SMS_SECRET", "")
NOTICE_SMS_SIGN_NAME = os.environ.get("NOTICE_SMS_SIGN_NAME", "安康政务服务")
NOTICE_SMS_TEMPLATES = {
    "accepted": "SMS_YJS_ACCEPTED", "returned": "SMS_YJS_RETURNED", "decision": "SMS_YJS_DECISION",
    "completed": "SMS_YJS_COMPLETED", "delivered": "SMS_YJS_DELIVERED", "rating": "SMS_YJS_RATING",
    "verification": "SMS_YJS_VERIFY",
}
# E-mail (backend "smtp"): Django's own settings.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "安康市一件事一次办 <noreply@ankang.example>")

# Unified identity (accounts/, OIDC): one client for the public and one for staff, each on only when its issuer and
# client id are set; without them sign-in is by password alone (the embedded default). Endpoints are discovered.
OIDC_PROVIDERS = {
    audience: {"issuer": os.environ.get(f"OIDC_{audience.upper()}_ISSUER", ""),
               "client_id": os.environ.get(f"OIDC_{audience.upper()}_CLIENT_ID", ""),
               "client_secret": os.environ.get(f"OIDC_{audience.upper()}_CLIENT_SECRET", ""),
               "scopes": os.environ.get(f"OIDC_{audience.upper()}_SCOPES", "openid")}
    for audience in ("public", "staff")
}
# The provider's claim names for what we read (accounts.services.claim); provinces' platforms differ.
OIDC_CLAIMS = {
    "name": "name", "id_number": "id_number", "phone": "phone_number", "phone_verified": "phone_number_verified",
    "subject_type": "subject_type", "credit_code": "credit_code", "company_name": "company_name",
    "level_of_assurance": "acr", "username": "preferred_username", "email": "email", "groups": "groups",
    "window_roles": "window_roles",
}
# The provider's values of subject_type -> ours (accounts.constants.SubjectType).
OIDC_SUBJECT_TYPES = {"自然人": "person", "person": "person", "法人": "legal", "legal": "legal"}
OIDC_LEEWAY = 60  # seconds of clock skew allowed when reading exp/iat/nbf
OIDC_TIMEOUT = float(os.environ.get("OIDC_TIMEOUT", 10))  # also mozilla-django-oidc's HTTP timeout
OIDC_DISCOVERY_TTL = 3600
# The local password stays first (the embedded default, and staff without a provider account).
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "accounts.backends.PublicBackend",
    "accounts.backends.StaffBackend",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # ID numbers never reach a log line in full (intake.logging).
    "filters": {"mask_ids": {"()": "intake.logging.MaskIdNumbersFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_ids"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # Each notice sent or failed (recipients masked): what support looks for when someone says "no SMS came".
    "loggers": {"notices": {"level": "INFO"}},
}
