"""PHX Pay Online settings: one module; what differs between deployments comes from the environment
(django-environ), and policy (lockouts, rate limits, link lifetimes) is written here as constants.

Every variable is documented in `.env.example`. Defaults are safe for production; `make run` turns on
DEBUG and the SQLite/console-email conveniences explicitly.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is a convenience for developers; real deployments set the process environment.
env_file = BASE_DIR / ".env"
if env_file.is_file():
    env.read_env(str(env_file))

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105

# Key for the HMAC of billing-account PINs (enrollment/pins.py). Separate from SECRET_KEY so either can
# be rotated on its own schedule; rotating it means re-importing the CIS extract.
PIN_PEPPER = env("PIN_PEPPER", default="")
if not PIN_PEPPER:
    if not DEBUG:
        raise ImproperlyConfigured("PIN_PEPPER must be set when DEBUG is false.")
    PIN_PEPPER = "development-only-pin-pepper"
if len(PIN_PEPPER) < 16 and not DEBUG:
    raise ImproperlyConfigured("PIN_PEPPER must be at least 16 characters.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

SITE_URL = env.url("SITE_URL", default="http://localhost:8000").geturl().rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("SITE_URL must be an absolute http(s) URL.")
# The one origin whose forms post here: the public address. A browser's own Host already passes
# Django's check; this is for a proxy that rewrites Host on the way in.
CSRF_TRUSTED_ORIGINS = ["{0.scheme}://{0.netloc}".format(urlsplit(SITE_URL))]

INSTALLED_APPS = [
    # Django's admin, where every page also needs the staff second factor (accounts/admin_site.py).
    "accounts.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "anymail",
    # axes and django_tasks_db under a translatable app name (phxpay/translations.py).
    "phxpay.translations.AxesConfig",
    "django_tasks",
    "phxpay.translations.TasksDatabaseConfig",
    "csp",
    # Second factor: TOTP from django-otp (its own recovery-code device keeps codes in clear, so
    # accounts.models.RecoveryCodeDevice replaces it).
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Passkeys (WebAuthn) as a second django-otp device for staff: accounts/passkeys.py.
    "django_otp_webauthn",
    "phxpay",
    "accounts",
    "enrollment",
    "billing",
    "payments",
]

MIDDLEWARE = [
    "phxpay.middleware.RequestContextMiddleware",
    "phxpay.middleware.RejectMalformedMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.IdleSessionRefreshMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "phxpay.middleware.PermissionsPolicyMiddleware",
    "phxpay.middleware.NoStoreForSignedInMiddleware",
    "accounts.middleware.AbsoluteSessionLimitMiddleware",
    # Axes must come last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "phxpay.urls"
WSGI_APPLICATION = "phxpay.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "phxpay.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Persistent connections unless the URL says otherwise (`?conn_max_age=0` behind PgBouncer).
DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared cache (rate limits, readiness check): Redis in production so every process sees the same
# counters; the in-process default keeps `make run` and a single process working without Redis.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Pre-created e-bill users' first sign-in with an account PIN: never a session, only a link
    # mailed to the e-bill address (enrollment/precreated.py).
    "enrollment.precreated.FirstSignInBackend",
]
# What else a sign-in does, called explicitly by accounts.views.LoginView after the password checks
# out (apps above `accounts` add their step here instead of listening for a signal). Each is a
# function of (request, user).
SIGN_IN_STEPS = [
    "accounts.views.language_adopt_at_sign_in",
    "enrollment.views.invitations_accept_at_sign_in",
]
# What later apps add to an account's Details page, in order: each a view-like callable
# (request, enrollment) -> HTML, so enrollment/ never imports the apps built on it.
ACCOUNT_DETAILS_SECTIONS = [
    "billing.views.bills_section",
    "payments.views.payments_section",
]
# What later apps add to Account(s): each (request, enrollments) -> payments.views.AccountsPart-like
# object with per-account HTML cells and the form the list becomes (Pay selected accounts).
ACCOUNTS_PAGE_PARTS = [
    "payments.views.accounts_part",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:profile"
LOGOUT_REDIRECT_URL = "home"

# Argon2id first; the others only let old hashes be verified and upgraded.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128
# Length, common-password and similarity checks; deliberately no composition rules (NIST 800-63B).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {
        "NAME": "accounts.validators.MaximumLengthValidator",
        "OPTIONS": {"max_length": PASSWORD_MAX_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 2 * 60 * 60

# Registration confirmation links (the PHXwelcome email).
CONFIRMATION_LINK_MAX_AGE = timedelta(hours=24)
CONFIRMATION_MAX_MISMATCHES = 5
PURGE_UNCONFIRMED_DAYS = 30

# Billing-account PIN lockout: N consecutive wrong PINs lock the account for every user; each further
# lockout without a success in between doubles the time. The bounds on guessing across accounts (per
# user, per address and network, step-up) are policy in enrollment/guessing.py.
PIN_ACCOUNT_FAILURE_LIMIT = 5
PIN_ACCOUNT_LOCK_MINUTES = 30

# Audit log retention (manage.py prune_audit_log), and the admin's URL path (not the well-known one).
AUDIT_RETENTION_DAYS = 400
ADMIN_URL = env("ADMIN_URL", default="staff-admin/").strip("/") + "/"

# Invitations: how long an emailed invitation stays open, and how many a holder may send per day.
INVITATION_DAYS = 14
INVITATIONS_PER_HOLDER_PER_DAY = 20

# Sessions: 30 minutes idle, cookies never readable from scripts. The idle timer is renewed once a
# minute of activity has passed (accounts.middleware.IdleSessionRefreshMiddleware), not by a write
# on every request: the timeout is right to within that minute.
SESSION_COOKIE_AGE = 30 * 60
SESSION_REFRESH_SECONDS = 60
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
# With a shared cache (Redis) sessions are read from it, the database keeping the durable copy. A
# per-process cache (locmem) must not hold them: another process would read a stale session.
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CSRF_FAILURE_VIEW = "phxpay.views.csrf_failure"

# One switch for every throttle: the rate limits below and django-axes. On in every deployment; only
# the load test's own settings module (bench/settings.py) turns it off.
RATE_LIMITS_ENABLED = True

# Login throttling (django-axes): per user name and, separately, per client IP.
AXES_ENABLED = RATE_LIMITS_ENABLED
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
# Per User Name only: a per-IP lockout would shut out a whole library or office behind one address.
# Per-IP throttling is the generous rate limit below (RATE_LIMITS["login"]["ip"]).
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/login_locked.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "phxpay.ratelimit.client_ip"
AXES_USERNAME_CALLABLE = "phxpay.ratelimit.axes_username"

# Rate limits ("count/seconds") per client IP and per target. Per-IP limits are sized for many people
# behind one address (like django-allauth's defaults); per-target limits are the tight ones.
RATE_LIMITS = {
    "login": {
        "ip": "30/60",
        "target": "20/300",
    },
    "register": {
        "ip": "20/60",
        "target": "5/3600",
    },
    "confirm": {
        "ip": "30/60",
        "target": "10/3600",
    },
    "password_reset": {
        "ip": "20/60",
        "target": "5/3600",
    },
    "enroll": {
        "ip": "30/60",
        "target": "10/600",
    },
    "email_change": {
        "ip": "20/60",
        "target": "5/3600",
    },
    "invite": {
        "ip": "30/60",
        "target": "5/3600",
    },
    # Pay without signing in: account number + ZIP + house number must not be guessable either.
    "guest_pay": {
        "ip": "30/60",
        "target": "10/600",
    },
    # Per staff member: a 6-digit code must not be guessable in the admin.
    "second_factor": {
        "ip": "30/60",
        "target": "10/600",
    },
}
# Behind a proxy/load balancer, the header that carries the client address (e.g. HTTP_X_FORWARDED_FOR)
# and how many trusted proxies append to it. Empty: the socket peer (REMOTE_ADDR) is the client.
CLIENT_IP_HEADER = env("CLIENT_IP_HEADER", default="")
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)

# Passkeys: scoped to SITE_URL's host (accounts.passkeys), a second step after the password only.
OTP_WEBAUTHN_RP_NAME = "PHX Pay Online"
OTP_WEBAUTHN_RP_ID_CALLABLE = "accounts.passkeys.relying_party_id"
OTP_WEBAUTHN_ALLOWED_ORIGINS = ["{0.scheme}://{0.netloc}".format(urlsplit(SITE_URL))]
OTP_WEBAUTHN_HELPER_CLASS = "accounts.passkeys.PasskeyHelper"
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# Its errors go to the audit log (accounts.passkeys); a stack trace per refused passkey is noise.
OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME = ""

# Payments (payments/): the processor is configuration, what a payment may be is policy.
PAYMENT_PROVIDER = env("PAYMENT_PROVIDER", default="dummy")
# The key of the test processor's signed callbacks (Stripe signs with STRIPE_WEBHOOK_SECRET).
PAYMENT_CALLBACK_SECRET = f"payment-callbacks:{SECRET_KEY}"
PAYMENT_MAX_PER_ACCOUNT = Decimal("10000.00")
# PAYMENT_PROVIDER=stripe: the account's secret key and the webhook endpoint's signing secret
# (the endpoint: <SITE_URL>/payments/callback/). STRIPE_API_BASE (empty: Stripe's own) only points
# tests at a stand-in of Stripe's API.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = ""

# Internationalisation: English and Spanish, chosen by the URL prefix (/en/, /es/).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Spanish as the City writes it in the U.S. (phxpay/formats/es): "1,234.56", "8:13 p.m.".
FORMAT_MODULE_PATH = ["phxpay.formats"]
USE_I18N = True
TIME_ZONE = "America/Phoenix"
USE_TZ = True

# Static files: USWDS comes from npm (node_modules, never committed) and is collected here.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
_USWDS = BASE_DIR / "node_modules" / "@uswds" / "uswds" / "dist"
STATICFILES_DIRS = [BASE_DIR / "static"] + [
    (f"uswds/{part}", _USWDS / part)
    for part in ("css", "js", "fonts", "img")
    if (_USWDS / part).is_dir()
]
# Bill PDFs (the print vendor's, and the ones the portal renders): never public, served only
# through the bill views' access check. One URL says where: file:///a/directory, or
# s3://bucket (?endpoint_url=https://… for an S3-compatible service other than AWS; credentials from
# the standard AWS_* variables boto3 reads).
_bill_files_url = urlsplit(env("BILL_FILES_URL", default=f"file://{BASE_DIR / 'var' / 'bills'}"))
if _bill_files_url.scheme == "s3":
    _bill_files = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _bill_files_url.netloc,
            "endpoint_url": parse_qs(_bill_files_url.query).get("endpoint_url", [None])[0],
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": True,
        },
    }
elif _bill_files_url.scheme == "file":
    _bill_files = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": _bill_files_url.path},
    }
else:
    raise ImproperlyConfigured("BILL_FILES_URL must be file:///a/directory or s3://bucket.")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "bills": _bill_files,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Email: Anymail's console backend in development, any Anymail ESP (or Django's SMTP) in production.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="anymail.backends.console.EmailBackend")
# The ESP that EMAIL_BACKEND sends through: only its tracking webhook is served (phxpay/urls.py).
EMAIL_ESP = (
    EMAIL_BACKEND.split(".")[2]
    if EMAIL_BACKEND.startswith("anymail.backends.") and EMAIL_BACKEND.count(".") == 3
    else ""
)
# The sender the City's guide tells customers to look for ("el correo enviado por PHXwelcome@phoenix.gov").
DEFAULT_FROM_EMAIL = "PHX Pay Online <PHXwelcome@phoenix.gov>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Django's SMTP backend, when EMAIL_BACKEND names it: smtp+tls://user:password@host:587.
_smtp = env.email_url("EMAIL_URL", default="smtp://localhost:25")
EMAIL_HOST, EMAIL_PORT = _smtp["EMAIL_HOST"], _smtp["EMAIL_PORT"]
EMAIL_HOST_USER = _smtp["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _smtp["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _smtp.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _smtp.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 10
# ESP credentials: every ANYMAIL_<NAME> variable becomes ANYMAIL["<NAME>"], e.g. ANYMAIL_POSTMARK_SERVER_TOKEN.
# Emails are sent by a background task. The immediate backend (default: make run, tests) sends
# right after the transaction commits, in-process; production uses the database queue
# (TASKS_BACKEND=django_tasks_db.DatabaseBackend) and `manage.py db_worker`, which retries.
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django_tasks.backends.immediate.ImmediateBackend")
    }
}
EMAIL_RETRY_HOURS = 24
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in env.ENVIRON.items()
    if key.startswith("ANYMAIL_")
}

# Transport security. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER_NAME.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
if env("SECURE_PROXY_SSL_HEADER_NAME", default=""):
    SECURE_PROXY_SSL_HEADER = (env("SECURE_PROXY_SSL_HEADER_NAME"), "https")
# Browsers keep Secure cookies on http://localhost too, so a local production-shaped try-out works.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else 365 * 24 * 60 * 60
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
X_FRAME_OPTIONS = "DENY"
# Secure cookies get the __Host- prefix: browsers then refuse them from subdomains or without TLS.
if SESSION_COOKIE_SECURE:
    SESSION_COOKIE_NAME = "__Host-sessionid"
if CSRF_COOKIE_SECURE:
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Strict Content Security Policy: only our own files; scripts also need the per-request nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    },
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=()"
)
# HSTS preload commits every phoenix.gov subdomain: the city's domain owners decide that, not this app.
# axes.W006 asks for per-IP lockouts; ours are per User Name on purpose, with per-IP throttling done
# by the rate limits (phxpay/ratelimit.py) so one shared address cannot lock everyone behind it out.
# otp_webauthn.E031 refuses an http:// SITE_URL (tests' http://testserver, a try-out on a LAN
# address): there the portal offers no passkeys (accounts.passkeys.passkeys_available), as browsers
# would refuse them anyway, and the authenticator app is the second factor.
SILENCED_SYSTEM_CHECKS = ["security.W021", "axes.W006", "otp_webauthn.E031"]


# Logs: JSON lines with the request id in production; plain text when DEBUG (easier to read).
LOG_FORMAT = "text" if DEBUG else "json"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "phxpay.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "phxpay.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint narrates every step of every PDF at INFO.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}
