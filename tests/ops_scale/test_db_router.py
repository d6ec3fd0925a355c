"""Catalogue reads from a read replica, only when DATABASE_REPLICA_URL is set."""
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from bookings.models import Booking
from catalogue.models import Destination, Property, RoomType
from core.db_router import CatalogueReplicaRouter
from inventory.models import RoomNight
from tests.fixtures.worker import _test_database_url


def test_catalogue_reads_go_to_the_replica_and_everything_else_to_the_primary():
    router = CatalogueReplicaRouter()

    assert [router.db_for_read(m) for m in (Destination, Property, RoomType)] == ["replica"] * 3
    assert [router.db_for_read(m) for m in (RoomNight, Booking, get_user_model())] == [None] * 3
    assert router.db_for_write(Property) == "default"
    assert router.allow_migrate("replica", "catalogue") is False
    assert router.allow_migrate("default", "catalogue") is True


def test_without_a_replica_url_there_is_no_router():
    assert "replica" not in settings.DATABASES
    assert not getattr(settings, "DATABASE_ROUTERS", [])


@pytest.mark.postgres
@pytest.mark.django_db
def test_with_a_replica_url_catalogue_queries_reach_the_replica(django_db_blocker):
    """A replica URL naming a database that does not exist: a catalogue read fails on it (so it
    went there), an inventory read does not (it stayed on the primary)."""
    code = (
        "import django; django.setup()\n"
        "from django.db import OperationalError\n"
        "from django.contrib.auth import get_user_model\n"
        "from catalogue.models import Property\n"
        "print('primary users', get_user_model().objects.count())\n"
        "try:\n"
        "    list(Property.objects.all()[:1])\n"
        "except OperationalError as exc:\n"
        "    print('replica said:', exc)\n"
    )
    replica_url = settings.DATABASES["default"]
    url = (f"postgres://{replica_url.get('USER') or 'postgres'}@{replica_url.get('HOST') or '127.0.0.1'}:"
           f"{replica_url.get('PORT') or 5432}/ops_scale_replica_that_does_not_exist")
    with django_db_blocker.unblock():
        primary = _test_database_url()
    env = {**os.environ, "DATABASE_URL": primary, "DATABASE_REPLICA_URL": url,
           "DJANGO_SETTINGS_MODULE": "travel.settings.base"}

    result = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True,
                            text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    assert "primary users" in result.stdout
    assert "replica said:" in result.stdout and "ops_scale_replica_that_does_not_exist" in result.stdout
