"""The bookings fixtures (a traveller, a sellable room, a signed-in API client) for the abuse tests."""
from tests.bookings.conftest import api, coins, room, traveller  # noqa: F401
