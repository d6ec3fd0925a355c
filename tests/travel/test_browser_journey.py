"""The traveller's journey in headless Chromium: home -> destination -> hotel -> dates -> total."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory.selectors import stay_quote
from inventory.stays import Stay
from tests.travel.site_fixtures import build_world


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_traveller_finds_a_hotel_chooses_dates_and_sees_the_total(browser_page, live_server, screenshot):
    world = build_world()
    check_in = timezone.localdate() + timedelta(days=6)
    check_out = check_in + timedelta(days=2)
    expected = stay_quote(room_type=world.deluxe, rate_plan=world.flexible,
                          stay=Stay(check_in, check_out, rooms=1, guests=2)).total
    page = browser_page

    page.goto(live_server.url + "/")
    assert page.title().startswith("Hotels in Southeast Asia")
    screenshot(page, "journey-1-home")
    page.get_by_role("link", name="Lombok").first.click()

    page.wait_for_url("**/destinations/lombok/")
    assert page.get_by_role("heading", level=1).inner_text() == "Hotels in Lombok"
    screenshot(page, "journey-2-destination")
    page.get_by_role("link", name="Saffron Test Lombok").click()

    page.wait_for_url("**/hotels/saffron-test/")
    form = page.locator("form#dates")
    form.locator("input[name=check_in]").fill(check_in.isoformat())
    form.locator("input[name=check_out]").fill(check_out.isoformat())
    form.locator("input[name=guests]").fill("2")
    form.get_by_role("button", name="Show prices").click()

    page.wait_for_url("**/hotels/saffron-test/?check_in=*")
    offer = page.locator("#room-deluxe .offer").filter(has_text="Flexible").first
    shown = offer.locator("[data-total]").inner_text()
    assert Decimal(shown.replace(",", "")) == expected
    assert offer.get_by_role("button", name="Book Deluxe Room, Flexible").is_visible()
    path = screenshot(page, "journey-3-hotel-total")
    assert path.stat().st_size > 10_000


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_hotel_page_on_a_phone_shows_prices_without_sideways_scrolling(chromium, live_server, screenshot):
    world = build_world()
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(live_server.url + "/hotels/saffron-test/?" + "&".join(
            f"{k}={v}" for k, v in world.stay_query().items()))
        assert page.locator("[data-total]").first.is_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        screenshot(page, "journey-hotel-phone")
    finally:
        context.close()
