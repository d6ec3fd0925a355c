"""The visitors, travellers and channels of the load test (bench/load_test.py runs this with locust).

- ``Visitor`` (anonymous, most of the load): home, destination and hotel pages, searches, hotel
  pages with dates, with short pauses between them;
- ``Traveller`` (signed in, a session prepared by the driver): looks at dated hotel pages and
  books: price lock, placement, waits for the invoice (created by a worker), and most of the time
  pays it. ``pay_via`` "wallet" (the default): opens the payment page, pays from a wallet straight
  to the invoice's address at the sandbox processor (the site is not in that call, as in production),
  then watches the page's status poll until it says Paid; "form": posts the site's sandbox payment
  form (``/pay/<ref>/simulate/``, which pays and mines through the processor's controls);
- ``Chain`` (one, "wallet" only): about two blocks a second at the sandbox processor, which
  confirm the payments (BTC needs 2 confirmations, USDT on Tron 19: about 10 s);
- ``ChannelDesk`` (one): a channel sends a reservation through the sandbox OTA's control, which
  reaches the site by webhook or by the next pull.

The wallet's payments and the chain's blocks are calls to the processor, not to the site: they are
timed apart (``OUTCOME["processor"]``), so locust's figures stay those of the site (and the OTA desk).

Reads its world from the JSON file named by LOAD_TEST_DATA and writes what it did (bookings
placed and paid, channel reservations made) to LOAD_TEST_OUTCOME when the run stops. Imports no
Django: locust's gevent stays out of the project's code.
"""
import json
import os
import random
import threading
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal

import requests
from locust import HttpUser, between, events, task

DATA = json.loads(open(os.environ["LOAD_TEST_DATA"]).read())
# Who is travelling: the booking API refuses a placement without the lead guest (two guests a stay).
GUESTS = {"lead": {"name": "Load Test", "email": "load-test@example.com", "phone": "+44 20 7946 0958"},
          "others": ["Second Traveller"]}
OUTCOME = {"placed": [], "paid": [], "payment_not_taken": [], "channel_reservations": [], "refused": 0,
           "throttled": 0, "seconds_to_paid": [], "not_paid_on_page": 0,
           "processor": {"wallet pays": {"ms": [], "failures": []}, "a block": {"ms": [], "failures": []}}}
PAGE_POLL_SECONDS = 5  # how often the payment page's script asks status.json (bookings.payments.views)
PAGE_WATCHED_SECONDS = 45  # how long a traveller keeps the page open after paying
REFUSALS = (409, 410, 422)  # sold out, lock expired or used, unbookable: answers, not errors
STOPPING = threading.Event()  # set when the run ends: a traveller watching a payment page leaves


@events.test_stopping.add_listener
def _stopping(**kwargs):
    STOPPING.set()


@events.quitting.add_listener
def _write_outcome(environment, **kwargs):
    with open(os.environ["LOAD_TEST_OUTCOME"], "w") as out:
        json.dump(OUTCOME, out)


def _processor(session: requests.Session, kind: str, path: str, body: dict) -> bool:
    """A call to the sandbox processor (a wallet or the chain, not the site), timed apart."""
    started = time.perf_counter()
    try:
        answer = session.post(f"{DATA['payments_url']}{path}", json=body, timeout=30)
        problem = "" if answer.status_code == 200 else f"{answer.status_code}: {answer.text[:120]}"
    except requests.RequestException as exc:
        problem = repr(exc)
    OUTCOME["processor"][kind]["ms"].append(round((time.perf_counter() - started) * 1000, 1))
    if problem:
        OUTCOME["processor"][kind]["failures"].append(problem)
    return not problem


def _stay(rng: random.Random) -> tuple[date, date]:
    check_in = date.fromisoformat(DATA["today"]) + timedelta(days=rng.randint(*DATA["days_ahead"]))
    return check_in, check_in + timedelta(days=rng.randint(1, 3))


class Visitor(HttpUser):
    weight = 3
    wait_time = between(0.5, 2.0)

    def on_start(self):
        self.rng = random.Random()

    @task(3)
    def home(self):
        self.client.get("/", name="home")

    @task(3)
    def destination(self):
        self.client.get(f"/destinations/{self.rng.choice(DATA['destinations'])}/", name="destination page")

    @task(3)
    def hotel(self):
        self.client.get(f"/hotels/{self.rng.choice(DATA['hotels'])}/", name="hotel page")

    @task(3)
    def search(self):
        check_in, check_out = _stay(self.rng)
        self.client.get("/search/", name="search", params={
            "destination": self.rng.choice(DATA["destination_names"]), "check_in": check_in.isoformat(),
            "check_out": check_out.isoformat(), "guests": 2, "rooms": 1})

    @task(2)
    def hotel_with_dates(self):
        _dated_hotel_page(self)


def _dated_hotel_page(user) -> None:
    check_in, check_out = _stay(user.rng)
    user.client.get(f"/hotels/{user.rng.choice(DATA['hotels'])}/", name="hotel page with dates", params={
        "check_in": check_in.isoformat(), "check_out": check_out.isoformat(), "guests": 2, "rooms": 1})


