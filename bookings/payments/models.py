"""Crypto payment models: the coin registry, invoices, the on-chain payment ledger, the webhook
deliveries as received, refunds, and platform credit (an append-only ledger per traveller and
currency: ``CreditAccount.balance`` is a cache of the sum of its ``CreditEntry`` rows).

Money is Decimal everywhere. Crypto amounts carry up to 18 decimal places (ETH and most ERC-20
tokens use 18); each coin rounds to its own ``decimals``. Crypto amounts and rates use
ExactDecimalField, which keeps all digits on SQLite too.
"""
from decimal import Decimal

from django.conf import settings
from django.db import models

from bookings.payments.fields import ExactDecimalField
from core.models import AppendOnlyModel, AppendOnlyQuerySet

CRYPTO_DIGITS = dict(max_digits=40, decimal_places=18)
RATE_DIGITS = dict(max_digits=38, decimal_places=18)
FIAT_DIGITS = dict(max_digits=14, decimal_places=2)


class Coin(models.Model):
    """A cryptocurrency on one network. USDT on Tron and USDT on Ethereum are two coins."""

    code = models.CharField(max_length=20, unique=True, help_text="Our code, e.g. BTC, USDT-TRC20.")
    symbol = models.CharField(max_length=12, help_text="The ticker shown to travellers, e.g. USDT.")
    name = models.CharField(max_length=60)
    network = models.CharField(max_length=40)
    decimals = models.PositiveSmallIntegerField(help_text="Smallest unit: 10^-decimals (at most 18).")
    confirmations_required = models.PositiveSmallIntegerField(
        help_text="Speed policy: blocks on top of a payment before it counts as settled."
    )
    minimum_amount = ExactDecimalField(**CRYPTO_DIGITS, help_text="Smallest invoice accepted in this coin.")
    uri_scheme = models.CharField(max_length=30, blank=True, help_text="Wallet link scheme, e.g. bitcoin.")
    active = models.BooleanField(default=True)
    sort_order = models.PositiveIntegerField(default=1000)

    class Meta:
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(decimals__lte=18), name="coin_decimals_at_most_18"),
        ]

    def __str__(self):
        return f"{self.symbol} ({self.network})" if self.symbol != self.code else self.code

    @property
    def quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.decimals)


class Invoice(models.Model):
    """One crypto invoice for one reference (a booking). The rate is locked until ``expires_at``."""

    class Status(models.TextChoices):
        NEW = "new", "Waiting for payment"
        PROCESSING = "processing", "Payment seen, confirming"
        SETTLED = "settled", "Paid"
        EXPIRED = "expired", "Expired"
        INVALID = "invalid", "Invalid"

    class Exception_(models.TextChoices):
        NONE = "", "None"
        PAID_PARTIAL = "paid_partial", "Paid partially"
        PAID_OVER = "paid_over", "Paid over"
        PAID_LATE = "paid_late", "Paid late"

    OPEN = (Status.NEW, Status.PROCESSING)

    reference = models.CharField(max_length=40, unique=True, help_text="The booking reference.")
    coin = models.ForeignKey(Coin, on_delete=models.PROTECT, related_name="invoices")
    fiat_amount = models.DecimalField(**FIAT_DIGITS)
    fiat_currency = models.CharField(max_length=3)
    rate = ExactDecimalField(**RATE_DIGITS, help_text="Fiat per coin, locked until expiry.")
    amount_due = ExactDecimalField(**CRYPTO_DIGITS)
    amount_paid = ExactDecimalField(**CRYPTO_DIGITS, default=Decimal(0), help_text="Seen before expiry.")
    amount_confirmed = ExactDecimalField(**CRYPTO_DIGITS, default=Decimal(0))
    amount_late = ExactDecimalField(**CRYPTO_DIGITS, default=Decimal(0), help_text="Seen after expiry.")
    excess_amount = ExactDecimalField(
        **CRYPTO_DIGITS, default=Decimal(0), help_text="Paid over the amount due: to refund or credit."
    )
    shortfall_accepted = ExactDecimalField(
        **CRYPTO_DIGITS, default=Decimal(0),
        help_text="Paid under the amount due but within the coin's tolerance (network-fee dust): counted as paid.",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW, db_index=True)
    exception = models.CharField(max_length=14, choices=Exception_.choices, default="", blank=True)
    processor_id = models.CharField(max_length=64, blank=True, db_index=True)
    address = models.CharField(max_length=128, blank=True)
    payment_link = models.CharField(max_length=300, blank=True)
    submit_attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    monitoring_until = models.DateTimeField(help_text="Payments are still watched until then.")
    settled_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_due__gt=0), name="invoice_amount_due_positive"),
        ]

    def __str__(self):
        return f"{self.reference} {self.amount_due} {self.coin.code} [{self.status}]"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def amount_outstanding(self) -> Decimal:
        return max(self.amount_due - self.amount_paid, Decimal(0))


