"""Reviewing in headless Chromium, at phone (390 px) and desktop (1280 px) width: the traveller
follows the link on a completed stay, scores and writes, and the review is on the hotel's page;
the review form and the hotel's reviews pass axe-core (no serious or critical violation) and
nothing scrolls sideways. Screenshots go to test-artifacts/reviews-*.png."""
import pytest

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
