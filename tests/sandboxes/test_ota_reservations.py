"""Reservations on each channel: fetched or polled, answered per revision, reported as no-shows;
what we answered shows in ``GET /_sandbox/reservations``."""
import pytest

from tests.sandboxes.ota import EXPEDIA_AUTH, OTA_NS, find
from tests.sandboxes.test_ota_webhooks import ack

NS = f'xmlns="{OTA_NS}"'


def test_controls_validate_reservations(ota):
    for bad, problem in [({"channel": "nowhere"}, "channel"), ({"check_out": "2027-01-09"}, "check_out"),
                         ({"rooms": 0}, "rooms"), ({"hotel_code": ""}, "hotel_code"), ({"check_in": "soon"}, "soon")]:
        data = {"channel": "agoda", "hotel_code": "H1", "room_code": "DBL", "rate_code": "BAR",
                "check_in": "2027-01-10", "check_out": "2027-01-12", "rooms": 1, "guests": 2} | bad
        response = ota.http.post("/_sandbox/reservations", json=data)
        assert response.status_code == 400 and problem in response.json()["error"], (bad, response.text)
    assert ota.http.post("/_sandbox/reservations/agoda/NOPE/cancel").status_code == 404
    made = ota.reserve("agoda")["reservation_id"]
    assert ota.http.post(f"/_sandbox/reservations/agoda/{made}/modify", json={"hotel_code": "H2"}).status_code == 400


def test_booking_com_fetch_acknowledge_and_refuse(ota):
    first = ota.reserve("booking_com", guest_phone="+34 600 000 000")["reservation_id"]
    second = ota.reserve("booking_com")["reservation_id"]
    ota.control("POST", f"/reservations/booking_com/{second}/cancel")
    _, root = ota.bcom("GET", "/OTA_HotelResNotif", params={"hotel_id": "H1"})
    listed = [(find(r, "UniqueID")[0].get("ID"), r.get("RevisionNumber"), r.get("ResStatus"))
              for r in find(root, "HotelReservations/HotelReservation")]
    assert listed == [(first, "1", "Commit"), (second, "1", "Commit"), (second, "2", "Cancel")]

    ota.bcom("POST", "/OTA_HotelResNotifRS", ack(first, 1, "OURS-1"))
    refusal = (f'<OTA_HotelResNotifRS {NS} Version="1.0" TimeStamp="2027-01-01T10:00:00Z"><HotelReservations>'
               f'<HotelReservation RevisionNumber="2"><UniqueID Type="14" ID="{second}"/>'
               '<Errors><Error Type="3" Code="392">sold out</Error></Errors></HotelReservation>'
               '</HotelReservations></OTA_HotelResNotifRS>')
    response, root = ota.bcom("POST", "/OTA_HotelResNotifRS", refusal)
    assert response.status_code == 200 and find(root, "Success")
    _, root = ota.bcom("GET", "/OTA_HotelResNotif", params={"hotel_id": "H1"})
    assert [r.get("RevisionNumber") for r in find(root, "HotelReservations/HotelReservation")] == ["1"]
    _, root = ota.bcom("GET", "/OTA_HotelResNotif", params={"hotel_id": "H1", "reservation_id": first})
    assert find(root, "HotelReservations/HotelReservation/ResGuests/ResGuest/Profiles/ProfileInfo/Profile/"
                      "Customer/Telephone")[0].get("PhoneNumber") == "+34 600 000 000"

    state = ota.reservation("booking_com", second)["revisions"]
    assert (state[1]["refused"], state[1]["reason"]) == (True, "sold out")
    assert ota.reservation("booking_com", first)["revisions"][0]["confirmation"] == "OURS-1"

    response, root = ota.bcom("GET", "/OTA_HotelResNotif", params={"hotel_id": "H1", "reservation_id": "NOPE"})
    assert response.status_code == 404 and find(root, "Errors/Error")
    response, _ = ota.bcom("POST", "/OTA_HotelResNotifRS", ack(first, 7, "OURS-7"))
    assert response.status_code == 404


def test_expedia_bookings_are_pending_until_confirmed(ota):
    booked = ota.reserve("expedia")["reservation_id"]
    refused = ota.reserve("expedia")["reservation_id"]

    def pending():
        _, root = ota.expedia("br", f'<BookingRetrievalRQ>{EXPEDIA_AUTH}<Hotel id="H1"/><ParamSet>'
                                    '<Status value="pending"/></ParamSet></BookingRetrievalRQ>')
        return [b.get("id") for b in root.findall("Bookings/Booking")]

    assert pending() == [booked, refused]
    confirm = (f'<BookingConfirmRQ>{EXPEDIA_AUTH}<Hotel id="H1"/><BookingConfirmNumbers>'
               f'<BookingConfirmNumber bookingID="{booked}" bookingType="Book" revision="1" confirmNumber="OURS-9" '
               'confirmTime="2027-01-01T10:00:00Z"/>'
               f'<BookingConfirmNumber bookingID="{refused}" bookingType="Book" revision="1" status="refused" '
               'reason="no rooms"/></BookingConfirmNumbers></BookingConfirmRQ>')
    response, root = ota.expedia("bc", confirm)
    assert response.status_code == 200 and root.find("Success") is not None
    assert pending() == []
    _, root = ota.expedia("br", f'<BookingRetrievalRQ>{EXPEDIA_AUTH}<Hotel id="H1"/><ParamSet>'
                                f'<Booking id="{booked}"/></ParamSet></BookingRetrievalRQ>')
    assert root.find("Bookings/Booking").get("status") == "confirmed"
    assert ota.reservation("expedia", booked)["revisions"][0]["confirmation"] == "OURS-9"
    assert ota.reservation("expedia", refused)["revisions"][0]["reason"] == "no rooms"


