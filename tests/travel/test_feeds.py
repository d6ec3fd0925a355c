"""Google Hotel Center feeds: the hotel list, ARI messages and itinerary prices, parsed as
Google would, with totals checked against the hotel page for the same stay."""
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from xml.etree import ElementTree as ET

import pytest
from django.core.cache import cache
from django.utils import timezone

from inventory.models import RoomNight
from tests.fixtures.worker import wait_for
from tests.travel.page_parsing import parse
from tests.travel.site_fixtures import build_world, world  # noqa: F401 - fixture
from travel.feeds import store
from travel.tasks import feeds_regenerate_task

OTA = {"ota": "http://www.opentravel.org/OTA/2003/05"}
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"


def _xml(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)


def _page_totals(client, world, query) -> dict[tuple[str, str], Decimal]:
    """(room code, plan code) -> the total the hotel page shows in its price Microdata."""
    page = parse(client.get("/hotels/saffron-test/", query))
    names = {f"{room.name}, {plan.name}": (room.code, plan.code)
             for room in (world.deluxe, world.suite) for plan in (world.flexible, world.saver)}
    return {names[item["props"]["name"][0]]: Decimal(item["props"]["price"][0])
            for item in page.items_of_type("https://schema.org/Offer")}


@pytest.mark.django_db
def test_hotel_list_feed_lists_every_active_property_with_address_and_geo(client, world):
    root = _xml(client, "/feeds/google/hotel-list.xml")

    assert root.tag == "listings"
    assert root.get(f"{XSI}noNamespaceSchemaLocation") == "http://www.gstatic.com/localfeed/local_feed.xsd"
    assert root.find("language").text == "en"
    (listing,) = root.findall("listing")
    assert listing.find("id").text == str(world.hotel.pk)
    assert listing.find("name").text == "Saffron Test Lombok"
    address = {c.get("name"): c.text for c in listing.find("address").findall("component")}
    assert listing.find("address").get("format") == "simple"
    assert address == {"addr1": "Jl. Raya Senggigi 1", "city": "Senggigi", "province": "Lombok", "postal_code": "83355"}
    assert listing.find("country").text == "ID"
    assert (listing.find("latitude").text, listing.find("longitude").text) == ("-8.491000", "116.045000")
    assert listing.find("category").text == "hotel"
    assert listing.find("content/text/link").text.endswith("/hotels/saffron-test/")


@pytest.mark.django_db
@pytest.mark.parametrize("nights", [1, 3])
def test_itinerary_totals_in_the_transaction_feed_equal_the_hotel_page_totals(client, world, nights):
    query = world.stay_query(offset=5, nights=nights)
    page_totals = _page_totals(client, world, query)

    root = _xml(client, f"/feeds/google/ari/{world.hotel.pk}/transaction.xml")

    data = root.find("PropertyDataSet")
    assert data.find("Property").text == str(world.hotel.pk)
    assert [r.find("RoomID").text for r in data.findall("RoomData")] == ["deluxe", "suite"]
    packages = {p.find("PackageID").text: p.find("Refundable").get("available") for p in data.findall("PackageData")}
    assert packages == {"flex": "1", "saver": "0"}
    (result,) = [r for r in root.findall("Result")
                 if r.find("Checkin").text == query["check_in"] and r.find("Nights").text == str(nights)]
    feed_totals = {
        (b.find("RoomID").text, b.find("PackageID").text):
            Decimal(b.find("Baserate").text) + Decimal(b.find("Tax").text) + Decimal(b.find("OtherFees").text)
        for b in result.findall("RoomBundle")
    }
    assert len(page_totals) == 4
    assert feed_totals == page_totals
    lowest = Decimal(result.find("Baserate").text) + Decimal(result.find("Tax").text) + Decimal(
        result.find("OtherFees").text)
    assert lowest == min(page_totals.values())
    assert {b.get("currency") for b in result.iter("Baserate")} == {"USD"}


@pytest.mark.django_db
def test_a_sold_out_itinerary_is_unavailable_in_the_transaction_feed(client, world):
    check_in = timezone.localdate() + timedelta(days=2)
    RoomNight.objects.filter(room_type__property=world.hotel, date=check_in).update(available=0)

    root = _xml(client, f"/feeds/google/ari/{world.hotel.pk}/transaction.xml")

    (result,) = [r for r in root.findall("Result")
                 if r.find("Checkin").text == check_in.isoformat() and r.find("Nights").text == "1"]
    assert result.find("Unavailable/NoVacancy") is not None
    assert result.find("RoomBundle") is None


def _nightly_base(rates_root, room: str, plan: str, night: date) -> Decimal:
    for message in rates_root.iterfind(".//ota:RateAmountMessage", OTA):
        control = message.find("ota:StatusApplicationControl", OTA)
        if (control.get("InvTypeCode"), control.get("RatePlanCode")) != (room, plan):
            continue
        if date.fromisoformat(control.get("Start")) <= night <= date.fromisoformat(control.get("End")):
            for amount in message.iterfind(".//ota:BaseByGuestAmt", OTA):
                if amount.get("NumberOfGuests") == "2":
                    return Decimal(amount.get("AmountBeforeTax"))
    raise AssertionError(f"no rate for {room}/{plan} on {night}")


