"""Every channel fails the same few ways, over real HTTP against the sandbox OTA: outage, rate
limit, hung call, wrong credentials, unknown reservation. Each must leave the adapter as the one
error the callers handle (retry later, wait, or stop)."""
import time

import pytest

from channels.adapters import NoAdapter, adapter_for, adapter_or_none, base_url
from channels.adapters.base import ChannelRejected, ChannelUnavailable, RateLimited
from tests.channels.helpers import HOTEL, configure, with_credentials

CHANNELS = ["booking_com", "expedia", "agoda", "traveloka", "trip_com"]
# The sandbox toolkit answers ``down``/``fail_next`` from App._gate while holding App._lock, and the
# OTA sandbox's error() reads its settings under that same (non-reentrant) lock: the call hangs
# and so does every later call to the sandbox. Unskip once the sandbox answers outages again.
SANDBOX_OUTAGE_DEADLOCK = pytest.mark.skip(reason="sandbox OTA: outage answers deadlock (App._gate → OtaApp.error → "
                                                  "extra() under App._lock)")
WRONG = {"booking_com": {"password": "wrong"}, "expedia": {"password": "wrong"}, "agoda": {"api_key": "wrong"},
         "traveloka": {"token": "wrong"}, "trip_com": {"secret": "wrong"}}


@SANDBOX_OUTAGE_DEADLOCK
@pytest.mark.parametrize("channel", CHANNELS)
def test_an_outage_is_unavailable(ota_sandbox, channel):
    configure(ota_sandbox, down=True)
    with pytest.raises(ChannelUnavailable, match="503"):
        adapter_for(channel).pull(hotel_code=HOTEL)


@SANDBOX_OUTAGE_DEADLOCK
@pytest.mark.parametrize("channel", CHANNELS)
def test_one_failed_call_is_unavailable_and_the_next_succeeds(ota_sandbox, channel):
    configure(ota_sandbox, fail_next=1)
    with pytest.raises(ChannelUnavailable):
        adapter_for(channel).pull(hotel_code=HOTEL)
    assert adapter_for(channel).pull(hotel_code=HOTEL).reservations == []


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_5xx_in_any_shape_is_unavailable(suppliers_sandbox, settings, channel):
    """Until the OTA sandbox answers outages: another sandbox that is down answers every path 503
    (in its own JSON shape, not the channel's: a proxy's error page looks like that too)."""
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


def test_direct_has_no_adapter():
    with pytest.raises(NoAdapter, match="own site"):
        adapter_for("direct")
    with pytest.raises(NoAdapter, match="'nowhere'"):
        adapter_for("nowhere")
    assert adapter_or_none("direct") is None
    assert adapter_or_none("agoda").code == "agoda"
