"""Which real services this test run has."""
import shutil
from importlib.util import find_spec

from django.conf import settings

SERVICE_REASONS = {
    "postgres": "needs PostgreSQL: set DATABASE_URL=postgres://...",
    "redis": "needs Redis: set REDIS_URL=redis://...",
    "rabbitmq": "needs RabbitMQ: set CELERY_BROKER_URL=amqp://...",
    "browser": "needs Debian's chromium and playwright (make browser-deps)",
}


def service_available(name: str) -> bool:
    if name == "postgres":
        return settings.USES_POSTGRES
    if name == "redis":
        return bool(settings.REDIS_URL)
    if name == "rabbitmq":
        return bool(settings.CELERY_BROKER_URL) and settings.USES_POSTGRES
    if name == "browser":
        return bool(shutil.which("chromium")) and find_spec("playwright") is not None
    raise KeyError(name)
