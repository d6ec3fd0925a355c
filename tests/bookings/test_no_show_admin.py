"""Marking a no-show in the admin: the changelist action and the booking page's button, for the
staff of the booking's hotel (and superusers) only, one message per booking, never a 500."""
import pytest
import time_machine
from django.contrib.auth.models import Permission

from bookings.models import Booking
from tests.bookings.conftest import BOOKED_AT, confirmed_stay, stay_booking
from tests.bookings.test_no_show import BANGKOK_CHECK_IN_DAY, BEFORE_BANGKOK_CHECK_IN
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/bookings/booking/"
HOTEL_STAFF_PERMS = ["view_booking", "view_bookingevent", "mark_no_show"]


def staff_of(booking, username, perms=HOTEL_STAFF_PERMS):
    user = UserFactory(username=username, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="bookings", codename__in=perms))
    booking.property.staff.add(user)
    return user


def status(booking) -> str:
    booking.refresh_from_db()
    return booking.status


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def mark(client, *bookings):
    return client.post(CHANGELIST, {"action": "mark_no_show", "index": 0,
                                    "_selected_action": [b.pk for b in bookings]}, follow=True)


@pytest.fixture
def alpha(traveller, coins):
    return confirmed_stay(user=traveller, zone="Asia/Bangkok", days_ahead=1, nights=2)


@pytest.fixture
def bravo(traveller, coins):
    return confirmed_stay(user=traveller, zone="Asia/Bangkok", days_ahead=1, nights=2)


def test_hotel_staff_mark_their_booking_and_see_it_on_the_timeline(client, alpha):
    client.force_login(staff_of(alpha, "alpha-desk"))

    with time_machine.travel(BANGKOK_CHECK_IN_DAY, tick=False):
        response = mark(client, alpha)
        page = client.get(f"{CHANGELIST}{alpha.pk}/change/")

    assert response.status_code == 200
    assert messages_of(response) == [f"{alpha.reference}: marked as a no-show."]
    assert status(alpha) == Booking.Status.NO_SHOW
    content = page.content.decode()
    assert page.status_code == 200 and "booking.no_show" in content and "alpha-desk" in content
    assert "No-show" in content  # the status field
    assert 'name="_mark_no_show"' not in content  # nothing left to mark


def test_staff_of_another_hotel_are_refused_and_nothing_changes(client, alpha, bravo):
    client.force_login(staff_of(bravo, "bravo-desk"))

    with time_machine.travel(BANGKOK_CHECK_IN_DAY, tick=False):
        listed = mark(client, alpha)
        button = client.post(f"{CHANGELIST}{alpha.pk}/change/", {"_mark_no_show": "1"}, follow=True)

    assert listed.status_code == 200
    assert messages_of(listed) == ["1 selected booking is not at your hotels or no longer exists: "
                                   "not marked as a no-show."]
    assert button.status_code == 200 and messages_of(button) == ["You cannot act on this booking."]
    assert status(alpha) == Booking.Status.CONFIRMED
    assert not alpha.events.filter(action="booking.no_show").exists()


def test_each_booking_gets_its_own_message(client, traveller, alpha):
    too_early = confirmed_stay(user=traveller, zone="Asia/Bangkok", days_ahead=3, nights=1)
    with time_machine.travel(BOOKED_AT, tick=False):
        unpaid = stay_booking(user=traveller, room_type=too_early.room_type, rate_plan=too_early.rate_plan)
    user = staff_of(alpha, "desk")
    for booking in (too_early, unpaid):
        booking.property.staff.add(user)
    client.force_login(user)

    with time_machine.travel(BANGKOK_CHECK_IN_DAY, tick=False):
        response = mark(client, alpha, too_early, unpaid)

    shown = messages_of(response)
    assert f"{alpha.reference}: marked as a no-show." in shown
    assert any(m.startswith(f"{too_early.reference}: Check-in is on 11 Mar 2026") for m in shown)
    assert any(m.startswith(f"{unpaid.reference}: Only confirmed bookings") for m in shown)
    assert (status(alpha), status(too_early), status(unpaid)) == ("no_show", "confirmed", "pending")


def test_the_button_on_the_booking_page_marks_it_or_says_why_not(client, alpha):
    client.force_login(staff_of(alpha, "alpha-desk"))
    url = f"{CHANGELIST}{alpha.pk}/change/"

    with time_machine.travel(BEFORE_BANGKOK_CHECK_IN, tick=False):
        assert 'name="_mark_no_show"' in client.get(url).content.decode()
        early = client.post(url, {"_mark_no_show": "1"}, follow=True)
    assert status(alpha) == Booking.Status.CONFIRMED
    assert messages_of(early)[0].startswith(f"{alpha.reference}: Check-in is on 09 Mar 2026")

    with time_machine.travel(BANGKOK_CHECK_IN_DAY, tick=False):
        done = client.post(url, {"_mark_no_show": "1"}, follow=True)
    assert messages_of(done) == [f"{alpha.reference}: marked as a no-show."]
    assert status(alpha) == Booking.Status.NO_SHOW


def test_staff_without_the_permission_are_not_offered_the_action(client, alpha):
    client.force_login(staff_of(alpha, "reader", perms=["view_booking", "view_bookingevent"]))

    with time_machine.travel(BANGKOK_CHECK_IN_DAY, tick=False):
        listing = client.get(CHANGELIST)
        page = client.get(f"{CHANGELIST}{alpha.pk}/change/").content.decode()
        client.post(f"{CHANGELIST}{alpha.pk}/change/", {"_mark_no_show": "1"})
        mark(client, alpha)

    assert "mark_no_show" not in listing.content.decode() and 'name="_mark_no_show"' not in page
    assert status(alpha) == Booking.Status.CONFIRMED


def test_a_malformed_id_is_a_message_not_a_500(client, alpha):
    client.force_login(staff_of(alpha, "alpha-desk"))

    page = client.post(f"{CHANGELIST}not-a-number/change/", {"_mark_no_show": "1"}, follow=True)
    listed = client.post(CHANGELIST, {"action": "mark_no_show", "index": 0, "_selected_action": ["abc", alpha.pk]},
                         follow=True)

    assert page.status_code == 200 and messages_of(page) == ["You cannot act on this booking."]
    assert listed.status_code == 200 and messages_of(listed) == ["Some selected ids are not valid: nothing was done."]
    assert status(alpha) == Booking.Status.CONFIRMED
