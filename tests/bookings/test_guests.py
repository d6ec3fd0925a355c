"""Who is travelling: collected when the booking is placed (API and pages), checked before
anything is written, shown back to the traveller, sent to the supplier, shown to hotel staff."""
from datetime import timedelta

import httpx
import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from bookings.guests import GuestDetails, Person
from bookings.models import Booking, BookingGuest
from bookings.services.guests import guests_record
from bookings.services.supplier import booking_supplier_confirm
from core.models import OutboxMessage
from inventory.models import RoomNight
from tests.bookings.conftest import stay_booking, supplier_booking
from tests.factories import UserFactory, guests_body

pytestmark = pytest.mark.django_db


def _lock(api, room, guests=2):
    check_in = timezone.localdate() + timedelta(days=10)
    response = api.post("/api/bookings/locks/", {
        "kind": "stay", "room_type": room[0].pk, "rate_plan": room[1].pk, "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=2)).isoformat(), "rooms": 1, "guests": guests, "coin": "BTC",
    }, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["lock_id"]


def _place(api, lock_id, guests, key="g-1"):
    return api.post("/api/bookings/", {"lock_id": lock_id, "guests": guests}, content_type="application/json",
                    headers={"Idempotency-Key": key})


def _nights(room):
    return list(RoomNight.objects.filter(room_type=room[0]).order_by("date").values_list("available", flat=True))


def test_the_api_records_the_guests_and_shows_them_back(api, room):
    guests = {**guests_body(3, phone="+1 (415) 555-0134"), "arrival_time": "21:30",
              "special_requests": "  A quiet room, please.  "}
    guests["others"] = ["  Ben   Lee ", "Chloé Ngũ"]
    placed = _place(api, _lock(api, room, guests=3), guests)
    assert placed.status_code == 201, placed.content

    shown = api.get(f"/api/bookings/{placed.json()['reference']}/").json()["guests"]
    assert shown == {"lead": {"name": "Ana Traveller", "email": "ana@example.com", "phone": "+14155550134"},
                     "others": ["Ben Lee", "Chloé Ngũ"], "arrival_time": "21:30",
                     "special_requests": "A quiet room, please.", "passengers": []}
    booking = Booking.objects.get()
    assert booking.guests == 3 and booking.other_guests.count() == 2


@pytest.mark.parametrize("change, field, message", [
    ({"lead": {"name": "Ana", "email": "ana@", "phone": "+442079460958"}}, "guests.lead.email",
     "Enter a valid email address"),
    ({"lead": {"name": "Ana", "email": "ana@example.com", "phone": "12345"}}, "guests.lead.phone",
     "country code"),
    ({"lead": {"name": "Ana", "email": "ana@example.com", "phone": "+44 12"}}, "guests.lead.phone",
     "country code"),
    ({"lead": {"name": "   ", "email": "ana@example.com", "phone": "+442079460958"}}, "guests.lead.name",
     "full name"),
    ({"lead": {"email": "ana@example.com", "phone": "+442079460958"}}, "guests.lead.name", "full name"),
    ({"others": ["  "]}, "guests.others.0.name", "Enter each guest's full name"),
    ({"others": [42]}, "guests.others.0", "Give each other guest as a name"),
    ({"lead": {**guests_body()["lead"], "document_number": "AB"}}, "guests.lead.document_number", "5 to 20"),
    ({"arrival_time": "half past nine"}, "guests.arrival_time", "HH:MM"),
    ({"special_requests": "x" * 1001}, "guests.special_requests", "1000"),
])
def test_malformed_guests_are_a_400_naming_the_field_and_nothing_is_written(api, room, change, field, message):
    lock_id = _lock(api, room)
    before = _nights(room)

    response = _place(api, lock_id, {**guests_body(2), **change})

    body = response.json()
    assert response.status_code == 400, body
    assert body["detail"].startswith(f"{field}:") and message in body["detail"], body
    assert not Booking.objects.exists() and not BookingGuest.objects.exists()
    assert _nights(room) == before and not OutboxMessage.objects.filter(topic="booking.placed").exists()
    # the price is still held: corrected details book it
    assert _place(api, lock_id, guests_body(2), key="g-2").status_code == 201


def test_missing_guests_are_a_400(api, room):
    response = api.post("/api/bookings/", {"lock_id": _lock(api, room)}, content_type="application/json",
                        headers={"Idempotency-Key": "g-1"})
    assert response.status_code == 400 and response.json()["detail"].startswith("guests:")
    assert not Booking.objects.exists()


@pytest.mark.parametrize("count", [1, 3])
def test_a_number_of_names_other_than_the_booking_guests_is_refused_and_the_lock_kept(api, room, count):
    lock_id = _lock(api, room, guests=2)
    before = _nights(room)

    response = _place(api, lock_id, guests_body(count))

    assert response.status_code == 400 and response.json()["error"] == "guests"
    assert "This booking is for 2 guests" in response.json()["detail"]
    assert not Booking.objects.exists() and not BookingGuest.objects.exists() and _nights(room) == before
    assert _place(api, lock_id, guests_body(2), key="g-2").status_code == 201


def test_the_book_now_page_is_prefilled_from_the_account_and_refuses_a_bad_phone(client, room):
    user = UserFactory(username="ana", first_name="Ana", last_name="Lima", email="ana.lima@example.com")
    client.force_login(user)
    check_in = timezone.localdate() + timedelta(days=10)
    query = {"room_type": room[0].pk, "rate_plan": room[1].pk, "check_in": check_in.isoformat(),
             "check_out": (check_in + timedelta(days=2)).isoformat(), "rooms": 1, "guests": 2, "coin": "BTC"}
    locked = client.post("/book/lock/", query, follow=True)
    html = locked.content.decode()
    assert 'value="Ana Lima"' in html and 'value="ana.lima@example.com"' in html
    assert "Guest 2: full name" in html and "Who is travelling (2 guests)" in html
    lock_id = locked.redirect_chain[-1][0].split("/")[-2]

    refused = client.post("/book/place/", {"lock_id": lock_id, "idempotency_key": "k1", "lead_name": "Ana Lima",
                                           "lead_email": "ana.lima@example.com", "lead_phone": "call me",
                                           "other_name": "Ben Lima"})
    html = refused.content.decode()
    assert refused.status_code == 400 and "Enter the phone number with its country code" in html
    assert 'value="Ben Lima"' in html and not Booking.objects.exists()

    placed = client.post("/book/place/", {"lock_id": lock_id, "idempotency_key": "k1", "lead_name": "Ana Lima",
                                          "lead_email": "ana.lima@example.com", "lead_phone": "+351 912 345 678",
                                          "other_name": "Ben Lima"})
    booking = Booking.objects.get()
    assert placed.status_code == 302 and booking.lead_phone == "+351912345678"
    # the next booking remembers the phone
    again = client.post("/book/lock/", query, follow=True).content.decode()
    assert 'value="+351912345678"' in again


def test_the_supplier_is_sent_every_guest_name(traveller, hotel_offer, suppliers_sandbox):
    booking = supplier_booking(user=traveller, offer=hotel_offer)
    guests_record(booking=booking, guests=GuestDetails(
        lead_name="Ana Traveller", lead_email="ana@example.com", lead_phone="+442079460958",
        others=(Person("Ben Traveller"),), special_requests="Late check-in"), expected=2)

    assert booking_supplier_confirm(reference=booking.reference) == "confirmed"

    supplier_ref = Booking.objects.get(pk=booking.pk).supplier_hold.supplier_ref
    seen = httpx.get(f"{suppliers_sandbox.url}/bookings/{supplier_ref}").json()["traveller"]
    assert seen["name"] == "Ana Traveller" and seen["email"] == "ana@example.com"
    assert seen["phone"] == "+442079460958" and seen["guest_names"] == ["Ana Traveller", "Ben Traveller"]
    assert seen["special_requests"] == "Late check-in"


def test_hotel_staff_see_the_guests_of_their_hotel_only(client, traveller, room):
    booking = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1])
    guests_record(booking=booking, guests=GuestDetails(
        lead_name="Ana Traveller", lead_email="ana@example.com", lead_phone="+442079460958",
        others=(Person("Ben Traveller"),)), expected=2)
    perms = Permission.objects.filter(content_type__app_label="bookings",
                                      codename__in=["view_booking", "view_bookingguest", "view_bookingevent"])
    ours, theirs = UserFactory(username="ours", is_staff=True), UserFactory(username="theirs", is_staff=True)
    for user in (ours, theirs):
        user.user_permissions.add(*perms)
    booking.property.staff.add(ours)
    page = f"/admin/bookings/booking/{booking.pk}/change/"

    client.force_login(ours)
    html = client.get(page).content.decode()
    assert "Ana Traveller" in html and "+442079460958" in html and "Ben Traveller" in html

    client.force_login(theirs)
    response = client.get(page, follow=True)
    assert "Ana Traveller" not in response.content.decode()


