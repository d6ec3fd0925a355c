"""Demo reservations from the OTAs: a few made in the sandbox OTA and pulled in, so that the
admin shows reservations that arrived from channels from the first start."""
import logging
import random

import httpx
from django.db import transaction

from channels.models import Listing
from channels.sandbox_controls import sandbox_reservation_create

DEMO_RESERVATIONS = 8
logger = logging.getLogger(__name__)


def demo_reservations() -> None:
    """Create them in the sandbox, then pull each listing once, after the seed's commit."""
    rng = random.Random(11)
    listings = list(Listing.objects.exclude(channel__code="direct").select_related("channel", "property")
                    .order_by("pk"))
    chosen = rng.sample(listings, min(DEMO_RESERVATIONS, len(listings)))
    try:
        for listing in chosen:
            sandbox_reservation_create(listing=listing, rng=rng)
    except httpx.HTTPError as exc:  # full stack: the sandbox OTA process may not be up yet
        logger.warning("demo channel reservations skipped, the sandbox OTA did not answer: %s", exc)
        return
    transaction.on_commit(lambda: _pull([listing.pk for listing in chosen]))


def _pull(listing_ids: list[int]) -> None:
    from channels.services import listing_pull

    for listing_id in listing_ids:
        listing_pull(listing_id=listing_id)
