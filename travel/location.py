"""Where a hotel is and what time it is there, without anybody's map tiles: the distance to its
destination's centre (haversine, on a sphere of the Earth's mean radius), a small plan that
places the hotel relative to that centre (an equirectangular projection: true enough across a
city), and the hotel's clock."""
import math
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LAT = 110.574
KM_PER_DEGREE_LNG_AT_EQUATOR = 111.320
PLAN_WIDTH, PLAN_HEIGHT, PLAN_MARGIN = 600, 300, 40
RING_STEPS_KM = (0.25, 0.5, 1, 2, 5, 10, 20, 50, 100)


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The great-circle distance between two points, in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_chord = (math.sin((phi2 - phi1) / 2) ** 2
                  + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(half_chord))


def distance_label(km: float) -> str:
    """'350 m', '2.4 km', '18 km': as precise as a traveller needs."""
    if km < 1:
        return f"{max(round(km * 1000, -1), 10):.0f} m"
    return f"{km:.1f} km" if km < 10 else f"{km:,.0f} km"


@dataclass(frozen=True)
class Plan:
    """Coordinates in an SVG viewBox of PLAN_WIDTH x PLAN_HEIGHT, the centre in the middle."""

    centre_x: float
    centre_y: float
    hotel_x: float
    hotel_y: float
    ring_radius: float  # px of the ring drawn at ring_km
    ring_km: float
    distance: str
    bearing: str  # "north-east of" (the centre), or "at" it


def _ring_km(km: float) -> float:
    return next((step for step in RING_STEPS_KM if step >= km), RING_STEPS_KM[-1])


def _bearing(east: float, north: float) -> str:
    if math.hypot(east, north) < 0.05:
        return "at"
    names = ("east", "north-east", "north", "north-west", "west", "south-west", "south", "south-east")
    index = round(math.degrees(math.atan2(north, east)) / 45) % 8
    return names[index] + " of"


def plan(*, lat: float, lng: float, centre_lat: float, centre_lng: float) -> Plan:
    """Place the hotel on a plan centred on its destination; the ring at a round distance just
    beyond the hotel gives the scale."""
    east = (lng - centre_lng) * KM_PER_DEGREE_LNG_AT_EQUATOR * math.cos(math.radians(centre_lat))
    north = (lat - centre_lat) * KM_PER_DEGREE_LAT
    km = distance_km(lat, lng, centre_lat, centre_lng)
    ring_km = _ring_km(max(km, 0.25))
    px_per_km = (PLAN_HEIGHT / 2 - PLAN_MARGIN / 2) / ring_km
    cx, cy = PLAN_WIDTH / 2, PLAN_HEIGHT / 2
    return Plan(centre_x=cx, centre_y=cy, hotel_x=round(cx + east * px_per_km, 1),
                hotel_y=round(cy - north * px_per_km, 1), ring_radius=round(ring_km * px_per_km, 1),
                ring_km=ring_km, distance=distance_label(km), bearing=_bearing(east, north))


def hotel_distance(prop) -> str:
    """'3.9 km': how far a catalogue ``Property`` is from its destination's centre."""
    centre = prop.destination
    return distance_label(distance_km(float(prop.latitude), float(prop.longitude),
                                      float(centre.latitude), float(centre.longitude)))


def hotel_plan(prop) -> Plan:
    centre = prop.destination
    return plan(lat=float(prop.latitude), lng=float(prop.longitude),
                centre_lat=float(centre.latitude), centre_lng=float(centre.longitude))


def clock(now) -> dict:
    """A place's clock as a page names it: {'offset': 'UTC+07:00', 'name': 'Asia/Bangkok'}."""
    minutes = int(now.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return {"offset": f"UTC{sign}{hours:02d}:{rest:02d}", "name": str(now.tzinfo).replace("_", " ")}
