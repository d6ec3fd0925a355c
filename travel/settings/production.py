"""Production settings: everything real, or the process refuses to start.

Import errors here name the missing part in one line, e.g.
``ImproperlyConfigured: production needs DATABASE_URL (PostgreSQL)``.
"""
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import CELERY_BROKER_URL, DATABASES, REDIS_URL, SECRET_KEY, env


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise ImproperlyConfigured(f"production needs {what}")


_require(
    bool(SECRET_KEY) and "insecure" not in SECRET_KEY and len(SECRET_KEY) >= 50,
    "SECRET_KEY (50+ random characters)",
)
_require(DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql", "DATABASE_URL (PostgreSQL)")
_require(bool(REDIS_URL), "REDIS_URL (Redis cache)")
_require(bool(CELERY_BROKER_URL), "CELERY_BROKER_URL (RabbitMQ)")

DEBUG = False
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
