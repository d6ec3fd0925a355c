"""The API tests here go through the bookings API: reuse its traveller, room and signed-in client."""
from tests.bookings.conftest import api, coins, room, traveller  # noqa: F401
