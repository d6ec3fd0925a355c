"""Sign-in lockouts: a few wrong passwords lock the account, and separately the client, out of
the site's and the admin's sign-in for the cool-off time, with a 429 page that says why."""
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pass-for-tests"
SITE = "/accounts/login/"
ADMIN = "/admin/login/"


def sign_in(client, username, password, *, path=SITE, address="127.0.0.1"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_account_is_locked_after_five_wrong_passwords_with_a_429_page(client, settings):
    UserFactory(username="mai")
    answers = [sign_in(client, "mai", "wrong").status_code for _ in range(settings.AXES_FAILURE_LIMIT)]

    # the first four are the usual form error; the fifth locks the account
    assert answers == [200] * 4 + [429]
    locked = sign_in(client, "mai", PASSWORD)  # even the right password, now
    assert locked.status_code == 429 and not signed_in(client)
    page = locked.content.decode()
    assert "Too many failed sign-in attempts" in page and "try again in 15 minutes" in page
    assert locked["Retry-After"] == "900"


def test_the_account_stays_locked_from_any_other_address(client):
    UserFactory(username="mai")
    for n in range(5):
        sign_in(client, "mai", "wrong", address=f"192.0.2.{n + 1}")

    assert sign_in(client, "mai", PASSWORD, address="198.51.100.7").status_code == 429
    assert not signed_in(client)


def test_a_client_guessing_many_accounts_is_locked_out_of_every_account(client):
    UserFactory(username="mai")
    for n in range(5):
        sign_in(client, f"someone{n}", "wrong", address="203.0.113.9")

    # that address can no longer sign in, even with an account's right password...
    assert sign_in(client, "mai", PASSWORD, address="203.0.113.9").status_code == 429
    assert not signed_in(client)
    # ...while the account itself is fine from elsewhere
    assert sign_in(client, "mai", PASSWORD, address="198.51.100.7").status_code == 302
    assert signed_in(client)


def test_a_success_forgets_the_accounts_failures(client):
    UserFactory(username="mai")
    for _ in range(4):
        sign_in(client, "mai", "wrong")
    assert sign_in(client, "mai", PASSWORD).status_code == 302
    client.logout()

    # four more wrong ones are four, not eight: the right password still works
    answers = [sign_in(client, "mai", "wrong").status_code for _ in range(4)]
    assert answers == [200] * 4
    assert sign_in(client, "mai", PASSWORD).status_code == 302 and signed_in(client)


def test_ones_own_successes_do_not_reset_the_count_of_guesses_at_others(client):
    """A guesser with an account of their own signs in between guesses: the address still locks."""
    UserFactory(username="guesser")
    for n in range(5):
        sign_in(client, f"victim{n}", "wrong", address="203.0.113.9")
        if n < 4:
            assert sign_in(client, "guesser", PASSWORD, address="203.0.113.9").status_code == 302
            client.logout()

    assert sign_in(client, "guesser", PASSWORD, address="203.0.113.9").status_code == 429


def test_many_successful_sign_ins_from_one_address_never_lock(client):
    users = [UserFactory() for _ in range(3)]
    for _ in range(10):
        for user in users:
            assert sign_in(client, user.username, PASSWORD).status_code == 302
            client.logout()


def test_the_lockout_ends_after_the_cool_off(client):
    UserFactory(username="mai")
    for _ in range(5):
        sign_in(client, "mai", "wrong")
    assert sign_in(client, "mai", PASSWORD).status_code == 429

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert sign_in(client, "mai", PASSWORD).status_code == 302


def test_the_cool_off_and_the_limit_come_from_the_settings(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    UserFactory(username="mai")

    assert [sign_in(client, "mai", "wrong").status_code for _ in range(2)] == [200, 429]
    locked = sign_in(client, "mai", PASSWORD)
    assert locked["Retry-After"] == "60" and "try again in 1 minute." in locked.content.decode()


def test_the_admin_sign_in_locks_out_too(client):
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    answers = [sign_in(client, "boss", "wrong", path=ADMIN).status_code for _ in range(5)]

    assert answers == [200] * 4 + [429]
    locked = sign_in(client, "boss", PASSWORD, path=ADMIN)
    assert locked.status_code == 429 and "Too many failed sign-in attempts" in locked.content.decode()
    assert client.get("/admin/").status_code == 302  # still not in


def test_admin_and_site_failures_add_up_for_one_account(client):
    UserFactory(username="boss", is_staff=True)
    for path in (SITE, ADMIN, SITE, ADMIN, SITE):
        sign_in(client, "boss", "wrong", path=path)

    assert sign_in(client, "boss", PASSWORD, path=ADMIN).status_code == 429


def test_a_forged_forwarded_for_does_not_give_a_fresh_address(client):
    """Without trusted proxies, X-Forwarded-For is the client's own word: it changes nothing."""
    UserFactory(username="mai")
    for n in range(5):
        client.post(SITE, {"username": f"someone{n}", "password": "wrong"}, REMOTE_ADDR="203.0.113.9",
                    HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

    assert client.post(SITE, {"username": "mai", "password": PASSWORD}, REMOTE_ADDR="203.0.113.9",
                       HTTP_X_FORWARDED_FOR="192.0.2.77").status_code == 429


def test_behind_one_trusted_proxy_the_client_is_the_address_it_received_from(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="mai")
    for n in range(5):  # all through the same proxy, from one client who prepends junk each time
        client.post(SITE, {"username": f"someone{n}", "password": "wrong"}, REMOTE_ADDR="10.0.0.2",
                    HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9")

    assert client.post(SITE, {"username": "mai", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2",
                       HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    assert client.post(SITE, {"username": "mai", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2",
                       HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 302
