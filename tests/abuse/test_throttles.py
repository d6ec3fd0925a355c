"""Per-client throttles: price locks, placements and the whole API answer 429 with Retry-After
past their rate (the site's forms share the API's allowance), also when one client sends its
requests all at once; a cache that cannot answer lets requests through instead of failing them."""
import logging
import threading
import time
from datetime import timedelta
from types import SimpleNamespace

import httpx
import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from core.throttles import ClientRateThrottle, PlacementThrottle
from tests.factories import UserFactory, guests_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    def set_rates(**scopes):
        settings.REST_FRAMEWORK = {**django_settings.REST_FRAMEWORK,
                                   "DEFAULT_THROTTLE_RATES": {"api": "300/min", "price_lock": "20/min",
                                                              "placement": "10/min", **scopes}}
    return set_rates


def stay(room, days_ahead=1):
    check_in = timezone.localdate() + timedelta(days=days_ahead)
    return {"kind": "stay", "room_type": room[0].pk, "rate_plan": room[1].pk, "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=2)).isoformat(), "rooms": 1, "guests": 2, "coin": "BTC"}


def assert_throttled(response):
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60


def test_price_locks_past_the_rate_are_a_429_with_retry_after(api, room, rates):
    rates(price_lock="3/min")
    codes = [api.post("/api/bookings/locks/", stay(room, n + 1), content_type="application/json").status_code
             for n in range(3)]
    assert codes == [201] * 3

    refused = api.post("/api/bookings/locks/", stay(room, 5), content_type="application/json")

    assert_throttled(refused)
    assert refused.json()["error"] == "throttled" and "seconds" in refused.json()["detail"]
    # another traveller is another client, with an allowance of their own
    other = Client()
    other.force_login(UserFactory())
    assert other.post("/api/bookings/locks/", stay(room, 6), content_type="application/json").status_code == 201


def test_placements_past_the_rate_are_a_429_and_reading_is_not_held_back(api, room, rates):
    rates(placement="2/min")
    for n in range(2):  # an unknown lock: 410, but counted
        assert api.post("/api/bookings/", {"lock_id": "0" * 32, "guests": guests_body()}, content_type="application/json",
                        headers={"Idempotency-Key": f"k{n}"}).status_code == 410

    assert_throttled(api.post("/api/bookings/", {"lock_id": "0" * 32, "guests": guests_body()}, content_type="application/json",
                              headers={"Idempotency-Key": "k3"}))
    assert api.get("/api/bookings/").status_code == 200


def test_the_checkout_form_shares_the_apis_allowance(api, room, rates):
    rates(price_lock="2/min")
    form = {k: v for k, v in stay(room).items() if k != "kind"}
    assert api.post("/api/bookings/locks/", stay(room), content_type="application/json").status_code == 201
    assert api.post("/book/lock/", form).status_code == 302

    page = api.post("/book/lock/", form)

    assert_throttled(page)
    assert "Too many requests" in page.content.decode()


def test_the_booking_form_past_the_placement_rate_is_a_429_page(api, rates):
    rates(placement="1/min")
    api.post("/book/place/", {"lock_id": "0" * 32, "idempotency_key": "a"})

    page = api.post("/book/place/", {"lock_id": "0" * 32, "idempotency_key": "b"})

    assert_throttled(page)


@pytest.mark.django_db(transaction=True)
def test_the_whole_api_answers_429_over_http_past_its_rate(live_server, rates):
    rates(api="5/min")
    with httpx.Client(base_url=live_server.url, timeout=10) as http:
        codes = [http.get("/api/schema/").status_code for _ in range(5)]
        refused = http.get("/api/schema/")

    assert codes == [200] * 5
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "error: throttled" in refused.text  # the schema view answers YAML


def test_a_cache_that_cannot_answer_lets_requests_through(api, room, rates, monkeypatch):
    class Down:
        def get(self, *args, **kwargs):
            raise ConnectionError("cache down")

        set = get

    rates(price_lock="1/min")
    monkeypatch.setattr(ClientRateThrottle, "cache", Down())

    codes = [api.post("/api/bookings/locks/", stay(room, n + 1), content_type="application/json").status_code
             for n in range(3)]

    assert codes == [201] * 3


class ReadThenWrite(PlacementThrottle):
    """The negative control: DRF's own throttle, which reads the client's log and writes it back."""

    def allow_request(self, request, view):
        return super(ClientRateThrottle, self).allow_request(request, view)


def burst(throttle_class, *, requests: int) -> list[float | None]:
    """One traveller's ``requests`` placements sent at the same moment, each from its own thread
    (as from the web processes): for each, None if it was let through, else its Retry-After."""
    request = SimpleNamespace(user=SimpleNamespace(pk=4242, is_authenticated=True), META={})
    start = threading.Barrier(requests)
    answers = []

    def send():
        throttle = throttle_class()
        start.wait()
        answers.append(None if throttle.allow_request(request, None) else throttle.wait())

    threads = [threading.Thread(target=send) for _ in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return answers


@pytest.mark.redis
def test_a_burst_of_one_travellers_placements_gets_exactly_the_rate_through(rates):
    rates(placement="10/min")

    answers = burst(PlacementThrottle, requests=40)

    assert len(answers) == 40
    assert answers.count(None) == 10
    assert all(59 <= wait <= 60 for wait in answers if wait is not None)  # when the first of the 10 leaves


@pytest.mark.redis
def test_negative_control_drfs_read_then_write_throttle_lets_a_burst_past_the_rate(rates):
    rates(placement="10/min")

    answers = burst(ReadThenWrite, requests=40)

    assert len(answers) == 40
    assert answers.count(None) > 10  # concurrent requests read the same log, each adds itself to its own copy


@pytest.mark.redis
def test_the_window_slides_a_refused_client_is_let_through_once_its_oldest_request_is_a_window_old(rates):
    rates(placement="2/s")
    request = SimpleNamespace(user=SimpleNamespace(pk=4343, is_authenticated=True), META={})
    assert PlacementThrottle().allow_request(request, None) is True
    time.sleep(0.5)
    assert PlacementThrottle().allow_request(request, None) is True
    refused = PlacementThrottle()
    assert refused.allow_request(request, None) is False
    assert 0.3 < refused.wait() <= 0.5  # the first request leaves the window a second after it came

    time.sleep(refused.wait() + 0.05)

    assert PlacementThrottle().allow_request(request, None) is True
    assert PlacementThrottle().allow_request(request, None) is False  # the second of the two is still in the window


def test_an_unreachable_redis_lets_requests_through_with_one_warning_an_outage(rates, settings, caplog):
    rates(placement="100/min")
    request = SimpleNamespace(user=SimpleNamespace(pk=4444, is_authenticated=True), META={})
    answering = settings.CACHES
    unreachable = {**answering, "default": {
        "BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2}}}
    allowed = []

    with caplog.at_level(logging.WARNING, logger="core.throttles"):
        for caches in (answering, unreachable, answering, unreachable):
            settings.CACHES = caches
            allowed += [PlacementThrottle().allow_request(request, None) for _ in range(3)]

    assert allowed == [True] * 12
    assert [r.getMessage() for r in caplog.records] == [
        "throttles not applied until the cache answers again (scope placement)"] * 2  # one for each outage
