"""Every registered ModelAdmin, walked as the staff of hotel Alpha against hotel Bravo.

Alpha's staff member holds EVERY model permission (the worst group a platform admin could hand
out): the boundary must come from the scoping, not from permissions. Everything of Bravo carries
the word "Bravo" in what the admin shows, so "nothing of Bravo visible" is a plain text check on
each page Alpha's staff receives. A new admin is walked automatically (``admin.site._registry``);
it fails until ``bravo_world`` creates a row of its model.
"""
from datetime import timedelta
from decimal import Decimal

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from bookings.models import Booking, ReviewItem
from bookings.payments.coin_data import coins_seed
from bookings.payments.models import Invoice, Refund, WebhookDelivery
from bookings.payments.selectors import crypto_amount_for
from bookings.payments.services import invoice_open
from catalogue.admin import StaffScopedAdmin
from catalogue.models import Amenity, PropertyPhoto
from channels.models import (
    Channel,
    ChannelBooking,
    DirtyMark,
    InboundMessage,
    Listing,
    PushStep,
    RateMapping,
    ReconciliationReport,
    RoomMapping,
)
from core.models import FailedTask, OutboxMessage
from inventory.models import ChannelRequest, Hold, HoldNight, Rate, RoomNight
from reviews.models import Review
from rewards.models import Account, BookingPoints
from rewards.services import balance_adjust
from tests.factories import (
    BookingFactory,
    DestinationFactory,
    PropertyFactory,
    RatePlanFactory,
    RoomTypeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
MARK = "bravo"
NOT_SHOWN = {302, 403, 404}
REGISTRY = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
ADMIN_IDS = [model._meta.label for model, _ in REGISTRY]
User = get_user_model()


def hotel(name: str):
    """A hotel with one of everything hotel staff can see, every label carrying ``name``."""
    slug = name.lower()
    prop = PropertyFactory(name=f"Hotel {name}", slug=f"hotel-{slug}",
                           destination=DestinationFactory(name=f"{name}ville", slug=f"{slug}ville"))
    staff = UserFactory(username=f"staff-{slug}", is_staff=True)
    prop.staff.add(staff)
    PropertyPhoto.objects.create(property=prop, url=f"/static/{slug}.svg", alt=f"{name} view")
    room = RoomTypeFactory(property=prop, name=f"{name} Suite", code=f"{slug}-suite")
    plan = RatePlanFactory(property=prop, name=f"{name} Flex", code=f"{slug}-flex")
    day = timezone.localdate() + timedelta(days=5)
    night = RoomNight.objects.create(room_type=room, date=day, total=5, available=4)
    Rate.objects.create(room_type=room, rate_plan=plan, date=day, single=Decimal(90), double=Decimal(100))
    hold = Hold.objects.create(reference=f"{name}-HOLD", room_type=room, check_in=day,
                               check_out=day + timedelta(days=1), rooms=1, source="direct")
    HoldNight.objects.create(hold=hold, room_night=night, rooms=1)
    ChannelRequest.objects.create(reference=f"{name}-REQ", source="ota", room_type=room, check_in=day,
                                  check_out=day + timedelta(days=1))
    traveller = UserFactory(username=f"traveller-{slug}")
    booking = BookingFactory(reference=f"LT-{name.upper()[:5]}", user=traveller, property=prop, room_type=room,
                             rate_plan=plan, title=f"{name} Suite, 1 night")
    ReviewItem.objects.create(booking=booking, reason=ReviewItem.Reason.LATE_PAYMENT, detail=f"{name} paid late")
    Review.objects.create(booking=booking, property=prop, user=traveller, author_name=f"{name} guest", score=8,
                          text=f"{name} was lovely", stayed_on=day, answer=f"Thanks from {name}")
    channel_rows(name=name, prop=prop, room=room, plan=plan, day=day)
    return prop, staff, booking


def channel_rows(*, name: str, prop, room, plan, day):
    """The hotel listed on an OTA of its own name, with mappings and one reservation from it."""
    slug = name.lower()
    channel, _ = Channel.objects.get_or_create(code=f"{slug}-ota", defaults={"name": f"{name} OTA"})
    listing = Listing.objects.create(channel=channel, property=prop, hotel_code=f"{name}-H1")
    RoomMapping.objects.create(listing=listing, room_type=room, room_code=f"{name}-ROOM")
    RateMapping.objects.create(listing=listing, rate_plan=plan, rate_code=f"{name}-RATE")
    ChannelBooking.objects.create(channel=channel, reservation_id=f"{name}-R1", confirmation=f"LTC-{name.upper()}",
                                  listing=listing, property=prop, room_type=room, rate_plan=plan, check_in=day,
                                  check_out=day + timedelta(days=1), guest_name=f"{name} guest")
    PushStep.objects.create(listing=listing, dates={str(room.pk): [day.isoformat()]}, changed_at=timezone.now(),
                            error=f"{name} channel said no")
    DirtyMark.objects.create(listing=listing, room_type=room, start=day, end=day, reason=f"{name} push gave up")
    ReconciliationReport.objects.create(listing=listing, drift=[{"room_code": f"{name}-ROOM"}])


def platform_rows(booking, staff):
    """One row of each platform model, for Bravo's booking and traveller where there is a link."""
    coins_seed()
    OutboxMessage.objects.create(topic="booking.placed", key=booking.reference, payload={"hotel": "Bravo"})
    FailedTask.objects.create(task_name="bookings.confirm_bravo", task_id="bravo-1", error="Bravo failed")
    invoice = invoice_open(reference=booking.reference, fiat_amount=Decimal("100.00"), fiat_currency="USD",
                           coin_code="BTC", rate=Decimal(64000),
                           crypto_amount=crypto_amount_for(coin=Invoice._meta.get_field("coin").related_model
                                                           .objects.get(code="BTC"),
                                                           fiat_amount=Decimal("100.00"), rate=Decimal(64000)))
    WebhookDelivery.objects.create(delivery_id="bravo-delivery", event_type="InvoiceSettled", body="{}")
    Refund.objects.create(reference=booking.reference, invoice=invoice, method="credit", fiat_amount=Decimal(1),
                          crypto_amount=Decimal("0.00001"), reason="Bravo refund")
    balance_adjust(user_id=booking.user_id, points=50, reason="Bravo welcome", staff_user=staff)
    BookingPoints.objects.create(reference=booking.reference, account=Account.objects.get(user=booking.user))
    InboundMessage.objects.create(channel=Channel.objects.get(code="bravo-ota"), via="webhook", hotel_code="Bravo-H1",
                                  reservation_id="Bravo-R1", body='{"hotel": "Bravo"}')
    Amenity.objects.create(code="bravo-pool", name="Bravo pool")
    Group.objects.create(name="Bravo staff")
    interval = IntervalSchedule.objects.create(every=15, period=IntervalSchedule.MINUTES)
    PeriodicTask.objects.create(name="bravo reconciliation", task="channels.reconcile", interval=interval)
    CrontabSchedule.objects.create(minute="7")
    SolarSchedule.objects.create(event="sunrise", latitude=Decimal("13.7"), longitude=Decimal("100.5"))
    ClockedSchedule.objects.create(clocked_time=timezone.now() + timedelta(days=1))
    sign_in = {"username": "bravo-guesser", "ip_address": "192.0.2.2", "user_agent": "Bravo browser",
               "http_accept": "text/html", "path_info": "/accounts/login/"}
    AccessAttempt.objects.create(**sign_in, get_data="", post_data="", failures_since_start=1)
    AccessFailureLog.objects.create(**sign_in)
    AccessLog.objects.create(**sign_in)


@pytest.fixture
def world(db):
    alpha, alpha_staff, _ = hotel("Alpha")
    bravo, bravo_staff, bravo_booking = hotel("Bravo")
    platform_rows(bravo_booking, bravo_staff)
    everything = Group.objects.create(name="Every permission")
    everything.permissions.set(Permission.objects.all())
    alpha_staff.groups.add(everything)
    return {"alpha": alpha, "bravo": bravo, "staff": alpha_staff}


@pytest.fixture
def as_alpha(client, world):
    client.force_login(world["staff"])
    return client


def rows_of(model_admin, prop):
    """The rows of ``prop`` in this admin's model; every row for a platform admin."""
    rows = model_admin.model._default_manager.all()
    if not isinstance(model_admin, StaffScopedAdmin):
        return rows
    lookup = f"{model_admin.property_path}__in" if model_admin.property_path else "pk__in"
    return rows.filter(**{lookup: [prop.pk]})


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def snapshot(rows):
    return sorted((row.pk, tuple(str(v) for v in model_to_dict(row).values())) for row in rows)


def assert_nothing_of_bravo(response):
    assert MARK not in response.content.decode().lower(), response.request["PATH_INFO"]


def resubmission(response) -> dict:
    """The POST data a browser would send back for the admin form in ``response``, unchanged."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({formset.management_form.add_prefix(k): v
                     for k, v in formset.management_form.initial.items()})
        forms.extend(formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if isinstance(value, (list, tuple)):
                data[form.add_prefix(name)] = [getattr(v, "pk", v) for v in value]
            else:
                data[form.add_prefix(name)] = getattr(value, "pk", value)
    return data


def relation_fields(model):
    return [f for f in model._meta.get_fields()
            if f.is_relation and f.concrete and (f.many_to_one or f.many_to_many or f.one_to_one)]


# --- the index ---------------------------------------------------------------------------------

def test_hotel_staff_see_only_the_scoped_admins_on_the_index(as_alpha):
    index = as_alpha.get(reverse("admin:index"))

    shown = {m["object_name"] for app in index.context["app_list"] for m in app["models"]}
    scoped = {model.__name__ for model, a in REGISTRY if isinstance(a, StaffScopedAdmin)}
    assert index.status_code == 200 and shown and shown <= scoped
    assert not {"OutboxMessage", "FailedTask", "User", "Group", "PeriodicTask", "Invoice", "Account"} & shown


# --- the walk ----------------------------------------------------------------------------------

@pytest.mark.parametrize("model, model_admin", REGISTRY, ids=ADMIN_IDS)
def test_bravo_is_invisible_and_untouchable_from_alpha(as_alpha, world, model, model_admin):
    bravo_rows = rows_of(model_admin, world["bravo"])
    assert bravo_rows.exists(), f"bravo_world must create a {model.__name__} to walk its admin"
    before = snapshot(bravo_rows)
    target = bravo_rows.first()

    # the changelist: Bravo's rows absent, and its filters offer nothing of Bravo
    listing = as_alpha.get(url(model, "changelist"))
    if isinstance(model_admin, StaffScopedAdmin):
        assert listing.status_code == 200
        assert not set(listing.context["cl"].queryset.values_list("pk", flat=True)) & {r.pk for r in bravo_rows}
        assert_nothing_of_bravo(listing)
    else:
        assert listing.status_code == 403

    # Bravo's row: not shown, not changed, not deleted, not in its history
    assert as_alpha.get(url(model, "change", target.pk)).status_code in NOT_SHOWN
    assert as_alpha.get(url(model, "history", target.pk)).status_code in NOT_SHOWN
    as_alpha.post(url(model, "change", target.pk), {"_save": "Save"})
    assert as_alpha.post(url(model, "delete", target.pk), {"post": "yes"}).status_code in NOT_SHOWN

    # every action offered, on Bravo's ids
    action_form = listing.context["action_form"] if listing.status_code == 200 else None
    actions = action_form.fields["action"].choices if action_form else [("delete_selected", "")]
    for action, _ in actions:
        if action:
            as_alpha.post(url(model, "changelist"), {"action": action, "index": 0, "post": "yes",
                                                     "_selected_action": [r.pk for r in bravo_rows]})

    assert snapshot(rows_of(model_admin, world["bravo"])) == before


@pytest.mark.parametrize("model, model_admin", REGISTRY, ids=ADMIN_IDS)
def test_adding_or_moving_onto_bravo_through_a_choice_is_refused(as_alpha, world, model, model_admin):
    add_form = as_alpha.get(url(model, "add"))
    if not isinstance(model_admin, StaffScopedAdmin) or add_form.status_code != 200:
        assert add_form.status_code == 403
        return
    assert_nothing_of_bravo(add_form)
    alpha_row = rows_of(model_admin, world["alpha"]).first()
    valid = resubmission(as_alpha.get(url(model, "change", alpha_row.pk)))
    valid = {k: (f"{v}-2" if isinstance(v, str) and not k.endswith("-FORMS") and not v.isdigit() else v)
             for k, v in valid.items()}
    choices = [f for f in relation_fields(model) if f.name in add_form.context["adminform"].form.fields]
    count = model._default_manager.count()

    for field in choices:
        bravo_choice = rows_of(admin.site._registry[field.related_model], world["bravo"]) \
            if isinstance(admin.site._registry.get(field.related_model), StaffScopedAdmin) \
            else User.objects.filter(username="staff-bravo") if field.related_model is User else None
        if bravo_choice is None:
            continue  # shared reference data (destinations, amenities): not Bravo's
        picked = [bravo_choice.first().pk] if field.many_to_many else bravo_choice.first().pk
        added = as_alpha.post(url(model, "add"), {**valid, field.name: picked})
        assert added.status_code == 200 and "Select a valid choice" in added.content.decode(), field.name
        moved = as_alpha.post(url(model, "change", alpha_row.pk), {**valid, field.name: picked})
        assert moved.status_code == 200, field.name
        assert model._default_manager.count() == count
        assert snapshot([model._default_manager.get(pk=alpha_row.pk)]) == snapshot([alpha_row])

    # the control: the same form with Alpha's choices is accepted (Alpha's staff can do their job)
    assert as_alpha.post(url(model, "add"), valid).status_code == 302
    assert model._default_manager.count() == count + 1


@pytest.mark.parametrize("model, model_admin", REGISTRY, ids=ADMIN_IDS)
def test_autocomplete_from_any_field_offers_nothing_of_bravo(as_alpha, world, model, model_admin):
    for field in relation_fields(model):
        answer = as_alpha.get(reverse("admin:autocomplete"), {
            "app_label": model._meta.app_label, "model_name": model._meta.model_name,
            "field_name": field.name, "term": ""})
        assert answer.status_code in {200, 403, 404}, field.name
        assert_nothing_of_bravo(answer)


@pytest.mark.parametrize("model, model_admin", REGISTRY, ids=ADMIN_IDS)
def test_alpha_staff_can_still_work_on_alpha_and_superusers_on_everything(client, as_alpha, world, model,
                                                                         model_admin):
    if isinstance(model_admin, StaffScopedAdmin):
        alpha_row = rows_of(model_admin, world["alpha"]).first()
        listing = as_alpha.get(url(model, "changelist"))
        assert listing.status_code == 200 and alpha_row in listing.context["cl"].queryset
        assert "alpha" in listing.content.decode().lower()
        assert as_alpha.get(url(model, "change", alpha_row.pk)).status_code == 200
    else:
        client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
        listing = client.get(url(model, "changelist"))
        assert listing.status_code == 200 and listing.context["cl"].result_count >= 1


# --- the custom admin views --------------------------------------------------------------------

def test_the_inventory_calendar_of_bravo_is_a_404_and_its_cells_cannot_be_posted(as_alpha, world):
    calendar = reverse("admin:inventory_calendar")
    night = RoomNight.objects.get(room_type__property=world["bravo"])
    before = snapshot([night])

    assert as_alpha.get(calendar, {"property": world["bravo"].pk}).status_code == 404
    assert_nothing_of_bravo(as_alpha.get(calendar))
    assert as_alpha.post(calendar, {"property": world["bravo"].pk, f"c-{night.pk}-total": 1}).status_code == 404
    as_alpha.post(calendar, {"property": world["alpha"].pk, f"c-{night.pk}-shown": "5|1|0|0|0",
                             f"c-{night.pk}-total": 1, f"c-{night.pk}-min_stay": 1,
                             f"c-{night.pk}-version": night.version})
    assert snapshot([RoomNight.objects.get(pk=night.pk)]) == before


def test_a_review_action_on_bravos_booking_is_refused(as_alpha, world):
    item = ReviewItem.objects.get(booking__property=world["bravo"])

    as_alpha.post(url(ReviewItem, "change", item.pk), {"_review_action": "resolve", "review_note": "not mine"})

    item.refresh_from_db()
    assert item.status == ReviewItem.Status.OPEN
    assert Booking.objects.get(pk=item.booking_id).events.count() == 0


def test_platform_custom_views_are_refused_to_hotel_staff(as_alpha, world):
    account = Account.objects.get(user__username="traveller-bravo")

    adjust = as_alpha.post(reverse("admin:rewards_account_adjust", args=[account.pk]),
                           {"points": 1000, "reason": "mine now", "token": "t"})

    assert adjust.status_code == 403
    account.refresh_from_db()
    assert account.available == 50


def test_signed_out_visitors_of_a_platform_view_are_sent_to_the_login_page(client, world):
    account = Account.objects.get(user__username="traveller-bravo")

    answer = client.get(reverse("admin:rewards_account_adjust", args=[account.pk]))

    assert answer.status_code == 302 and answer["Location"].startswith(reverse("admin:login"))
