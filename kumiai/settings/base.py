"""Settings shared by every mode. Values that differ per install come from the environment."""

import secrets
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Git-ignored: the SQLite file, the generated dev secret key, uploads, checkpoints.
VAR_DIR = Path(environ.Env().str("KUMIAI_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()


def _dev_secret_key() -> str:
    """A key generated once per checkout, so that no secret is written in the code."""
    path = VAR_DIR / "dev-secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="") or _dev_secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'kumiai.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # BEGIN IMMEDIATE: a writer takes the write lock when its transaction starts, so two
    # writers queue instead of failing with "database is locked" when both upgrade a read lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = True


def _key_store(default: dict) -> dict:
    """The key store (`records.keystore`): the members' data keys, in a database of its own so
    that a dump or backup of the main one holds no key. `KEYSTORE_URL`, or beside the main
    database: on SQLite a second file (`kumiai-keys.sqlite3`), on PostgreSQL a second
    database on the same server (`<name>_keys`)."""
    url = env.str("KEYSTORE_URL", default="")
    keys = env.db_url_config(url) if url else {**default, "OPTIONS": dict(default["OPTIONS"])}
    if not url:
        name = str(default["NAME"])
        if default["ENGINE"] == "django.db.backends.sqlite3":
            path = Path(name)
            keys["NAME"] = str(path.with_name(f"{path.stem}-keys{path.suffix}"))
        else:
            keys["NAME"] = f"{name}_keys"
    keys["ATOMIC_REQUESTS"] = False  # each key is written at once, outside the request's work
    return keys


DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["keys"] = _key_store(DATABASES["default"])
# Persistent connections: each worker thread keeps its two connections (the main database and
# the key store) for up to CONN_MAX_AGE seconds instead of opening both on every request, and
# checks one with a `SELECT 1` before its first use in a request, so that a connection the
# server dropped meanwhile is opened again rather than failing the request. 0 closes them at
# the end of each request. A `?conn_max_age=` in DATABASE_URL or KEYSTORE_URL wins.
CONN_MAX_AGE = env.int("CONN_MAX_AGE", default=600)
for _database in DATABASES.values():
    _database.setdefault("CONN_MAX_AGE", CONN_MAX_AGE)
    _database.setdefault("CONN_HEALTH_CHECKS", True)
DATABASE_ROUTERS = ["records.keystore.KeyStoreRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    # The admin with two-factor sign-in (safeguards.admin_site.KumiaiAdminSite).
    "safeguards.apps.KumiaiAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "guardian",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    # Kumiai, lowest layer first (see the README's architecture section).
    "audit",
    "core",
    "purposes",
    "safeguards",
    "records",
    "disclosure",
    "complaints",
    "retention",
    "reports",
    "kumiai",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # One transaction around all a request writes, the session's save included: one commit.
    "records.middleware.RequestTransactionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The signed-in user is the actor of the account changes a request makes (their events).
    "safeguards.accounts.ActingUserMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # One transaction around view and rendering, ending with the gate's access event.
    "records.middleware.GateLedgerMiddleware",
    # Last, so that it sees the outcome of authentication for lockouts.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kumiai.urls"
WSGI_APPLICATION = "kumiai.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "purposes.context_processors.society",
                "records.context_processors.keys_pending",
            ],
        },
    },
]

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out user before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Staff sessions end after 30 idle minutes: the expiry moves with every request.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# Staff sign in with a TOTP token (django-otp) on top of the password, in every mode; demo
# accounts get a printed secret (`manage.py otp_enrol`), never a bypass.
LOGIN_URL = "safeguards:sign_in"

# Security headers: no framing, no sniffing, and a policy that allows our own files only;
# templates carry no inline script or style.
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"  # collectstatic fills it; whitenoise serves it
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# One cache shared by every app server (rate limits on the status pages must hold across
# gunicorn workers and hosts): the database, so no other service is needed.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "kumiai_cache",
    }
}

