"""The OpenAPI schema is valid, served at /api/schema/, and says what the API really answers;
its docs page at /api/docs/ is served by us alone (no CDN)."""
import re
from urllib.parse import urlsplit

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def _properties(schema, component: str) -> set[str]:
    return set(schema["components"]["schemas"][component]["properties"])


def test_the_schema_validates_without_warnings(tmp_path):
    # raises CommandError on an invalid schema or any warning (an undocumented field, a guess)
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")


def test_the_schema_describes_the_fields_the_api_answers_with(api, room, schema):
    from tests.bookings.test_placing import _lock, _place

    lock = _lock(api, room)
    booking = _place(api, lock["lock_id"]).json()
    detail = api.get(f"/api/bookings/{booking['reference']}/").json()
    listed = api.get("/api/bookings/").json()
    refused = api.post("/api/bookings/", {}, content_type="application/json", headers={"Idempotency-Key": "k"}).json()

    assert set(lock) == _properties(schema, "PriceLock")
    assert set(booking) == _properties(schema, "Booking")
    assert set(booking["payment"]) == _properties(schema, "Payment")
    assert set(detail) == _properties(schema, "BookingDetail")
    assert set(detail["timeline"][0]) == _properties(schema, "BookingEvent")
    assert set(listed) == _properties(schema, "BookingList")
    assert {"error", "detail"} <= set(refused) and _properties(schema, "Error") == {"error", "detail"}


def test_the_schema_describes_each_request_body(schema):
    paths = schema["paths"]

    def body(path):
        return paths[path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]

    assert body("/api/bookings/locks/") == "PriceLockRequest"
    assert schema["components"]["schemas"]["PriceLockRequest"]["discriminator"]["propertyName"] == "kind"
    assert {"room_type", "check_in", "check_out", "coin"} <= _properties(schema, "StayLockRequest")
    assert {"kind", "offer_id", "coin"} <= _properties(schema, "OfferLockRequest")
    assert body("/api/bookings/") == "PlaceRequest" and _properties(schema, "PlaceRequest") == {"lock_id", "guests"}
    assert body("/api/bookings/{reference}/cancel/") == "CancelRequest"
    assert set(paths["/api/bookings/locks/"]["post"]["responses"]) == {"201", "400", "403", "409", "410", "429", "503"}


def test_the_docs_page_loads_only_files_we_serve(client):
    page = client.get("/api/docs/")
    html = page.content.decode()

    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(not urlsplit(url).netloc for url in assets), assets
    for url in assets:
        assert finders.find(url.removeprefix("/static/")), f"{url} is not one of our static files"
    assert 'url: "/api/schema/"' in html


@pytest.mark.browser
def test_the_docs_page_renders_without_calling_any_other_host(live_server, browser_page):
    # given: every request the page makes is recorded; only the site's own go through
    site, elsewhere = urlsplit(live_server.url).netloc, []

    def route(request_route):
        if urlsplit(request_route.request.url).netloc == site:
            request_route.continue_()
        else:
            elsewhere.append(request_route.request.url)
            request_route.abort()

    browser_page.route("**/*", route)

    # when
    browser_page.goto(f"{live_server.url}/api/docs/")
    browser_page.wait_for_load_state("networkidle")

    # then: nothing was asked of another host, and the operations are on the page
    assert elsewhere == []
    browser_page.get_by_text("/api/bookings/locks/").first.wait_for()
    assert browser_page.get_by_text("/api/bookings/{reference}/cancel/").count() >= 1