@pytest.mark.django_db
def test_a_total_built_from_ari_rates_and_tax_fee_info_equals_the_page_total(client, world):
    query = world.stay_query(offset=3, nights=4)
    page_totals = _page_totals(client, world, query)
    rates = _xml(client, f"/feeds/google/ari/{world.hotel.pk}/rates.xml")
    taxes = _xml(client, f"/feeds/google/ari/{world.hotel.pk}/taxes.xml")

    tax = taxes.find("Property/Taxes/Tax")
    fee = taxes.find("Property/Fees/Fee")
    assert (tax.find("Type").text, tax.find("Basis").text, tax.find("Period").text) == ("percent", "room", "stay")
    assert (fee.find("Type").text, fee.find("Basis").text, fee.find("Period").text) == ("amount", "room", "night")
    check_in = date.fromisoformat(query["check_in"])
    nights = [check_in + timedelta(days=i) for i in range(4)]
    for (room, plan), page_total in page_totals.items():
        base = sum(_nightly_base(rates, room, plan, n) for n in nights)
        tax_amount = (base * Decimal(tax.find("Amount").text) / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
        fees = Decimal(fee.find("Amount").text) * len(nights)
        assert base + tax_amount + fees == page_total, (room, plan)


@pytest.mark.django_db
def test_availability_and_inventory_messages_follow_the_room_nights(client, world):
    closed = timezone.localdate() + timedelta(days=4)
    RoomNight.objects.filter(room_type=world.deluxe, date=closed).update(stop_sell=True)
    RoomNight.objects.filter(room_type=world.suite, date=closed).update(available=1)

    avail = _xml(client, f"/feeds/google/ari/{world.hotel.pk}/availability.xml")
    inventory = _xml(client, f"/feeds/google/ari/{world.hotel.pk}/inventory.xml")

    assert avail.tag == "{http://www.opentravel.org/OTA/2003/05}OTA_HotelAvailNotifRQ"
    master = {}
    for message in avail.iterfind(".//ota:AvailStatusMessage", OTA):
        status = message.find("ota:RestrictionStatus", OTA)
        control = message.find("ota:StatusApplicationControl", OTA)
        if status is not None and status.get("Restriction") == "Master":
            start, end = date.fromisoformat(control.get("Start")), date.fromisoformat(control.get("End"))
            if start <= closed <= end:
                master[(control.get("InvTypeCode"), control.get("RatePlanCode"))] = status.get("Status")
    assert master == {("deluxe", "flex"): "Close", ("deluxe", "saver"): "Close",
                      ("suite", "flex"): "Open", ("suite", "saver"): "Open"}
    counts = {}
    for entry in inventory.iterfind(".//ota:Inventory", OTA):
        control = entry.find("ota:StatusApplicationControl", OTA)
        if date.fromisoformat(control.get("Start")) <= closed <= date.fromisoformat(control.get("End")):
            counts[control.get("InvTypeCode")] = entry.find(".//ota:InvCount", OTA).get("Count")
    assert counts == {"deluxe": "0", "suite": "1"}


@pytest.mark.django_db
def test_the_periodic_task_regenerates_what_the_feed_urls_serve(client, world):
    path = f"/feeds/google/ari/{world.hotel.pk}/inventory.xml"
    written = feeds_regenerate_task.apply().get()
    before = client.get(path).content
    RoomNight.objects.filter(room_type=world.suite).update(available=1)

    stale = client.get(path).content
    feeds_regenerate_task.apply().get()
    fresh = client.get(path).content

    assert written == 1 + 5  # the hotel list and five documents for the one hotel
    assert stale == before  # served from the stored document between runs
    assert b'Count="1"' in fresh and b'Count="1"' not in before


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/feeds/google/ari/999999/rates.xml", "/feeds/google/ari/{pk}/prices.xml"])
def test_unknown_property_or_feed_kind_is_404(client, world, path):
    assert client.get(path.format(pk=world.hotel.pk)).status_code == 404


def test_feed_regeneration_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["google-feeds-regenerate"]

    assert entry["task"] == "travel.feeds_regenerate"
    assert entry["schedule"] <= 900


@pytest.mark.rabbitmq
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_regenerates_the_feeds_that_the_urls_then_serve(celery_worker, client):
    world = build_world()
    key = f"feed:google:{world.hotel.pk}:transaction"

    feeds_regenerate_task.delay()

    # the worker writes the feeds one after another: wait for the last as well as this hotel's
    wait_for(lambda: cache.get(key) is not None and cache.get(store.HOTEL_LIST.key) is not None, timeout=60)
    stored = cache.get(key)
    assert stored is not None, "the worker never stored the feed"
    assert cache.get(store.HOTEL_LIST.key) is not None
    assert client.get(f"/feeds/google/ari/{world.hotel.pk}/transaction.xml").content == stored
