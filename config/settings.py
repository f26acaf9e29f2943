"""Doorstep settings, read from the environment (django-environ).

Two modes, chosen by DOORSTEP_ENV:

* ``development`` (default): DEBUG on, a throw-away secret key, SQLite, no Redis needed.
* ``production``: DEBUG off, SECRET_KEY and ALLOWED_HOSTS required (start-up fails loudly
  without them), HTTPS-only cookies, HSTS; passes ``manage.py check --deploy``.

Every value below can be overridden by an environment variable of the same name; the README's
configuration table lists them.
"""
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # runtime state for the server-less setup: SQLite file, broker folders

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; real environment variables win

DOORSTEP_ENV = env.str("DOORSTEP_ENV", default="development")
if DOORSTEP_ENV not in ("development", "production"):
    raise ImproperlyConfigured("DOORSTEP_ENV must be 'development' or 'production'")
PRODUCTION = DOORSTEP_ENV == "production"

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when DOORSTEP_ENV=production")

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when DOORSTEP_ENV=production")
    SECRET_KEY = "development-only-not-secret-" + "x" * 40

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DOORSTEP_ENV=production")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The public base URL used in emails, webhook URLs printed for carriers, and click redirects.
DOORSTEP_BASE_URL = env.str("DOORSTEP_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "tracking",
    "returns",
    "feedback",
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
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tracking.page.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'doorstep.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # services own their transactions
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; a busy timeout instead of "database is locked".
    # IMMEDIATE: a transaction takes the write lock when it starts, so it waits its turn (busy timeout)
    # instead of failing at once with SQLITE_BUSY when its read snapshot cannot be upgraded to a write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
         "transaction_mode": "IMMEDIATE"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6 behaviour now: a bare "shop.example.com" means https

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # django-redis: one client per server for the process (Django's own backend builds one per call),
    # and socket timeouts so a frozen Redis fails a cache call quickly instead of hanging the request.
    CACHES = {"default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": env.float("REDIS_CONNECT_TIMEOUT", default=0.5),
            "SOCKET_TIMEOUT": env.float("REDIS_SOCKET_TIMEOUT", default=0.5),
        },
    }}
else:
    # No server: a per-process cache. Cached pages are keyed by a version that changes with the data,
    # so a worker process writing events never needs to reach into the web process's memory.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "doorstep"}}

# --- Auth -----------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files and uploads ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Shopper photos and labels: never under the static root, never served directly (views check access).
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage" if PRODUCTION
                    else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

# --- Email ----------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://" if not PRODUCTION else "smtp://localhost:25")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Doorstep <no-reply@doorstep.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Celery ---------------------------------------------------------------------------------------
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Longer than any countdown/ETA we use (retries back off to at most an hour), so Redis never
        # re-delivers a task that is merely waiting for its ETA.
        "visibility_timeout": 2 * 60 * 60,
    }
else:
    # No server: kombu's filesystem transport in var/, shared by the web process, worker and beat.
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        # Worker remote-control mailboxes; kombu's default is ./control in the working directory.
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = False  # opt in per task, only for idempotent ones
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- REST API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # Merchant API defaults (tracking/apikit): Bearer API keys, read/write scopes, per-key throttling,
    # RFC 9457 problem details for every error, cursor pagination.
    "DEFAULT_AUTHENTICATION_CLASSES": ["tracking.apikit.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["tracking.apikit.permissions.HasKeyScope"],
    "DEFAULT_THROTTLE_CLASSES": ["tracking.apikit.throttling.ApiKeyRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "tracking.apikit.pagination.IdCursorPagination",
    "EXCEPTION_HANDLER": "tracking.apikit.problems.problem_exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Doorstep API",
    "DESCRIPTION": "Orders, shipments and products in; tracking, returns, NPS and metrics out.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {"ShipmentStatusEnum": "tracking.carriers.status.STATUSES",
                            "ShipmentReasonEnum": "tracking.carriers.status.REASONS"},
    "COMPONENT_SPLIT_REQUEST": True,
    # No call to the public online validator: the docs page makes no external requests.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None, "persistAuthorization": False},
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "tracking.apikit.schema.add_problem_responses"],
}
# Requests per API key, e.g. "1200/min" (DRF rate syntax: N/s, N/min, N/hour, N/day).
DOORSTEP_API_RATE = env.str("DOORSTEP_API_RATE", default="1200/min")

