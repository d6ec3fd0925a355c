"""Helpers for the supplier tests: talk to the sandbox's admin endpoints over HTTP."""
from datetime import date, timedelta

import httpx


def configure(server, **behaviour) -> None:
    httpx.post(f"{server.url}/_sandbox/config", json=behaviour, timeout=5).raise_for_status()


def supplier_calls(server) -> int:
    return httpx.get(f"{server.url}/_sandbox/stats", timeout=5).json()["calls"]


def hotel_criteria(days_ahead: int = 20, nights: int = 2, **overrides) -> dict:
    check_in = date.today() + timedelta(days=days_ahead)
    return {"destination": "Bali", "check_in": check_in, "check_out": check_in + timedelta(days=nights),
            "guests": 2, "rooms": 1} | overrides
