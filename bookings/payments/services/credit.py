"""Platform credit: the one place that appends credit entries and keeps the balance in step.

Every writer locks the traveller's account row (per currency) first, so two requests spending
the same credit are serialised: the second sees the balance the first left and is refused if
it is not enough. Entries are idempotent on ``source_key``.
"""
from decimal import Decimal

from django.db import transaction
from django.db.models import F

from bookings.payments.errors import CreditRefused
from bookings.payments.models import CreditAccount, CreditEntry, Invoice

CENT = Decimal("0.01")


def credit_account_lock(*, user_id: int, currency: str, lock: bool = True) -> CreditAccount:
    """The traveller's credit account in ``currency``, created if missing, row-locked for the rest
    of the transaction (``lock=False`` exists only for the concurrency test's negative control)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("credit_account_lock() must run inside a transaction")
    currency = currency.upper()
    CreditAccount.objects.get_or_create(user_id=user_id, currency=currency)
    rows = CreditAccount.objects.select_for_update() if lock else CreditAccount.objects
    return rows.get(user_id=user_id, currency=currency)


def credit_append(*, account: CreditAccount, kind: str, amount: Decimal, source_key: str,
                  booking_reference: str = "", note: str = "") -> CreditEntry | None:
    """Append one entry to a locked account; None if ``source_key`` was already applied.
    Refuses (CreditRefused) an entry that would take the balance below zero."""
    amount = Decimal(amount)
    if amount == 0:
        return None
    if amount != amount.quantize(CENT):
        raise CreditRefused("Credit moves in whole cents.")
    if CreditEntry.objects.filter(source_key=source_key).exists():
        return None
    if account.balance + amount < 0:
        raise CreditRefused(f"You have {account.balance} {account.currency} of credit; {-amount} was asked for.")
    entry = CreditEntry.objects.create(account=account, kind=kind, amount=amount, source_key=source_key,
                                       booking_reference=booking_reference, note=note[:200])
    CreditAccount.objects.filter(pk=account.pk).update(balance=F("balance") + amount)
    account.balance += amount
    return entry


def credit_grant(*, user_id: int, currency: str, amount: Decimal, kind: str, source_key: str,
                 booking_reference: str = "", note: str = "") -> CreditEntry | None:
    """Add credit to the traveller's balance (a refund as credit, an overpayment kept)."""
    if Decimal(amount) <= 0:
        raise CreditRefused("Credit granted must be above zero.")
    with transaction.atomic():
        account = credit_account_lock(user_id=user_id, currency=currency)
        return credit_append(account=account, kind=kind, amount=Decimal(amount), source_key=source_key,
                             booking_reference=booking_reference, note=note)


def credit_spend(*, user_id: int, currency: str, amount: Decimal, booking_reference: str,
                 lock_account: bool = True) -> CreditEntry | None:
    """Spend credit on a booking being placed, inside the placement's transaction (so a booking
    that is not placed spends nothing). Refuses (CreditRefused) more than the balance holds: two
    placements spending the same credit queue on the account's row lock and only one succeeds."""
    with transaction.atomic():
        account = credit_account_lock(user_id=user_id, currency=currency, lock=lock_account)
        if account.balance < Decimal(amount):
            raise CreditRefused(f"Your credit balance is {account.balance} {account.currency}, less than the "
                                f"{amount} {account.currency} locked with this price; get a fresh quote.")
        return credit_append(account=account, kind=CreditEntry.Kind.SPEND, amount=-Decimal(amount),
                             source_key=f"booking:{booking_reference}:spend", booking_reference=booking_reference,
                             note="Used on a booking")


def credit_return(*, booking_reference: str, note: str, amount: Decimal | None = None) -> CreditEntry | None:
    """Give back the credit a booking spent (it ended unpaid, or was cancelled with a refund):
    all of it, or ``amount`` of it (a booking paid entirely with credit, cancelled under terms
    that keep a fee). Idempotent: a booking's credit is returned at most once. None when it
    spent none (or ``amount`` is zero)."""
    with transaction.atomic():
        spent = (CreditEntry.objects.filter(booking_reference=booking_reference, kind=CreditEntry.Kind.SPEND)
                 .select_related("account").first())
        if spent is None:
            return None
        back = -spent.amount if amount is None else Decimal(amount)
        if back < 0 or back > -spent.amount:
            raise CreditRefused(f"At most {-spent.amount} {spent.account.currency} of credit can go back to "
                                f"{booking_reference}'s traveller; {back} was asked for.")
        account = credit_account_lock(user_id=spent.account.user_id, currency=spent.account.currency)
        return credit_append(account=account, kind=CreditEntry.Kind.RETURN, amount=back,
                             source_key=f"booking:{booking_reference}:return", booking_reference=booking_reference,
                             note=note)


def credit_return_on_end(*, booking_reference: str, topic: str, refund_method: str = "") -> CreditEntry | None:
    """A booking ended (``booking.expired`` / ``.failed`` / ``.cancelled``): its credit goes back,
    unless it was cancelled after payment without any refund (a non-refundable rate keeps it).
    A booking with no invoice was paid entirely with credit (and points): cancelled without a
    refund, its credit was the payment and is kept; with one, the cancellation already gave back
    its share (``credit_return`` with an amount), so this finds it done."""
    if topic == "booking.cancelled" and refund_method in ("", "none"):
        invoice = Invoice.objects.filter(reference=booking_reference).first()
        if invoice is None or invoice.amount_paid + invoice.amount_late > 0:
            return None
    return credit_return(booking_reference=booking_reference, note=f"Returned: {topic.split('.')[-1]}")
