"""Demo catalogue: a hotel chain in Southeast Asia, its staff and a traveller. Idempotent."""
from datetime import time
from decimal import Decimal
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission

from catalogue.demo_art import HOTEL_SCENES, hotel_photo_path, hotel_svg, room_photo_path, room_svg
from catalogue.demo_photos import demo_picture, destination_svg
from catalogue.models import Amenity, Destination, Property, PropertyPhoto, RoomType

CHAIN = "Saffron Lotus Hotels"
HOTEL_STAFF_GROUP = "Hotel staff"

ADMIN_PASSWORD = "admin-demo-pass"
TRAVELLER_PASSWORD = "traveller-demo-pass"
STAFF_PASSWORD = "staff-demo-pass"
DEMO_LOGINS = [
    ("admin", ADMIN_PASSWORD, "superuser: the whole admin"),
    ("traveller", TRAVELLER_PASSWORD, "a traveller: bookings and rewards"),
    ("staff-saffron-lotus-seminyak", STAFF_PASSWORD, "hotel staff: one per hotel, staff-<hotel slug>"),
]

AMENITIES = {
    "pool": "Outdoor pool",
    "spa": "Spa",
    "wifi": "Free Wi-Fi",
    "breakfast": "Breakfast available",
    "gym": "Fitness centre",
    "airport-shuttle": "Airport shuttle",
    "beach": "Beachfront",
    "restaurant": "Restaurant",
    "parking": "Free parking",
    "kids-club": "Kids' club",
}

DESTINATIONS = [
    {
        "slug": "bali", "name": "Bali", "country": "Indonesia", "country_code": "ID",
        "latitude": "-8.409518", "longitude": "115.188919", "timezone": "Asia/Makassar",
        "summary": "Temples, rice terraces and surf beaches on Indonesia's island of the gods.",
        "hotels": [
            ("seminyak", "Seminyak", "Jl. Kayu Aya 88", "80361", "-8.689110", "115.156960", 5, ["pool", "spa", "beach", "wifi", "restaurant"]),
            ("ubud", "Ubud", "Jl. Raya Sanggingan 21", "80571", "-8.494860", "115.250260", 4, ["pool", "spa", "wifi", "breakfast"]),
            ("uluwatu", "Uluwatu", "Jl. Labuansait 5", "80364", "-8.814910", "115.088530", 4, ["pool", "beach", "wifi", "gym"]),
        ],
    },
    {
        "slug": "bangkok", "name": "Bangkok", "country": "Thailand", "country_code": "TH",
        "latitude": "13.756331", "longitude": "100.501762", "timezone": "Asia/Bangkok",
        "summary": "Street food, river temples and rooftop bars in Thailand's capital.",
        "hotels": [
            ("riverside", "Riverside", "48 Charoen Krung Rd", "10500", "13.723810", "100.514010", 5, ["pool", "spa", "gym", "restaurant", "wifi"]),
            ("sukhumvit", "Sukhumvit", "155 Sukhumvit Soi 11", "10110", "13.743530", "100.555590", 4, ["pool", "gym", "wifi", "breakfast"]),
            ("old-town", "Old Town", "29 Phra Athit Rd", "10200", "13.760830", "100.494420", 3, ["wifi", "breakfast", "restaurant"]),
        ],
    },
    {
        "slug": "hoi-an", "name": "Hoi An", "country": "Vietnam", "country_code": "VN",
        "latitude": "15.880058", "longitude": "108.338047", "timezone": "Asia/Ho_Chi_Minh",
        "summary": "Lantern-lit old town, tailors and An Bang beach on Vietnam's central coast.",
        "hotels": [
            ("an-bang", "An Bang Beach", "12 Nguyen Phan Vinh", "560000", "15.912490", "108.340880", 4, ["pool", "beach", "wifi", "kids-club"]),
            ("ancient-town", "Ancient Town", "7 Tran Phu", "560000", "15.877180", "108.327750", 3, ["wifi", "breakfast", "airport-shuttle"]),
            ("riverfront", "Riverfront", "2 Bach Dang", "560000", "15.876260", "108.330130", 5, ["pool", "spa", "restaurant", "airport-shuttle", "wifi"]),
        ],
    },
    {
        "slug": "singapore", "name": "Singapore", "country": "Singapore", "country_code": "SG",
        "latitude": "1.352083", "longitude": "103.819836", "timezone": "Asia/Singapore",
        "summary": "Hawker centres, gardens and a skyline on the water in the Lion City.",
        "hotels": [
            ("marina", "Marina", "8 Raffles Ave", "039802", "1.290270", "103.857150", 5, ["pool", "spa", "gym", "restaurant", "wifi"]),
            ("tiong-bahru", "Tiong Bahru", "56 Eng Hoon St", "160056", "1.285290", "103.831980", 3, ["wifi", "breakfast", "parking"]),
            ("sentosa", "Sentosa", "1 Siloso Rd", "098970", "1.254890", "103.812410", 4, ["pool", "beach", "kids-club", "wifi"]),
        ],
    },
]

SCENE_ALT = {"exterior": "the hotel from the street", "pool": "the pool terrace", "room": "a guest room"}