# Outgoing webhooks. Loopback and plain http are for local development and tests only.
DOORSTEP_WEBHOOKS_ALLOW_LOOPBACK = env.bool("DOORSTEP_WEBHOOKS_ALLOW_LOOPBACK", default=False)
DOORSTEP_WEBHOOKS_ALLOW_HTTP = env.bool("DOORSTEP_WEBHOOKS_ALLOW_HTTP", default=False)
if PRODUCTION and (DOORSTEP_WEBHOOKS_ALLOW_LOOPBACK or DOORSTEP_WEBHOOKS_ALLOW_HTTP):
    raise ImproperlyConfigured("DOORSTEP_WEBHOOKS_ALLOW_LOOPBACK/HTTP are for development only")
DOORSTEP_WEBHOOKS_MAX_ATTEMPTS = env.int("DOORSTEP_WEBHOOKS_MAX_ATTEMPTS", default=8)
DOORSTEP_WEBHOOKS_RETRY_BASE_SECONDS = env.int("DOORSTEP_WEBHOOKS_RETRY_BASE_SECONDS", default=30)
DOORSTEP_WEBHOOKS_RETRY_CAP_SECONDS = env.int("DOORSTEP_WEBHOOKS_RETRY_CAP_SECONDS", default=3600)
DOORSTEP_WEBHOOKS_CONNECT_TIMEOUT = env.int("DOORSTEP_WEBHOOKS_CONNECT_TIMEOUT", default=5)
DOORSTEP_WEBHOOKS_READ_TIMEOUT = env.int("DOORSTEP_WEBHOOKS_READ_TIMEOUT", default=15)

# --- Doorstep -------------------------------------------------------------------------------------
# Carrier adapters by slug -> dotted path. A third party adds a carrier here without touching core code.
DOORSTEP_CARRIERS = {
    "mock": "tracking.carriers.mock.MockCarrier",
    "easypost": "tracking.carriers.easypost.EasyPostAdapter",
    "shippo": "tracking.carriers.shippo.ShippoAdapter",
    "dhl": "tracking.carriers.dhl.DHLAdapter",
    "trackerdelivery": "tracking.carriers.trackerdelivery.TrackerDeliveryAdapter",
    "koreapost": "tracking.carriers.koreapost.KoreaPostAdapter",
    "sweettracker": "tracking.carriers.sweettracker.SweetTrackerAdapter",
}
DOORSTEP_CARRIERS.update(env.dict("DOORSTEP_EXTRA_CARRIERS", default={}))
# Base URL of each carrier provider's API, so a sandbox or a local fake can stand in. Empty: the
# adapter's published production URL. Read by tracking.carriers.registry.provider_api_url only.
DOORSTEP_EASYPOST_API_URL = env.str("DOORSTEP_EASYPOST_API_URL", default="")
DOORSTEP_SHIPPO_API_URL = env.str("DOORSTEP_SHIPPO_API_URL", default="")
DOORSTEP_DHL_API_URL = env.str("DOORSTEP_DHL_API_URL", default="")
DOORSTEP_TRACKERDELIVERY_API_URL = env.str("DOORSTEP_TRACKERDELIVERY_API_URL", default="")
DOORSTEP_KOREAPOST_API_URL = env.str("DOORSTEP_KOREAPOST_API_URL", default="")
DOORSTEP_SWEETTRACKER_API_URL = env.str("DOORSTEP_SWEETTRACKER_API_URL", default="")

