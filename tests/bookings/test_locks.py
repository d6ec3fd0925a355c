"""Price locks: held 10 minutes by the clock, single-use, refused with a re-quote link."""
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from bookings.locks import LockGone, lock_consume, lock_peek, lock_restore, lock_store


def _lock(user_id=1, requote="/book/?room_type=1"):
    return lock_store(user_id=user_id, kind="stay", title="Room", subtotal=Decimal("200.00"),
                      discount=Decimal("0"), total=Decimal("200.00"), currency="USD", coin_code="BTC",
                      coin_rate=Decimal("50000.5"), crypto_amount=Decimal("0.00399996"), points=0,
                      redemption_code="", requote_url=requote, stay={"room_type_id": 1})


def test_lock_keeps_exact_amounts_for_ten_minutes():
    lock = _lock()
    again = lock_peek(lock_id=lock.id, user_id=1)
    assert again.total == Decimal("200.00") and again.crypto_amount == Decimal("0.00399996")
    assert again.coin_rate == Decimal("50000.5")
    assert 595 <= again.seconds_left <= 600


def test_lock_expires_by_the_clock_and_says_how_to_requote():
    with time_machine.travel(timezone.now(), tick=False) as clock:
        lock = _lock()
        clock.shift(timedelta(minutes=9, seconds=59))
        assert lock_peek(lock_id=lock.id, user_id=1).seconds_left == 1
        clock.shift(timedelta(seconds=1))
        with pytest.raises(LockGone) as gone:
            lock_consume(lock_id=lock.id, user_id=1)
    assert gone.value.code == "lock_expired"
    assert gone.value.requote_url == "/book/?room_type=1"
    assert "expired" in gone.value.message


def test_lock_is_single_use():
    lock = _lock()
    assert lock_consume(lock_id=lock.id, user_id=1).id == lock.id
    with pytest.raises(LockGone) as gone:
        lock_consume(lock_id=lock.id, user_id=1)
    assert gone.value.code == "lock_used"
    assert gone.value.requote_url == "/book/?room_type=1"


def test_restored_lock_can_be_used_again_until_its_original_expiry():
    with time_machine.travel(timezone.now(), tick=False) as clock:
        lock = _lock()
        lock_consume(lock_id=lock.id, user_id=1)
        lock_restore(lock=lock)
        clock.shift(timedelta(minutes=5))
        assert lock_consume(lock_id=lock.id, user_id=1).expires_at == lock.expires_at


def test_another_user_cannot_use_or_see_a_lock():
    lock = _lock(user_id=1)
    with pytest.raises(LockGone):
        lock_peek(lock_id=lock.id, user_id=2)
    assert lock_consume(lock_id=lock.id, user_id=1)


@pytest.mark.parametrize("bad", ["", "nope", "../../etc", "A" * 32])
def test_malformed_lock_ids_are_unknown(bad):
    with pytest.raises(LockGone) as gone:
        lock_peek(lock_id=bad, user_id=1)
    assert gone.value.code == "lock_unknown"


@pytest.mark.redis
def test_only_one_of_many_concurrent_consumers_gets_the_lock_on_redis():
    from concurrent.futures import ThreadPoolExecutor

    lock = _lock()

    def take(_):
        try:
            lock_consume(lock_id=lock.id, user_id=1)
            return True
        except LockGone:
            return False

    with ThreadPoolExecutor(max_workers=16) as pool:
        winners = sum(pool.map(take, range(32)))
    assert winners == 1
