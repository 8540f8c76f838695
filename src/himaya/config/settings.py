"""Himaya settings: everything comes from the environment (see env.py and docs/operations.md)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from himaya.config import env

ENVIRONMENT = env.environment()
PRODUCTION = ENVIRONMENT == "production"
BASE_DIR = env.REPO_DIR
SRC_DIR = BASE_DIR / "src" / "himaya"
VAR_DIR = env.var_dir()

SECRET_KEY = env.get("HIMAYA_SECRET_KEY")
DEBUG = env.get_bool("HIMAYA_DEBUG", default=not PRODUCTION) and not PRODUCTION
ALLOWED_HOSTS = env.get_list("HIMAYA_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env.get_list("HIMAYA_CSRF_TRUSTED_ORIGINS", "")

# Field encryption: comma-separated Fernet keys, newest first (see `himaya keys`).
FIELD_ENCRYPTION_KEYS = env.get_list("HIMAYA_FIELD_KEYS")
BLIND_INDEX_KEY = env.get("HIMAYA_BLIND_INDEX_KEY")
BACKUP_KEY = env.get("HIMAYA_BACKUP_KEY", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "himaya.core",
    "himaya.accounts",
    "himaya.directory",
    "himaya.cases",
    "himaya.assessments",
    "himaya.notifications",
    "himaya.retention",
    "himaya.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "himaya.core.middleware.IdleTimeoutMiddleware",
    "himaya.core.middleware.AuditContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "himaya.accounts.middleware.RequireTwoFactorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "himaya.config.urls"
WSGI_APPLICATION = "himaya.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "himaya.core.context_processors.himaya",
                "himaya.accounts.context_processors.navigation",
                "himaya.notifications.context_processors.unread",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env.get("HIMAYA_DATABASE_URL", f"sqlite:///{VAR_DIR / 'himaya.sqlite3'}"),
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["TEST"] = (
        {"NAME": str(VAR_DIR / "test.sqlite3")} if env.get_bool("HIMAYA_TEST_SQLITE_FILE") else {}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Shared by every app server (TOTP replay protection, rate limits): a table in the database.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "himaya_cache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # rules first: a permission granted by a rule is answered without the model backend's two queries.
    "rules.permissions.ObjectPermissionBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: staff accounts only, created by supervisors and administrators; no self sign-up.
ACCOUNT_ADAPTER = "himaya.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {"login_failed": "20/m/ip"}
MFA_ADAPTER = "himaya.accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Himaya"
MFA_RECOVERY_CODE_COUNT = 10

# django-axes: lock an account after 5 failed passwords.
AXES_FAILURE_LIMIT = env.get_int("HIMAYA_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env.get_int("HIMAYA_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "himaya.accounts.lockout.username_from_request"
AXES_LOCKOUT_CALLABLE = "himaya.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Locking by account (not by address) is deliberate: a care cell shares one address behind its router; the
# per-address brake is allauth's rate limit above. Hence axes.W006 is silenced.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_IPWARE_PROXY_COUNT = env.get_int("HIMAYA_PROXY_COUNT", 0)

# Sessions: idle timeout (minutes), server-side check in IdleTimeoutMiddleware too.
IDLE_TIMEOUT_MINUTES = env.get_int("HIMAYA_IDLE_TIMEOUT_MINUTES", 15)
# The last activity is written to the session at most once a minute (IdleTimeoutMiddleware), not on every
# request; the stored expiry allows that minute, the middleware enforces the timeout itself.
SESSION_TOUCH_SECONDS = 60
SESSION_COOKIE_AGE = IDLE_TIMEOUT_MINUTES * 60 + SESSION_TOUCH_SECONDS
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "himaya_session"
CSRF_COOKIE_NAME = "himaya_csrf"
CSRF_FAILURE_VIEW = "himaya.core.views.csrf_failure"

# Internationalisation: French first, Arabic (right-to-left, Moroccan months) and English.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("ar", _("Arabic")), ("en", _("English"))]
LOCALE_PATHS = [SRC_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Africa/Casablanca"
LANGUAGE_COOKIE_NAME = "himaya_language"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [SRC_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Mail: HIMAYA_EMAIL_URL = smtp://user:password@host:587?tls=1 ; console in development.
_email_url = urlparse(env.get("HIMAYA_EMAIL_URL", "console:"))
if _email_url.scheme in {"smtp", "smtps"}:
    _email_query = parse_qs(_email_url.query)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email_url.hostname or "localhost"
    EMAIL_PORT = _email_url.port or (465 if _email_url.scheme == "smtps" else 587)
    EMAIL_HOST_USER = unquote(_email_url.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email_url.password or "")
    EMAIL_USE_SSL = _email_url.scheme == "smtps"
    EMAIL_USE_TLS = not EMAIL_USE_SSL and _email_query.get("tls", ["1"])[0] == "1"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Background work (alerts, reminder e-mails, retention runs): django-tasks with its database backend; the worker
# is `himaya db_worker` (started by `make run`; a service of its own in production, docs/operations.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The address users reach Himaya at (links in e-mails).
HIMAYA_SITE_URL = env.get("HIMAYA_SITE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env.get("HIMAYA_DEFAULT_FROM_EMAIL", "Himaya <no-reply@himaya.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Browser hardening.
# Maps work with no tile server (markers and outlines only). An optional tile server, e.g.
# https://tiles.example.ma/{z}/{x}/{y}.png, is the only other origin pages may load images from.
HIMAYA_MAP_TILE_URL = env.get("HIMAYA_MAP_TILE_URL", "")
HIMAYA_MAP_TILE_ATTRIBUTION = env.get("HIMAYA_MAP_TILE_ATTRIBUTION", "")
# Where the public pages' quick exit goes (a neutral site); only on click, with no trail in the history.
HIMAYA_QUICK_EXIT_URL = env.get("HIMAYA_QUICK_EXIT_URL", "https://www.google.com/search?q=meteo")
_tile_origin = "{0.scheme}://{0.netloc}".format(urlparse(HIMAYA_MAP_TILE_URL)) if HIMAYA_MAP_TILE_URL else ""

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", *([_tile_origin] if _tile_origin else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
# "same-origin": no referrer ever leaves Himaya (URLs name cases and people). Not "no-referrer": with it browsers
# send "Origin: null" on every form POST and Django's CSRF origin check refuses them all (login included).
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.get_bool("HIMAYA_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.get_int("HIMAYA_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Himaya's own settings.
DEMO_MODE = env.get_bool("HIMAYA_DEMO", default=not PRODUCTION) and not PRODUCTION
API_TOKEN_TTL_DAYS = env.get_int("HIMAYA_API_TOKEN_TTL_DAYS", 365)
PAGE_SIZE = 25
# Apps above `accounts` add cards to the home page through these providers (accounts imports none of them).
HIMAYA_HOME_CARD_PROVIDERS = [
    "himaya.cases.home.home_cards",
    "himaya.assessments.home.home_cards",
    "himaya.directory.home.home_cards",
]
# Sections other apps add to the case page: dotted paths to (anchor, title, template, fields shown) tuples.
HIMAYA_CASE_SECTIONS = [
    "himaya.assessments.sections.SCREENING",
    "himaya.assessments.sections.RISK",
    "himaya.assessments.sections.PLANS",
]
# What stops a closure: dotted paths to functions (case) -> list of translated reasons (empty: nothing blocks).
HIMAYA_CLOSURE_BLOCKERS = ["himaya.assessments.closure.blockers"]
# Case documents (cases/storage.py): files encrypted with the field keys, under random names, in this folder;
# checked by content and extension (types: pdf, jpeg, png, webp, text, docx, odt) and by size.
HIMAYA_DOCUMENT_DIR = env.get("HIMAYA_DOCUMENT_DIR", str(VAR_DIR / "documents"))
HIMAYA_DOCUMENT_MAX_BYTES = env.get_int("HIMAYA_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
HIMAYA_DOCUMENT_TYPES = env.get_list("HIMAYA_DOCUMENT_TYPES", "pdf,jpeg,png,webp,text,docx,odt")
# Extra steps of `himaya keys rotate`, by dotted path (core imports none of the apps that add them).
HIMAYA_KEY_ROTATION_HOOKS = ["himaya.cases.storage.rotate_files"]
# Folders `himaya backup` copies with the database, by the name of the setting that holds each path.
HIMAYA_BACKUP_DIRECTORIES = ["HIMAYA_DOCUMENT_DIR"]
# Recompute the keyed blind indexes after HIMAYA_BLIND_INDEX_KEY changed (``himaya keys reindex``).
HIMAYA_REINDEX_HOOKS = ["himaya.cases.services.survivors.reindex_all"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"axes": {"level": "ERROR"}},
}
