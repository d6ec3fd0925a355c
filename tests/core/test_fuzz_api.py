"""The API, fuzzed from its own OpenAPI schema (schemathesis) against a real server process on the
test database with the demo data, signed in as the demo traveller: no answer is a 5xx.

Bounded: a few dozen examples per operation, so the run stays well under two minutes.
"""
import secrets
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from tests.core.live_server import gunicorn_server

EXAMPLES_PER_OPERATION = 50
TIME_BUDGET_S = 120  # the whole fuzz (a few hundred requests) takes ~20 s


def _signed_in_headers() -> list[str]:
    """Headers that sign in as the demo traveller (a session cookie) and pass the CSRF check the
    session authentication applies to writes (the same secret in cookie and header)."""
    client = Client()
    client.force_login(get_user_model().objects.get(username="traveller"))
    csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret
    return ["-H", f"Cookie: sessionid={client.cookies['sessionid'].value}; csrftoken={csrf}",
            "-H", f"X-CSRFToken: {csrf}"]


# One client sends hundreds of requests a minute here: the per-client throttles and per-traveller
# caps (docs/security.md) would answer most of them 429/409 before they reach the code under test.
LIMITS_OFF = {"THROTTLE_API_RATE": "", "THROTTLE_PRICE_LOCK_RATE": "", "THROTTLE_PLACEMENT_RATE": "",
              "BOOKINGS_MAX_PENDING": "0", "BOOKINGS_MAX_PENDING_ROOM_NIGHTS": "0", "BOOKINGS_MAX_LIVE_LOCKS": "0"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_no_request_the_schema_allows_or_forbids_gets_a_server_error(tmp_path, django_db_blocker):
    call_command("seed_demo", verbosity=0)
    headers = _signed_in_headers()

    with gunicorn_server(django_db_blocker=django_db_blocker, log_path=tmp_path / "web.log", workers=2,
                         env={"LOG_FORMAT": "console", **LIMITS_OFF}) as base:
        run = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "run", f"{base}/api/schema/", *headers,
             "--checks", "not_a_server_error", "--phases", "examples,coverage,fuzzing",
             "--max-examples", str(EXAMPLES_PER_OPERATION),
             "--seed", "13", "--workers", "1", "--request-timeout", "20", "--no-color", "--warnings", "off",
             "--report", "ndjson", "--report-dir", str(tmp_path / "report")],
            capture_output=True, text=True, timeout=TIME_BUDGET_S, cwd=tmp_path,  # its cache goes there
        )

    (tmp_path / "schemathesis.txt").write_text(run.stdout + run.stderr)
    web_log = (tmp_path / "web.log").read_text()
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:] + web_log[-4000:]
    assert "Server error" not in run.stdout
    # it ran signed in: the traveller's list answered, nothing was refused for want of a session
    assert "code=200 " in web_log and "code=401 " not in web_log and "code=403 " not in web_log
