"""The supplier sandbox: a travel wholesaler selling hotels, flights and activities.

Deterministic: the same criteria always give the same offers and prices, so tests and the demo
can rely on them. Offer ids describe the offer (kind, criteria, position), so a lookup needs no
state and answers with a fresh price. Run-time knobs (``POST /_sandbox/config``): the toolkit's
``latency_ms``, ``down``, ``fail_next``, ``rate_limit_per_second``, and in ``extra``:

- ``book_latency_ms``: a booking answers ``pending`` and is ``confirmed`` that long after it was
  made (``GET /bookings/<ref>``); with ``book_blocking: true`` the booking call itself waits that
  long and answers ``confirmed``.
- ``refuse_booking``: every booking is refused (409), as when the supplier sold the last room.
- ``price_change_percent``: offer lookups answer with the price changed by that much.
- ``gone_offers``: offer ids that answer 410 (the offer no longer exists).
- ``refuse_cancel``: every cancellation is refused (409), as when the service already took place.

Cancellation terms travel with every offer (``details``): ``refundable``,
``free_cancellation_days`` (a full refund until the end of that day before the service date,
UTC) and ``late_cancellation_fee_percent`` (kept by the supplier after that; 100 = nothing back).
The fourth offer of every search is non-refundable.

API (all JSON):
  GET  /hotels?destination=&check_in=&check_out=&guests=&rooms=
  GET  /flights?origin=&destination=&date=&passengers=
  GET  /activities?city=&date=&participants=
  GET  /offers/<offer_id>                 the offer with its current price
  POST /bookings {offer_id, reference, traveller}   idempotent on reference; a flight's
                                                    traveller.passengers, when sent, are checked
  GET  /bookings/<supplier_ref>                     the booking, with the traveller it was sent
  POST /bookings/<supplier_ref>/cancel              cancel it by the offer's terms: the refund
                                                    and the fee; idempotent (the same answer again)
"""
import hashlib
import random
import re
import threading
import time
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sandboxes.http import App, Response

app = App("suppliers")

SUPPLIER_NAME = "Sandbox Travel Supply"
CURRENCY = "USD"
HOTEL_OFFERS, FLIGHT_OFFERS, ACTIVITY_OFFERS = 6, 5, 5
SLUG = re.compile(r"[^a-z0-9]+")
CENT = Decimal("0.01")
NON_REFUNDABLE_OFFER = 3  # the position of the non-refundable offer in every search
FREE_CANCELLATION_DAYS = {"hotel": 3, "flight": 2, "activity": 1}

_bookings: dict[str, dict] = {}  # supplier_ref -> booking
_by_reference: dict[str, str] = {}  # our reference -> supplier_ref
_bookings_lock = threading.Lock()


def _rng(*parts) -> random.Random:
    return random.Random(hashlib.sha256("|".join(map(str, parts)).encode()).digest())


def _slug(text: str) -> str:
    slug = SLUG.sub("-", text.strip().lower()).strip("-")
    if not slug:
        raise ValueError("a place is required")
    return slug


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _count(text: str, name: str, high: int) -> int:
    value = int(text)
    if not 1 <= value <= high:
        raise ValueError(f"{name} must be between 1 and {high}")
    return value


def _money(amount) -> str:
    return str(Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP))


def _place(slug: str) -> str:
    """An airport code as written (BKK), a city with capitals (Hoi An)."""
    return slug.upper() if len(slug) <= 3 else _title(slug)


def _title(slug: str) -> str:
    return slug.replace("-", " ").title()


# --- offers -------------------------------------------------------------------------------------
def cancellation_terms(kind: str, n: int) -> dict:
    """The offer's cancellation policy: free until N days before, then a fee (50 %, or everything
    for the last offer); the fourth offer is non-refundable."""
    if n == NON_REFUNDABLE_OFFER:
        return {"refundable": False, "free_cancellation_days": 0, "late_cancellation_fee_percent": 100,
                "cancellation": "Non-refundable"}
    days, fee = FREE_CANCELLATION_DAYS[kind], 100 if n == 4 else 50
    later = "no refund" if fee == 100 else f"a {fee}% fee"
    return {"refundable": True, "free_cancellation_days": days, "late_cancellation_fee_percent": fee,
            "cancellation": f"Free cancellation until {days} day(s) before, then {later}"}


