"""Locking a price: a stay from our own inventory or a supplier offer, in the chosen coin."""
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.urls import reverse

from bookings.errors import Unbookable
from bookings.limits import within_holding_limits
from bookings.locks import PriceLock, lock_store
from bookings.redemption import Allowance, redemption_provider
from catalogue.models import RoomType
from core.money import money
from inventory.models import RatePlan
from inventory.selectors import stay_quote
from inventory.stays import Stay

if TYPE_CHECKING:
    from bookings.payments.selectors import CreditAllowance

POINTS_PROVIDER = "points"
MAX_POINTS = 10_000_000


@dataclass(frozen=True)
class CoinPrice:
    coin_code: str
    rate: Decimal
    amount: Decimal


NOTHING_TO_PAY = CoinPrice(coin_code="", rate=Decimal(0), amount=Decimal(0))


def coin_price(*, fiat_amount: Decimal, currency: str, coin_code: str) -> CoinPrice:
    """The amount due in ``coin_code`` for a fiat amount, from payments' quote."""
    from bookings.payments.errors import PaymentError
    from bookings.payments.selectors import crypto_quote

    if fiat_amount == 0:
        return NOTHING_TO_PAY  # credit and points cover it all: no coin, no invoice
    code = (coin_code or "").strip().upper()
    if not code:
        raise ValidationError("Choose a coin to pay with.", code="coin")
    if fiat_amount < 0:
        raise ValidationError("Points and credit can pay for a booking, not more than it.", code="points")
    try:
        quote = crypto_quote(fiat_amount=fiat_amount, fiat_currency=currency, coin_code=code)
    except PaymentError as exc:  # unknown coin, below its minimum, rates down: the traveller's message
        raise ValidationError(exc.message, code=exc.code) from exc
    return CoinPrice(coin_code=quote.coin.code, rate=Decimal(quote.rate), amount=Decimal(quote.amount))


def stay_requote_url(*, room_type_id, rate_plan_id, check_in, check_out, rooms, guests) -> str:
    query = urlencode({"room_type": room_type_id, "rate_plan": rate_plan_id, "check_in": check_in,
                       "check_out": check_out, "rooms": rooms, "guests": guests})
    return f"{reverse('bookings:checkout')}?{query}"


def offer_requote_url(*, kind: str, offer_id: str) -> str:
    return f"{reverse('bookings:checkout_offer')}?{urlencode({'kind': kind, 'offer_id': offer_id})}"


def points_allowance(*, user, fiat_total: Decimal, currency: str) -> Allowance | None:
    """The traveller's points balance and the most points a booking of ``fiat_total`` may use
    (None when points cannot be redeemed). Checkout shows it; the price lock enforces it."""
    provider = redemption_provider(POINTS_PROVIDER)
    if provider is None or not getattr(user, "is_authenticated", False):
        return None
    return provider.allowance(user=user, fiat_total=fiat_total, currency=currency)


def _discount(*, user, points: int, fiat_total: Decimal, currency: str) -> tuple[Decimal, str]:
    if not points:
        return Decimal("0.00"), ""
    if points < 0 or points > MAX_POINTS:
        raise ValidationError("Enter a number of points between 0 and your balance.", code="points")
    provider = redemption_provider(POINTS_PROVIDER)
    if provider is None:
        raise ValidationError("Points cannot be redeemed right now.", code="points")
    allowance = provider.allowance(user=user, fiat_total=fiat_total, currency=currency)
    if points > allowance.maximum:
        raise ValidationError(points_refusal(points=points, allowance=allowance), code="points")
    discount = money(provider.quote_discount(user=user, amount=Decimal(points), fiat_total=fiat_total,
                                             currency=currency))
    return min(discount, fiat_total), POINTS_PROVIDER


def points_refusal(*, points: int, allowance: Allowance) -> str:
    """Why ``points`` cannot be used: the balance and the booking's maximum, named."""
    return (f"You asked to use {points:,} points, but you have {int(allowance.balance):,} points and at most "
            f"{int(allowance.maximum):,} can be used on this booking (up to {allowance.cap_percent.normalize():f}% "
            f"of its total). Nothing was locked; choose at most {int(allowance.maximum):,} points.")


def credit_allowance(*, user, fiat_total: Decimal, currency: str) -> "CreditAllowance | None":
    """The traveller's platform credit in ``currency`` and the most of it a booking of ``fiat_total``
    may use (None without any credit in that currency)."""
    from bookings.payments.selectors import credit_allowance_of

    if not getattr(user, "is_authenticated", False):
        return None
    allowance = credit_allowance_of(user=user, fiat_total=fiat_total, currency=currency)
    return allowance if allowance.balance > 0 else None


