"""The checkout pages work without JavaScript: checkout → lock → book → payment page."""
import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from bookings.models import Booking

pytestmark = pytest.mark.django_db


def _query(room, plan=1, nights=2):
    check_in = timezone.localdate() + timedelta(days=10)
    return {"room_type": room[0].pk, "rate_plan": room[plan].pk, "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=nights)).isoformat(), "rooms": 1, "guests": 2}


GUESTS = {"lead_name": "Ana Traveller", "lead_email": "ana@example.com", "lead_phone": "+44 20 7946 0958",
          "other_name": "Ben Traveller"}


def _hidden(html, name):
    return re.search(rf'name="{name}" value="([^"]+)"', html).group(1)


def test_checkout_lock_and_book_without_javascript(client, traveller, room):
    client.force_login(traveller)
    page = client.get("/book/", _query(room))
    html = page.content.decode()
    assert page.status_code == 200
    assert "230.00 USD" in html and "Lock price" in html and 'value="BTC"' in html

    locked = client.post("/book/lock/", {**_query(room), "coin": "ETH"}, follow=True)
    html = locked.content.decode()
    assert locked.status_code == 200 and "Your price is locked" in html and "Book now" in html
    assert "10 min left" in html and "ETH" in html

    placed = client.post("/book/place/", {"lock_id": _hidden(html, "lock_id"),
                                          "idempotency_key": _hidden(html, "idempotency_key"), **GUESTS})
    booking = Booking.objects.get()
    assert placed.status_code == 302 and placed["Location"] == f"/pay/{booking.reference}/"
    assert booking.coin_code == "ETH" and booking.status == Booking.Status.PENDING

    # the same form submitted twice (double click) is the same booking
    again = client.post("/book/place/", {"lock_id": _hidden(html, "lock_id"),
                                         "idempotency_key": _hidden(html, "idempotency_key"), **GUESTS})
    assert again["Location"] == f"/pay/{booking.reference}/" and Booking.objects.count() == 1

    mine = client.get("/bookings/").content.decode()
    assert booking.reference in mine and "Awaiting payment" in mine
    detail = client.get(f"/bookings/{booking.reference}/").content.decode()
    assert "Booking received: waiting for your payment" in detail and "booking.placed</strong>" not in detail
    assert "Ana Traveller" in detail and "Ben Traveller" in detail and "Cancel this booking" in detail


def test_checkout_needs_sign_in(client, room):
    response = client.get("/book/", _query(room))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("change, message", [
    ({"check_in": "soon"}, "Enter the check-in date as YYYY-MM-DD."),
    ({"room_type": 999999}, "This room does not exist"),
    ({"guests": 9}, "Choose between 1 and 8 guests"),
])
def test_bad_checkout_input_is_a_400_with_a_message(client, traveller, room, change, message):
    client.force_login(traveller)
    response = client.get("/book/", {**_query(room), **change})
    assert response.status_code == 400 and message in response.content.decode()


def test_an_expired_lock_page_is_a_410_with_a_requote_link(client, traveller, room):
    client.force_login(traveller)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        locked = client.post("/book/lock/", {**_query(room), "coin": "BTC"})
        clock.shift(timedelta(minutes=11))
        page = client.get(locked["Location"])
        html = page.content.decode()
        assert page.status_code == 410 and "expired" in html and "Get a fresh quote" in html
        assert f"/book/?room_type={room[0].pk}" in html
        place = client.post("/book/place/", {"lock_id": locked["Location"].split("/")[-2], "idempotency_key": "k"})
        assert place.status_code == 410
    assert not Booking.objects.exists()


def test_cancel_from_my_bookings(client, traveller, room):
    client.force_login(traveller)
    locked = client.post("/book/lock/", {**_query(room), "coin": "BTC"}, follow=True).content.decode()
    client.post("/book/place/", {"lock_id": _hidden(locked, "lock_id"), "idempotency_key": "k1", **GUESTS})
    booking = Booking.objects.get()
    response = client.post(f"/bookings/{booking.reference}/cancel/", {}, follow=True)
    assert response.status_code == 200 and "Cancelled" in response.content.decode()
    assert client.post(f"/bookings/{booking.reference}/cancel/", {}).status_code == 409


def test_supplier_offer_checkout_and_lock(client, traveller, hotel_offer, coins):
    client.force_login(traveller)
    page = client.get("/book/offer/", {"kind": "hotel", "offer_id": hotel_offer.id})
    assert page.status_code == 200 and hotel_offer.title in page.content.decode()
    locked = client.post("/book/offer/lock/", {"kind": "hotel", "offer_id": hotel_offer.id, "coin": "BTC"},
                         follow=True)
    assert locked.status_code == 200 and f"{hotel_offer.price} USD" in locked.content.decode()
    gone = client.get("/book/offer/", {"kind": "hotel", "offer_id": "h.nowhere.x"})
    assert gone.status_code == 410 and "no longer available" in gone.content.decode()
    assert client.get("/book/offer/", {"kind": "boat", "offer_id": "x"}).status_code == 400
