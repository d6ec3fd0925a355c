"""Every channel fails the same few ways, over real HTTP against the sandbox OTA: outage, rate
limit, hung call, wrong credentials, unknown reservation. Each must leave the adapter as the one
error the callers handle (retry later, wait, or stop)."""
import time
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from channels.adapters import NoAdapter, adapter_for, adapter_or_none, base_url
from channels.adapters.base import ChannelRejected, ChannelUnavailable, RateLimited, Update
from tests.channels.helpers import HOTEL, RATE, ROOM, configure, with_credentials

CHANNELS = ["booking_com", "expedia", "agoda", "traveloka", "trip_com"]
WRONG = {"booking_com": {"password": "wrong"}, "expedia": {"password": "wrong"}, "agoda": {"api_key": "wrong"},
         "traveloka": {"token": "wrong"}, "trip_com": {"secret": "wrong"}}


@pytest.mark.parametrize("channel", CHANNELS)
def test_an_outage_is_unavailable(ota_sandbox, channel):
    configure(ota_sandbox, down=True)
    with pytest.raises(ChannelUnavailable, match="503"):
        adapter_for(channel).pull(hotel_code=HOTEL)


@pytest.mark.parametrize("channel", CHANNELS)
def test_one_failed_call_is_unavailable_and_the_next_succeeds(ota_sandbox, channel):
    configure(ota_sandbox, fail_next=1)
    with pytest.raises(ChannelUnavailable):
        adapter_for(channel).pull(hotel_code=HOTEL)
    assert adapter_for(channel).pull(hotel_code=HOTEL).reservations == []


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_5xx_in_any_shape_is_unavailable(suppliers_sandbox, settings, channel):
    """Another sandbox that is down answers every path 503 in its own JSON shape, not the
    channel's: as a proxy's error page in front of the OTA would."""
    configure(suppliers_sandbox, down=True)
    settings.OTA_API_URL = suppliers_sandbox.url
    with pytest.raises(ChannelUnavailable, match="503"):
        adapter_for(channel).pull(hotel_code=HOTEL)


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_refusal_in_a_foreign_shape_is_rejected_with_its_text(suppliers_sandbox, settings, channel):
    settings.OTA_API_URL = suppliers_sandbox.url  # no such routes there: 404 {"error": "no route ..."}
    with pytest.raises(ChannelRejected, match="404.*no route"):
        adapter_for(channel).pull(hotel_code=HOTEL)


@pytest.mark.parametrize("channel", CHANNELS)
def test_above_the_rate_limit_is_rate_limited_with_retry_after(ota_sandbox, channel):
    configure(ota_sandbox, extra={"rate_limits": {channel: 1}})
    adapter = adapter_for(channel)
    adapter.pull(hotel_code=HOTEL)
    with pytest.raises(RateLimited) as raised:
        adapter.pull(hotel_code=HOTEL)
    assert raised.value.retry_after == 1
    assert raised.value.retryable


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_hung_call_is_unavailable_after_the_timeout(ota_sandbox, settings, channel):
    settings.CHANNEL_HTTP_TIMEOUT = 0.3
    configure(ota_sandbox, extra={"timeout_next": 1})
    started = time.monotonic()
    with pytest.raises(ChannelUnavailable, match="did not answer within 0.3s"):
        adapter_for(channel).pull(hotel_code=HOTEL)
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("channel", CHANNELS)
def test_wrong_credentials_are_rejected_not_retried(ota_sandbox, settings, channel):
    with_credentials(settings, channel, **WRONG[channel])
    with pytest.raises(ChannelRejected, match="401") as raised:
        adapter_for(channel).pull(hotel_code=HOTEL)
    assert not raised.value.retryable
    assert raised.value.code  # the channel's own error code, read from its error shape


@pytest.mark.parametrize("channel", ["booking_com", "expedia", "agoda"])
def test_an_unknown_reservation_is_rejected(ota_sandbox, channel):
    with pytest.raises(ChannelRejected, match="404"):
        adapter_for(channel).fetch(hotel_code=HOTEL, reservation_id="NOPE-1")


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_price_without_a_rate_plan_comes_back_refused_and_the_rest_goes(ota_sandbox, channel):
    unrated = Update(ROOM, date(2027, 2, 1), date(2027, 2, 1), price=Decimal("80.00"))
    rated = Update(ROOM, date(2027, 2, 1), date(2027, 2, 1), RATE, price=Decimal("90.00"))
    adapter = adapter_for(channel)
    result = adapter.push(hotel_code=HOTEL, updates=[unrated, rated])
    assert [(r.update, r.code) for r in result.refused] == [(unrated, "RATE_REQUIRED")]
    [day] = adapter.read_back(hotel_code=HOTEL, room_code=ROOM, start=date(2027, 2, 1), end=date(2027, 2, 1))
    assert (day.rate_code, day.price) == (RATE, Decimal("90.00"))


@pytest.mark.parametrize("channel, calls, refused", [
    ("booking_com", 1, 0), ("expedia", 1, 0), ("agoda", 2, 0), ("traveloka", 0, 1), ("trip_com", 0, 1)])
def test_availability_alone_needs_a_rate_plan_only_where_every_item_names_one(ota_sandbox, channel, calls, refused):
    result = adapter_for(channel).push(hotel_code=HOTEL, updates=[
        Update(ROOM, date(2027, 2, 1), date(2027, 2, 2), available=2)])
    assert (result.calls, len(result.refused)) == (calls, refused)


def test_nothing_listening_is_unavailable(settings):
    settings.OTA_API_URL = "http://127.0.0.1:9"  # the discard port: connection refused
    with pytest.raises(ChannelUnavailable, match="cannot be reached"):
        adapter_for("agoda").pull(hotel_code=HOTEL)


def test_the_base_url_follows_the_settings_at_call_time(settings):
    settings.OTA_API_URL = "http://ota.example/"
    assert base_url("expedia") == "http://ota.example/expedia"
    with_credentials(settings, "expedia", url="https://eqc.example/v1/")
    assert base_url("expedia") == "https://eqc.example/v1"
    assert base_url("agoda") == "http://ota.example/agoda"


def test_without_any_url_the_sandbox_ota_is_started_in_process_but_never_in_production(settings):
    settings.OTA_API_URL = ""
    url = base_url("traveloka")
    assert url.startswith("http://127.0.0.1:") and url.endswith("/traveloka")
    assert adapter_for("traveloka").pull(hotel_code=HOTEL).cursor  # it answers
    settings.SANDBOXES_IN_PROCESS = False
    with pytest.raises(ImproperlyConfigured, match="set its API URL"):
        base_url("traveloka")


def test_direct_has_no_adapter():
    with pytest.raises(NoAdapter, match="own site"):
        adapter_for("direct")
    with pytest.raises(NoAdapter, match="'nowhere'"):
        adapter_for("nowhere")
    assert adapter_or_none("direct") is None
    assert adapter_or_none("agoda").code == "agoda"
