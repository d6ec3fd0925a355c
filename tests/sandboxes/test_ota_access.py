"""Each channel of the sandbox OTA checks its own credentials, limits its own rate and answers
errors in its own shape; the toolkit's outage knobs answer in that shape too."""
import time

import httpx
import pytest

from channels.contracts import validate_xml
from tests.sandboxes.ota import EXPEDIA_AUTH, OTA_NS, find, trip_headers

RETRIEVE = '<BookingRetrievalRQ>{auth}<Hotel id="H1"/></BookingRetrievalRQ>'


def test_booking_com_refuses_wrong_basic_auth(ota):
    response, root = ota.bcom("GET", "/OTA_HotelResNotif", params={"hotel_id": "H1"}, auth=("sandbox-bcom", "nope"))
    assert response.status_code == 401
    assert root.tag == f"{{{OTA_NS}}}OTA_HotelResNotifRS" and find(root, "Errors/Error")[0].get("Code") == "401"
    response, _ = ota.bcom("GET", "/OTA_HotelResNotif", params={"hotel_id": "H1"}, auth=None)
    assert response.status_code == 401


def test_expedia_refuses_wrong_credentials_in_the_body(ota):
    wrong = '<Authentication username="sandbox-expedia" password="nope"/>'
    response, root = ota.expedia("br", RETRIEVE.format(auth=wrong))
    assert response.status_code == 401
    assert root.tag == "BookingRetrievalRS" and root.find("Error").get("code") == "1001"
    response, _ = ota.expedia("br", RETRIEVE.format(auth=EXPEDIA_AUTH))
    assert response.status_code == 200


def test_agoda_refuses_a_wrong_api_key(ota):
    response, data = ota.agoda("GET", "/bookings", "bookings", headers={"X-Api-Key": "nope"})
    assert response.status_code == 401 and data["error"]["code"] == "UNAUTHORIZED"


