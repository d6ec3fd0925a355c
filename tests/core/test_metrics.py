"""/metrics: Prometheus figures for those who run the platform, never for the public; each figure
moves when what it counts happens."""
from datetime import timedelta

import httpx
import pytest
from django.conf import settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from channels.models import DirtyMark
from core.models import FailedTask, OutboxMessage
from inventory.models import RoomNight
from tests.bookings.conftest import api, coins, room, traveller  # noqa: F401
from tests.bookings.test_placing import _lock, _place
from tests.core.live_server import gunicorn_server
from tests.fixtures.worker import _purge

pytestmark = pytest.mark.django_db
TOKEN = "scraper-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LISTED = (
    "travel_http_requests", "travel_http_request_duration_seconds", "travel_bookings",
    "travel_inventory_retries", "travel_inventory_reserve_refusals", "travel_supplier_cache_events",
    "travel_payments_settled", "travel_channel_push_latency_seconds", "travel_channel_dirty_marks",
    "travel_dead_letters", "travel_outbox_lag_seconds",
)


@pytest.fixture
def scraper(settings, client):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = []
    return client


def scrape(client) -> dict:
    """{(name, labels as a sorted tuple): value} of every sample on the page."""
    response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200, response.content
    return samples(response.content.decode())


def samples(text: str) -> dict:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(found: dict, name: str, **labels) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


# --- who may read it ---------------------------------------------------------------------------
def test_the_page_does_not_exist_until_a_token_or_a_network_is_configured(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS = "", []

    assert client.get("/metrics").status_code == 404


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", "Bearer "])
def test_without_the_token_the_page_is_refused(scraper, authorization):
    headers = {"Authorization": authorization} if authorization else {}

    response = scraper.get("/metrics", headers=headers)

    assert response.status_code == 403 and b"travel_" not in response.content


def test_with_the_token_the_page_answers_in_prometheus_format(scraper):
    response = scraper.get("/metrics", headers=AUTH)

    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain; version=")


def test_an_address_in_the_allowed_networks_needs_no_token_and_a_forwarded_header_proves_nothing(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS = "", ["10.0.0.0/8"]

    inside = client.get("/metrics", REMOTE_ADDR="10.20.30.40")
    outside = client.get("/metrics", REMOTE_ADDR="192.0.2.7", headers={"X-Forwarded-For": "10.20.30.40"})

    assert inside.status_code == 200 and outside.status_code == 403


# --- what it shows -----------------------------------------------------------------------------
def test_the_page_lists_every_figure(scraper):
    names = {family.name for family in text_string_to_metric_families(scraper.get("/metrics", headers=AUTH)
                                                                      .content.decode())}

    assert set(LISTED) <= names, set(LISTED) - names


def test_placing_a_booking_moves_the_bookings_and_the_requests(scraper, api, room):  # noqa: F811
    lock = _lock(api, room)
    before = scrape(scraper)

    assert _place(api, lock["lock_id"]).status_code == 201

    after = scrape(scraper)
    assert value(after, "travel_bookings", state="pending") == value(before, "travel_bookings", state="pending") + 1
    placed = {"view": "bookings:api_list", "method": "POST", "status": "201"}
    assert value(after, "travel_http_requests_total", **placed) == value(before, "travel_http_requests_total", **placed) + 1


def test_a_sold_out_stay_counts_as_a_refusal(scraper, api, room):  # noqa: F811
    lock = _lock(api, room)
    RoomNight.objects.filter(room_type=room[0]).update(available=0)
    before = scrape(scraper)

    assert _place(api, lock["lock_id"]).status_code == 409

    refused = "travel_inventory_reserve_refusals_total"
    assert value(scrape(scraper), refused, reason="sold_out") == value(before, refused, reason="sold_out") + 1


def test_dead_letters_and_outbox_lag_are_read_at_scrape_time(scraper):
    before = scrape(scraper)
    FailedTask.objects.create(task_name="bookings.confirm", task_id="t-1", error="gave up")
    FailedTask.objects.create(task_name="bookings.confirm", task_id="t-2", error="gave up", resolved_at=timezone.now())
    waiting = OutboxMessage.objects.create(topic="booking.placed", key="LT1", payload={})
    OutboxMessage.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(minutes=5))

    after = scrape(scraper)

    assert value(after, "travel_dead_letters") == value(before, "travel_dead_letters") + 1
    assert 300 <= value(after, "travel_outbox_lag_seconds") < 360


def test_a_supplier_search_served_from_the_cache_counts_a_hit(scraper, suppliers_sandbox):
    from suppliers import search_offers
    from tests.suppliers.helpers import hotel_criteria

    hits = {"kind": "hotel", "event": "hits"}
    before = value(scrape(scraper), "travel_supplier_cache_events_total", **hits)

    search_offers(kind="hotel", **hotel_criteria())
    search_offers(kind="hotel", **hotel_criteria())

    assert value(scrape(scraper), "travel_supplier_cache_events_total", **hits) == before + 1


@pytest.mark.rabbitmq
def test_queue_depths_are_read_from_the_broker(scraper):
    from travel.celery import app, dead_letter_queue

    _purge(app, ["suppliers"])
    with app.connection_for_write() as connection, connection.channel() as channel:
        dead_letter_queue().bind(channel).declare()  # as every worker does at start; none ran yet in a fresh vhost
    try:
        app.send_task("suppliers.no_such_task", queue="suppliers")  # waits there: no worker runs here
        found = scrape(scraper)
    finally:
        _purge(app, ["suppliers"])

    assert value(found, "travel_queue_messages", queue="suppliers") == 1
    assert ("travel_queue_messages", (("queue", settings.DEAD_LETTER_QUEUE),)) in found


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_under_gunicorn_the_page_adds_up_every_worker_process(tmp_path, django_db_blocker):
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    env = {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "METRICS_TOKEN": TOKEN}
    with gunicorn_server(django_db_blocker=django_db_blocker, log_path=tmp_path / "web.log", workers=3,
                         env=env) as base:
        with httpx.Client(base_url=base, timeout=10) as http:
            before = value(samples(http.get("/metrics", headers=AUTH).text), "travel_http_requests_total",
                           view="robots", method="GET", status="200")
            for _ in range(30):
                assert http.get("/robots.txt").status_code == 200
            page = http.get("/metrics", headers=AUTH)

    found = samples(page.text)
    assert value(found, "travel_http_requests_total", view="robots", method="GET", status="200") == before + 30
    assert len(list(metrics_dir.glob("counter_*.db"))) >= 2, "the requests were served by one process only"


def test_open_dirty_marks_are_counted_by_channel(scraper, coins):  # noqa: F811
    from tests.core.test_admin_boundaries import channel_rows
    from tests.factories import sellable_room_type

    room_type, flexible, _saver = sellable_room_type()
    channel_rows(name="Zeta", prop=room_type.property, room=room_type, plan=flexible, day=timezone.localdate())

    assert value(scrape(scraper), "travel_channel_dirty_marks", channel="zeta-ota") == 1
    DirtyMark.objects.update(cleared_at=timezone.now())
    assert value(scrape(scraper), "travel_channel_dirty_marks", channel="zeta-ota") == 0
