"""Headless Chromium on the payment page: the status goes live without a reload, and the sandbox
form completes a payment (the shared ``browser_page`` fixture of tests/fixtures/browser.py).
"""
import pytest

from tests.payments.conftest import signed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_invoice(live_server, chain, open_invoice, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.PAYMENT_SANDBOX_CONTROLS = True
    chain.webhooks_to(live_server.url + "/webhooks/payments/")
    return open_invoice(coin="BTC", fiat="128.00")


def test_the_page_updates_itself_as_the_payment_arrives(live_server, browser_page, chain, live_invoice, screenshot):
    page = browser_page
    page.goto(live_server.url + signed(live_invoice))
    assert page.text_content("#status").strip() == "Waiting for payment"
    page.evaluate("window.stillTheSamePage = true")

    chain.pay(live_invoice, "0.002")  # from someone's wallet, not through the page
    page.wait_for_function("document.getElementById('status').textContent.includes('confirming')")
    chain.mine(2)
    page.wait_for_selector("#booking-link")

    assert page.evaluate("window.stillTheSamePage") is True  # no reload happened
    assert page.text_content("#status").strip() == "Paid"
    assert page.get_attribute("#booking-link", "href") == f"/bookings/{live_invoice.reference}/"
    assert not page.locator("svg.qr").is_visible() and not page.locator("#simulate").is_visible()
    assert page.text_content("#expires").strip() == "—"
    screenshot(page, "payments-live-status")


def test_the_sandbox_form_completes_a_payment(live_server, browser_page, live_invoice, screenshot):
    page = browser_page
    page.goto(live_server.url + signed(live_invoice))
    screenshot(page, "payments-pay-page")
    assert page.locator("svg.qr").is_visible()

    page.check("input[value=exact]")
    page.click("#simulate")

    page.wait_for_selector("#booking-link")
    assert page.text_content("#status").strip() == "Paid"
    screenshot(page, "payments-paid")
