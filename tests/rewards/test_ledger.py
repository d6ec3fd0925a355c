"""The ledger is append-only and the cached balance is checked against the entries."""
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from core.models import AppendOnly
from rewards.models import Account, Entry
from rewards.services import balance_adjust
from tests.rewards.conftest import give_points

pytestmark = pytest.mark.django_db


def test_entries_cannot_be_changed_or_deleted_through_the_orm(traveller, staff):
    give_points(traveller, 100, staff)
    entry = Entry.objects.get()

    entry.note = "rewritten"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        Entry.objects.filter(pk=entry.pk).update(available_delta=1_000_000)
    with pytest.raises(AppendOnly):
        Entry.objects.all().delete()
    assert Entry.objects.get().available_delta == 100


@pytest.mark.postgres
def test_postgres_refuses_raw_updates_of_entries(traveller, staff):
    give_points(traveller, 100, staff)

    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE rewards_entry SET available_delta = 1000000")

    assert Entry.objects.get().available_delta == 100


def test_an_adjustment_needs_a_reason_and_a_staff_member(traveller, staff):
    with pytest.raises(Exception, match="reason is required"):
        balance_adjust(user_id=traveller.pk, points=50, reason="   ", staff_user=staff)
    with pytest.raises(Exception, match="Only staff"):
        balance_adjust(user_id=traveller.pk, points=50, reason="goodwill", staff_user=traveller)
    with pytest.raises(Exception, match="only 0 points"):
        balance_adjust(user_id=traveller.pk, points=-1, reason="correction", staff_user=staff)
    assert not Entry.objects.exists()


def test_the_check_command_passes_on_a_true_ledger_and_names_a_drifted_account(traveller, staff, capsys):
    give_points(traveller, 100, staff)
    call_command("rewards_check")
    assert "equals the sum" in capsys.readouterr().out

    Account.objects.filter(user=traveller).update(available=90)  # a cache gone wrong

    with pytest.raises(CommandError, match="1 rewards account"):
        call_command("rewards_check")
    assert "cached" in capsys.readouterr().err