def _credit(*, user, credit, due: Decimal, currency: str) -> Decimal:
    """The credit to lock: whole cents, at most the balance and at most what is still due (all of
    it: a booking credit covers entirely has nothing to pay in crypto). Checked again, under a
    row lock, at placement."""
    from bookings.payments.selectors import credit_allowance_of

    credit = Decimal(credit or 0)
    if not credit:
        return Decimal("0.00")
    if credit < 0 or credit != credit.quantize(Decimal("0.01")):
        raise ValidationError("Enter the credit to use as an amount with at most two decimals, above zero.",
                              code="credit")
    allowance = credit_allowance_of(user=user, fiat_total=due, currency=currency)
    if credit > allowance.maximum:
        raise ValidationError(
            f"You asked to use {credit} {currency} of credit, but you have {allowance.balance} {currency} and at "
            f"most {allowance.maximum} {currency} can be used on this booking (what is still due). "
            "Nothing was locked.", code="credit")
    return money(credit)


@within_holding_limits
def price_lock_stay(*, user, room_type: RoomType, rate_plan: RatePlan, stay: Stay, coin_code: str,
                    points: int = 0, credit: Decimal = Decimal("0.00")) -> PriceLock:
    """Quote the stay (taxes and fees included), convert it and lock it for 10 minutes."""
    if rate_plan.property_id != room_type.property_id:
        raise ValidationError("This rate plan is not offered for this room.", code="rate_plan")
    quote = stay_quote(room_type=room_type, rate_plan=rate_plan, stay=stay)
    if not quote.bookable:
        raise Unbookable(quote.reason)
    discount, redemption = _discount(user=user, points=points, fiat_total=quote.total, currency=quote.currency)
    credit = _credit(user=user, credit=credit, due=quote.total - discount, currency=quote.currency)
    discount += credit
    total = quote.total - discount
    price = coin_price(fiat_amount=total, currency=quote.currency, coin_code=coin_code)
    stay_fields = {"room_type_id": room_type.pk, "rate_plan_id": rate_plan.pk, "check_in": stay.check_in.isoformat(),
                   "check_out": stay.check_out.isoformat(), "rooms": stay.rooms, "guests": stay.guests}
    return lock_store(
        user_id=user.pk, kind="stay",
        title=f"{room_type.property.name} · {room_type.name} · {rate_plan.name}",
        subtotal=quote.total, discount=discount, total=total, currency=quote.currency,
        coin_code=price.coin_code, coin_rate=price.rate, crypto_amount=price.amount,
        points=points if redemption else 0, redemption_code=redemption, credit=credit,
        requote_url=stay_requote_url(**stay_fields), stay={**stay_fields, **_terms_of(rate_plan)},
    )


def _terms_of(rate_plan: RatePlan) -> dict:
    """The cancellation terms shown with the price, locked with it: the booking gets these."""
    return {"refundable": rate_plan.refundable,
            "free_cancellation_days": rate_plan.free_cancellation_days if rate_plan.refundable else 0}


@within_holding_limits
def price_lock_offer(*, user, kind: str, offer_id: str, coin_code: str, points: int = 0,
                     credit: Decimal = Decimal("0.00")) -> PriceLock:
    """Check the supplier's price now (offer_get), convert it and lock it for 10 minutes."""
    from suppliers import offer_get
    from suppliers.errors import SupplierRefused

    if kind not in ("hotel", "flight", "activity"):
        raise ValidationError("Choose a hotel, flight or activity offer.", code="kind")
    try:
        offer = offer_get(kind=kind, offer_id=offer_id)
    except SupplierRefused as exc:
        raise ValidationError(f"This offer is no longer available: {exc}", code="offer_gone") from exc
    price = money(Decimal(offer.price))
    discount, redemption = _discount(user=user, points=points, fiat_total=price, currency=offer.currency)
    credit = _credit(user=user, credit=credit, due=price - discount, currency=offer.currency)
    discount += credit
    total = price - discount
    coin = coin_price(fiat_amount=total, currency=offer.currency, coin_code=coin_code)
    details = dict(offer.details or {})
    return lock_store(
        user_id=user.pk, kind=kind, title=offer.title,
        subtotal=price, discount=discount, total=total, currency=offer.currency,
        coin_code=coin.coin_code, coin_rate=coin.rate, crypto_amount=coin.amount,
        points=points if redemption else 0, redemption_code=redemption, credit=credit,
        requote_url=offer_requote_url(kind=kind, offer_id=offer_id),
        offer={"offer_id": offer.id, "supplier": getattr(offer, "supplier", "") or "", "price": str(price),
               "currency": offer.currency, "details": _json_safe(details)},
    )


def _json_safe(details: dict) -> dict:
    return {str(k): (v if isinstance(v, (str, int, bool, type(None), list, dict)) else str(v))
            for k, v in details.items()}