class Traveller(HttpUser):
    weight = 1
    wait_time = between(0.5, 2.0)

    def on_start(self):
        self.rng = random.Random()
        self.wallet = requests.Session()
        session = DATA["sessions"].pop()
        self.client.cookies.set("sessionid", session["sessionid"])
        self.client.cookies.set("csrftoken", session["csrftoken"])
        self.csrf = session["csrftoken"]

    @task(1)
    def hotel_with_dates(self):
        _dated_hotel_page(self)

    # --- booking -------------------------------------------------------------------------------
    @task(2)
    def book_and_pay(self):
        room = self.rng.choice(DATA["rooms"])
        check_in, check_out = _stay(self.rng)
        lock = self._post_json("/api/bookings/locks/", "price lock", {
            "kind": "stay", "room_type": room["room_type"], "rate_plan": room["rate_plan"],
            "check_in": check_in.isoformat(), "check_out": check_out.isoformat(), "rooms": 1, "guests": 2,
            "coin": self.rng.choice(DATA["coins"])})
        if lock is None:
            return
        booking = self._post_json("/api/bookings/", "place booking", {"lock_id": lock["lock_id"], "guests": GUESTS},
                                  headers={"Idempotency-Key": uuid.uuid4().hex})
        if booking is None:
            return
        OUTCOME["placed"].append(booking["reference"])
        if self.rng.random() >= DATA["pay_share"]:
            return
        status = self._invoice_ready(booking["reference"])
        if status is None:
            return
        if DATA["pay_via"] == "wallet":
            self._pay_from_wallet(booking["reference"], status)
        else:
            self._pay(booking["reference"])

    def _post_json(self, path: str, name: str, body: dict, headers: dict | None = None) -> dict | None:
        with self.client.post(path, json=body, name=name, catch_response=True,
                              headers={"X-CSRFToken": self.csrf, **(headers or {})}) as response:
            if response.status_code in (200, 201):
                return response.json()
            if response.status_code in REFUSALS:
                OUTCOME["refused"] += 1
                response.success()
            elif response.status_code == 429:
                OUTCOME["throttled"] += 1
                response.success()
            else:
                response.failure(f"{response.status_code}: {response.text[:120]}")
        return None

    def _invoice_ready(self, reference: str) -> dict | None:
        """The invoice is created at the processor by a worker: poll its status like the pay page."""
        for _ in range(20):
            response = self.client.get(f"/pay/{reference}/status.json", name="payment status")
            if response.status_code == 200 and response.json().get("address"):
                return response.json()
            time.sleep(0.5)
        return None

    def _pay_from_wallet(self, reference: str, status: dict) -> None:
        """The payment page, a wallet sending what it says to its address, then the page's poll."""
        self.client.get(f"/pay/{reference}/", name="payment page")
        if not _processor(self.wallet, "wallet pays", f"/_sandbox/addresses/{status['address']}/pay",
                          {"amount": status["amount_outstanding"]}):
            OUTCOME["payment_not_taken"].append(reference)
            return
        OUTCOME["paid"].append(reference)
        paid_at = time.monotonic()
        while time.monotonic() - paid_at < PAGE_WATCHED_SECONDS:
            time.sleep(PAGE_POLL_SECONDS)
            if STOPPING.is_set():
                return  # the run is over: the drain checks that it settles
            polled = self.client.get(f"/pay/{reference}/status.json", name="payment status")
            if polled.status_code == 200 and polled.json().get("settled"):
                OUTCOME["seconds_to_paid"].append(round(time.monotonic() - paid_at, 1))
                return
        OUTCOME["not_paid_on_page"] += 1  # the traveller left; the drain checks that it settles

    def _pay(self, reference: str) -> None:
        with self.client.post(f"/pay/{reference}/simulate/", data={"outcome": "exact"}, name="pay (sandbox)",
                              headers={"X-CSRFToken": self.csrf}, allow_redirects=False,
                              catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"{response.status_code}: {response.text[:120]}")
                return
        # The form answers with a redirect either way: the invoice says whether the money was seen
        # (it settles once the confirmations are in, by the processor's webhook or a worker's poll).
        status = self.client.get(f"/pay/{reference}/status.json", name="payment status")
        if status.status_code == 200 and Decimal(status.json().get("amount_paid") or 0) > 0:
            OUTCOME["paid"].append(reference)
        else:
            OUTCOME["payment_not_taken"].append(reference)


if DATA["pay_via"] == "wallet":
    class Chain(HttpUser):
        """The blockchain: a block every second or so confirms every payment seen so far."""

        fixed_count = 1
        wait_time = between(0.3, 0.7)

        def on_start(self):
            self.session = requests.Session()

        @task
        def block(self):
            _processor(self.session, "a block", "/_sandbox/mine", {"blocks": 1})


class ChannelDesk(HttpUser):
    """The OTAs' side: one reservation every few seconds, on any listed hotel of any channel."""

    fixed_count = 1
    wait_time = between(1.0, 3.0)

    def on_start(self):
        self.rng = random.Random()

    @task
    def channel_reservation(self):
        listing = self.rng.choice(DATA["listings"])
        check_in, check_out = _stay(self.rng)
        with self.client.post(f"{DATA['ota_url']}/_sandbox/reservations", name="channel reservation (OTA)",
                              catch_response=True, json={
                                  "channel": listing["channel"], "hotel_code": listing["hotel_code"],
                                  "room_code": listing["room_code"], "rate_code": listing["rate_code"],
                                  "check_in": check_in.isoformat(), "check_out": check_out.isoformat(),
                                  "rooms": 1, "guests": 2, "guest_name": "Load Test"}) as response:
            if response.status_code == 201:
                made = response.json()
                OUTCOME["channel_reservations"].append([made["channel"], made["reservation_id"]])
            else:
                response.failure(f"{response.status_code}: {response.text[:120]}")
