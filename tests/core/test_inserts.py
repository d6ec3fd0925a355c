"""core.inserts.insert_row writes the row the ORM's save() would write; update_row the fields
save(update_fields=...) would write."""
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from bookings.models import BookingEvent
from core.inserts import insert_row
from tests.bookings.conftest import coins, room, stay_booking, traveller  # noqa: F401

pytestmark = pytest.mark.django_db


def _stored(obj) -> dict:
    fresh = type(obj).objects.get(pk=obj.pk)
    return {k: v for k, v in model_to_dict(fresh).items() if k not in ("id", "created_at")}


def test_an_inserted_row_reads_back_as_the_orm_would_have_written_it(room, traveller):  # noqa: F811
    booking = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1])
    fields = {"booking": booking, "action": "booking.note", "actor": traveller, "actor_label": "traveller",
              "data": {"total": "230.00", "nested": {"rooms": 1}}}

    by_orm = BookingEvent.objects.create(**fields)
    by_insert = insert_row(BookingEvent(**fields))

    assert by_insert.pk and by_insert.pk != by_orm.pk and not by_insert._state.adding
    assert _stored(by_insert) == _stored(by_orm)
    assert BookingEvent.objects.get(pk=by_insert.pk).created_at is not None  # auto_now_add filled in


def test_money_fields_keep_their_decimals(room, traveller):  # noqa: F811
    from bookings.payments.models import Coin, Invoice

    coin = Coin.objects.get(code="BTC")
    invoice = insert_row(Invoice(reference="LT-INSERT", coin=coin, fiat_amount=Decimal("230.00"), fiat_currency="USD",
                                 rate=Decimal("64000.123456789"), amount_due=Decimal("0.00359375"),
                                 expires_at=timezone.now(), monitoring_until=timezone.now()))

    stored = Invoice.objects.get(pk=invoice.pk)
    assert (stored.amount_due, stored.rate, stored.status) == (Decimal("0.00359375"), Decimal("64000.123456789"), "new")


def test_several_rows_in_one_statement_read_back_as_bulk_create_wrote_them_each_with_its_own_key(room, traveller):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bookings.models import BookingGuest
    from core.inserts import insert_rows

    ours, theirs = (stay_booking(user=traveller, room_type=room[0], rate_plan=room[1]) for _ in range(2))
    people = [("Ada Traveller", None), ("Bo Traveller", "X1234567"), ("Cy Traveller", "")]

    def guests(booking):
        return [BookingGuest(booking=booking, position=i, name=name, document_number=document or "")
                for i, (name, document) in enumerate(people, start=1)]

    BookingGuest.objects.bulk_create(guests(theirs))
    with CaptureQueriesContext(connection) as statements:
        written = insert_rows(guests(ours))

    assert len(statements.captured_queries) == 1
    assert [BookingGuest.objects.get(pk=g.pk).name for g in written] == [name for name, _ in people]  # keys in order
    assert all(not g._state.adding for g in written)

    def stored(booking):
        return [{k: v for k, v in model_to_dict(g).items() if k not in ("id", "booking")}
                for g in BookingGuest.objects.filter(booking=booking).order_by("position")]

    assert stored(ours) == stored(theirs)
    assert insert_rows([]) == []


def test_an_updated_row_reads_back_as_save_with_update_fields_would_have_written_it(room, traveller):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.inserts import update_row

    by_orm, by_update = (stay_booking(user=traveller, room_type=room[0], rate_plan=room[1]) for _ in range(2))
    for booking in (by_orm, by_update):
        booking.total, booking.title, booking.rooms = Decimal("412.50"), "Changed title", 3

    by_orm.save(update_fields=["total", "title"])
    with CaptureQueriesContext(connection) as statements:
        update_row(by_update, ("total", "title"))

    assert len(statements.captured_queries) == 1

    def written(booking):
        stored = type(booking).objects.get(pk=booking.pk)
        return stored.total, stored.title, stored.rooms

    assert written(by_update) == written(by_orm) == (Decimal("412.50"), "Changed title", 1)  # rooms not written