def test_traveloka_refuses_a_wrong_token(ota):
    response, data = ota.traveloka("GET", "/reservations", "reservations", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and data["errorCode"] == "UNAUTHORIZED"


@pytest.mark.parametrize("tamper", ["secret", "stamp", "key"])
def test_trip_com_refuses_a_bad_signature_an_old_timestamp_or_a_wrong_key(ota, tamper):
    body = b'{"HotelCode": "H1"}'
    headers = {
        "secret": trip_headers("POST", "/trip_com/openapi/reservations/query", body, secret="nope"),
        "stamp": trip_headers("POST", "/trip_com/openapi/reservations/query", body, stamp=int(time.time()) - 600),
        "key": trip_headers("POST", "/trip_com/openapi/reservations/query", body) | {"X-Trip-Key": "nope"},
    }[tamper]
    response, data = ota.trip("reservations/query", {"HotelCode": "H1"}, "reservations_query_request",
                              "reservations_query_response", headers=headers)
    assert response.status_code == 401
    assert data["ResponseStatus"]["Ack"] == "Failure" and data["ResponseStatus"]["Errors"][0]["Code"] == "AuthFailed"


def test_each_channel_has_its_own_rate_limit(ota):
    ota.configure(extra={"rate_limits": {"agoda": 2}})
    answers = [ota.agoda("GET", "/bookings", "bookings")[0] for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].headers["Retry-After"] == "1"
    assert ota.traveloka("GET", "/reservations", "reservations")[0].status_code == 200  # another channel


def test_an_xml_channel_is_rate_limited_in_xml(ota):
    ota.configure(extra={"rate_limits": {"booking_com": 1}})
    ota.bcom("GET", "/OTA_HotelResNotif", params={"hotel_id": "H1"})
    response, root = ota.bcom("GET", "/OTA_HotelResNotif", params={"hotel_id": "H1"})
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    assert find(root, "Errors/Error")[0].get("Code") == "429"


def test_the_toolkit_rate_limit_and_outages_answer_in_the_channels_shape(ota):
    ota.configure(rate_limit_per_second=1)
    assert ota.trip("reservations/query", {"HotelCode": "H1"}, "reservations_query_request",
                    "reservations_query_response")[0].status_code == 200
    response, data = ota.trip("reservations/query", {"HotelCode": "H1"}, "reservations_query_request",
                              "reservations_query_response")
    assert response.status_code == 429 and data["ResponseStatus"]["Ack"] == "Failure"

    ota.configure(rate_limit_per_second=0, down=True)
    response, root = ota.expedia("br", RETRIEVE.format(auth=EXPEDIA_AUTH))
    assert response.status_code == 503 and root.find("Error") is not None
    ota.configure(down=False, fail_next=1)
    response, data = ota.traveloka("GET", "/reservations", "reservations")
    assert response.status_code == 503 and data["errorCode"] == "SERVICE_UNAVAILABLE"
    assert ota.traveloka("GET", "/reservations", "reservations")[0].status_code == 200


def test_timeout_next_hangs_the_next_calls_and_latency_range_slows_them(ota):
    ota.configure(extra={"timeout_next": 1})
    with pytest.raises(httpx.ReadTimeout):
        ota.http.get("/agoda/api/v1/properties/H1/bookings", headers={"X-Api-Key": "sandbox-agoda-key"}, timeout=0.5)
    assert ota.agoda("GET", "/bookings", "bookings")[0].status_code == 200

    ota.configure(extra={"latency_range_ms": [150, 200]})
    started = time.monotonic()
    ota.agoda("GET", "/bookings", "bookings")
    assert time.monotonic() - started >= 0.15


def test_a_malformed_request_is_a_400_naming_the_problem(ota):
    response = ota.http.post("/expedia/eqc/br", content=b"<BookingRetrievalRQ>")
    validate_xml("expedia", response.content)
    assert response.status_code == 400 and b"bad request" in response.content

    response, data = ota.traveloka("POST", "/inventory", "inventory_accepted",
                                   {"updates": [{"rate_id": "BAR", "start_date": "2027-01-01"}]})
    assert response.status_code == 400 and "room_id" in data["errorMessage"]


def _any_call(ota, channel: str) -> httpx.Response:
    """One call of the channel, its answer checked against the contract."""
    if channel == "booking_com":
        return ota.bcom("GET", "/OTA_HotelResNotif", params={"hotel_id": "H1"})[0]
    if channel == "expedia":
        return ota.expedia("br", RETRIEVE.format(auth=EXPEDIA_AUTH))[0]
    if channel == "agoda":
        return ota.agoda("GET", "/bookings", "bookings")[0]
    if channel == "traveloka":
        return ota.traveloka("GET", "/reservations", "reservations")[0]
    return ota.trip("reservations/query", {"HotelCode": "H1"}, "reservations_query_request",
                    "reservations_query_response")[0]


@pytest.mark.parametrize("channel", ["booking_com", "expedia", "agoda", "traveloka", "trip_com"])
def test_outages_answer_in_the_channels_shape_and_the_sandbox_keeps_answering(ota, channel):
    """The toolkit answers outages while holding its lock; the OTA's error shapes must not take
    it again (they once did, and every later call hung)."""
    ota.configure(down=True, extra={"shape_change": {"nowhere": "x"}})
    assert _any_call(ota, channel).status_code == 503
    ota.configure(down=False, fail_next=1)
    assert [_any_call(ota, channel).status_code for _ in range(2)] == [503, 200]


def test_credentials_that_are_not_ascii_are_refused_not_a_crash(ota):
    response, data = ota.agoda("GET", "/bookings", "bookings", headers={"X-Api-Key": "clé".encode("latin-1")})
    assert response.status_code == 401 and data["error"]["code"] == "UNAUTHORIZED"
    response, _ = ota.bcom("GET", "/OTA_HotelResNotif", params={"hotel_id": "H1"}, auth=None,
                           headers={"Authorization": "Basic é".encode("latin-1")})
    assert response.status_code == 401