def _flight_lock(api, *, document_required: bool):
    from suppliers import search_offers
    from tests.suppliers.helpers import hotel_criteria

    offers = search_offers(kind="flight", origin="BKK", destination="DPS", date=hotel_criteria()["check_in"],
                           passengers=2).offers
    offer = next(o for o in offers if bool(o.details.get("document_required")) is document_required)
    lock = api.post("/api/bookings/locks/", {"kind": "flight", "offer_id": offer.id, "coin": "BTC"},
                    content_type="application/json")
    assert lock.status_code == 201, lock.content
    return lock.json()["lock_id"]


def _passengers(*, documents: bool, born="1990-04-02"):
    body = guests_body(2)
    extra = {"date_of_birth": born, **({"document_number": "X1234567"} if documents else {})}
    body["lead"].update(extra)
    body["others"] = [{"name": "Ben Traveller", **extra, **({"document_number": "Y7654321"} if documents else {})}]
    return body


@pytest.mark.parametrize("guests, message", [
    (guests_body(2), "Enter the date of birth of passenger 1 (Ana Traveller)"),
    (_passengers(documents=False), "Enter the passport or ID number of passenger 1"),
    (_passengers(documents=True, born="2999-01-01"), "cannot be in the future"),
])
def test_a_flight_needs_each_passengers_birth_date_and_the_document_the_airline_asks_for(
        api, coins, suppliers_sandbox, guests, message):
    lock_id = _flight_lock(api, document_required=True)

    refused = _place(api, lock_id, guests)

    assert refused.status_code == 400 and message in refused.json()["detail"], refused.json()
    assert not Booking.objects.exists()
    assert _place(api, lock_id, _passengers(documents=True), key="g-2").status_code == 201


