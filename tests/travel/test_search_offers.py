"""The flight and activity search pages against the supplier sandbox."""
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.suppliers.helpers import configure

DAY = (timezone.localdate() + timedelta(days=20)).isoformat()


def test_flights_are_listed_cheapest_first_with_booking_links(client, suppliers_sandbox):
    response = client.get("/flights/", {"origin": "BKK", "destination": "DPS", "date": DAY, "passengers": "2"})

    html = response.content.decode()
    assert response.status_code == 200
    prices = [Decimal(p) for p in re.findall(r"<strong>USD ([0-9.]+)</strong> total", html)]
    assert len(prices) == 5 and prices == sorted(prices)
    assert len(re.findall(r'href="/book/offer/\?kind=flight&amp;offer_id=f\.bkk\.dps\.[^"]+"', html)) == 5
    assert "<title>Flights BKK to DPS," in html
    assert '<meta name="robots" content="noindex,follow">' in html


def test_flights_sorted_by_departure(client, suppliers_sandbox):
    html = client.get("/flights/", {"origin": "BKK", "destination": "DPS", "date": DAY, "sort": "depart"}).content.decode()
    departs = re.findall(r"Departs (\d\d:\d\d)", html)
    assert len(departs) == 5 and departs == sorted(departs)


@pytest.mark.parametrize("params, message", [
    ({"origin": "BKK", "destination": "bkk", "date": DAY}, "The departure and arrival places must differ."),
    ({"origin": "BKK", "destination": "DPS", "date": "tomorrow"}, "Enter the date as YYYY-MM-DD."),
    ({"origin": "BKK", "destination": "DPS", "date": "2001-01-01"}, "The date cannot be in the past."),
    ({"origin": "BKK", "destination": "DPS", "date": DAY, "passengers": "40"}, "less than or equal to 9"),
])
def test_bad_flight_searches_get_a_message(client, params, message):
    response = client.get("/flights/", params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_activities_are_listed_with_booking_links_and_a_unique_title(client, suppliers_sandbox):
    response = client.get("/activities/", {"city": "Hoi An", "date": DAY, "participants": "3", "sort": "name"})

    html = response.content.decode()
    assert response.status_code == 200
    titles = re.findall(r'<h2 class="result-name">([^<]+)</h2>', html)
    assert len(titles) == 5 and titles == sorted(titles, key=str.casefold)
    assert all(t.endswith("in Hoi An") for t in titles)
    assert "<title>Things to do in Hoi An," in html
    assert 'href="/book/offer/?kind=activity&amp;offer_id=a.hoi-an.' in html


def test_a_rate_limited_supplier_gives_an_activity_page_with_a_message(client, suppliers_sandbox):
    configure(suppliers_sandbox, rate_limit_per_second=1)
    client.get("/activities/", {"city": "Bali", "date": DAY})

    response = client.get("/activities/", {"city": "Bangkok", "date": DAY})

    assert response.status_code == 200
    assert "Activity offers are unavailable right now. Please try again in 1 second." in response.content.decode()


def test_an_activity_search_without_participants_is_refused_kindly(client):
    response = client.get("/activities/", {"city": "Bali", "date": DAY, "participants": "-1"})
    assert response.status_code == 400
    assert "greater than or equal to 1" in response.content.decode()