def test_agoda_fetch_list_acknowledge_and_reject(ota):
    kept = ota.reserve("agoda")["reservation_id"]
    dropped = ota.reserve("agoda")["reservation_id"]
    ota.control("POST", f"/reservations/agoda/{kept}/modify", json={"rooms": 2})
    response, booking = ota.agoda("GET", f"/bookings/{kept}", "booking")
    assert (booking["revision"], booking["status"], booking["rooms"], booking["acknowledged"]) == (2, "modified", 2, False)

    ota.agoda("POST", f"/bookings/{kept}/acknowledge", "status", {"revision": 1, "confirmation": "OURS-1"},
              "acknowledge_request")
    _, listed = ota.agoda("GET", "/bookings", "bookings", params={"status": "unacknowledged"})
    assert [b["booking_id"] for b in listed["bookings"]] == [kept, dropped]  # revision 2 is still unanswered
    ota.agoda("POST", f"/bookings/{kept}/acknowledge", "status", {"revision": 2, "confirmation": "OURS-2"},
              "acknowledge_request")
    ota.agoda("POST", f"/bookings/{dropped}/reject", "status", {"revision": 1, "reason": "unmapped room"},
              "reject_request")
    _, listed = ota.agoda("GET", "/bookings", "bookings", params={"status": "unacknowledged"})
    assert listed["bookings"] == []
    assert ota.agoda("GET", f"/bookings/{kept}", "booking")[1]["acknowledged"] is True

    response, data = ota.agoda("GET", "/bookings/NOPE", "booking")
    assert response.status_code == 404 and data["error"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("channel", ["booking_com", "expedia", "agoda"])
def test_a_no_show_is_recorded(ota, channel):
    made = ota.reserve(channel)["reservation_id"]
    if channel == "booking_com":
        response, _ = ota.bcom("POST", "/no_show", f'<NoShowRQ {NS}><UniqueID ID="{made}"/></NoShowRQ>')
    elif channel == "expedia":
        response, _ = ota.expedia("noshow", f'<NoShowRQ>{EXPEDIA_AUTH}<Booking id="{made}"/></NoShowRQ>')
    else:
        response, _ = ota.agoda("POST", f"/bookings/{made}/no_show", "status", {}, "no_show_request")
    assert response.status_code == 200
    assert ota.reservation(channel, made)["no_show"] is True


def _traveloka_poll(ota, cursor: str) -> tuple[list, str]:
    _, data = ota.traveloka("GET", "/reservations", "reservations", params={"cursor": cursor, "limit": 2})
    return [(r["id"], r["revision"], r["status"]) for r in data["reservations"]], data["next_cursor"]


def _trip_poll(ota, cursor: str) -> tuple[list, str]:
    _, data = ota.trip("reservations/query", {"HotelCode": "H1", "Cursor": cursor}, "reservations_query_request",
                       "reservations_query_response")
    statuses = {"New": "NEW", "Modify": "MODIFIED", "Cancel": "CANCELLED"}
    return [(r["OrderId"], r["Revision"], statuses[r["OrderStatus"]]) for r in data["Reservations"]], data["NextCursor"]


@pytest.mark.parametrize("channel,poll", [("traveloka", _traveloka_poll), ("trip_com", _trip_poll)])
def test_polling_returns_each_revision_once_and_in_order(ota, channel, poll):
    a = ota.reserve(channel)["reservation_id"]
    b = ota.reserve(channel)["reservation_id"]
    ota.reserve(channel, hotel_code="H2")  # another hotel's revisions never show
    ota.control("POST", f"/reservations/{channel}/{a}/modify", json={"check_out": "2027-01-13"})
    seen, cursor = [], ""
    for _ in range(5):
        page, cursor = poll(ota, cursor)
        seen += page
    assert seen == [(a, 1, "NEW"), (b, 1, "NEW"), (a, 2, "MODIFIED")]
    ota.control("POST", f"/reservations/{channel}/{b}/cancel")
    assert poll(ota, cursor)[0] == [(b, 2, "CANCELLED")]


def test_polled_revisions_are_acknowledged_or_refused(ota):
    made = ota.reserve("traveloka")["reservation_id"]
    ota.traveloka("POST", f"/reservations/{made}/ack", "status", {"revision": 1, "confirmation_code": "OURS-3"},
                  "ack_request")
    assert ota.reservation("traveloka", made)["revisions"][0]["confirmation"] == "OURS-3"
    response, data = ota.traveloka("POST", f"/reservations/{made}/reject", "status", {"revision": 2, "reason": "x"},
                                   "reject_request")
    assert response.status_code == 404 and data["errorCode"] == "NOT_FOUND"

    made = ota.reserve("trip_com")["reservation_id"]
    ota.trip("reservations/confirm", {"HotelCode": "H1", "OrderId": made, "Revision": 1, "Refused": True,
                                      "Reason": "closed"}, "confirm_request", "confirm_response")
    assert ota.reservation("trip_com", made)["revisions"][0]["reason"] == "closed"


def test_trip_com_answers_processing_for_the_next_calls(ota):
    ota.reserve("trip_com")
    ota.configure(extra={"processing_next": 2})
    for _ in range(2):
        response, data = ota.trip("reservations/query", {"HotelCode": "H1"}, "reservations_query_request",
                                  "reservations_query_response")
        assert response.status_code == 200
        assert data == {"ResponseStatus": {"Ack": "Processing", "Errors": [], "RetryAfter": 1}}
    _, data = ota.trip("reservations/query", {"HotelCode": "H1"}, "reservations_query_request",
                       "reservations_query_response")
    assert data["ResponseStatus"]["Ack"] == "Success" and len(data["Reservations"]) == 1
