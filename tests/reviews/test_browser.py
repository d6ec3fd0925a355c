"""Reviewing in headless Chromium, at phone (390 px) and desktop (1280 px) width: the traveller
follows the link on a completed stay, scores and writes, and the review is on the hotel's page;
the review form and the hotel's reviews pass axe-core (no serious or critical violation) and
nothing scrolls sideways. Screenshots go to test-artifacts/reviews-*.png."""
import pytest
from django.contrib.auth.models import Permission

from bookings.models import Booking
from bookings.services.lifecycle import bookings_complete_stays
from reviews.models import Review
from tests.factories import UserFactory
from tests.fixtures.browser import serious_violations
from tests.reviews.conftest import stay
from tests.reviews.test_hotel_page import reviewed
from tests.travel.site_fixtures import build_world
from tests.travel.test_browser_site import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "reviews-browser-pass"


@pytest.fixture
def site(db):
    world = build_world()
    reviewed(world, scores=[9, 8, 10])
    traveller = UserFactory(username="reviewer", password=PASSWORD)
    return world, stay(user=traveller, hotel=world.hotel, lead_name="Rita Oliveira")


def test_a_traveller_reviews_a_completed_stay_and_sees_it_on_the_hotel_page(chromium, live_server, site, screenshot):
    world, booking = site
    base = live_server.url
    found = {}
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context = chromium.new_context(viewport=viewport)
        page = context.new_page()
        page.set_default_timeout(15000)
        try:
            page.goto(base + "/accounts/login/")
            page.fill("input[name=username]", "reviewer")
            page.fill("input[name=password]", PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_url(base + "/")
            page.goto(f"{base}/bookings/{booking.reference}/")
            page.get_by_role("link", name="Review your stay").click()
            if name == "phone":  # the first pass writes the review; the second finds it written
                found["form-axe"] = serious_violations(page)
                found["form-width"] = page.evaluate("document.documentElement.scrollWidth")
                page.get_by_label("9", exact=True).check()
                page.get_by_label("Your review", exact=True).fill("Kind people and the best mango sticky rice.")
                screenshot(page, "reviews-form-phone")
                page.get_by_role("button", name="Publish my review").click()
                page.wait_for_url(f"**/reviews/{booking.reference}/")
            assert "Your review" in page.content()
            page.goto(base + "/hotels/saffron-test/")
            section = page.locator("section.reviews")
            found[name] = {"text": section.inner_text(), "axe": serious_violations(page),
                           "width": page.evaluate("document.documentElement.scrollWidth")}
            section.screenshot(path=str(screenshot(page, f"reviews-hotel-{name}").with_name(
                f"reviews-section-{name}.png")))
        finally:
            context.close()

    assert found["form-axe"] == [] and found["form-width"] <= PHONE["width"]
    for name, width in (("phone", PHONE["width"]), ("desktop", DESKTOP["width"])):
        assert found[name]["axe"] == [], (name, found[name]["axe"])
        assert found[name]["width"] <= width, (name, found[name]["width"])
        assert "Kind people and the best mango sticky rice." in found[name]["text"]
        assert "Rita O." in found[name]["text"] and "4 reviews" in found[name]["text"]


STAFF_PASSWORD = "reviews-desk-pass"


@pytest.fixture
def stay_completed_by_the_lifecycle(db):
    """The hotel with three reviews (9, 8, 10), a confirmed stay that checked out last week and was
    completed by the lifecycle sweep, and a desk member who may answer the hotel's reviews."""
    world = build_world()
    reviewed(world, scores=[9, 8, 10])
    traveller = UserFactory(username="reviewer", password=PASSWORD)
    booking = stay(user=traveller, hotel=world.hotel, status=Booking.Status.CONFIRMED, lead_name="Rita Oliveira")
    assert bookings_complete_stays() == 1
    desk = UserFactory(username="saffron-desk", is_staff=True, password=STAFF_PASSWORD)
    desk.user_permissions.set(Permission.objects.filter(content_type__app_label="reviews"))
    world.hotel.staff.add(desk)
    return world, booking


def sign_in(page, base, username, password, *, admin=False):
    page.goto(base + ("/admin/login/" if admin else "/accounts/login/"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("input[type=submit]" if admin else "main button[type=submit]")
    page.wait_for_url(base + ("/admin/" if admin else "/"))


def review_summary(page) -> tuple[str, str]:
    summary = page.locator("#review-summary")
    return summary.locator(".score-badge").get_attribute("data-score"), summary.inner_text()


def test_review_after_a_completed_stay_once_then_the_hotel_answers(chromium, live_server, stay_completed_by_the_lifecycle,
                                                                    screenshot):
    world, booking = stay_completed_by_the_lifecycle
    base, hotel = live_server.url, f"{live_server.url}/hotels/saffron-test/"
    context = chromium.new_context(viewport=DESKTOP)
    context.set_default_timeout(15000)
    try:
        page = context.new_page()
        sign_in(page, base, "reviewer", PASSWORD)
        page.goto(hotel)
        score_before, summary_before = review_summary(page)
        page.goto(f"{base}/bookings/{booking.reference}/")
        assert page.locator("#booking-status").inner_text() == "Completed"
        page.get_by_role("link", name="Review your stay").click()
        page.wait_for_url(f"**/reviews/{booking.reference}/")
        form_axe = serious_violations(page)
        second_tab = context.new_page()  # the same form left open in another tab: the second attempt
        second_tab.goto(page.url)

        page.get_by_label("6", exact=True).check()
        page.get_by_label("Your review", exact=True).fill("Lovely garden, but the air conditioning rattled all night.")
        screenshot(page, "reviews-journey-form")
        page.get_by_role("button", name="Publish my review").click()
        page.get_by_text("Thank you: your review is on the hotel's page.").wait_for()
        second_tab.get_by_label("10", exact=True).check()
        second_tab.get_by_label("Your review", exact=True).fill("Trying to review the same stay twice.")
        second_tab.get_by_role("button", name="Publish my review").click()
        refusal = second_tab.locator("#review-problem").inner_text()
        page.goto(hotel)
        score_after, summary_after = review_summary(page)
        my_score = page.locator("li.card").filter(has_text="air conditioning rattled").locator(".score-badge").inner_text()

        desk = chromium.new_context(viewport=DESKTOP)
        try:
            staff_page = desk.new_page()
            staff_page.set_default_timeout(15000)
            sign_in(staff_page, base, "saffron-desk", STAFF_PASSWORD, admin=True)
            staff_page.goto(f"{base}/admin/reviews/review/?q={booking.reference}")
            staff_page.locator("#result_list tbody tr a").first.click()
            staff_page.fill("textarea[name=answer]", "Thank you, Rita: the unit in your room has been replaced.")
            staff_page.get_by_role("button", name="Save", exact=True).click()
            staff_page.locator(".messagelist .success").wait_for()
        finally:
            desk.close()
        page.reload()
        answered = page.locator("li.card").filter(has_text="air conditioning rattled")
        answer_text = answered.locator(".review-answer").inner_text()
        screenshot(page, "reviews-journey-answered")
    finally:
        context.close()

    assert form_axe == []
    assert score_before == "9.0" and "3 reviews" in summary_before
    assert "You have already reviewed this stay: one review per booking." in refusal
    assert Review.objects.filter(booking__reference=booking.reference).count() == 1
    assert score_after == "8.3" and "4 reviews" in summary_after  # (9 + 8 + 10 + 6) / 4, one decimal
    assert my_score.startswith("6")
    assert "The hotel answered" in answer_text and "the unit in your room has been replaced" in answer_text
