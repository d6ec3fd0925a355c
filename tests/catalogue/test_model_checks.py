"""The model checks pass at any hour: ``manage.py check`` must say "no issues" whenever it runs.

Django warns (fields.W161) about a fixed date or time default that lies within ten seconds of
the clock, so a plain ``time(14, 0)`` default made the production check fail at 14:00:00 (and
12:00:00) in the server's zone. The property's check-in and check-out defaults are callables.
"""
from datetime import datetime
from unittest import mock

import pytest
from django.utils import timezone

from catalogue.models import Property


@pytest.mark.parametrize("field_name", ["check_in_time", "check_out_time"])
def test_the_default_times_pass_the_checks_at_the_very_time_they_name(field_name):
    field = Property._meta.get_field(field_name)
    default = field.get_default()
    at_that_moment = timezone.make_aware(datetime.combine(datetime(2026, 12, 7).date(), default))

    with mock.patch("django.utils.timezone.now", return_value=at_that_moment):
        warnings = field.check()

    assert [w.id for w in warnings] == []


def test_new_properties_still_default_to_two_and_noon():
    assert Property._meta.get_field("check_in_time").get_default().strftime("%H:%M") == "14:00"
    assert Property._meta.get_field("check_out_time").get_default().strftime("%H:%M") == "12:00"
