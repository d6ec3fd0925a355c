"""Production settings: everything real, or the process refuses to start.

Import errors here name the missing part in one line, e.g.
``ImproperlyConfigured: production needs DATABASE_URL (PostgreSQL)``.
"""
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import (
    CELERY_BROKER_URL,
    CHANNEL_APIS,
    CHANNELS_ENABLED,
    DATABASES,
    LOGGING,
    OTA_API_URL,
    PAYMENT_API_KEY,
    PAYMENT_API_URL,
    PAYMENT_WEBHOOK_SECRET,
    RATES_API_URL,
    REDIS_URL,
    SECRET_KEY,
    SUPPLIER_API_URL,
    env,
)

SANDBOX_CREDENTIALS = {"sandbox-api-key", "sandbox-webhook-secret"}


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise ImproperlyConfigured(f"production needs {what}")


def _is_http_url(value: str) -> bool:
    parts = urlsplit(value or "")
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _is_real_secret(value: str) -> bool:
    return bool(value and value.strip()) and value not in SANDBOX_CREDENTIALS


_require(
    bool(SECRET_KEY) and "insecure" not in SECRET_KEY and len(SECRET_KEY) >= 50,
    "SECRET_KEY (50+ random characters)",
)
_require(DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql", "DATABASE_URL (PostgreSQL)")
_require(bool(REDIS_URL), "REDIS_URL (Redis cache)")
_require(bool(CELERY_BROKER_URL), "CELERY_BROKER_URL (RabbitMQ)")
# The outside parties: real ones, never a sandbox started in this process (sandboxes/embedded.py).
_require(_is_http_url(PAYMENT_API_URL), "PAYMENT_API_URL (the payment processor, an http(s) URL)")
_require(_is_real_secret(PAYMENT_API_KEY), "PAYMENT_API_KEY (the processor's key, not the sandbox's)")
_require(_is_real_secret(PAYMENT_WEBHOOK_SECRET), "PAYMENT_WEBHOOK_SECRET (the processor's, not the sandbox's)")
_require(_is_http_url(SUPPLIER_API_URL), "SUPPLIER_API_URL (the supplier API, an http(s) URL)")
_require(_is_http_url(RATES_API_URL), "RATES_API_URL (the exchange-rate source, an http(s) URL)")
# Every OTA the platform sells on (CHANNELS_ENABLED): its real URL and credentials, never the sandbox's.
for _code in CHANNELS_ENABLED:
    _api = CHANNEL_APIS[_code]
    _require(_is_http_url(_api["url"] or (OTA_API_URL and f"{OTA_API_URL}/{_code}")),
             f"OTA_API_URL or CHANNEL_{_code.upper()}_URL (the {_code} API, an http(s) URL)")
    for _name, _value in _api.items():
        if _name != "url":
            _require(bool(_value) and not _value.startswith("sandbox-"),
                     f"CHANNEL_{_code.upper()}_{_name.upper()} (the channel's, not the sandbox's)")
SANDBOXES_IN_PROCESS = False
# "Simulate payment" pays an invoice without money: it never exists here, whatever the environment says.
PAYMENT_SANDBOX_CONTROLS = False
CHANNEL_SANDBOX_CONTROLS = False

DEBUG = False
# Uploaded photos: a web server, CDN or object storage serves MEDIA_URL, not Django (docs/site.md).
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
_require(bool(ALLOWED_HOSTS), "ALLOWED_HOSTS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"

# Anonymous public pages stay in each web process's memory this long before asking Redis again.
PAGE_MICROCACHE_SECONDS = env.float("PAGE_MICROCACHE_SECONDS", default=2)

# One JSON object per log line, for the log shipper (docs/observability.md).
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING = {**LOGGING, "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}}}
