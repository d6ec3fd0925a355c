"""Dates as each visitor reads them (travel/dates.py): the locale from Accept-Language, the styles,
and the cached hotel page kept apart per format."""
from datetime import UTC, date, datetime

import pytest
import time_machine

from reviews.models import Review
from tests.reviews.test_hotel_page import reviewed
from tests.travel.site_fixtures import world  # noqa: F401 - fixture
from travel import dates

DAY = date(2026, 12, 1)


@pytest.mark.parametrize(("header", "locale"), [
    ("en-US,en;q=0.9", "en-US"), ("en-gb", "en-GB"), ("en-AU,en;q=0.8", "en-GB"), ("de-CH", "de"),
    ("th", "th"), ("fr-FR,fr;q=0.9,en-US;q=0.8", "en-US"), ("fr-FR", None), ("", None), ("*", None),
])
def test_the_locale_is_the_first_of_the_browsers_languages_we_know(header, locale):
    assert dates.locale_from_header(header) == locale


@pytest.mark.parametrize(("locale", "shown"), [
    ("en-GB", ["01/12/2026", "1 Dec 2026", "1 December 2026", "Tue 1 Dec 2026", "1 Dec", "Tue 1 Dec", "December 2026"]),
    ("en-US", ["12/1/2026", "Dec 1, 2026", "December 1, 2026", "Tue, Dec 1, 2026", "Dec 1", "Tue, Dec 1",
               "December 2026"]),
    ("de", ["1.12.2026", "1 Dec 2026", "1 December 2026", "Tue 1 Dec 2026", "1 Dec", "Tue 1 Dec", "December 2026"]),
    ("th", ["1/12/2026", "1 Dec 2026", "1 December 2026", "Tue 1 Dec 2026", "1 Dec", "Tue 1 Dec", "December 2026"]),
])
def test_each_style_in_each_locale(locale, shown):
    with dates.using_locale(locale):
        assert [dates.formatted(DAY, style) for style in
                ("short", "medium", "long", "weekday", "day", "weekday_day", "month")] == shown
        assert dates.formatted("2026-12-01", "medium") == shown[1]  # an ISO string reads the same
    assert dates.formatted(None) == dates.formatted("not a date") == ""
    with pytest.raises(ValueError, match="unknown date style"):
        dates.formatted(DAY, "fancy")


def test_outside_a_request_dates_are_in_the_default_format():
    assert dates.active_locale() == dates.DEFAULT
    assert dates.formatted(datetime(2026, 12, 1, 23, 30, tzinfo=UTC), "datetime") == "01/12/2026 23:30"


@pytest.mark.django_db
def test_a_warm_hotel_page_cache_keeps_each_visitors_date_format(client, world):
    reviewed(world, scores=[9])
    Review.objects.update(created_at=datetime(2026, 11, 20, 9, tzinfo=UTC))
    hotel = "/hotels/saffron-test/"

    with time_machine.travel(datetime(2026, 11, 25, 12, tzinfo=UTC), tick=False):
        us_first = client.get(hotel, HTTP_ACCEPT_LANGUAGE="en-US")
        uk_first = client.get(hotel, HTTP_ACCEPT_LANGUAGE="en-GB")
        us_again = client.get(hotel, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        uk_again = client.get(hotel, HTTP_ACCEPT_LANGUAGE="en-GB")
        client.cookies["date_format"] = "de"  # the footer choice is its own page too
        chosen = client.get(hotel, HTTP_ACCEPT_LANGUAGE="en-US")

    assert [r["X-Page-Cache"] for r in (us_first, uk_first, us_again, uk_again, chosen)] == [
        "miss", "miss", "hit", "hit", "miss"]
    for response, shown, other in ((us_first, "Nov 20, 2026", "20 Nov 2026"), (us_again, "Nov 20, 2026", "20 Nov 2026"),
                                   (uk_first, "20 Nov 2026", "Nov 20, 2026"), (uk_again, "20 Nov 2026", "Nov 20, 2026"),
                                   (chosen, "20 Nov 2026", "Nov 20, 2026")):
        html = response.content.decode()
        assert f'<time datetime="2026-11-20">{shown}</time>' in html
        assert other not in html
