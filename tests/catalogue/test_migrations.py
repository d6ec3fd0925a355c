"""The catalogue's and the outbox's models moved out of the site app without touching a table."""
import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection

from catalogue.models import Amenity, Destination, Property, PropertyPhoto, PropertySlugRedirect, RoomType
from core.models import FailedTask, OutboxMessage

MOVED = [Amenity, Destination, Property, PropertyPhoto, PropertySlugRedirect, RoomType, FailedTask, OutboxMessage]


@pytest.mark.django_db
def test_models_and_migrations_agree():
    # a model change without its migration (or a move that forgot one) exits non-zero here
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_moved_models_live_in_the_tables_they_always_had():
    tables = set(connection.introspection.table_names())

    assert {model._meta.db_table for model in MOVED} <= tables
    assert all(model._meta.db_table == f"travel_{model._meta.model_name}" for model in MOVED)
    anew = {f"{model._meta.app_label}_{model._meta.model_name}" for model in MOVED}
    assert not anew & tables, "a table was created anew"  # (models new in these apps have their own)


@pytest.mark.django_db
def test_permissions_of_the_moved_models_belong_to_their_new_apps():
    labels = set(Permission.objects.filter(codename__in=["view_property", "view_outboxmessage"])
                 .values_list("content_type__app_label", flat=True))

    assert labels == {"catalogue", "core"}