# Store platforms by slug -> dotted path (tracking.stores.registry); same pattern as carriers.
DOORSTEP_STORE_PLATFORMS = {
    "shopify": "tracking.stores.shopify.ShopifyAdapter",
    "woocommerce": "tracking.stores.woocommerce.WooCommerceAdapter",
    "cafe24": "tracking.stores.cafe24.Cafe24Adapter",
}
DOORSTEP_STORE_PLATFORMS.update(env.dict("DOORSTEP_EXTRA_STORE_PLATFORMS", default={}))
# Platform base URLs, so a sandbox or a local fake can stand in. {shop} / {mall_id} are filled per
# connection; WooCommerce's default is the store's own URL (an override replaces it for every store).
DOORSTEP_SHOPIFY_API_URL = env.str("DOORSTEP_SHOPIFY_API_URL", default="https://{shop}")
DOORSTEP_SHOPIFY_API_VERSION = env.str("DOORSTEP_SHOPIFY_API_VERSION", default="2026-10")
# The Shopify app Doorstep runs as (install-wide; its client secret also signs Shopify's webhooks).
DOORSTEP_SHOPIFY_CLIENT_ID = env.str("DOORSTEP_SHOPIFY_CLIENT_ID", default="")
DOORSTEP_SHOPIFY_CLIENT_SECRET = env.str("DOORSTEP_SHOPIFY_CLIENT_SECRET", default="")
DOORSTEP_SHOPIFY_SCOPES = env.list("DOORSTEP_SHOPIFY_SCOPES", default=[
    "read_orders", "write_orders", "read_products", "read_customers", "read_fulfillments", "write_fulfillments",
])
DOORSTEP_WOOCOMMERCE_API_URL = env.str("DOORSTEP_WOOCOMMERCE_API_URL", default="")
DOORSTEP_CAFE24_API_URL = env.str("DOORSTEP_CAFE24_API_URL", default="https://{mall_id}.cafe24api.com")
DOORSTEP_CAFE24_API_VERSION = env.str("DOORSTEP_CAFE24_API_VERSION", default="2025-12-01")
DOORSTEP_CAFE24_CLIENT_ID = env.str("DOORSTEP_CAFE24_CLIENT_ID", default="")
DOORSTEP_CAFE24_CLIENT_SECRET = env.str("DOORSTEP_CAFE24_CLIENT_SECRET", default="")
DOORSTEP_CAFE24_SCOPES = env.list("DOORSTEP_CAFE24_SCOPES", default=[
    "mall.read_order", "mall.write_order", "mall.read_product", "mall.read_shipping",
])
# Platforms whose recent orders are re-read on a schedule (thin or missing webhooks), and how far back.
DOORSTEP_STORE_POLL_PLATFORMS = env.list("DOORSTEP_STORE_POLL_PLATFORMS", default=["cafe24"])
DOORSTEP_STORE_POLL_DAYS = env.int("DOORSTEP_STORE_POLL_DAYS", default=14)

# How long a signed shopper link (/t/<token>/) stays valid before the shopper is asked to verify again.
DOORSTEP_LINK_MAX_AGE = timedelta(days=env.int("DOORSTEP_LINK_MAX_AGE_DAYS", default=90))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Delivery-date estimates (tracking.edd) -------------------------------------------------------
# Window quantiles of the learned transit distribution and the recency half-life: the values
# `manage.py edd_backtest` chose on training-period validation (p5–p90 for five of six generated
# histories, p10–p90 once; a 60-day half-life for all six).
DOORSTEP_EDD_QUANTILES = tuple(env.list("DOORSTEP_EDD_QUANTILES", cast=float, default=[0.05, 0.90]))
# Effective (recency-weighted) deliveries a lane needs before it is trusted over its region/table.
DOORSTEP_EDD_MIN_SAMPLES = env.float("DOORSTEP_EDD_MIN_SAMPLES", default=15.0)
DOORSTEP_EDD_HALF_LIFE_DAYS = env.float("DOORSTEP_EDD_HALF_LIFE_DAYS", default=60.0)
DOORSTEP_EDD_LOOKBACK_DAYS = env.int("DOORSTEP_EDD_LOOKBACK_DAYS", default=180)
# Published transit days per "carrier:service:domestic|international" ("*" wildcards) for carriers
# whose adapter publishes none; merged over tracking.edd.carrier_table.DEFAULT_TABLE.
DOORSTEP_EDD_TRANSIT_TABLE: dict = {}
# The public product-page endpoint /api/v1/edd/: per-IP rate and response cache lifetime.
DOORSTEP_EDD_API_RATE = env.str("DOORSTEP_EDD_API_RATE", default="60/min")
DOORSTEP_EDD_API_CACHE_SECONDS = env.int("DOORSTEP_EDD_API_CACHE_SECONDS", default=300)
# Weekdays each service delivers on, per "carrier:service" ("*" wildcards, the most specific wins):
# promises and windows never land on a day the service does not deliver, nor on a public holiday.
# e.g. DOORSTEP_EDD_DELIVERY_DAYS="*:express=mon-sat,usps:*=mon-sat" (mon-fri, mon-sat, mon+wed+fri…).
DOORSTEP_EDD_DELIVERY_DAYS = {"*:*": "mon-fri", **env.dict("DOORSTEP_EDD_DELIVERY_DAYS", default={})}

