"""Redis goes away under a running site: pages, search, sign-in, signed-in pages and the payment
page keep answering from PostgreSQL and the suppliers, quickly; price locks refuse with a clear
503 (no booking at a price nobody holds); and when Redis is back, locks work again by themselves.

Its own redis-server on a free port, stopped and started by the test; the site under gunicorn."""
import time
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from bookings.models import Booking
from tests.ops.conftest import PASSWORD
from tests.ops.processes import lock_price, post_form, redis_server, sign_in, site_server, stay_form

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True)]

LOCKS_DOWN = "We cannot hold prices right now"


def _pages(hotel, stay) -> dict[str, str]:
    room_type = hotel[0]
    destination = room_type.property.destination
    day = (timezone.localdate() + timedelta(days=10)).isoformat()
    return {
        "/": destination.name,
        f"/hotels/{room_type.property.slug}/": room_type.property.name,
        f"/destinations/{destination.slug}/": destination.name,
        f"/search/?destination={destination.slug}&check_in={stay['check_in']}&check_out={stay['check_out']}"
        "&guests=2&rooms=1": room_type.property.name,
        f"/activities/?city=Bangkok&date={day}&participants=2": "activit",
    }


def test_a_redis_outage_degrades_pages_and_refuses_price_locks(hotel, traveller, database_url, suppliers_server,
                                                               artifacts_dir):
    room_type, flexible, _saver = hotel
    stay = stay_form(room_type, flexible)
    with redis_server(artifacts_dir / "ops-redis.log") as redis, site_server(
        env={"DATABASE_URL": database_url, "REDIS_URL": redis.url, "CACHE_KEY_PREFIX": "ops-redis",
             "SUPPLIER_API_URL": suppliers_server.url},
        log_path=artifacts_dir / "ops-site-redis.log",
    ) as site, httpx.Client(base_url=site, timeout=30) as signed_in, httpx.Client(base_url=site, timeout=30) as other:
        # given a signed-in traveller with a booking and a price lock taken while Redis was up
        assert sign_in(signed_in, username=traveller.username, password=PASSWORD).status_code == 302
        booked = post_form(signed_in, "/book/place/", lock_price(signed_in, stay))
        assert booked.status_code == 302 and booked.headers["location"].startswith("/pay/")
        pay_page = booked.headers["location"]
        held = lock_price(signed_in, stay)
        for path in _pages(hotel, stay):
            assert signed_in.get(path).status_code == 200, path  # warm: the cache holds them now

        # when Redis goes away
        redis.stop()

        # then every page still answers, from PostgreSQL and the suppliers, in well under a second
        timings = {}
        for path, text in _pages(hotel, stay).items():
            started = time.monotonic()
            response = other.get(path)
            timings[path] = time.monotonic() - started
            assert response.status_code == 200, f"{path}: {response.status_code}"
            assert text.lower() in response.text.lower(), f"{path}: {response.text[-3000:]}"
        print("Redis down, seconds per page:", {p.split("?")[0]: round(t, 3) for p, t in timings.items()})
        assert max(timings.values()) < 3.0, timings

        # and the signed-in traveller is still signed in (sessions live in PostgreSQL)
        mine = signed_in.get("/bookings/")
        assert mine.status_code == 200 and "Awaiting payment" in mine.text
        assert signed_in.get(pay_page).status_code == 200
        # and signing in works
        assert sign_in(other, username=traveller.username, password=PASSWORD).status_code == 302
        assert other.get("/bookings/").status_code == 200

        # but no price can be locked, nor a held one used: a 503 that says so, nothing booked
        bookings_before = Booking.objects.count()
        refused = post_form(signed_in, "/book/lock/", {**stay, "coin": "BTC"})
        assert refused.status_code == 503 and LOCKS_DOWN in refused.text
        assert int(refused.headers["retry-after"]) > 0
        refused = post_form(signed_in, "/book/place/", held)
        assert refused.status_code == 503 and LOCKS_DOWN in refused.text
        api = signed_in.post("/api/bookings/locks/", json={"kind": "stay", **stay, "coin": "BTC"},
                             headers={"X-CSRFToken": signed_in.cookies.get("csrftoken"), "Referer": site})
        assert api.status_code == 503 and api.json()["error"] == "locks_unavailable", api.text
        assert Booking.objects.count() == bookings_before

        # when Redis comes back (empty), then locking and booking work again, with no restart
        redis.start()
        again = post_form(signed_in, "/book/place/", lock_price(signed_in, stay))
        assert again.status_code == 302 and again.headers["location"].startswith("/pay/")
        assert Booking.objects.count() == bookings_before + 1
        # and the lock held before the outage is gone with the old Redis: a fresh quote, not a 500
        assert post_form(signed_in, "/book/place/", held).status_code == 410
