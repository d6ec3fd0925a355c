"""The demo traveller signs in and reads their rewards page in a real browser.

Playwright's sync API runs an event loop in the thread that starts it, so the browser is driven
from its own thread here and the test thread stays free for Django's database calls.
"""
import pytest

from tests.fixtures.browser import in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_traveller_sees_balance_tier_and_history(live_server, artifacts_dir, demo_rewards):

    def visit(page):
        page.goto(f"{live_server.url}/rewards/")
        page.fill("input[name=username]", "traveller")
        page.fill("input[name=password]", "traveller-demo-pass")
        page.locator("main form [type=submit]").click()
        page.wait_for_url(f"{live_server.url}/rewards/")
        page.screenshot(path=str(artifacts_dir / "rewards-page.png"), full_page=True)
        return {
            "available": page.get_by_test_id("available").inner_text(),
            "pending": page.get_by_test_id("pending").inner_text(),
            "tier": page.get_by_role("heading", name="Tier: Silver").is_visible(),
            "rows": page.locator("table.rewards-history tbody tr").count(),
        }

    seen = in_browser(visit)

    assert seen == {"available": "1,020 points", "pending": "432 points", "tier": True, "rows": 10}


def test_staff_adjust_a_balance_with_a_reason_in_the_admin(live_server, artifacts_dir, demo_rewards):
    from rewards.models import Account
    from rewards.selectors import balance_of

    account = Account.objects.get(user__username="traveller")

    def adjust(page):
        page.goto(f"{live_server.url}/admin/rewards/account/{account.pk}/change/")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", "admin-demo-pass")
        page.locator("form [type=submit]").click()
        page.get_by_role("link", name="Adjust balance…").click()
        page.fill("input[name=points]", "150")
        page.fill("textarea[name=reason]", "Late check-in apology")
        page.screenshot(path=str(artifacts_dir / "rewards-admin-adjust.png"), full_page=True)
        page.get_by_role("button", name="Add adjustment").click()
        page.wait_for_url(f"{live_server.url}/admin/rewards/account/{account.pk}/change/")
        return page.locator(".messagelist").inner_text()

    message = in_browser(adjust)

    assert "Adjusted traveller by 150 points" in message
    assert balance_of(user=account.user).available == 1170
