"""The sandbox OTA on loopback (reset before each test), a client that checks every message against
channels.contracts, and a webhook receiver on loopback."""
import pytest

from sandboxes.server import LoopbackServer
from tests.sandboxes.ota import OtaClient, Receiver

# ota_server / ota_sandbox: tests/conftest.py (one sandbox OTA for the session, reset per test)


@pytest.fixture
def ota(ota_sandbox):
    with OtaClient(ota_sandbox.url) as client:
        yield client


@pytest.fixture(scope="session")
def _receiver_server():
    receiver = Receiver()
    server = LoopbackServer(receiver)
    receiver.url = server.start()
    yield receiver
    server.stop()


@pytest.fixture
def receiver(_receiver_server, ota):
    """Receives the webhooks of every webhook channel (registered with the sandbox)."""
    _receiver_server.clear()
    for channel in ("booking_com", "expedia", "agoda"):
        ota.control("POST", "/webhooks", json={"channel": channel, "url": f"{_receiver_server.url}/{channel}/",
                                               "secret": f"test-{channel}-secret"})
    return _receiver_server
