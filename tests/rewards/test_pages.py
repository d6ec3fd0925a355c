"""The traveller's rewards page and the staff adjustment form."""
import re

import pytest
from django.urls import reverse

from rewards.models import Entry
from rewards.selectors import balance_of, ledger_mismatches
from tests.factories import UserFactory
from tests.rewards.conftest import give_points, new_reference

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_page_asks_to_sign_in(client):
    response = client.get("/rewards/")
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_page_shows_balance_tier_progress_and_history(client, events, traveller):
    ref = new_reference()
    events.confirmed(traveller, ref, total="700.00")
    events.completed(traveller, ref, total="700.00")
    pending_ref = new_reference()
    events.confirmed(traveller, pending_ref, total="250.00")
    client.force_login(traveller)

    response = client.get("/rewards/")

    assert response.status_code == 200
    page = text(response)
    assert "Available 700 points" in page
    assert "Pending 250 points" in page
    assert "Tier: Explorer" in page
    assert "700.00 spent on completed stays in the last 12 months; 300.00 more to reach Silver (3%)" in page
    assert 'value="70"' in response.content.decode()  # progress bar: 70% of the way
    assert page.count(ref) == 2 and pending_ref in page  # earn and vest, then the pending earn


def test_the_page_shows_only_my_points(client, events, traveller):
    events.confirmed(traveller, new_reference(), total="900.00")
    someone_else = UserFactory()
    client.force_login(someone_else)

    page = text(client.get("/rewards/"))

    assert "Available 0 points" in page and "Pending 0 points" in page
    assert "No points yet" in page


def test_staff_adjust_a_balance_only_with_a_reason(admin_client, traveller, staff):
    give_points(traveller, 100, staff)
    account = traveller.rewards_account
    url = reverse("admin:rewards_account_adjust", args=[account.pk])
    form = admin_client.get(url)
    token = re.search(r'name="token" value="([^"]+)"', form.content.decode()).group(1)

    refused = admin_client.post(url, {"points": "250", "reason": "  ", "token": token})
    assert refused.status_code == 400
    assert "This field is required" in refused.content.decode() or "reason is required" in refused.content.decode()
    assert balance_of(user=traveller).available == 100

    done = admin_client.post(url, {"points": "250", "reason": "Goodwill for a noisy room", "token": token})
    again = admin_client.post(url, {"points": "250", "reason": "Goodwill for a noisy room", "token": token})

    assert done.status_code == 302 and again.status_code == 302
    assert balance_of(user=traveller).available == 350  # the resubmitted form applied once
    entry = Entry.objects.get(kind="adjust", note="Goodwill for a noisy room")
    assert entry.created_by.username == "admin"


def test_staff_cannot_overdraw_by_adjustment(admin_client, traveller, staff):
    give_points(traveller, 100, staff)
    url = reverse("admin:rewards_account_adjust", args=[traveller.rewards_account.pk])

    response = admin_client.post(url, {"points": "-101", "reason": "correction", "token": "t-1"})

    assert response.status_code == 400
    assert "only 100 points available" in response.content.decode()
    assert balance_of(user=traveller).available == 100


def test_admin_shows_entries_read_only(admin_client, traveller, staff):
    give_points(traveller, 100, staff)
    entry = Entry.objects.get()

    assert admin_client.get(reverse("admin:rewards_entry_add")).status_code == 403
    assert admin_client.post(reverse("admin:rewards_entry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    page = admin_client.get(reverse("admin:rewards_account_change", args=[traveller.rewards_account.pk]))
    assert page.status_code == 200
    assert "Adjust balance" in page.content.decode() and "(matches)" in page.content.decode()


def test_demo_traveller_has_history_and_a_balance_and_seeding_twice_changes_nothing(client, demo_rewards):
    demo_rewards.seed()  # seed_demo runs it on every start
    from django.contrib.auth import get_user_model

    traveller = get_user_model().objects.get(username="traveller")
    balance = balance_of(user=traveller)
    # 500 welcome + 640 + 480 completed at 1%, minus 600 redeemed; 3% of 144.00 pending at Silver
    assert (balance.available, balance.pending, balance.held) == (1020, 432, 0)
    assert Entry.objects.filter(account__user=traveller).count() == 10  # 1 + 2 + 2 + 3 + 2
    assert ledger_mismatches() == []
    client.force_login(traveller)
    assert "Tier: Silver" in text(client.get("/rewards/"))


def test_history_pages_and_a_bad_page_number_is_not_an_error(client, events, traveller):
    for _ in range(13):  # 26 entries: two pages
        ref = new_reference()
        events.confirmed(traveller, ref, total="10.00")
        events.completed(traveller, ref, total="10.00")
    client.force_login(traveller)

    first = client.get("/rewards/")
    last = client.get("/rewards/?page=2")
    bad = client.get("/rewards/?page=abc")

    assert "Page 1 of 2" in text(first) and "Older" in text(first)
    assert first.content.decode().count("<time datetime") == 25
    assert last.content.decode().count("<time datetime") == 1
    assert bad.status_code == 200 and "Page 1 of 2" in text(bad)
