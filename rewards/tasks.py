"""Thin consumers of the booking events (subscribed in RewardsConfig.ready) and the periodic
sweeps. Each parses the payload and calls one service; the services are idempotent.

A payload that cannot be applied (ValidationError) fails at once and is dead-lettered and
recorded for staff; a transient database error is retried with backoff.
"""
from datetime import date

from celery import shared_task
from django.db import OperationalError
from django.utils.dateparse import parse_date

from core.task_base import ReliableTask
from rewards import services

RETRY = {"base": ReliableTask, "autoretry_for": (OperationalError,)}


def _date(value) -> date | None:
    return parse_date(value) if value else None


@shared_task(name="rewards.on_booking_placed", **RETRY)
def on_booking_placed(*, message_id=None, topic="", key="", payload):
    services.booking_placed_apply(
        user_id=int(payload["user_id"]), reference=payload["reference"],
        points_redeemed=int(payload.get("points_redeemed") or 0),
    )


@shared_task(name="rewards.on_booking_confirmed", **RETRY)
def on_booking_confirmed(*, message_id=None, topic="", key="", payload):
    services.booking_confirmed_apply(
        user_id=int(payload["user_id"]), reference=payload["reference"], total=payload["total"],
        currency=payload.get("currency", ""), check_out=_date(payload.get("check_out")),
    )


@shared_task(name="rewards.on_stay_completed", **RETRY)
def on_stay_completed(*, message_id=None, topic="", key="", payload):
    services.stay_completed_apply(
        user_id=int(payload["user_id"]), reference=payload["reference"], total=payload["total"],
        currency=payload.get("currency", ""), check_out=_date(payload.get("check_out")),
    )


@shared_task(name="rewards.on_booking_ended", **RETRY)
def on_booking_ended(*, message_id=None, topic="", key="", payload):
    """booking.cancelled, booking.expired and booking.failed."""
    services.booking_ended_apply(
        user_id=int(payload["user_id"]), reference=payload["reference"], reason=topic.rsplit(".", 1)[-1],
    )


@shared_task(name="rewards.on_booking_no_show", **RETRY)
def on_booking_no_show(*, message_id=None, topic="", key="", payload):
    services.booking_no_show_apply(user_id=int(payload["user_id"]), reference=payload["reference"])


@shared_task(name="rewards.expire_points", **RETRY)
def expire_points() -> int:
    return services.points_expire_all()

