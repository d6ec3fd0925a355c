"""The outage tests run the site as a real server against real services of their own."""
import pytest

from tests.factories import UserFactory, sellable_room_type
from tests.fixtures.worker import _test_database_url

PASSWORD = "a-long-test-password"


@pytest.fixture
def coins(transactional_db):
    from importlib import import_module

    from django.apps import apps

    import_module("bookings.payments.migrations.0002_seed_coins").seed(apps, None)


@pytest.fixture
def hotel(coins):
    """(room_type, flexible plan, saver plan) with 5 rooms a night for 30 nights, committed."""
    return sellable_room_type()


@pytest.fixture
def traveller(transactional_db):
    """Its password hashed as the server checks it (the tests' own fast hasher is not its)."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    user = UserFactory(username="ops-traveller")
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "ops-salt", iterations=1000)
    user.save(update_fields=["password"])
    return user


@pytest.fixture
def database_url(transactional_db, django_db_blocker):
    with django_db_blocker.unblock():
        return _test_database_url()
