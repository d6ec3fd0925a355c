"""The sandbox OTA on loopback for the adapter tests: reset before each test, OTA_API_URL at it."""
from tests.fixtures.sandboxes import sandbox_fixtures

ota_server, ota_sandbox = sandbox_fixtures("ota", "OTA_API_URL")
