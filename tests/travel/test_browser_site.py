"""The traveller's pages in headless Chromium, at phone (390 px) and desktop (1280 px) width:
nothing scrolls sideways, the phone header stays short, axe-core finds no serious or critical
violation; the calendar refuses past dates; a display currency converts prices while the
booking stays in the hotel's currency. Screenshots go to test-artifacts/site-*.png."""
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from bookings.models import Booking
from bookings.payments.models import Invoice
from tests.factories import UserFactory
from tests.fixtures.browser import serious_violations
from tests.travel.site_fixtures import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}
PHONE_HEADER_MAX_PX = 100
PASSWORD = "site-polish-pass"


@pytest.fixture
def coins(db):
    """The coin registry (a data migration; transactional tests flush it, so seed it again)."""
    from importlib import import_module

    from django.apps import apps

    import_module("bookings.payments.migrations.0002_seed_coins").seed(apps, None)


@pytest.fixture
def site(coins, eager_tasks, suppliers_sandbox):
    world = build_world()
    UserFactory(username="phone-traveller", password=PASSWORD)
    return world



def sign_in(page, base):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", "phone-traveller")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/")


def book_to_payment(page, base, hotel_path) -> str:
    """From the hotel page with dates to the payment page, as a traveller clicks; its path."""
    page.goto(base + hotel_path)
    page.locator("form.book-form button").first.click()
    page.get_by_role("button", name="Lock price").click()
    page.fill("#id_lead_name", "Ana Traveller")  # who is travelling (two guests)
    if not page.input_value("#id_lead_email"):
        page.fill("#id_lead_email", "ana@example.com")
    page.fill("#id_lead_phone", "+44 20 7946 0958")
    page.fill("#other_name_1", "Ben Traveller")
    page.get_by_role("button", name="Book now").click()
    page.wait_for_url("**/pay/*/")
    return page.url.removeprefix(base)


def stay_path(world) -> str:
    return "/hotels/saffron-test/?" + "&".join(f"{k}={v}" for k, v in world.stay_query().items())


def test_every_traveller_page_fits_a_phone_and_passes_axe(chromium, live_server, site, screenshot):
    base = live_server.url
    search = "/search/?destination=Lombok&" + stay_path(site).split("?")[1]
    seen = {}
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context = chromium.new_context(viewport=viewport)
        page = context.new_page()
        page.set_default_timeout(15000)
        try:
            sign_in(page, base)
            pay = book_to_payment(page, base, stay_path(site))
            for label, path in (("home", "/"), ("destination", "/destinations/lombok/"),
                                ("hotel", stay_path(site)), ("search", search), ("bookings", "/bookings/"),
                                ("rewards", "/rewards/"), ("pay", pay)):
                response = page.goto(base + path)
                assert response.status == 200, (label, response.status)
                seen[name, label] = {
                    "width": page.evaluate("document.documentElement.scrollWidth"),
                    "header": page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height"),
                    "axe": serious_violations(page),
                }
                screenshot(page, f"site-{label}-{name}")
        finally:
            context.close()

    for (name, label), found in seen.items():
        assert found["axe"] == [], (name, label, found["axe"])
        if name == "phone":
            assert found["width"] <= PHONE["width"], (label, found["width"])
            assert found["header"] <= PHONE_HEADER_MAX_PX, (label, found["header"])
    assert len(seen) == 14


def test_the_calendar_refuses_a_past_check_in_and_keeps_check_out_after_it(browser_page, live_server, site):
    page = browser_page
    today = site.hotel.local_today()
    page.goto(live_server.url + "/hotels/saffron-test/")
    form = page.locator("form#dates")

    form.locator("input[name=check_in]").fill(str(today - timedelta(days=1)))
    form.get_by_role("button", name="Show prices").click()
    refused = form.locator("input[name=check_in]").evaluate("input => input.validity.rangeUnderflow")

    assert refused is True
    assert page.url == live_server.url + "/hotels/saffron-test/"  # the browser did not send it

    form.locator("input[name=check_in]").fill(str(today + timedelta(days=5)))
    assert form.locator("input[name=check_out]").input_value() == str(today + timedelta(days=6))
    assert form.locator("input[name=check_out]").get_attribute("min") == str(today + timedelta(days=6))
    form.get_by_role("button", name="Show prices").click()
    page.wait_for_url("**/hotels/saffron-test/?check_in=*")
    assert page.locator("[data-total]").first.is_visible()


def test_a_display_currency_converts_prices_and_the_booking_stays_in_usd(browser_page, live_server, site,
                                                                          screenshot):
    page = browser_page
    base = live_server.url
    sign_in(page, base)
    page.goto(base + stay_path(site))
    usd_total = page.locator("[data-total]").first.inner_text()

    page.select_option("#display-currency", "EUR")
    page.get_by_role("form", name="Display currency").get_by_role("button", name="Show").click()
    page.wait_for_url("**/hotels/saffron-test/?check_in=*")
    approx = page.locator(".approx").first.inner_text()
    screenshot(page, "site-hotel-in-eur")
    pay = book_to_payment(page, base, stay_path(site))

    assert approx.startswith("≈ EUR ") and approx.endswith("approx.")
    assert page.locator("[data-total]").count() == 0  # the payment page: no hotel prices to convert
    booking = Booking.objects.get(reference=pay.rstrip("/").split("/")[-1])
    assert booking.currency == "USD" and f"{booking.total:,.2f}" == usd_total
    assert booking.check_in == timezone.localdate() + timedelta(days=5)


def test_the_payment_deadline_is_also_shown_on_the_travellers_clock(chromium, live_server, site):
    context = chromium.new_context(viewport=DESKTOP, timezone_id="Asia/Bangkok", locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, live_server.url)
        book_to_payment(page, live_server.url, stay_path(site))
        expires = page.inner_text("#expires")
    finally:
        context.close()
    invoice_time = Invoice.objects.get().expires_at  # what the page shows in UTC

    bangkok = (invoice_time + timedelta(hours=7)).strftime("%H:%M")
    assert f"{bangkok} your time" in expires and "UTC" in expires