# Uploads (identity documents) live outside any public folder and are never served as static.
MEDIA_ROOT = Path(env.str("KUMIAI_PRIVATE_DIR", default=str(VAR_DIR / "private")))
# The public request form's quotas (disclosure.forms): the largest file it takes, the bytes one
# client may have stored in an hour (core.ratelimit), and how long an upload waits for its
# filing to be confirmed before `purge_uploads` deletes it (a quarter of an hour after that).
UPLOAD_MAX_FILE_BYTES = env.int("UPLOAD_MAX_FILE_BYTES", default=10 * 1024 * 1024)
UPLOAD_BYTES_PER_HOUR = env.int("UPLOAD_BYTES_PER_HOUR", default=60 * 1024 * 1024)
UPLOAD_WAIT_MINUTES = env.int("UPLOAD_WAIT_MINUTES", default=30)

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# A mail server that does not answer holds the worker, never a request (core.outbox).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# The outbox (core.outbox): a mail not sent is tried again after OUTBOX_RETRY_SECONDS, doubling
# each time up to OUTBOX_RETRY_MAX_SECONDS, and shown as failed in the admin after
# OUTBOX_MAX_ATTEMPTS tries (12: about seven hours of a mail server down).
OUTBOX_RETRY_SECONDS = env.int("OUTBOX_RETRY_SECONDS", default=60)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=3600)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=12)
# A key operation after an erasure that failed (a re-key after a partial one, the destruction
# of the key after a whole one: records.rekeying) is tried again after REKEY_RETRY_SECONDS,
# doubling up to REKEY_RETRY_MAX_SECONDS, until it is done: never given up.
REKEY_RETRY_SECONDS = env.int("REKEY_RETRY_SECONDS", default=60)
REKEY_RETRY_MAX_SECONDS = env.int("REKEY_RETRY_MAX_SECONDS", default=3600)

# Django's task framework through its backport: tasks are rows of the database, committed
# with the state that warrants them, run by `manage.py worker` (core.schedule).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The periodic jobs the worker runs (core.schedule): command, arguments, every so many seconds.
PERIODIC_JOBS = {
    "summarise_access": ([], 5 * 60),
    "purge_uploads": ([], 15 * 60),
    "audit_checkpoint": (["--output", "{checkpoint_dir}/{date}.json"], 24 * 60 * 60),
    "open_disposal_run": ([], 24 * 60 * 60),
    "compact_tallies": ([], 24 * 60 * 60),
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="kumiai@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# django-guardian: no anonymous user row; Kumiai's anonymous visitors read nothing gated.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = True

# Reverse proxies in front of the app that append to X-Forwarded-For (0: none, the client is
# REMOTE_ADDR). Limits and lockouts count tries per client: see core.ratelimit.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)

# django-axes: five failures from one address, or against one username, lock for an hour.
AXES_CLIENT_IP_CALLABLE = "core.ratelimit.client_address"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "safeguards/locked_out.html"
# django-axes counts every failed sign-in, a wrong code's included, toward the lockout above.
# django-otp's own throttle would also refuse a right code for seconds after a wrong one,
# with the wrong-code answer and a count toward that lockout: off.
OTP_TOTP_THROTTLE_FACTOR = 0

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's token, expiring and only for active staff (safeguards.tokens).
        "safeguards.tokens.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "records.pagination.Pages",
    "PAGE_SIZE": 50,
}
# Days an API token works from its issue; a new one is issued in the admin (APIトークン).
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=90)

SPECTACULAR_SETTINGS = {
    "TITLE": "Kumiai API",
    "DESCRIPTION": "Core-system interface of Kumiai: members, records, request status.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "records.api_schema.add_error_responses",
    ],
}

# Ed25519 key that signs audit checkpoints (PEM, PKCS#8). Unset: `audit_checkpoint` refuses.
AUDIT_SIGNING_KEY = env.str("AUDIT_SIGNING_KEY", default="", multiline=True)

# The key-encryption key (base64 of 32 random bytes) that wraps each member's data key
# (`core.envelope`, `records.keystore`); unset, no 要配慮 record can be written or read.
# `manage.py rotate_keys` re-wraps every data key under it; keep the previous one in
# KUMIAI_KEK_PREVIOUS until that has run.
KUMIAI_KEK = env.str("KUMIAI_KEK", default="")
KUMIAI_KEK_PREVIOUS = env.list("KUMIAI_KEK_PREVIOUS", default=[])

# Every line passes `core.logfilter.Redact` (no token, search term or e-mail address is
# written); Django's own loggers write through the same handler, not their defaults.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "core.logfilter.Redact"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    "loggers": {
        name: {"handlers": ["console"], "level": "INFO", "propagate": False}
        for name in ("django", "django.request", "django.server", "gunicorn.access")
    },
}

# Where signed checkpoints are kept (`audit_checkpoint --output`); `restore_drill` checks a
# restored trail against the newest one it covers. Outside the database, as a backup's own
# copy of them would prove nothing.
AUDIT_CHECKPOINT_DIR = env.path("KUMIAI_CHECKPOINT_DIR", default=VAR_DIR / "checkpoints")
# The erasure ledger (`audit.erasure_ledger`): every erasure carried out, signed, to be
# replayed on a restored backup. Keep it with the checkpoints and out of the database's own backups.
ERASURE_LEDGER_DIR = env.path("KUMIAI_ERASURE_LEDGER_DIR", default=VAR_DIR / "erasures")
