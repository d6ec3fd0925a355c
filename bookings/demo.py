"""Demo data for bookings: hotel staff may read bookings, work the review queue and mark
no-shows. Idempotent."""
from django.contrib.auth.models import Group, Permission


def seed() -> None:
    group = Group.objects.filter(name="Hotel staff").first()
    if group is None:
        return
    perms = Permission.objects.filter(
        content_type__app_label="bookings",
        codename__in=["view_booking", "view_bookingevent", "view_bookingguest", "view_sentemail", "view_reviewitem",
                      "change_reviewitem", "mark_no_show"],
    )
    group.permissions.add(*perms)
