"""In headless Chromium: sign in, checkout, lock the price, book, pay in the sandbox, see
"Confirmed". Screenshots of each page go to test-artifacts/.

Playwright's sync API runs an event loop in its thread, so the browser runs in its own thread
and the test thread keeps the database."""
import shutil
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.models import Booking
from tests.factories import UserFactory
from tests.fixtures.browser import CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def in_browser(work):
    from playwright.sync_api import sync_playwright

    outcome = {}

    def run():
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
                try:
                    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
                    page.set_default_timeout(15000)
                    outcome["value"] = work(page)
                finally:
                    browser.close()
        except BaseException as exc:  # re-raised in the test thread
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), "the browser hung"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_book_and_pay_a_stay_in_the_browser(live_server, room, eager_tasks, artifacts_dir):
    UserFactory(username="browser-traveller", password="pass-for-tests")
    check_in = timezone.localdate() + timedelta(days=7)
    checkout = (f"{live_server.url}/book/?room_type={room[0].pk}&rate_plan={room[1].pk}&check_in={check_in}"
                f"&check_out={check_in + timedelta(days=2)}&rooms=1&guests=2")

    def shot(page, name):
        page.screenshot(path=str(artifacts_dir / f"{name}.png"), full_page=True)

    def book(page):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "browser-traveller")
        page.fill("input[name=password]", "pass-for-tests")
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(checkout)
        total = page.locator(".total").first.inner_text()
        page.select_option("#coin", "LTC")
        shot(page, "bookings-checkout")
        page.click("text=Lock price")
        page.wait_for_selector("text=Your price is locked")
        locked_text = page.inner_text("main")
        shot(page, "bookings-locked")
        page.click("text=Book now")
        page.wait_for_url("**/pay/*/")
        shot(page, "bookings-pay")
        page.click("#simulate")
        page.wait_for_load_state()
        reference = page.url.rstrip("/").split("/")[-1]
        page.goto(f"{live_server.url}/bookings/{reference}/")
        status, timeline = page.inner_text("#booking-status"), page.inner_text(".timeline")
        shot(page, "bookings-detail")
        page.goto(f"{live_server.url}/bookings/")
        listing = page.inner_text("main")
        shot(page, "bookings-list")
        return {"total": total, "locked": locked_text, "reference": reference, "status": status,
                "timeline": timeline, "listing": listing}

    seen = in_browser(book)
    booking = Booking.objects.get()
    assert seen["total"] == "230.00 USD" and "LTC" in seen["locked"]
    assert seen["reference"] == booking.reference and booking.coin_code == "LTC"
    assert seen["status"] == "Confirmed" and "booking.payment.settled" in seen["timeline"]
    assert booking.reference in seen["listing"] and "Confirmed" in seen["listing"]
