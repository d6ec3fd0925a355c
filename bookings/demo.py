"""Demo data for bookings: hotel staff's permissions, and at every hotel a guest in every situation
a front desk meets (arriving today and tomorrow, in-house, leaving today, paid, unpaid, cancelled,
expired, no-show, completed) plus a review item, so every staff screen has something to show.

Idempotent: the bookings of a day carry that day in their reference, so running it again the same
day adds nothing, and on a later day adds that day's arrivals. Rows are written directly, as
placing, payment and the stay would have left them; the nights still ahead of a stay that holds
rooms are taken through ``inventory_reserve``, so occupancy and availability agree with them.
"""
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings.models import Booking, BookingGuest, ReviewItem
from bookings.payments.demo import DEMO_COIN, demo_settled_invoice
from catalogue.models import Property
from inventory.errors import InventoryError
from inventory.models import Rate
from inventory.services import inventory_reserve
from inventory.stays import Stay

S = Booking.Status
HOLDS_ROOMS = (S.PAYMENT_CONFIRMED, S.CONFIRMED)
PAID = (S.PAYMENT_CONFIRMED, S.CONFIRMED, S.NO_SHOW, S.COMPLETED)  # each with its settled invoice
FIRST_NAMES = ["Amelia", "Budi", "Chloe", "Dewi", "Ethan", "Farah", "Gustav", "Hana", "Ivan", "Julia", "Kenji", "Lina",
               "Marco", "Nadia", "Oscar", "Priya", "Quentin", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wei", "Yara"]
LAST_NAMES = ["Tan", "Santoso", "Martin", "Lestari", "Brown", "Rahman", "Berg", "Sato", "Petrov", "Rossi", "Ito",
              "Nguyen", "Bianchi", "Haddad", "Lind", "Sharma", "Dubois", "Garcia", "Olsen", "Kaur", "Ali", "Novak"]


@dataclass(frozen=True)
class Scene:
    code: str
    status: str
    arrive: int  # days from the hotel's today
    nights: int
    companions: int = 1


SCENES = [
    Scene("AR", S.CONFIRMED, 0, 2),           # arriving today
    Scene("AP", S.PAYMENT_CONFIRMED, 0, 3, companions=0),  # arriving today, paid, being confirmed
    Scene("TM", S.CONFIRMED, 1, 2),           # arriving tomorrow
    Scene("IH", S.CONFIRMED, -2, 4, companions=2),  # in-house
    Scene("DP", S.CONFIRMED, -3, 3),          # leaving today
    Scene("PE", S.PENDING, 6, 2, companions=0),   # waiting for payment
    Scene("CA", S.CANCELLED, 9, 3),
    Scene("EX", S.EXPIRED, 12, 1, companions=0),  # with a late payment to review
    Scene("NS", S.NO_SHOW, -1, 2, companions=0),
    Scene("CO", S.COMPLETED, -6, 3),
]


def seed() -> None:
    group = Group.objects.filter(name="Hotel staff").first()
    if group is not None:
        group.permissions.add(*Permission.objects.filter(
            content_type__app_label="bookings",
            codename__in=["view_booking", "view_bookingevent", "view_bookingguest", "view_sentemail",
                          "view_reviewitem", "change_reviewitem", "mark_no_show"],
        ))
    guests = _demo_guests_account()
    for number, prop in enumerate(Property.objects.order_by("pk")):
        _seed_hotel(prop, guests, number)


DEMO_GUESTS_USERNAME = "demo-guests"


def _demo_guests_account():
    """The account the front-desk scenes are booked under: not the demo ``traveller``, who would
    otherwise start with a dozen unpaid bookings (over the pending cap: unable to book) and a
    hundred strangers' stays in "My bookings". Nobody signs in as it."""
    account, created = get_user_model().objects.get_or_create(
        username=DEMO_GUESTS_USERNAME, defaults={"email": "demo-guests@example.com"})
    if created:
        account.set_unusable_password()
        account.save(update_fields=["password"])
    return account


def _seed_hotel(prop: Property, account, number: int) -> None:
    room_types = list(prop.room_types.order_by("code"))
    if not room_types:
        return
    today = prop.local_today()
    for index, scene in enumerate(SCENES):
        reference = f"D{today:%y%m%d}{prop.pk:03d}{scene.code}"
        if Booking.objects.filter(reference=reference).exists():
            continue
        room_type = room_types[index % len(room_types)]
        booking = _booking(prop, room_type, account, reference, scene, today, seed=number * len(SCENES) + index)
        if scene.code == "EX":
            ReviewItem.objects.get_or_create(
                booking=booking, reason=ReviewItem.Reason.LATE_PAYMENT, status=ReviewItem.Status.OPEN,
                defaults={"detail": "Paid 14 minutes after the invoice expired: refund it, or honour the stay "
                                    "if rooms are left."})


def _booking(prop, room_type, account, reference, scene: Scene, today, *, seed: int) -> Booking:
    check_in = today + timedelta(days=scene.arrive)
    check_out = check_in + timedelta(days=scene.nights)
    plan = prop.rate_plans.order_by("-refundable", "code").first()
    rate = Rate.objects.filter(room_type=room_type, rate_plan=plan, date__gte=today).order_by("date").first()
    nightly = rate.double if rate else Decimal("100")
    total = nightly * scene.nights
    first, last = FIRST_NAMES[seed % len(FIRST_NAMES)], LAST_NAMES[(seed * 7) % len(LAST_NAMES)]
    hold = None
    if scene.status in HOLDS_ROOMS and check_out > today:
        try:  # the nights still ahead; those already past are history
            hold = inventory_reserve(room_type=room_type, stay=Stay(max(check_in, today), check_out),
                                     source="direct", reference=f"hold-{reference}")
        except (InventoryError, ValidationError):
            hold = None  # sold out in the demo: the booking shows, its rooms are not held
    booking = Booking.objects.create(
        reference=reference, user=account, kind=Booking.Kind.STAY, status=scene.status,
        title=f"{prop.name} · {room_type.name}, {scene.nights} night{'s' if scene.nights > 1 else ''}",
        property=prop, room_type=room_type, rate_plan=plan, hold=hold, check_in=check_in, check_out=check_out,
        rooms=1, guests=1 + scene.companions, refundable=bool(plan and plan.refundable),
        free_cancellation_days=plan.free_cancellation_days if plan else 0,
        subtotal=total, total=total, currency="USD", coin_code=DEMO_COIN, coin_rate=Decimal("1"), crypto_amount=total,
        lead_name=f"{first} {last}", lead_email=f"{first.lower()}.{last.lower()}@example.com",
        lead_phone=f"+4420794{60000 + seed:05d}", idempotency_key=f"demo-{reference}", request_fingerprint="demo",
        payment_expires_at=timezone.now() + timedelta(minutes=10) if scene.status == S.PENDING else None,
    )
    if scene.status in PAID:
        demo_settled_invoice(reference=reference, fiat_amount=total, fiat_currency="USD",
                             paid_at=timezone.now() - timedelta(days=max(1, -scene.arrive + 7)))
    for position in range(1, scene.companions + 1):
        companion = FIRST_NAMES[(seed + 5 * position) % len(FIRST_NAMES)]
        BookingGuest.objects.create(booking=booking, position=position, name=f"{companion} {last}")
    return booking
