"""The database goes away under a running site: every page answers 503 with a short message and
Retry-After (never a 500), /healthz still says the process lives, /readyz names the database;
when the database is back the site serves again by itself, sessions included.

A PostgreSQL instance of its own (initdb on a free port, a copy of the test database), stopped
and started by the test as an operator's restart would; the site under gunicorn with persistent
connections (CONN_MAX_AGE), as in production."""
import time
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from core.middleware import DATABASE_DOWN_MESSAGE
from tests.ops.conftest import PASSWORD
from tests.ops.processes import postgres_instance, sign_in, site_server

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_a_database_outage_answers_503_and_the_site_recovers_by_itself(hotel, traveller, database_url,
                                                                         suppliers_server, artifacts_dir):
    room_type = hotel[0]
    check_in = timezone.localdate() + timedelta(days=10)
    destination = room_type.property.destination.slug
    pages = ["/", f"/hotels/{room_type.property.slug}/", f"/destinations/{destination}/",
             f"/search/?destination={destination}&check_in={check_in}&check_out={check_in + timedelta(days=2)}"]
    with postgres_instance(artifacts_dir / "ops-postgres.log") as postgres:
        postgres.copy_database(source_url=database_url, name="travel")
        with site_server(
            env={"DATABASE_URL": postgres.url("travel"), "CONN_MAX_AGE": "60", "CACHE_KEY_PREFIX": "ops-db",
                 "SUPPLIER_API_URL": suppliers_server.url},
            log_path=artifacts_dir / "ops-site-database.log",
        ) as site, httpx.Client(base_url=site, timeout=30) as browser, httpx.Client(base_url=site, timeout=30) as anon:
            # given a signed-in traveller on a site that works
            assert sign_in(browser, username=traveller.username, password=PASSWORD).status_code == 302
            assert browser.get("/bookings/").status_code == 200

            # when the database stops
            postgres.stop()

            # then every page is a 503 with the message and a Retry-After, never a 500
            timings = []
            for client, path in [(anon, p) for p in pages] + [(browser, "/bookings/"), (browser, "/")]:
                started = time.monotonic()
                response = client.get(path)
                timings.append(time.monotonic() - started)
                assert response.status_code == 503, f"{path}: {response.status_code}"
                assert DATABASE_DOWN_MESSAGE in response.text, path
                assert int(response.headers["retry-after"]) > 0
            signing_in = sign_in(anon, username=traveller.username, password=PASSWORD)
            assert signing_in.status_code == 503 and DATABASE_DOWN_MESSAGE in signing_in.text
            print("database down, seconds per 503:", [round(t, 3) for t in timings])
            api = browser.get("/api/bookings/")
            assert api.status_code == 503 and api.json()["error"] in ("database_unavailable", "busy"), api.text
            # the process is alive (no restart wanted); it is not ready, and says why
            assert anon.get("/healthz").status_code == 200
            ready = anon.get("/readyz")
            assert ready.status_code == 503 and ready.json()["status"].startswith("not ready: database")

            # when the database is back, then the same processes serve again, the session too
            postgres.start()
            for path in pages:
                assert anon.get(path).status_code == 200, path
            mine = browser.get("/bookings/")
            assert mine.status_code == 200 and traveller.username in mine.text
            assert anon.get("/readyz").json()["checks"]["database"]["ok"]
