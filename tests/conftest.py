"""Test-wide fixtures: real services where configured, sandboxes on loopback, a real worker.

Tests that only make sense on a real service carry a marker (postgres, redis, rabbitmq,
browser). Where that service is not configured they are skipped with the reason; under
REQUIRE_SERVICES=1 (CI) such a skip is a failure instead, so CI never hides a missing service.
"""
import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.test import override_settings

from tests.fixtures.sandboxes import sandbox_fixtures
from tests.services import SERVICE_REASONS, service_available

# Password hashing is slow on purpose; tests only need it to work.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

pytest_plugins = ["tests.fixtures.worker", "tests.fixtures.browser"]


@receiver(setting_changed)
def _celery_follows_settings(*, setting, value, **kwargs):
    """Celery copies its CELERY_* settings once; the ``settings`` fixture changes (and restores)
    them later, so pass each change on: ``settings.CELERY_TASK_ALWAYS_EAGER = True`` then really
    runs tasks in-process, whichever test touched Celery first."""
    if setting.startswith("CELERY_"):
        from travel.celery import app

        setattr(app.conf, setting.removeprefix("CELERY_").lower(), value)

payments_server, payments_sandbox = sandbox_fixtures("payments", "PAYMENT_API_URL")
rates_server, rates_sandbox = sandbox_fixtures("rates", "RATES_API_URL")
ota_server, ota_sandbox = sandbox_fixtures("ota", "OTA_API_URL")


@pytest.fixture(scope="session", autouse=True)
def _sandboxes_for_worker_processes(payments_server, rates_server, ota_server, suppliers_server):
    """A Celery worker started by the ``celery_worker`` fixture inherits this environment: it then
    talks to the same processor and rates sandboxes as the tests (not to sandboxes of its own, which
    a full-stack worker refuses to start: sandboxes/embedded.py)."""
    os.environ.setdefault("SUPPLIER_API_URL", suppliers_server.url)
    os.environ.setdefault("PAYMENT_API_URL", payments_server.url)
    os.environ.setdefault("RATES_API_URL", rates_server.url)
    os.environ.setdefault("OTA_API_URL", ota_server.url)


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory):
    """Uploaded and demo photos go to a folder of this test session, never the project's
    var/media; the processes tests start (workers, gunicorn) inherit it."""
    root = str(tmp_path_factory.mktemp("media"))
    os.environ["MEDIA_ROOT"] = root
    with override_settings(MEDIA_ROOT=root):
        yield root


def pytest_runtest_setup(item):
    for marker in item.iter_markers():
        if marker.name in SERVICE_REASONS and not service_available(marker.name):
            reason = SERVICE_REASONS[marker.name]
            if os.environ.get("REQUIRE_SERVICES") == "1":
                pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
            pytest.skip(reason)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    """After the last test, before the session's fixtures drop the test database: end the outbox
    relay thread, which would otherwise still hold a connection to it."""
    if nextitem is None:
        from core import relay

        relay.shutdown()


@pytest.fixture(autouse=True)
def _clean_cache():
    """Every test starts with an empty cache (Redis in full-stack runs, its own key prefix), and
    with no page in this process's page tier either."""
    from travel.views.pages import cache as page_cache

    cache.clear()
    page_cache._local.clear()
    yield


@pytest.fixture
def eager_tasks(settings):
    """Run Celery tasks in-process for this test, as the embedded mode does."""
    from travel.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    return app


@pytest.fixture(scope="session")
def artifacts_dir():
    path = settings.BASE_DIR / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


from tests.fixtures.sandboxes import sandbox_fixtures  # noqa: E402

suppliers_server, suppliers_sandbox = sandbox_fixtures("suppliers", "SUPPLIER_API_URL")