# --- Delays and exceptions (tracking.edd.delays: the rule and who hears about it) -----------------
# No "running late" or exception email for a parcel shipped (unshipped: ordered) longer ago than this.
DOORSTEP_DELAY_NOTIFY_MAX_AGE_DAYS = env.int("DOORSTEP_DELAY_NOTIFY_MAX_AGE_DAYS", default=21)
# Only delays that began within this many hours of a detection run are emailed; older ones — the
# first run after install, an import or a backfill — are flagged silently (case opened, page shows it).
DOORSTEP_DELAY_NOTIFY_HORIZON_HOURS = env.int("DOORSTEP_DELAY_NOTIFY_HORIZON_HOURS", default=48)
# "Silent too long": this quantile of the lane's delivered parcels' longest gap between scans (in
# working hours), never less than the minimum; lanes without enough history use the fallback.
DOORSTEP_DELAY_SILENCE_QUANTILE = env.float("DOORSTEP_DELAY_SILENCE_QUANTILE", default=0.95)
DOORSTEP_DELAY_SILENCE_MIN_HOURS = env.float("DOORSTEP_DELAY_SILENCE_MIN_HOURS", default=12.0)
DOORSTEP_DELAY_SILENCE_FALLBACK_HOURS = env.float("DOORSTEP_DELAY_SILENCE_FALLBACK_HOURS", default=48.0)
# A stopped parcel (lost, damaged, customs…): the shopper is promised an update this many business
# days ahead, and again after each one, at most this many times; a job sends them when due.
DOORSTEP_EXCEPTION_FOLLOW_UP_DAYS = env.int("DOORSTEP_EXCEPTION_FOLLOW_UP_DAYS", default=2)
DOORSTEP_EXCEPTION_FOLLOW_UPS = env.int("DOORSTEP_EXCEPTION_FOLLOW_UPS", default=3)