# code, name, max occupancy, bed, size (m²), rooms of this type per hotel
ROOM_TYPES = [
    ("deluxe", "Deluxe Room", 2, "King or twin", 32, 12),
    ("premier", "Premier Room", 3, "King and sofa bed", 42, 8),
    ("suite", "One-Bedroom Suite", 4, "King, separate living room", 70, 4),
]


def seed() -> None:
    amenities = _seed_amenities()
    group = _seed_staff_group()
    for data in DESTINATIONS:
        destination = _seed_destination(data)
        for hotel in data["hotels"]:
            prop = _seed_property(destination, hotel, amenities)
            _seed_room_types(prop)
            _seed_staff_user(prop, group)
    _seed_user("admin", ADMIN_PASSWORD, is_staff=True, is_superuser=True)
    _seed_user("traveller", TRAVELLER_PASSWORD, email="traveller@example.com")


def _seed_amenities() -> dict[str, Amenity]:
    return {
        code: Amenity.objects.update_or_create(code=code, defaults={"name": name})[0]
        for code, name in AMENITIES.items()
    }


def _seed_staff_group() -> Group:
    group, _ = Group.objects.get_or_create(name=HOTEL_STAFF_GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="catalogue", codename__startswith="view_")
    )
    return group


def _seed_destination(data: dict) -> Destination:
    fields = {k: data[k] for k in ("name", "country", "country_code", "latitude", "longitude", "timezone", "summary")}
    fields["description"] = f"{data['summary']} Stay with {CHAIN} in {data['name']}."
    fields["image_url"] = f"/static/img/destinations/{data['slug']}.svg"
    destination = Destination.objects.update_or_create(slug=data["slug"], defaults=fields)[0]
    _attach_picture(destination, destination_svg(data["slug"]))
    return destination


def _attach_picture(row, svg: str) -> None:
    """Give ``row`` (a photo, room type or destination) a raster picture of ``svg`` unless it has one."""
    picture = demo_picture(row.picture, svg)
    if picture != row.picture:
        row.picture = picture
        row.save(update_fields=["picture"])


def _seed_property(destination: Destination, hotel: tuple, amenities: dict) -> Property:
    key, area, street, postal, lat, lng, stars, amenity_codes = hotel
    name = f"Saffron Lotus {area}"
    prop, _ = Property.objects.update_or_create(
        slug=f"saffron-lotus-{key}",
        defaults={
            "destination": destination,
            "chain": CHAIN,
            "name": name,
            "star_rating": stars,
            "summary": f"{stars}-star {name} in {area}, {destination.name}: {', '.join(AMENITIES[c].lower() for c in amenity_codes[:3])}.",
            "description": (
                f"{name} sits in {area}, {destination.name}. Rooms open onto gardens or the city, "
                f"breakfast is cooked to order, and the team can arrange transfers and tours."
            ),
            "street_address": street,
            "locality": area if destination.slug != "singapore" else "Singapore",
            "region": destination.name,
            "postal_code": postal,
            "country_code": destination.country_code,
            "latitude": lat,
            "longitude": lng,
            "phone": "+65 6000 0000",
            "check_in_time": time(14, 0),
            "check_out_time": time(12, 0),
            "currency": "USD",
            "tax_percent": Decimal("10.00") if destination.country_code != "SG" else Decimal("9.00"),
            "fee_per_night": Decimal("5.00") if stars >= 4 else Decimal("0.00"),
        },
    )
    prop.amenities.set([amenities[c] for c in amenity_codes])
    for position, scene in enumerate(HOTEL_SCENES):
        photo, _ = PropertyPhoto.objects.update_or_create(
            property=prop,
            position=position,
            defaults={"url": "/static/" + hotel_photo_path(prop.slug, scene), "alt": f"{name}: {SCENE_ALT[scene]}"},
        )
        _attach_picture(photo, hotel_svg(prop.slug, name, scene))
    return prop


def _seed_room_types(prop: Property) -> None:
    for code, name, occupancy, bed, size, _rooms in ROOM_TYPES:
        room_type, _ = RoomType.objects.update_or_create(
            property=prop,
            code=code,
            defaults={
                "name": name,
                "max_occupancy": occupancy,
                "bed": bed,
                "size_sqm": size,
                "description": f"{name}: {bed}, {size} m², for up to {occupancy} guests.",
                "image_url": "/static/" + room_photo_path(code),
            },
        )
        _attach_picture(room_type, room_svg(code, name))


def _seed_staff_user(prop: Property, group: Group) -> None:
    user = _seed_user(f"staff-{prop.slug}", STAFF_PASSWORD, is_staff=True)
    user.groups.add(group)
    prop.staff.add(user)


@cache
def _password_hash(password: str) -> str:
    """Hash each demo password once: hashing is deliberately slow, and a dozen staff share one."""
    return make_password(password)


def _seed_user(username: str, password: str, *, email: str = "", is_staff=False, is_superuser=False):
    user, _ = get_user_model().objects.get_or_create(
        username=username,
        defaults={
            "email": email or f"{username}@travel.example",
            "is_staff": is_staff,
            "is_superuser": is_superuser,
            "password": _password_hash(password),
        },
    )
    return user
