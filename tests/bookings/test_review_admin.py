"""The staff review queue in the Django admin: scoping, timeline, actions recorded as events."""
import pytest
from django.contrib.auth.models import Permission
from django.core import mail

from bookings.models import Booking, ReviewItem
from bookings.services.review import review_open
from tests.bookings.conftest import stay_booking, supplier_booking
from tests.factories import UserFactory, sellable_room_type
from tests.suppliers.helpers import configure

pytestmark = pytest.mark.django_db


def _hotel_staff(prop, username):
    user = UserFactory(username=username, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="bookings", codename__in=["view_reviewitem", "change_reviewitem", "view_booking"]))
    prop.staff.add(user)
    return user


def test_hotel_staff_see_only_their_properties_items(client, traveller, room):
    other_room = sellable_room_type()
    mine = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1])
    theirs = stay_booking(user=traveller, room_type=other_room[0], rate_plan=other_room[1])
    review_open(booking=mine, reason=ReviewItem.Reason.LATE_PAYMENT, detail="late")
    other_item = review_open(booking=theirs, reason=ReviewItem.Reason.LATE_PAYMENT, detail="late")
    client.force_login(_hotel_staff(room[0].property, "staff-a"))

    listing = client.get("/admin/bookings/reviewitem/")
    assert listing.status_code == 200
    assert mine.reference in listing.content.decode() and theirs.reference not in listing.content.decode()
    assert client.get(f"/admin/bookings/reviewitem/{other_item.pk}/change/").status_code == 302  # not theirs
    assert client.post(f"/admin/bookings/reviewitem/{other_item.pk}/change/",
                       {"_review_action": "resolve", "review_note": "x"}).status_code == 302
    other_item.refresh_from_db()
    assert other_item.status == ReviewItem.Status.OPEN


def test_resolve_needs_a_note_and_is_recorded_on_the_timeline(client, traveller, room):
    booking = stay_booking(user=traveller, room_type=room[0], rate_plan=room[1])
    item = review_open(booking=booking, reason=ReviewItem.Reason.LATE_PAYMENT, detail="late")
    staff = _hotel_staff(room[0].property, "staff-b")
    client.force_login(staff)
    url = f"/admin/bookings/reviewitem/{item.pk}/change/"

    page = client.get(url).content.decode()
    assert "booking.placed" in page and "booking.review.opened" in page and "Resolve with note" in page

    client.post(url, {"_review_action": "resolve", "review_note": ""})
    item.refresh_from_db()
    assert item.status == ReviewItem.Status.OPEN
    client.post(url, {"_review_action": "resolve", "review_note": "Guest paid at the desk."})
    item.refresh_from_db()
    assert item.status == ReviewItem.Status.RESOLVED and item.resolved_by == staff
    event = booking.events.get(action="booking.review.resolved")
    assert event.actor == staff and event.data["note"] == "Guest paid at the desk."


def test_supplier_items_go_to_admins_by_email_and_staff_retry_confirms(
    client, traveller, hotel_offer, suppliers_sandbox, eager_tasks, django_capture_on_commit_callbacks
):
    admin = UserFactory(username="root", email="root@example.com", is_staff=True, is_superuser=True)
    configure(suppliers_sandbox, down=True)
    booking = supplier_booking(user=traveller, offer=hotel_offer)
    with django_capture_on_commit_callbacks(execute=True):
        item = review_open(booking=booking, reason=ReviewItem.Reason.SUPPLIER_UNAVAILABLE, detail="down")
    assert [m.to for m in mail.outbox] == [["root@example.com"]]

    configure(suppliers_sandbox, down=False)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/bookings/reviewitem/{item.pk}/change/",
                    {"_review_action": "retry", "review_note": "Supplier is back."})
    booking.refresh_from_db()
    item.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert item.status == ReviewItem.Status.RESOLVED
    actions = list(booking.events.values_list("action", flat=True))
    assert actions.index("booking.review.retried") < actions.index("booking.supplier.confirmed")
