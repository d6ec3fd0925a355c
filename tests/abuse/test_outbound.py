"""Outbound HTTP goes only to the configured outside parties: a request to any other host is
refused before a connection is opened, while the configured ones answer as before."""
import httpx
import pytest

from core.http_client import outside_http
from core.outbound import DestinationRefused
from sandboxes.server import LoopbackServer


class Counting:
    """A WSGI app that answers 200 and counts the requests it received."""

    def __init__(self):
        self.hits = 0

    def __call__(self, environ, start_response):
        self.hits += 1
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"hello"]


@pytest.fixture
def stranger():
    app = Counting()
    with LoopbackServer(app) as url:
        yield url, app


def test_a_host_that_is_not_configured_is_refused_before_any_connection(stranger, caplog):
    url, app = stranger

    with pytest.raises(DestinationRefused) as refused:
        outside_http().get(f"{url}/anything", timeout=5)

    assert "refused: it is not one of the configured outside parties" in str(refused.value)
    assert isinstance(refused.value, httpx.TransportError)  # every adapter answers it as unreachable
    assert app.hits == 0
    assert any("outbound request to" in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)


def test_the_same_server_answers_once_configured(stranger, settings):
    url, app = stranger
    settings.OUTBOUND_EXTRA_URLS = [url]

    assert outside_http().get(f"{url}/anything", timeout=5).text == "hello"
    assert app.hits == 1


@pytest.mark.parametrize("setting", ["SUPPLIER_API_URL", "PAYMENT_API_URL", "RATES_API_URL", "OTA_API_URL"])
def test_each_outside_partys_url_opens_its_host_and_port_only(stranger, settings, setting):
    url, app = stranger
    setattr(settings, setting, f"{url}/api/v1")
    host, port = url.rsplit(":", 1)

    assert outside_http().get(f"{url}/other/path", timeout=5).status_code == 200
    with pytest.raises(DestinationRefused):
        outside_http().get(f"{host}:{int(port) + 1}/", timeout=5)  # same host, another port
    with pytest.raises(DestinationRefused):
        outside_http().get(f"https://{url.removeprefix('http://')}/", timeout=5)  # another scheme


def test_a_channels_own_url_is_allowed(stranger, settings):
    url, app = stranger
    settings.CHANNEL_APIS = {**settings.CHANNEL_APIS, "agoda": {**settings.CHANNEL_APIS["agoda"], "url": url}}

    assert outside_http().get(f"{url}/agoda/x", timeout=5).status_code == 200


def test_an_adapter_reports_a_refused_destination_as_unreachable(stranger, settings, monkeypatch):
    """The supplier adapter asked (say, by a bug) to call a host nobody configured."""
    from suppliers import client
    from suppliers.errors import SupplierUnavailable

    url, app = stranger
    monkeypatch.setattr(client, "base_url", lambda: url)

    with pytest.raises(SupplierUnavailable, match="cannot be reached"):
        client.request("GET", "/hotels", timeout=5)
    assert app.hits == 0


def test_in_process_sandboxes_are_allowed_only_where_they_may_run(settings):
    from sandboxes.embedded import sandbox_url

    url = sandbox_url("rates")
    assert outside_http().get(f"{url}/_sandbox/stats", timeout=5).status_code == 200

    settings.SANDBOXES_IN_PROCESS = False  # production
    with pytest.raises(DestinationRefused):
        outside_http().get(f"{url}/_sandbox/stats", timeout=5)
