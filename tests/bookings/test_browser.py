"""In headless Chromium: sign in, checkout, lock the price, book, pay in the sandbox, see
"Confirmed". Screenshots of each page go to test-artifacts/.

Playwright's sync API runs an event loop in its thread, so the browser runs in its own thread
and the test thread keeps the database."""
from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.models import Booking
from tests.factories import UserFactory
from tests.fixtures.browser import in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_sandboxes")]


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
        page.fill("#id_lead_name", "Ana Traveller")
        page.fill("#id_lead_phone", "+44 20 7946 0958")
        page.fill("#other_name_1", "Ben Traveller")
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
    assert seen["status"] == "Confirmed" and "Payment received" in seen["timeline"]
    assert booking.reference in seen["listing"] and "Confirmed" in seen["listing"]


def test_hotel_staff_resolve_a_review_item_in_the_admin(live_server, room, traveller, artifacts_dir):
    from django.contrib.auth.models import Permission

    from bookings.models import ReviewItem
    from bookings.services.review import review_open
    from tests.bookings.conftest import stay_booking

    staff = UserFactory(username="hotel-desk", password="pass-for-tests", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="bookings", codename__in=["view_reviewitem", "change_reviewitem", "view_booking"]))
    room[0].property.staff.add(staff)
    booking = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1])
    item = review_open(booking=booking, reason=ReviewItem.Reason.LATE_PAYMENT, detail="Paid 3 minutes late.")

    def resolve(page):
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("input[name=username]", "hotel-desk")
        page.fill("input[name=password]", "pass-for-tests")
        page.click("input[type=submit]")
        page.goto(f"{live_server.url}/admin/bookings/reviewitem/{item.pk}/change/")
        timeline = page.inner_text(".booking-timeline")
        page.fill("#review_note", "Refunded at the front desk.")
        page.screenshot(path=str(artifacts_dir / "bookings-admin-review.png"), full_page=True)
        page.click("button[value=resolve]")
        page.wait_for_load_state()
        return {"timeline": timeline, "after": page.inner_text("#content")}

    seen = in_browser(resolve)
    item.refresh_from_db()
    assert "booking.placed" in seen["timeline"] and "booking.review.opened" in seen["timeline"]
    assert item.status == ReviewItem.Status.RESOLVED and item.note == "Refunded at the front desk."
    assert "Resolved" in seen["after"]


def test_lock_a_supplier_flight_offer_in_the_browser(live_server, coins, artifacts_dir):
    from suppliers import search_offers
    from tests.suppliers.helpers import hotel_criteria

    UserFactory(username="flyer", password="pass-for-tests")
    day = hotel_criteria()["check_in"]
    offer = search_offers(kind="flight", origin="BKK", destination="DPS", date=day, passengers=1).offers[0]

    def lock(page):
        page.goto(f"{live_server.url}/accounts/login/?next=/book/offer/%3Fkind%3Dflight%26offer_id%3D{offer.id}")
        page.fill("input[name=username]", "flyer")
        page.fill("input[name=password]", "pass-for-tests")
        page.click("main button[type=submit]")
        page.wait_for_selector("text=Lock price")
        page.screenshot(path=str(artifacts_dir / "bookings-checkout-offer.png"), full_page=True)
        page.click("text=Lock price")
        page.wait_for_selector("text=Your price is locked")
        return page.inner_text("main")

    locked = in_browser(lock)
    assert offer.title in locked and f"{offer.price} USD" in locked


def test_checkout_says_nothing_is_left_to_pay_when_credit_covers_the_total(live_server, room, artifacts_dir):
    from tests.bookings.test_credit import give_credit

    traveller = UserFactory(username="credit-traveller", password="pass-for-tests")
    give_credit(traveller, "300.00")
    check_in = timezone.localdate() + timedelta(days=7)
    checkout = (f"{live_server.url}/book/?room_type={room[0].pk}&rate_plan={room[1].pk}&check_in={check_in}"
                f"&check_out={check_in + timedelta(days=2)}&rooms=1&guests=2")

    def pay_with_credit(page):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "credit-traveller")
        page.fill("input[name=password]", "pass-for-tests")
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(checkout)
        before = (page.is_visible("#coin"), page.is_visible("#nothing-to-pay"))
        page.fill("#credit", "100.00")
        part = (page.is_visible("#coin"), page.is_visible("#nothing-to-pay"))
        page.fill("#credit", "230.00")
        after = (page.is_visible("#coin"), page.is_visible("#nothing-to-pay"))
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(artifacts_dir / f"bookings-checkout-nothing-to-pay-{width}.png"), full_page=True)
        page.click("text=Lock price")
        page.wait_for_selector("text=Your price is locked")
        locked = page.inner_text("main")
        page.screenshot(path=str(artifacts_dir / "bookings-locked-nothing-to-pay-390.png"), full_page=True)
        return before, part, after, locked

    before, part, after, locked = in_browser(pay_with_credit)

    assert before == (True, False) and part == (True, False)  # credit for part of it: a coin pays the rest
    assert after == (False, True)  # credit for all of it: no coin to choose
    assert "Nothing left to pay" in locked
