"""One error hierarchy, one handler: every family's refusal is answered by its category with
{"error": code, "detail": message}, whichever view it came from."""
import pytest
from django.test import Client

from bookings.errors import NotCancellable, Unbookable
from bookings.locks import LockGone
from bookings.models import Booking
from bookings.payments.errors import (
    CoinUnavailable,
    InvoiceNotFound,
    ProcessorRejected,
    ProcessorUnavailable,
    RatesUnavailable,
    RefundRefused,
)
from bookings.services.placing import IdempotencyConflict
from bookings.states import IllegalTransition
from core.api import exception_handler
from core.errors import DomainError
from inventory.errors import Busy, RestrictionViolated, SoldOut, VersionConflict
from inventory.models import RoomNight
from suppliers.errors import InvalidCriteria, SupplierRateLimited, SupplierRefused, SupplierUnavailable
from tests.bookings.conftest import stay_booking
from tests.factories import UserFactory

REFUSALS = [
    (SoldOut("Sold out on 01 Dec 2026."), 409),
    (Busy("Too many people are booking these dates; try again."), 503),
    (RestrictionViolated("A stay here is at least 2 nights."), 409),
    (VersionConflict("Someone changed this night meanwhile."), 409),
    (LockGone("This price lock has expired.", code="lock_expired", requote_url="/book/?room_type=1"), 410),
    (IdempotencyConflict(IdempotencyConflict.message), 409),
    (IllegalTransition("completed", "cancelled"), 409),
    (Unbookable("Closed on 01 Dec 2026."), 409),
    (NotCancellable("This booking is completed and cannot be cancelled."), 409),
    (CoinUnavailable("DOGE is not accepted."), 400),
    (RatesUnavailable("No exchange rate right now."), 503),
    (ProcessorUnavailable("The processor is not answering."), 503),
    (ProcessorRejected("The processor refused the invoice."), 503),
    (InvoiceNotFound("No invoice for LT123."), 404),
    (RefundRefused("Nothing to refund."), 409),
    (SupplierUnavailable("The supplier did not answer within 3s."), 503),
    (SupplierRateLimited("The supplier is rate limiting us.", retry_after=7), 503),
    (SupplierRefused("Offer H-1 is sold."), 410),
    (InvalidCriteria("Please give the city."), 400),
]


@pytest.mark.parametrize("error, status", REFUSALS, ids=[type(e).__name__ for e, _ in REFUSALS])
def test_every_family_is_a_domain_error_answered_by_its_category(error, status):
    response = exception_handler(error, {})

    assert isinstance(error, DomainError)
    assert response.status_code == status
    assert response.data["error"] == error.code and response.data["detail"] == error.message


def test_extra_fields_travel_with_the_answer():
    gone = exception_handler(LockGone("Used.", code="lock_used", requote_url="/book/?room_type=1"), {})
    assert gone.data == {"error": "lock_used", "detail": "Used.", "requote_url": "/book/?room_type=1"}
    limited = exception_handler(SupplierRateLimited("Slow down.", retry_after=7), {})
    assert limited["Retry-After"] == "7"


def test_a_database_lock_timeout_is_a_503_busy_to_retry_shortly():
    from django.db import OperationalError

    response = exception_handler(OperationalError("canceling statement due to lock timeout"), {})
    assert response.status_code == 503 and response["Retry-After"] == "1"
    assert response.data == {"error": "busy", "detail": "We are busy; please try again in a moment.",
                             "retry_after": 1}


def test_a_validation_error_raised_from_a_domain_error_keeps_its_category():
    from django.core.exceptions import ValidationError

    try:
        try:
            raise RatesUnavailable("No exchange rate for DOGE right now.")
        except RatesUnavailable as exc:
            raise ValidationError(exc.message, code=exc.code) from exc
    except ValidationError as wrapped:
        response = exception_handler(wrapped, {})
    assert response.status_code == 503 and response.data["error"] == "rates_unavailable"
    plain = exception_handler(ValidationError("Choose a coin to pay with.", code="coin"), {})
    assert plain.status_code == 400 and plain.data == {"error": "coin", "detail": "Choose a coin to pay with."}


@pytest.mark.django_db
def test_someone_elses_booking_is_a_404_in_the_common_shape(api, room, traveller):
    booking = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1])
    stranger = Client()
    stranger.force_login(UserFactory())

    for response in (stranger.get(f"/api/bookings/{booking.reference}/"),
                     stranger.post(f"/api/bookings/{booking.reference}/cancel/", {}, content_type="application/json")):
        assert response.status_code == 404
        assert response.json() == {"error": "not_found", "detail": "No such booking."}
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING


@pytest.mark.django_db
def test_cancelling_twice_is_a_409_with_the_reason(api, room, traveller):
    booking = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1])
    url = f"/api/bookings/{booking.reference}/cancel/"
    assert api.post(url, {"method": "credit"}, content_type="application/json").status_code == 200

    again = api.post(url, {"method": "credit"}, content_type="application/json")

    assert again.status_code == 409
    assert again.json() == {"error": "status", "detail": "This booking is cancelled and cannot be cancelled."}


@pytest.mark.django_db
def test_a_sold_out_stay_cannot_be_locked_409(api, room):
    from tests.bookings.test_placing import _stay

    RoomNight.objects.filter(room_type=room[0]).update(available=0)

    response = api.post("/api/bookings/locks/", _stay(room), content_type="application/json")

    assert response.status_code == 409 and response.json()["error"] == "unbookable"
    assert response.json()["detail"].startswith("Sold out")
