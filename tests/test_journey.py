"""The whole traveller journey in headless Chromium, across every area: search (travel), the hotel
page's live total (inventory), sign-in and checkout with a price lock (bookings), the crypto
payment page and the sandbox chain (payments), the confirmed booking, and the points it earned
(rewards). Background work runs in-process, as in the embedded mode."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bookings.models import Booking
from inventory.models import RoomNight
from rewards.selectors import balance_of
from tests.factories import UserFactory, sellable_room_type
from tests.fixtures.browser import in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coins(db):
    from bookings.payments.coin_data import coins_seed

    coins_seed()


def test_search_book_pay_and_earn_points(live_server, coins, eager_tasks, artifacts_dir):
    # given a hotel with 5 rooms a night and a traveller with an account
    room_type, flexible, _saver = sellable_room_type(total=5)
    hotel = room_type.property
    traveller = UserFactory(username="journey", password="pass-for-tests")
    check_in = timezone.localdate() + timedelta(days=7)
    check_out = check_in + timedelta(days=2)
    search = (f"{live_server.url}/search/?destination={hotel.destination.slug}"
              f"&check_in={check_in}&check_out={check_out}&guests=2&rooms=1")

    def shot(page, name):
        page.screenshot(path=str(artifacts_dir / f"journey-book-{name}.png"), full_page=True)

    def journey(page):
        seen = {}
        # when they search, open the hotel and press Book on the flexible rate
        page.goto(search)
        shot(page, "1-search")
        page.click(f"text=See rooms and book at {hotel.name}")
        page.wait_for_url(f"**/hotels/{hotel.slug}/**")
        book = page.get_by_role("button", name=f"Book {room_type.name}, {flexible.name}")
        seen["hotel_total"] = page.locator("div.offer").filter(has=book).inner_text()
        shot(page, "2-hotel")
        book.click()
        # then they are asked to sign in, and come back to the checkout
        page.wait_for_url("**/accounts/login/**")
        page.fill("input[name=username]", "journey")
        page.fill("input[name=password]", "pass-for-tests")
        page.click("main button[type=submit]")
        page.wait_for_selector("text=Lock price")
        seen["checkout_total"] = page.locator(".total").first.inner_text()
        shot(page, "3-checkout")
        page.click("text=Lock price")
        page.wait_for_selector("text=Your price is locked")
        page.fill("#id_lead_name", "Ana Traveller")
        page.fill("#id_lead_phone", "+44 20 7946 0958")
        page.fill("#other_name_1", "Ben Traveller")
        page.click("text=Book now")
        page.wait_for_url("**/pay/*/")
        seen["pay"] = page.inner_text("main")
        shot(page, "4-pay")
        page.click("#simulate")
        page.wait_for_load_state()
        reference = page.url.rstrip("/").split("/")[-1]
        page.goto(f"{live_server.url}/bookings/{reference}/")
        seen["status"] = page.inner_text("#booking-status")
        shot(page, "5-booking")
        page.goto(f"{live_server.url}/rewards/")
        seen["pending_points"] = page.get_by_test_id("pending").inner_text()
        shot(page, "6-rewards")
        seen["reference"] = reference
        return seen

    seen = in_browser(journey)

    booking = Booking.objects.get(reference=seen["reference"])
    total = f"{booking.total:.2f}"
    # the price on the hotel page is the price at checkout and the price charged
    assert total in seen["hotel_total"] and total in seen["checkout_total"]
    assert booking.user == traveller and booking.rate_plan == flexible and booking.currency in seen["pay"]
    # the payment settled on the simulated chain and the booking is confirmed
    assert seen["status"] == "Confirmed" and booking.status == Booking.Status.CONFIRMED
    # both nights are taken from inventory, once
    nights = RoomNight.objects.filter(room_type=room_type, date__gte=check_in, date__lt=check_out)
    assert sorted(nights.values_list("available", flat=True)) == [4, 4]
    # and the stay earned pending points (1% of the total at the first tier, 1 point = 0.01)
    expected = int(booking.total * Decimal("0.01") / Decimal("0.01"))
    assert balance_of(user=traveller).pending == expected > 0
    assert f"{expected:,} points" == seen["pending_points"]