# --- Carrier ingestion (webhooks, polling) --------------------------------------------------------
# Fernet keys for carrier credentials at rest; the first encrypts, all decrypt. Empty: derived from SECRET_KEY.
DOORSTEP_ENCRYPTION_KEYS = env.list("DOORSTEP_ENCRYPTION_KEYS", default=[])
# After a webhook secret is rotated, the old one keeps verifying for this long (carrier dashboards lag).
DOORSTEP_WEBHOOK_SECRET_OVERLAP = timedelta(hours=env.int("DOORSTEP_CARRIER_WEBHOOK_SECRET_OVERLAP_HOURS", default=24))
# Accepted deliveries still unprocessed after this long are re-enqueued (the broker was down).
DOORSTEP_WEBHOOK_SWEEP_AFTER = timedelta(minutes=env.int("DOORSTEP_CARRIER_WEBHOOK_SWEEP_AFTER_MINUTES", default=5))
DOORSTEP_WEBHOOK_MAX_ATTEMPTS = env.int("DOORSTEP_CARRIER_WEBHOOK_MAX_ATTEMPTS", default=8)
# Accepted deliveries are processed by a "drain" task each web process publishes at most once per this
# many ms (one publish per delivery costs the acknowledgement more than everything else); 0 = one task
# per delivery. Processing starts within about this long of receipt. DRAIN_BATCH: rows per drain task.
DOORSTEP_WEBHOOK_DRAIN_WINDOW_MS = env.int("DOORSTEP_CARRIER_WEBHOOK_DRAIN_WINDOW_MS", default=1000)
DOORSTEP_WEBHOOK_DRAIN_BATCH = env.int("DOORSTEP_CARRIER_WEBHOOK_DRAIN_BATCH", default=500)
# Parcels on webhook carriers are polled anyway when nothing arrived for this long.
DOORSTEP_POLL_SILENT_AFTER = timedelta(hours=env.int("DOORSTEP_POLL_SILENT_HOURS", default=24))
DOORSTEP_POLL_BATCH_SIZE = env.int("DOORSTEP_POLL_BATCH_SIZE", default=50)
# A parcel without any update for this long gets a system `expired` event and is no longer tracked.
DOORSTEP_TRACKING_EXPIRE_AFTER = timedelta(days=env.int("DOORSTEP_TRACKING_EXPIRE_DAYS", default=30))
# Notification channels. SMS/WhatsApp providers are classes with send(to=, text=) -> message id.
DOORSTEP_NOTIFICATION_CHANNELS = env.list("DOORSTEP_NOTIFICATION_CHANNELS", default=["email"])
DOORSTEP_SMS_BACKEND = env.str("DOORSTEP_SMS_BACKEND", default="tracking.notifications.channels.ConsoleTextBackend")
DOORSTEP_WHATSAPP_BACKEND = env.str("DOORSTEP_WHATSAPP_BACKEND",
                                    default="tracking.notifications.channels.ConsoleTextBackend")
# Text-message providers (tracking.notifications.providers): dotted paths by slug, base URLs and the
# install-wide credentials from the environment. Point DOORSTEP_SMS_BACKEND at
# tracking.notifications.providers.backends.SolapiSMSBackend or .TwilioSMSBackend, and
# DOORSTEP_WHATSAPP_BACKEND at .TwilioWhatsAppBackend, to send through them.
DOORSTEP_TEXT_PROVIDERS = {
    "solapi": "tracking.notifications.providers.solapi.SolapiProvider",
    "twilio": "tracking.notifications.providers.twilio.TwilioProvider",
}
DOORSTEP_SOLAPI_API_URL = env.str("DOORSTEP_SOLAPI_API_URL", default="https://api.solapi.com")
DOORSTEP_TWILIO_API_URL = env.str("DOORSTEP_TWILIO_API_URL", default="https://api.twilio.com")
DOORSTEP_TEXT_PROVIDER_CREDENTIALS = {
    "solapi": {
        "api_key": env.str("SOLAPI_API_KEY", default=""),
        "api_secret": env.str("SOLAPI_API_SECRET", default=""),
        "sender": env.str("SOLAPI_SENDER", default=""),  # a 발신번호 registered with Solapi
        "sender_profile": env.str("SOLAPI_PFID", default=""),  # the KakaoTalk channel (pfId) for 알림톡
        "api_url": DOORSTEP_SOLAPI_API_URL,
    },
    "twilio": {
        "api_key": env.str("TWILIO_ACCOUNT_SID", default=""),
        "api_secret": env.str("TWILIO_AUTH_TOKEN", default=""),
        "sender": env.str("TWILIO_FROM", default=""),  # +E.164 number, or a Messaging Service SID (MG…)
        "api_url": DOORSTEP_TWILIO_API_URL,
    },
}

# --- Feedback (NPS surveys) -----------------------------------------------------------------------

