"""Fixtures for bookings: a traveller, a sellable room, and bookings made the way the
placement service makes them (for tests of what happens after placement).

With a broker configured, the in-process sandboxes (suppliers, crypto processor, rates) start
here, at collection, and their URLs go into the environment before any Celery worker starts, so
the worker process and the tests talk to the same sandboxes (one App object per sandbox).
"""
import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from bookings import events
from bookings.models import Booking
from bookings.publishing import publish_placed
from bookings.services.placing import new_reference
from inventory.services import inventory_reserve
from inventory.stays import Stay
from tests.factories import RoomTypeFactory, UserFactory, sellable_room_type

if settings.CELERY_BROKER_URL:
    from sandboxes.embedded import sandbox_url

    for _name, _variable in (("suppliers", "SUPPLIER_API_URL"), ("payments", "PAYMENT_API_URL"),
                             ("rates", "RATES_API_URL")):
        os.environ.setdefault(_variable, sandbox_url(_name))
    # Quick retries for the worker: 0.5 s doubling, five supplier attempts (≈4-8 s in all).
    os.environ.setdefault("BOOKINGS_RETRY_BACKOFF", "0.5")
    os.environ.setdefault("BOOKINGS_SUPPLIER_MAX_RETRIES", "4")


@pytest.fixture
def traveller(db):
    return UserFactory(username="traveller-t", email="traveller@example.com")


@pytest.fixture
def coins(db):
    """The coin registry (a data migration; transactional tests flush it, so seed it again)."""
    from importlib import import_module

    from django.apps import apps

    import_module("bookings.payments.migrations.0002_seed_coins").seed(apps, None)


@pytest.fixture
def room(db, coins):
    """(room_type, flexible plan, saver plan) with 5 rooms a night for 30 nights."""
    return sellable_room_type()


def stay_booking(*, user, room_type, rate_plan, days_ahead: int = 5, nights: int = 2, rooms: int = 1,
                 status: str = Booking.Status.PENDING) -> Booking:
    """A pending own-inventory booking holding its nights, with its first event (no invoice)."""
    check_in = timezone.localdate() + timedelta(days=days_ahead)
    stay = Stay(check_in=check_in, check_out=check_in + timedelta(days=nights), rooms=rooms, guests=2)
    reference = new_reference()
    booking = Booking.objects.create(
        reference=reference, user=user, kind=Booking.Kind.STAY, title="Test stay", property=room_type.property,
        room_type=room_type, rate_plan=rate_plan, check_in=stay.check_in, check_out=stay.check_out, rooms=rooms,
        guests=2, refundable=rate_plan.refundable, free_cancellation_days=rate_plan.free_cancellation_days,
        subtotal=Decimal("230.00"), total=Decimal("230.00"), currency="USD", coin_code="BTC",
        coin_rate=Decimal("50000"), crypto_amount=Decimal("0.00460000"), idempotency_key=reference,
        request_fingerprint="x", payment_expires_at=timezone.now() + timedelta(minutes=15),
        hold=inventory_reserve(room_type=room_type, stay=stay, source="test", reference=reference),
    )
    events.placed(booking=booking, actor=events.Actor.traveller(user), data={})
    publish_placed(booking)
    return booking


BOOKED_AT = datetime(2026, 3, 8, 12, tzinfo=UTC)


def confirmed_stay(*, user, zone: str, days_ahead: int, nights: int,
                   free_cancellation_days: int = 2) -> Booking:
    """A paid booking at a hotel in ``zone``, placed on 8 March 2026 (noon UTC)."""
    from bookings.services.lifecycle import booking_on_payment

    with time_machine.travel(BOOKED_AT, tick=False):
        room_type, flexible, _saver = sellable_room_type(
            room_type=RoomTypeFactory(property__destination__timezone=zone), days=20)
        flexible.free_cancellation_days = free_cancellation_days
        flexible.save()
        booking = stay_booking(user=user, room_type=room_type, rate_plan=flexible, days_ahead=days_ahead,
                               nights=nights)
        booking_on_payment(topic="payment.settled", payload={"reference": booking.reference}, message_id=1)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    return booking


def supplier_booking(*, user, offer, status: str = Booking.Status.PAYMENT_CONFIRMED) -> Booking:
    """A supplier booking for ``offer`` (suppliers.Offer), paid unless told otherwise."""
    from django.db import transaction

    from bookings.models import SupplierHold

    reference = new_reference()
    with transaction.atomic():
        booking = Booking.objects.create(
            reference=reference, user=user, kind=offer.kind, title=offer.title, subtotal=offer.price,
            total=offer.price, currency=offer.currency, coin_code="BTC", coin_rate=Decimal("50000"),
            crypto_amount=Decimal("0.001"), idempotency_key=reference, request_fingerprint="x",
            payment_expires_at=timezone.now() + timedelta(minutes=15),
        )
        SupplierHold.objects.create(booking=booking, kind=offer.kind, offer_id=offer.id, supplier=offer.supplier,
                                    price=offer.price, currency=offer.currency, details=offer.details)
        events.placed(booking=booking, actor=events.Actor.traveller(user), data={})
        if status == Booking.Status.PAYMENT_CONFIRMED:
            events.transition(booking=booking, to=status, action="booking.payment.settled", actor=events.PAYMENTS)
    return booking


@pytest.fixture
def hotel_offer(suppliers_sandbox):
    from suppliers import search_offers
    from tests.suppliers.helpers import hotel_criteria

    return search_offers(kind="hotel", **hotel_criteria()).offers[0]


@pytest.fixture
def api(client, traveller):
    """A Django test client signed in as the traveller."""
    client.force_login(traveller)
    return client


@pytest.fixture
def supplier_app():
    """The in-process supplier sandbox (the worker talks to the same one); reset around the test."""
    from sandboxes.suppliers import app

    app.reset()
    yield app
    app.reset()


@pytest.fixture
def clean_sandboxes():
    """Reset the in-process sandboxes (shared App objects: another area's test may have left the
    processor down or the supplier refusing)."""
    from sandboxes.payments import app as processor
    from sandboxes.rates import app as rates
    from sandboxes.suppliers import app as suppliers

    for app in (processor, rates, suppliers):
        app.reset()
    yield
    for app in (processor, rates, suppliers):
        app.reset()