def test_flight_passengers_reach_the_supplier(api, coins, suppliers_sandbox):
    from bookings.services.lifecycle import booking_on_payment

    placed = _place(api, _flight_lock(api, document_required=True), _passengers(documents=True))
    assert placed.status_code == 201, placed.content
    reference = placed.json()["reference"]
    assert api.get(f"/api/bookings/{reference}/").json()["guests"]["passengers"] == [
        {"name": "Ana Traveller", "date_of_birth": "1990-04-02", "document_number": "X1234567"},
        {"name": "Ben Traveller", "date_of_birth": "1990-04-02", "document_number": "Y7654321"}]
    booking_on_payment(topic="payment.settled", payload={"reference": reference}, message_id=1)

    assert booking_supplier_confirm(reference=reference) == "confirmed"

    supplier_ref = Booking.objects.get(reference=reference).supplier_hold.supplier_ref
    seen = httpx.get(f"{suppliers_sandbox.url}/bookings/{supplier_ref}").json()["traveller"]
    assert [(p["name"], p["date_of_birth"], p["document_number"]) for p in seen["passengers"]] == [
        ("Ana Traveller", "1990-04-02", "X1234567"), ("Ben Traveller", "1990-04-02", "Y7654321")]


def test_a_flight_without_a_document_the_airline_asks_for_is_refused_by_the_sandbox(suppliers_sandbox):
    from suppliers import search_offers, supplier_book
    from suppliers.errors import SupplierError
    from tests.suppliers.helpers import hotel_criteria

    offer = next(o for o in search_offers(kind="flight", origin="BKK", destination="DPS",
                                          date=hotel_criteria()["check_in"], passengers=1).offers
                 if o.details.get("document_required"))
    with pytest.raises(SupplierError):
        supplier_book(kind="flight", offer_id=offer.id, reference="LTNODOC", traveller={
            "name": "Ana", "passengers": [{"name": "Ana", "date_of_birth": "1990-04-02"}]})


def test_the_book_now_page_asks_flight_passengers_for_birth_dates_and_documents(api, coins, suppliers_sandbox):
    lock_id = _flight_lock(api, document_required=True)
    html = api.get(f"/book/locked/{lock_id}/").content.decode()
    assert "Lead passenger: date of birth" in html and "Passenger 2: passport or ID number" in html

    form = {"lock_id": lock_id, "idempotency_key": "k1", "lead_name": "Ana Traveller",
            "lead_email": "ana@example.com", "lead_phone": "+44 20 7946 0958", "lead_date_of_birth": "1990-04-02",
            "lead_document_number": "x123-4567", "other_name": "Ben Traveller",
            "other_date_of_birth": "1992-12-24", "other_document_number": ""}
    refused = api.post("/book/place/", form)
    assert refused.status_code == 400 and "passport or ID number of passenger 2" in refused.content.decode()

    placed = api.post("/book/place/", {**form, "other_document_number": "Y7654321"})
    assert placed.status_code == 302
    booking = Booking.objects.get()
    assert booking.lead_document_number == "X1234567"
    assert booking.other_guests.get().date_of_birth.isoformat() == "1992-12-24"
