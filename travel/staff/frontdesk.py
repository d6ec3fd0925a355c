"""Front desk selectors: who arrives, leaves and stays at one property, and how full it is.

Reads only. Own bookings (``bookings.Booking``) and channel reservations (``channels.ChannelBooking``)
are merged into one list of ``Stay`` rows, which is why this lives in the site layer: ``bookings``
may not read ``channels``. Dates are the hotel's own calendar (``Property.local_today``).

- Arrivals and departures: check-in or check-out on the day. In-house: arrived before today and
  staying tonight (today's arrivals and departures are listed as such, not twice).
- Expected guests: own bookings paid or confirmed (an unpaid booking is a price hold, not a guest),
  channel reservations whose rooms are held. A departure also counts a stay already completed.
- Occupancy: sold rooms over total rooms from ``inventory`` nights, per night.
- Revenue: each booking's total spread evenly over its nights, counted on the nights inside the
  window, per currency; own bookings confirmed, completed or no-show (nothing refunded), channel
  reservations held or no-show.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q, Sum
from django.urls import reverse

from bookings.models import Booking, ReviewItem
from catalogue.models import Property
from channels.models import ChannelBooking
from inventory.models import RoomNight

WINDOW_DAYS = 30
B, C = Booking.Status, ChannelBooking.Status
EXPECTED = (B.PAYMENT_CONFIRMED, B.CONFIRMED)
DEPARTED = (*EXPECTED, B.COMPLETED)
EARNING = (B.PAYMENT_CONFIRMED, B.CONFIRMED, B.COMPLETED, B.NO_SHOW)
CHANNEL_EXPECTED = (C.HELD,)
CHANNEL_EARNING = (C.HELD, C.NO_SHOW)


@dataclass(frozen=True)
class Stay:
    reference: str
    source: str  # "Direct" or the channel's name
    guest: str
    email: str
    phone: str
    companions: tuple[str, ...]
    room_type: str
    rooms: int
    guests: int
    check_in: date
    check_out: date
    status: str
    admin_url: str

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days


@dataclass(frozen=True)
class NightOccupancy:
    date: date
    sold: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.sold / self.total) if self.total else 0


@dataclass
class FrontDesk:
    property: Property
    today: date
    arrivals_today: list[Stay] = field(default_factory=list)
    arrivals_tomorrow: list[Stay] = field(default_factory=list)
    departures_today: list[Stay] = field(default_factory=list)
    departures_tomorrow: list[Stay] = field(default_factory=list)
    in_house: list[Stay] = field(default_factory=list)
    occupancy: list[NightOccupancy] = field(default_factory=list)
    revenue: dict[str, Decimal] = field(default_factory=dict)
    open_reviews: int = 0

    @property
    def tomorrow(self) -> date:
        return self.today + timedelta(days=1)

    @property
    def average_occupancy(self) -> int:
        total = sum(n.total for n in self.occupancy)
        return round(100 * sum(n.sold for n in self.occupancy) / total) if total else 0


def _own(prop: Property, statuses, condition: Q) -> list[Stay]:
    rows = (Booking.objects.filter(condition, property=prop, kind=Booking.Kind.STAY, status__in=statuses)
            .select_related("room_type", "user").prefetch_related("other_guests").order_by("check_in", "lead_name", "pk"))
    return [Stay(reference=b.reference, source="Direct", guest=b.lead_name or b.user.get_username(),
                 email=b.lead_email, phone=b.lead_phone,
                 companions=tuple(g.name for g in b.other_guests.all()),
                 room_type=b.room_type.name if b.room_type else "", rooms=b.rooms, guests=b.guests,
                 check_in=b.check_in, check_out=b.check_out, status=b.get_status_display(),
                 admin_url=reverse("admin:bookings_booking_change", args=[b.pk])) for b in rows]


def _channel(prop: Property, statuses, condition: Q) -> list[Stay]:
    rows = (ChannelBooking.objects.filter(condition, property=prop, status__in=statuses)
            .select_related("room_type", "channel").order_by("check_in", "guest_name", "pk"))
    return [Stay(reference=c.confirmation, source=c.channel.name, guest=c.guest_name or "(no name sent)",
                 email=c.guest_email, phone=c.guest_phone, companions=(),
                 room_type=c.room_type.name if c.room_type else "", rooms=c.rooms, guests=c.guests,
                 check_in=c.check_in, check_out=c.check_out, status=c.get_status_display(),
                 admin_url=reverse("admin:channels_channelbooking_change", args=[c.pk])) for c in rows]


def stays(prop: Property, condition: Q, *, statuses=EXPECTED) -> list[Stay]:
    """Own and channel stays of ``prop`` matching ``condition`` (on check_in/check_out), by guest name."""
    found = _own(prop, statuses, condition) + _channel(prop, CHANNEL_EXPECTED, condition)
    return sorted(found, key=lambda s: (s.check_in, s.guest.casefold(), s.reference))


def occupancy(prop: Property, dates: list[date]) -> list[NightOccupancy]:
    nights = (RoomNight.objects.filter(room_type__property=prop, date__in=dates).values("date")
              .annotate(total=Sum("total"), available=Sum("available")).order_by("date"))
    by_date = {n["date"]: NightOccupancy(n["date"], n["total"] - n["available"], n["total"]) for n in nights}
    return [by_date.get(d, NightOccupancy(d, 0, 0)) for d in dates]


def revenue(prop: Property, start: date, end: date) -> dict[str, Decimal]:
    """Money of the nights in [start, end), each booking's total spread over its nights, per currency."""
    overlapping = Q(check_in__lt=end, check_out__gt=start)
    rows = [*Booking.objects.filter(overlapping, property=prop, kind=Booking.Kind.STAY, status__in=EARNING)
            .values_list("check_in", "check_out", "total", "currency"),
            *ChannelBooking.objects.filter(overlapping, property=prop, status__in=CHANNEL_EARNING)
            .values_list("check_in", "check_out", "total", "currency")]
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for check_in, check_out, total, currency in rows:
        nights = (check_out - check_in).days
        if nights <= 0:
            continue
        inside = (min(check_out, end) - max(check_in, start)).days
        sums[currency] += (total * inside / nights).quantize(Decimal("0.01"))
    return dict(sorted(sums.items()))


def open_review_count(prop: Property) -> int:
    return ReviewItem.objects.filter(booking__property=prop, status=ReviewItem.Status.OPEN).count()


def front_desk(*, prop: Property, today: date | None = None) -> FrontDesk:
    today = today or prop.local_today()
    tomorrow = today + timedelta(days=1)
    window = [today + timedelta(days=i) for i in range(WINDOW_DAYS)]
    return FrontDesk(
        property=prop, today=today,
        arrivals_today=stays(prop, Q(check_in=today)),
        arrivals_tomorrow=stays(prop, Q(check_in=tomorrow)),
        departures_today=stays(prop, Q(check_out=today), statuses=DEPARTED),
        departures_tomorrow=stays(prop, Q(check_out=tomorrow)),
        in_house=stays(prop, Q(check_in__lt=today, check_out__gt=today)),
        occupancy=occupancy(prop, window),
        revenue=revenue(prop, today, today + timedelta(days=WINDOW_DAYS)),
        open_reviews=open_review_count(prop),
    )