# --- Returns --------------------------------------------------------------------------------------
# Payment gateways for refunds by slug (Order.payment_gateway) -> dotted path; same pattern as carriers.
DOORSTEP_PAYMENT_GATEWAYS = {
    "mock": "returns.payments.mock.MockGateway",
    # Orders from a connected store refund through the store itself (tracking.stores).
    "shopify": "returns.payments.stores.ShopifyStoreGateway",
    "woocommerce": "returns.payments.stores.WooCommerceStoreGateway",
    "stripe": "returns.payments.stripe.StripeGateway",
    "toss": "returns.payments.toss.TossPaymentsGateway",
}
DOORSTEP_PAYMENT_GATEWAYS.update(env.dict("DOORSTEP_EXTRA_PAYMENT_GATEWAYS", default={}))
# Gateways' base URLs, so a sandbox or a local fake can stand in (adapters get them via the registry).
DOORSTEP_STRIPE_API_URL = env.str("DOORSTEP_STRIPE_API_URL", default="https://api.stripe.com")
DOORSTEP_TOSSPAYMENTS_API_URL = env.str("DOORSTEP_TOSSPAYMENTS_API_URL", default="https://api.tosspayments.com")
# Install-wide gateway credentials (the environment's defaults; per-merchant ones override them).
DOORSTEP_PAYMENT_CREDENTIALS = {
    "stripe": {"secret_key": env.str("STRIPE_SECRET_KEY", default=""), "api_url": DOORSTEP_STRIPE_API_URL},
    "toss": {"secret_key": env.str("TOSSPAYMENTS_SECRET_KEY", default=""), "api_url": DOORSTEP_TOSSPAYMENTS_API_URL},
}
# Shopper photos: largest upload accepted, and how many per return.
DOORSTEP_RETURN_PHOTO_MAX_BYTES = env.int("DOORSTEP_RETURN_PHOTO_MAX_BYTES", default=5 * 1024 * 1024)
DOORSTEP_RETURN_PHOTO_MAX_COUNT = env.int("DOORSTEP_RETURN_PHOTO_MAX_COUNT", default=5)
# Business days a refund to a card takes to show up after we send it ("your refund will arrive by …").
DOORSTEP_REFUND_ARRIVAL_DAYS = env.int("DOORSTEP_REFUND_ARRIVAL_DAYS", default=5)

# --- Shopper tracking page ------------------------------------------------------------------------
# Wrong order lookups allowed per client IP and per order number inside the window before a 429.
DOORSTEP_LOOKUP_MAX_FAILURES = env.int("DOORSTEP_LOOKUP_MAX_FAILURES", default=5)
DOORSTEP_LOOKUP_WINDOW_SECONDS = env.int("DOORSTEP_LOOKUP_WINDOW_SECONDS", default=15 * 60)
# Reverse proxies in front of Doorstep whose X-Forwarded-For is trusted for the client IP (0 = none).
DOORSTEP_TRUSTED_PROXY_HOPS = env.int("DOORSTEP_TRUSTED_PROXY_HOPS", default=0)
# How long a rendered order page stays cached (its key changes with the data anyway); 0 = no cache.
DOORSTEP_PAGE_CACHE_SECONDS = env.int("DOORSTEP_PAGE_CACHE_SECONDS", default=600)
# How long the cached version of an order page lives before it is re-derived from the rows (one
# query): bounds staleness after a write that bypasses model signals (QuerySet.update).
DOORSTEP_PAGE_VERSION_SECONDS = env.int("DOORSTEP_PAGE_VERSION_SECONDS", default=300)
# How long each web process trusts a page version it has read before asking the cache again: a hot
# page costs no round trip; another process's write shows within this time (0 = ask every view).
DOORSTEP_PAGE_VERSION_LOCAL_SECONDS = env.float("DOORSTEP_PAGE_VERSION_LOCAL_SECONDS", default=1.0)
# Paths served without the shopper Content-Security-Policy (their pages carry inline scripts).
DOORSTEP_CSP_EXEMPT_PREFIXES = env.list("DOORSTEP_CSP_EXEMPT_PREFIXES", default=["/admin/", "/api/"])