class ChainPayment(models.Model):
    """The ledger: one row per on-chain transaction paying an invoice, deduplicated on tx id."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    txid = models.CharField(max_length=128)
    amount = ExactDecimalField(**CRYPTO_DIGITS)
    confirmations = models.PositiveIntegerField(default=0)
    after_expiration = models.BooleanField(default=False)
    received_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "txid"], name="chain_payment_unique_tx"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="chain_payment_amount_positive"),
        ]

    def __str__(self):
        return f"{self.txid} {self.amount} ({self.confirmations} conf)"


class WebhookDelivery(models.Model):
    """A processor webhook as received (after its signature checked), once per delivery id."""

    delivery_id = models.CharField(max_length=100, unique=True)
    event_type = models.CharField(max_length=40)
    processor_invoice_id = models.CharField(max_length=64, blank=True, db_index=True)
    body = models.TextField()
    sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self):
        return f"{self.event_type} {self.delivery_id}"


class Refund(models.Model):
    """Money given back for a reference: on-chain (crypto) or as platform credit.

    A crypto refund is a pull payment at the processor: the traveller opens its claim link, gives
    a wallet address for the coin, and the processor pays out. ``claim_state`` follows it
    (refreshed by ``payments.refresh_refund_claims``); it stays blank for credit."""

    class Method(models.TextChoices):
        CRYPTO = "crypto", "Crypto"
        CREDIT = "credit", "Platform credit"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent to the processor"
        CREDITED = "credited", "Credited"
        FAILED = "failed", "Failed"

    class ClaimState(models.TextChoices):
        NONE = "", "No claim (credit, or not sent yet)"
        UNCLAIMED = "unclaimed", "Waiting for the traveller to claim it"
        CLAIMED = "claimed", "Claimed: being paid out"
        PAID_OUT = "paid_out", "Paid out"

    EXCESS_REASON = "Overpayment returned"  # the reason of the (one) refund that returns an overpayment

    reference = models.CharField(max_length=40, db_index=True)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="refunds")
    method = models.CharField(max_length=8, choices=Method.choices)
    fiat_amount = models.DecimalField(**FIAT_DIGITS)
    crypto_amount = ExactDecimalField(**CRYPTO_DIGITS)
    reason = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    processor_refund_id = models.CharField(max_length=64, blank=True, help_text="The processor's pull payment.")
    claim_link = models.URLField(max_length=500, blank=True,
                                 help_text="Where the traveller claims a crypto refund: for their eyes only.")
    claim_state = models.CharField(max_length=10, choices=ClaimState.choices, default=ClaimState.NONE, blank=True)
    payout_txid = models.CharField(max_length=128, blank=True, help_text="The payout's transaction, once paid out.")
    claim_checked_at = models.DateTimeField(null=True, blank=True)
    paid_out_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(fiat_amount__gt=0), name="refund_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["claim_state", "claim_checked_at"], name="refund_claims_to_refresh",
                         condition=models.Q(claim_state__in=["unclaimed", "claimed"])),
        ]

    def __str__(self):
        return f"{self.reference} {self.fiat_amount} {self.method} [{self.status}]"


class CreditAccount(models.Model):
    """A traveller's platform credit in one fiat currency. ``balance`` is a cache of the sum of
    the account's entries, updated under the account's row lock in the entry's transaction."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credit_accounts")
    currency = models.CharField(max_length=3)
    balance = models.DecimalField(**FIAT_DIGITS, default=Decimal("0.00"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "currency"], name="credit_account_one_per_currency"),
            models.CheckConstraint(condition=models.Q(balance__gte=0), name="credit_account_balance_gte_0"),
        ]

    def __str__(self):
        return f"Credit of {self.user} in {self.currency}: {self.balance}"


class CreditEntry(AppendOnlyModel):
    """One movement of platform credit. Never updated, never deleted."""

    append_only_hint = "add a reversing credit entry instead"

    class Kind(models.TextChoices):
        REFUND = "refund", "Refund as credit"
        EXCESS = "excess", "Overpayment kept as credit"
        SPEND = "spend", "Used on a booking"
        RETURN = "return", "Returned (booking not paid)"
        ADJUST = "adjust", "Adjusted by staff"

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    amount = models.DecimalField(**FIAT_DIGITS, help_text="Positive adds credit, negative spends it.")
    source_key = models.CharField(max_length=200, unique=True,
                                  help_text="What caused it, e.g. refund:<id>. The same cause never applies twice.")
    booking_reference = models.CharField(max_length=40, blank=True, db_index=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "credit entries"
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="credit_entry_moves_credit"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount:+} ({self.source_key})"
