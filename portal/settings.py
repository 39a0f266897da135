"""Machi Portal settings: one module, read from the environment.

With no environment set, the portal runs on a laptop: SQLite, Celery tasks in-process
(eager), mail printed to the console, a file cache under ``PORTAL_VAR_DIR``. ``PORTAL_ENV=production``
turns on the production hardening and requires the secrets to be set.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

from portal.env import env, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(
    env(
        "PORTAL_VAR_DIR",
        str(BASE_DIR / "var"),
        help="Folder for the SQLite file, the cache, uploads and mail files on a laptop.",
    )
)

PORTAL_ENV = env(
    "PORTAL_ENV",
    "development",
    help="`production` turns on HTTPS-only cookies, HSTS and required secrets.",
    production=True,
)
PRODUCTION = PORTAL_ENV == "production"

SECRET_KEY = env("SECRET_KEY", "", help="Django's signing key. Required in production.", production=True)
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when PORTAL_ENV=production.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

SAFETY_MAIL_MAX_AGE_MINUTES = env_int(
    "SAFETY_MAIL_MAX_AGE_MINUTES",
    180,
    help="Taps uploaded later than this after they happened are stored but not mailed.",
)
SAFETY_RETENTION_DAYS = env_int(
    "SAFETY_RETENTION_DAYS", 90, help="Days taps and location history are kept before they are deleted."
)
# Facility penalties (利用実績とペナルティ), town-wide: see docs/facilities.md.
FACILITIES_NO_SHOW_POINTS = env(
    "FACILITIES_NO_SHOW_POINTS", "1", help="Penalty points for a booking nobody came to (Kanazawa: 1)."
)
FACILITIES_LATE_CANCEL_POINTS = env(
    "FACILITIES_LATE_CANCEL_POINTS", "0.5", help="Penalty points for a resident's late cancellation (Kanazawa: 0.5)."
)
FACILITIES_LATE_CANCEL_DAYS = env_int(
    "FACILITIES_LATE_CANCEL_DAYS",
    7,
    help="A resident's cancellation fewer than this many days before the day of use is late. 0: never late.",
)
FACILITIES_SUSPENSION_RULES = env(
    "FACILITIES_SUSPENSION_RULES",
    "2/365/6",
    help="Suspension rules, comma-separated points/window_days/months: 2/365/6 = 2 points within 365 days "
    "suspend booking and lottery applications for 6 months (Fujimino: 3/30/2). Empty: no suspensions.",
)
PORTAL_CARD_HASH_KEY = env(
    "PORTAL_CARD_HASH_KEY",
    "",
    help="Secret for hashing IC card IDs (never stored raw). Empty: derived from SECRET_KEY. "
    "Set it in production so a new SECRET_KEY does not orphan every registered card.",
)
if not PORTAL_CARD_HASH_KEY:
    import hashlib

    PORTAL_CARD_HASH_KEY = hashlib.sha256(f"card-hash:{SECRET_KEY}".encode()).hexdigest()

DEBUG = env_bool("DEBUG", not PRODUCTION, help="Django debug pages. Never on in production.")
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", "127.0.0.1,localhost,testserver", help="Comma-separated host names.", production=True
)
CSRF_TRUSTED_ORIGINS = env_list(
    "CSRF_TRUSTED_ORIGINS", "", help="Comma-separated origins, e.g. https://portal.example.jp."
)
SITE_URL = env(
    "SITE_URL",
    "http://127.0.0.1:8000",
    help="Public base URL: every absolute link (mails, feeds, sitemap, canonical, hreflang) starts with it.",
    production=True,
).rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_SITE_NAME = env("PORTAL_SITE_NAME", "みどり町ポータル", help="The town's portal name.")

INSTALLED_APPS = [
    "portal",
    "cms",
    "facilities",
    "notifications",
    "safety",
    "health",
    "disclosure",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.table_block",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "portal.apps.StaffUsersAppConfig",  # wagtail.users with our name fields
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # allauth
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Django
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cms.languages.LocaleMiddleware",  # Django's, but page URLs alone decide their language
    "cms.cache.PageCacheMiddleware",  # anonymous page views; needs the language, skips the rest on a hit
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.StaffMfaMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "portal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
                "cms.context_processors.emergency_banner",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
    help="postgres://user:pass@host:5432/name for PostgreSQL; SQLite file by default.",
    production=True,
)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60, help="Seconds a database connection is kept."),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the web process read while a task writes; the timeout waits out short locks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery broker ---------------------------------------------------
REDIS_URL = env(
    "REDIS_URL",
    "",
    help="redis://host:6379/0 turns on the Redis cache and Celery workers. "
    "Empty: a file cache under PORTAL_VAR_DIR, tasks run in-process.",
    production=True,
)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.cache_backends.RedisCache",  # Django's, one redis client per pool
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "machi",
        }
    }
else:
    # Files, not local memory: every process (the server's workers, `publish_scheduled`, the admin)
    # shares them, so a page published or a banner saved in one drops the pages the others keep.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 2000},  # a town site's pages in three languages
        }
    }
# Anonymous page views are kept this long (cms.cache); a banner's start or end cuts it shorter.
PORTAL_PAGE_CACHE_SECONDS = env_int(
    "PORTAL_PAGE_CACHE_SECONDS",
    60,
    help="Seconds a page is kept for anonymous visitors; publishing drops it at once. 0 turns the page cache off.",
)

CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL, help="Celery broker; defaults to REDIS_URL.")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 60, help="Seconds before a task is asked to stop.")
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 90, help="Seconds before a task's process is killed.")
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
# Keep a worker's database connection between tasks (Celery closes it after every task
# otherwise); portal.celery closes broken or too old ones before each task instead.
CELERY_DB_REUSE_MAX = 1000
CELERY_TIMEZONE = "Asia/Tokyo"
# Recovery work of the outbox (the sweep, and the mails it takes back from a dead worker) has a
# queue of its own, so it does not wait behind a broadcast's thousands of mails. Every worker
# consumes both queues (no -Q needed), taking from each in turn.
OUTBOX_RECOVERY_QUEUE = "outbox-recovery"
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = (
    Queue("celery", Exchange("celery"), routing_key="celery"),
    Queue(OUTBOX_RECOVERY_QUEUE, Exchange(OUTBOX_RECOVERY_QUEUE), routing_key=OUTBOX_RECOVERY_QUEUE),
)
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {
        "task": "notifications.sweep_outbox",
        "schedule": timedelta(
            seconds=env_int(
                "OUTBOX_SWEEP_SECONDS",
                5,
                help="How often beat re-enqueues overdue mails and frees those of dead workers.",
            )
        ),
        "options": {"queue": OUTBOX_RECOVERY_QUEUE},
    },
    "outbox-purge": {"task": "notifications.purge_old_mail", "schedule": timedelta(hours=24)},
    # Terminal API replay protection only needs signatures of the last 10 minutes (safety.terminals).
    "terminal-signatures-purge": {"task": "notifications.purge_seen_signatures", "schedule": timedelta(minutes=5)},
    # Scheduled safety broadcasts go out within a minute of their send_at (safety.broadcasts).
    "safety-broadcasts-due": {"task": "notifications.send_due_broadcasts", "schedule": timedelta(minutes=1)},
    # Watch-over (safety.watch_over): the daily summary at 19:00 JST (CELERY_TIMEZONE), the
    # no-activity alert every 30 minutes (it only mails in daytime, once a day), and the retention purge.
    "safety-watch-digest": {"task": "notifications.send_watch_digests", "schedule": crontab(hour=19, minute=0)},
    "safety-no-activity": {"task": "notifications.send_no_activity_alerts", "schedule": timedelta(minutes=30)},
    "safety-taps-purge": {"task": "notifications.purge_old_taps", "schedule": crontab(hour=3, minute=30)},
    # Pages' "go live" and "expiry" times (Wagtail's publishing schedule) happen only when this runs.
    "cms-publish-scheduled": {"task": "cms.publish_scheduled", "schedule": timedelta(minutes=1)},
    # Facility lotteries are drawn a few minutes after they close; unconfirmed wins expire soon after
    # their deadline; day-before reminders go out from 8:00 (facilities.reminders).
    "facilities-draw-lotteries": {"task": "facilities.draw_due_lotteries", "schedule": timedelta(minutes=5)},
    "facilities-expire-wins": {"task": "facilities.expire_unconfirmed_wins", "schedule": timedelta(minutes=10)},
    "facilities-reminders": {"task": "facilities.send_reminders", "schedule": timedelta(minutes=30)},
    # Health share-link views and caregiver accesses are kept a year (docs/health-sharing.md).
    "health-purge-share-logs": {"task": "health.purge_share_logs", "schedule": crontab(hour=3, minute=45)},
    # Reminders to measure go out within 5 minutes of the time each resident chose (health.measurements).
    "health-measure-reminders": {"task": "health.send_measure_reminders", "schedule": timedelta(minutes=5)},
    # Vaccine reminders a week before a child's dose is due, once per child, dose and guardian (health.child).
    "health-vaccine-reminders": {"task": "health.send_vaccine_reminders", "schedule": crontab(hour=9, minute=0)},
    # Disclosure requests due within a few open days (or overdue): 情報公開 staff are mailed once per due date.
    "disclosure-warn-due-soon": {"task": "disclosure.warn_due_soon", "schedule": crontab(hour=8, minute=0)},
    # Waitlist offers (キャンセル待ち) not confirmed in time pass to the next in line (facilities.services).
    "facilities-expire-waitlist-offers": {
        "task": "facilities.expire_waitlist_offers",
        "schedule": timedelta(minutes=5),
    },
    # Unpaid provisional facility bookings past their pay-by deadline lapse (facilities.payments.lapse).
    "facilities-lapse-unpaid": {"task": "facilities.lapse_unpaid_bookings", "schedule": timedelta(minutes=15)},
}

# --- Facilities: waitlist (キャンセル待ち) -------------------------------------------------
FACILITIES_WAITLIST_HOLD_HOURS = env_int(
    "FACILITIES_WAITLIST_HOLD_HOURS",
    24,
    help="Hours the first in a cancelled slot's waitlist has to confirm the offer (never past the slot's start).",
)
FACILITIES_WAITLIST_MAX_ENTRIES = env_int(
    "FACILITIES_WAITLIST_MAX_ENTRIES", 3, help="Upcoming slots one person or group may be waiting for at a time."
)

# --- Mail -----------------------------------------------------------------------------
EMAIL_HOST = env(
    "EMAIL_HOST",
    "",
    help="SMTP server. Empty: mail is printed to the console (or written to EMAIL_FILE_PATH).",
    production=True,
)
EMAIL_PORT = env_int("EMAIL_PORT", 25, help="SMTP port.")
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "", help="SMTP user, if the server wants one.")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "", help="SMTP password.")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False, help="STARTTLS to the SMTP server.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, help="Seconds an SMTP conversation may take.")
EMAIL_FILE_PATH = env(
    "EMAIL_FILE_PATH", "", help="With no EMAIL_HOST: write each mail as a file in this folder instead of the console."
)
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif EMAIL_FILE_PATH:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", "みどり町ポータル <no-reply@portal.example.jp>", help="Sender of every mail.", production=True
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
MAIL_MESSAGE_ID_DOMAIN = env("MAIL_MESSAGE_ID_DOMAIN", "portal.example.jp", help="Domain part of Message-IDs.")
# Outbox: how long a worker holds a claimed mail before another may take it over.
# It must outlast CELERY_TASK_TIME_LIMIT so a slow but live worker is never raced.
OUTBOX_LEASE_SECONDS = env_int(
    "OUTBOX_LEASE_SECONDS", CELERY_TASK_TIME_LIMIT + 30, help="Seconds a claimed mail is reserved for one worker."
)
OUTBOX_BATCH_SIZE = env_int("OUTBOX_BATCH_SIZE", 50, help="Mails of one transaction handed to a worker per task.")
OUTBOX_RETENTION_DAYS = env_int(
    "OUTBOX_RETENTION_DAYS", 90, help="Days the text of a sent mail is kept; the record of it stays."
)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 10, help="Temporary failures before a mail is marked failed.")
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 30, help="First retry delay; doubles each attempt.")
OUTBOX_SWEEP_GRACE_SECONDS = env_int(
    "OUTBOX_SWEEP_GRACE_SECONDS", 30, help="A queued mail this overdue is re-enqueued by the sweeper."
)
OUTBOX_RETRY_MAX_SECONDS = env_int("OUTBOX_RETRY_MAX_SECONDS", 1800, help="Longest retry delay.")
# Worker heartbeats (notifications.heartbeat): the mails of a worker silent for
# OUTBOX_WORKER_DEAD_SECONDS are freed by the next sweep instead of waiting for their lease.
OUTBOX_HEARTBEAT_SECONDS = env_int(
    "OUTBOX_HEARTBEAT_SECONDS", 2, help="How often each Celery worker records in the database that it is alive."
)
OUTBOX_WORKER_DEAD_SECONDS = env_int(
    "OUTBOX_WORKER_DEAD_SECONDS",
    10,
    help="A worker whose heartbeat is this old is dead: the sweeper frees the mails it claimed.",
)

# --- Accounts -------------------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "portal.forms.SignupProfileForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{WAGTAIL_SITE_NAME}] "
ACCOUNT_RATE_LIMITS = {
    # Failed logins: 5 per 5 minutes per account and 20 per minute per address.
    "login_failed": "20/m/ip,5/300s/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = WAGTAIL_SITE_NAME
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
PORTAL_STAFF_MFA_REQUIRED = env_bool(
    "STAFF_MFA_REQUIRED", True, help="Staff must set up a second factor before using /admin/."
)
SESSION_COOKIE_AGE = 60 * 60 * 8

# --- Wagtail --------------------------------------------------------------------------
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False  # allauth owns passwords and their resets
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILUSERS_PASSWORD_ENABLED = True
WAGTAIL_I18N_ENABLED = True
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "ja"
# Easy Japanese (やさしい日本語) has no language code of its own: "ja-x-easy" is Japanese with a
# BCP 47 private-use subtag. Django finds the "ja" catalogue for it, so its UI is Japanese. It is
# used in URLs (/ja-x-easy/...), hreflang and Wagtail's locales; HTML says lang="ja" for it.
LANGUAGES = [("ja", _("Japanese")), ("en", _("English")), ("ja-x-easy", _("Easy Japanese"))]
# Staff write the English and easy-Japanese pages by hand (wagtail.contrib.simple_translation).
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "portal" / "locale"]
# One date and time style per language in every page and mail: 2026年12月7日(月) 14:00 / 7 Dec 2026 14:00.
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles"), help="collectstatic target."))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media"), help="Uploaded images and documents."))
# Residents' check-up files (健診結果): never under MEDIA_ROOT, served only by a permission-checked view.
HEALTH_FILES_ROOT = Path(
    env(
        "HEALTH_FILES_ROOT",
        str(VAR_DIR / "health-files"),
        help="Folder for residents' check-up files; outside MEDIA_ROOT, never served by the web server.",
    )
)
HEALTH_UPLOAD_MAX_BYTES = (
    env_int("HEALTH_UPLOAD_MAX_MB", 10, help="Largest check-up file a resident may upload, in megabytes.") * 1024 * 1024
)
# Largest decision letter or document 情報公開 staff may release or redact (disclosure/release/).
DISCLOSURE_RELEASE_MAX_BYTES = 50 * 1024 * 1024
WHITENOISE_USE_FINDERS = not PRODUCTION  # serve from the apps' folders without collectstatic on a laptop
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# DENY everywhere; Wagtail's preview views set SAMEORIGIN on their own responses.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool(
        "SECURE_SSL_REDIRECT", True, help="Redirect http to https (off if the proxy does it)."
    )
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, help="HSTS max-age in production.")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# Content-Security-Policy: everything from our own origin, nothing from a CDN.
# Wagtail's admin still sets inline styles, so styles allow 'unsafe-inline'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO", help="Log level.")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Wagtail's background tasks (search index, references) log every run at INFO.
        "django_tasks": {"level": "WARNING"},
    },
}