# --- Recommendations (tracking/recommendations) ------------------------------------------------------
# Orders older than this many days are not used for training (0 = all history).
DOORSTEP_RECS_HISTORY_DAYS = env.int("DOORSTEP_RECS_HISTORY_DAYS", default=365)
# How long a recommendation click link (/r/<token>/) stays valid.
DOORSTEP_RECS_LINK_MAX_AGE = timedelta(days=env.int("DOORSTEP_RECS_LINK_MAX_AGE_DAYS", default=60))
# Attribution window for merchants without their own RecommendationSettings row.
DOORSTEP_RECS_ATTRIBUTION_DAYS = env.int("DOORSTEP_RECS_ATTRIBUTION_DAYS", default=7)
# How long the tracking page reuses an order's recommendation block across re-renders (0 = never).
DOORSTEP_RECS_PAGE_CACHE_SECONDS = env.int("DOORSTEP_RECS_PAGE_CACHE_SECONDS", default=600)
# The training run's lock outlives a slow run so a second beat never starts another one meanwhile.
DOORSTEP_RECS_TRAIN_LOCK_SECONDS = env.int("DOORSTEP_RECS_TRAIN_LOCK_SECONDS", default=3 * 60 * 60)

# --- Periodic jobs (Celery beat) --------------------------------------------------------------------
# Every periodic job, in one place. Each task also takes a cache lock (tracking.locks) so two beat
# processes never double-run a job.
CELERY_BEAT_SCHEDULE = {
    # carrier ingestion (tracking.ingest)
    "ingest-sweep-inbound-webhooks": {"task": "tracking.ingest.tasks.sweep_inbound_webhooks", "schedule": 60.0},
    "ingest-poll-due-shipments": {"task": "tracking.ingest.tasks.poll_due_shipments", "schedule": 300.0},
    "ingest-expire-stale-shipments": {"task": "tracking.ingest.tasks.expire_stale_shipments", "schedule": 3600.0},
    # store connections (tracking.stores): unprocessed deliveries, and polling of platforms with thin webhooks
    "stores-sweep-webhooks": {"task": "tracking.stores.tasks.sweep_store_webhooks", "schedule": 60.0},
    "stores-poll-connections": {"task": "tracking.stores.tasks.poll_store_connections",
                                "schedule": timedelta(minutes=env.int("DOORSTEP_STORE_POLL_MINUTES", default=30))},
    # delivery estimates and delays (tracking.edd)
    "edd-recompute-lane-stats": {"task": "tracking.edd.tasks.recompute_lane_stats",
                                 "schedule": timedelta(hours=env.int("DOORSTEP_EDD_RECOMPUTE_HOURS", default=6))},
    # delays: time-driven re-judging of parcels due for review, then exception follow-ups that fell due
    "edd-detect-delays": {"task": "tracking.edd.tasks.detect_delays",
                          "schedule": timedelta(minutes=env.int("DOORSTEP_DELAY_SCAN_MINUTES", default=15))},
    # shopper notifications held by quiet hours (tracking.notifications)
    "notifications-send-due": {"task": "tracking.notifications.tasks.send_due_notifications", "schedule": 60.0},
    # recommendations (tracking.recommendations)
    "recommendations-train": {"task": "tracking.recommendations.tasks.train_all_recommendations",
                              "schedule": timedelta(minutes=env.int("DOORSTEP_RECS_TRAIN_INTERVAL_MINUTES",
                                                                    default=360))},
    # merchant API housekeeping and outgoing webhooks (tracking.apikit, tracking.webhooks_out)
    "apikit-purge-idempotency-records": {"task": "tracking.apikit.tasks.purge_idempotency_records",
                                         "schedule": 3600.0},
    "webhooks-out-sweep-deliveries": {"task": "tracking.webhooks_out.tasks.sweep_webhook_deliveries",
                                      "schedule": 300.0},
    # NPS surveys (feedback)
    "feedback-send-due-surveys": {"task": "feedback.tasks.send_due_surveys",
                                  "schedule": env.float("DOORSTEP_SURVEY_SEND_INTERVAL", default=300.0)},
}