HOTEL_WORDS = (["Azure", "Palm", "Coral", "Jade", "Monsoon", "Teak", "Orchid", "Lagoon", "Frangipani"],
               ["Resort", "Inn", "Suites", "Boutique Hotel", "Residences", "Villas"])
HOTEL_AMENITIES = ["pool", "wifi", "breakfast", "spa", "gym", "beach", "parking", "restaurant"]
AIRLINES = [("LT", "Lotus Air"), ("SQ", "Straits Airways"), ("GA", "Garuda Sky"), ("VN", "Mekong Air")]
ACTIVITIES = [("Cooking class", "food"), ("Temple walking tour", "culture"), ("Snorkelling trip", "water"),
              ("Night market food tour", "food"), ("Sunrise hike", "outdoors"), ("Batik workshop", "culture"),
              ("Kayak safari", "water")]


def hotel_offer(city: str, check_in: date, check_out: date, guests: int, rooms: int, n: int) -> dict:
    if check_out <= check_in:
        raise ValueError("check_out must be after check_in")
    nights = (check_out - check_in).days
    rng = _rng("hotel", city, n)  # the hotel itself does not depend on the dates
    name = f"{rng.choice(HOTEL_WORDS[0])} {rng.choice(HOTEL_WORDS[1])} {_title(city)}"
    stars = rng.randint(2, 5)
    amenities = sorted(rng.sample(HOTEL_AMENITIES, rng.randint(2, 5)))
    base = Decimal(rng.randint(35, 70) * stars)
    season = Decimal(100 + _rng("season", city, check_in.isoformat()).randint(-10, 25)) / 100
    occupancy = Decimal(1) + Decimal("0.15") * max(0, -(-guests // rooms) - 2)
    per_night = (base * season * occupancy).quantize(CENT, rounding=ROUND_HALF_UP)
    total = per_night * nights * rooms
    return {
        "id": f"h.{city}.{check_in.isoformat()}.{check_out.isoformat()}.{guests}.{rooms}.{n}",
        "kind": "hotel", "title": name, "price": _money(total), "currency": CURRENCY, "supplier": SUPPLIER_NAME,
        "details": {"name": name, "city": _title(city), "stars": stars, "amenities": amenities,
                    "check_in": check_in.isoformat(), "check_out": check_out.isoformat(), "nights": nights,
                    "guests": guests, "rooms": rooms, "per_night": _money(total / nights / rooms),
                    "taxes_included": True, **cancellation_terms("hotel", n)},
    }


def flight_offer(origin: str, destination: str, day: date, passengers: int, n: int) -> dict:
    if origin == destination:
        raise ValueError("origin and destination must differ")
    rng = _rng("flight", origin, destination, day.isoformat(), n)
    code, airline = rng.choice(AIRLINES)
    depart = datetime.combine(day, datetime.min.time()) + timedelta(hours=6 + 3 * n, minutes=rng.choice([0, 15, 35, 50]))
    stops = rng.choice([0, 0, 0, 1])
    minutes = rng.randint(75, 260) + 95 * stops
    fare = Decimal(rng.randint(60, 340)) + Decimal(rng.randint(0, 99)) / 100
    number = f"{code}{rng.randint(100, 989)}"
    return {
        "id": f"f.{origin}.{destination}.{day.isoformat()}.{passengers}.{n}",
        "kind": "flight", "title": f"{airline} {number} {_place(origin)}→{_place(destination)}",
        "price": _money(fare * passengers), "currency": CURRENCY, "supplier": SUPPLIER_NAME,
        "details": {"airline": airline, "flight_number": number, "origin": _place(origin),
                    "destination": _place(destination), "depart_at": depart.isoformat(timespec="minutes"),
                    "arrive_at": (depart + timedelta(minutes=minutes)).isoformat(timespec="minutes"),
                    "duration_minutes": minutes, "stops": stops, "passengers": passengers,
                    "per_person": _money(fare), "document_required": n % 2 == 1,
                    **cancellation_terms("flight", n)},
    }


def activity_offer(city: str, day: date, participants: int, n: int) -> dict:
    rng = _rng("activity", city, n)
    lineup = ACTIVITIES[:]
    _rng("activity-lineup", city).shuffle(lineup)  # distinct activities per city
    name, category = lineup[n % len(lineup)]
    price = Decimal(rng.randint(15, 120))
    title = f"{name} in {_title(city)}"
    return {
        "id": f"a.{city}.{day.isoformat()}.{participants}.{n}",
        "kind": "activity", "title": title, "price": _money(price * participants), "currency": CURRENCY,
        "supplier": SUPPLIER_NAME,
        "details": {"name": title, "city": _title(city), "category": category, "date": day.isoformat(),
                    "start_time": f"{8 + 2 * n:02d}:00", "duration_hours": rng.choice([2, 3, 4, 6]),
                    "participants": participants, "per_person": _money(price),
                    **cancellation_terms("activity", n)},
    }


def offer_from_id(offer_id: str) -> dict | None:
    """Rebuild an offer from its id; None when the id names no offer this supplier sells."""
    parts = offer_id.split(".")
    try:
        if parts[0] == "h" and len(parts) == 7:
            n = int(parts[6])
            if 0 <= n < HOTEL_OFFERS:
                return hotel_offer(parts[1], _day(parts[2]), _day(parts[3]), int(parts[4]), int(parts[5]), n)
        if parts[0] == "f" and len(parts) == 6:
            n = int(parts[5])
            if 0 <= n < FLIGHT_OFFERS:
                return flight_offer(parts[1], parts[2], _day(parts[3]), int(parts[4]), n)
        if parts[0] == "a" and len(parts) == 5:
            n = int(parts[4])
            if 0 <= n < ACTIVITY_OFFERS:
                return activity_offer(parts[1], _day(parts[2]), int(parts[3]), n)
    except ValueError:
        return None
    return None


# --- routes ---------------------------------------------------------------------------------------
@app.route("GET", r"/hotels")
def search_hotels(request):
    q = request.query
    city, check_in, check_out = _slug(q["destination"]), _day(q["check_in"]), _day(q["check_out"])
    rooms = _count(q.get("rooms", "1"), "rooms", 9)
    guests = _count(q.get("guests", "2"), "guests", 72)
    offers = [hotel_offer(city, check_in, check_out, guests, rooms, n) for n in range(HOTEL_OFFERS)]
    return {"offers": offers}


@app.route("GET", r"/flights")
def search_flights(request):
    q = request.query
    origin, destination, day = _slug(q["origin"]), _slug(q["destination"]), _day(q["date"])
    passengers = _count(q.get("passengers", "1"), "passengers", 9)
    return {"offers": [flight_offer(origin, destination, day, passengers, n) for n in range(FLIGHT_OFFERS)]}


@app.route("GET", r"/activities")
def search_activities(request):
    q = request.query
    city, day = _slug(q["city"]), _day(q["date"])
    participants = _count(q.get("participants", "1"), "participants", 20)
    return {"offers": [activity_offer(city, day, participants, n) for n in range(ACTIVITY_OFFERS)]}


@app.route("GET", r"/offers/(?P<offer_id>[^/]+)")
def get_offer(request):
    offer_id = request.params["offer_id"]
    extra = app.behaviour.extra
    if offer_id in extra.get("gone_offers", []):
        return Response(410, {"error": "offer no longer available"})
    offer = offer_from_id(offer_id)
    if offer is None:
        return Response(404, {"error": "no such offer"})
    change = Decimal(str(extra.get("price_change_percent", 0)))
    if change:
        offer["price"] = _money(Decimal(offer["price"]) * (100 + change) / 100)
    return offer


@app.route("POST", r"/bookings")
def create_booking(request):
    data = request.json()
    offer_id, reference = str(data["offer_id"]), str(data["reference"])
    traveller = data.get("traveller") or {}
    extra = dict(app.behaviour.extra)
    with _bookings_lock:
        if reference in _by_reference:
            return Response(200, _booking_view(_bookings[_by_reference[reference]]))
    if offer_id in extra.get("gone_offers", []) or offer_from_id(offer_id) is None:
        return Response(409, {"error": "offer no longer available"})
    if extra.get("refuse_booking"):
        return Response(409, {"error": "the supplier refused the booking: sold out"})
    if not (traveller.get("name") or traveller.get("email")):
        return Response(422, {"error": "traveller name or email is required"})
    missing = _passenger_problem(offer_from_id(offer_id), traveller.get("passengers"))
    if missing:
        return Response(422, {"error": missing})
    latency = int(extra.get("book_latency_ms", 0))
    if latency and extra.get("book_blocking"):
        time.sleep(latency / 1000)
        latency = 0
    with _bookings_lock:
        if reference not in _by_reference:
            supplier_ref = "SB-" + hashlib.sha256(reference.encode()).hexdigest()[:10].upper()
            _bookings[supplier_ref] = {"supplier_ref": supplier_ref, "reference": reference, "offer_id": offer_id,
                                       "traveller": traveller, "confirm_at": time.time() + latency / 1000}
            _by_reference[reference] = supplier_ref
        booking = _bookings[_by_reference[reference]]
    return Response(201, _booking_view(booking))


def _passenger_problem(offer: dict, passengers) -> str:
    """A flight's passengers, when sent, each need a name and a date of birth, and a document
    number when the offer says ``document_required``."""
    if offer["kind"] != "flight" or passengers is None:
        return ""
    if not isinstance(passengers, list) or len(passengers) != offer["details"]["passengers"]:
        return f"this flight is for {offer['details']['passengers']} passenger(s)"
    for person in passengers:
        if not (isinstance(person, dict) and person.get("name") and person.get("date_of_birth")):
            return "every passenger needs a name and a date of birth"
        if offer["details"].get("document_required") and not person.get("document_number"):
            return "this airline needs every passenger's document number"
    return ""


@app.route("GET", r"/bookings/(?P<supplier_ref>[^/]+)")
def booking_status(request):
    with _bookings_lock:
        booking = _bookings.get(request.params["supplier_ref"])
    if booking is None:
        return Response(404, {"error": "no such booking"})
    return _booking_view(booking)


def _booking_view(booking: dict) -> dict:
    status = "confirmed" if time.time() >= booking["confirm_at"] else "pending"
    if booking.get("cancellation"):
        status = "cancelled"
    return {"supplier_ref": booking["supplier_ref"], "reference": booking["reference"],
            "offer_id": booking["offer_id"], "status": status, "traveller": booking["traveller"],
            **({"cancellation": booking["cancellation"]} if booking.get("cancellation") else {})}


@app.route("POST", r"/bookings/(?P<supplier_ref>[^/]+)/cancel")
def cancel_booking(request):
    """Cancel by the offer's terms, judged on today's date (UTC). A second call answers the
    first cancellation again: nothing is refunded twice."""
    with _bookings_lock:
        booking = _bookings.get(request.params["supplier_ref"])
        if booking is None:
            return Response(404, {"error": "no such booking"})
        if booking.get("cancellation"):
            return _cancel_view(booking)
        if app.behaviour.extra.get("refuse_cancel"):
            return Response(409, {"error": "the supplier refused the cancellation"})
        if time.time() < booking["confirm_at"]:
            booking["confirm_at"] = time.time()  # a pending booking is simply withdrawn
        booking["cancellation"] = refund_by_terms(offer_from_id(booking["offer_id"]), today=datetime.now(UTC).date())
        return _cancel_view(booking)


def refund_by_terms(offer: dict, *, today: date) -> dict:
    """What the supplier gives back for cancelling ``offer`` on ``today``."""
    details, price = offer["details"], Decimal(offer["price"])
    service_day = _day(str(details.get("check_in") or details.get("date") or details["depart_at"])[:10])
    deadline = service_day - timedelta(days=int(details["free_cancellation_days"]))
    if not details["refundable"]:
        fee_percent, why = 100, "non-refundable"
    elif today <= deadline:
        fee_percent, why = 0, f"free cancellation until {deadline.isoformat()}"
    else:
        fee_percent = int(details["late_cancellation_fee_percent"])
        why = f"free cancellation ended on {deadline.isoformat()}: {fee_percent}% fee"
    fee = (price * fee_percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return {"refund_amount": _money(price - fee), "fee": _money(fee), "currency": offer["currency"],
            "terms": why, "deadline": deadline.isoformat(), "cancelled_at": datetime.now(UTC).isoformat()}


def _cancel_view(booking: dict) -> dict:
    return {"supplier_ref": booking["supplier_ref"], "reference": booking["reference"], "status": "cancelled",
            **booking["cancellation"]}
