"""A person who keeps typing the wrong password, in headless Chromium: the sign-in page, then the
lockout page saying why and for how long, then the right password still refused."""
import pytest

from tests.factories import UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_five_wrong_passwords_in_the_browser_show_the_lockout_page(browser_page, live_server, screenshot):
    UserFactory(username="mai")
    page = browser_page

    def sign_in(password):
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Username").fill("mai")
        page.get_by_label("Password").fill(password)
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.get_by_role("button", name="Sign in").click()
        return answer.value

    for _ in range(4):
        assert sign_in("wrong").status == 200
        assert page.get_by_text("Please enter a correct username and password").first.is_visible()
    screenshot(page, "lockout-1-wrong-password")

    locked = sign_in("wrong")
    assert locked.status == 429
    assert page.get_by_role("heading", level=1).inner_text() == "Too many failed sign-in attempts"
    assert page.get_by_text("Please try again in 15 minutes.").is_visible()
    screenshot(page, "lockout-2-locked")

    assert sign_in("pass-for-tests").status == 429
    page.goto(live_server.url + "/")
    assert page.get_by_role("link", name="Sign in").is_visible()  # still signed out
