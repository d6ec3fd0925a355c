"""A NUL byte anywhere in the address (path or query string, raw or %00) is a clean 400 before
any view sees it: PostgreSQL refuses NUL in a query, which made these pages answer 500."""
import pytest
from django.test import Client

from bookings.models import Booking
from tests.bookings.conftest import stay_booking
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/pay/%00/", "/bookings/%00/", "/api/bookings/%00/", "/api/bookings/%00/cancel/",
                                  "/pay/LT%00X/status.json"])
def test_a_nul_in_a_booking_reference_is_a_400(api, path):
    response = api.post(path) if path.endswith("cancel/") else api.get(path)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_the_api_answers_the_nul_in_its_own_error_shape(api):
    response = api.get("/api/bookings/%00/")
    assert response.status_code == 400 and response.json()["error"] == "invalid"


@pytest.mark.parametrize("query", [{"status": "\x00"}, {"q": "a\x00b"}, {"QUERY_STRING": "status=\x00"},
                                   {"QUERY_STRING": "status=%00"}])
def test_admin_lists_with_a_nul_in_a_filter_are_a_400(query):
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    extra = {"QUERY_STRING": query["QUERY_STRING"]} if "QUERY_STRING" in query else {}
    data = {} if extra else query
    response = admin.get("/admin/bookings/booking/", data, **extra)
    assert response.status_code == 400


def test_addresses_without_a_nul_still_work(api, room, traveller):
    booking = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1])
    assert api.get(f"/bookings/{booking.reference}/").status_code == 200
    assert api.get("/api/bookings/", {"note": "100%00 sure"}).status_code == 200  # a literal "%00", encoded
    assert api.get(f"/api/bookings/{booking.reference}/").json()["status"] == Booking.Status.PENDING
