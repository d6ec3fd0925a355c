"""Hotel staff's pages in headless Chromium at a laptop (1366 px) and a phone (390 px): the front
desk and the month calendar fit without sideways scrolling (the calendar's grid scrolls inside its
box on a phone), axe-core finds no serious or critical violation, and a range edit made by clicking
is saved. Screenshots go to test-artifacts/staff-*.png."""
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission

from inventory.models import RoomNight
from tests.factories import UserFactory
from tests.fixtures.browser import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP, PHONE = {"width": 1366, "height": 768}, {"width": 390, "height": 844}
PASSWORD = "staff-desk-pass"


@pytest.fixture
def desk_staff(world):
    alpha, _, _ = world
    group = Group.objects.create(name="Desk")
    group.permissions.add(*Permission.objects.filter(
        content_type__app_label__in=["catalogue", "inventory", "bookings", "channels"], codename__startswith="view_"),
        *Permission.objects.filter(content_type__app_label="inventory", codename="change_roomnight"))
    staff = UserFactory(username="alpha-desk", is_staff=True, password=PASSWORD)
    staff.groups.add(group)
    alpha.property.staff.add(staff)
    return staff



def sign_in(page, base):
    page.goto(base + "/admin/login/")
    page.fill("#id_username", "alpha-desk")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(base + "/admin/")


def test_the_front_desk_and_the_calendar_fit_and_pass_axe(chromium, live_server, world, desk_staff, screenshot):
    seen = {}
    for name, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
        context = chromium.new_context(viewport=viewport)
        page = context.new_page()
        page.set_default_timeout(15000)
        try:
            sign_in(page, live_server.url)
            for label, path in (("index", "/admin/"), ("front-desk", "/admin/catalogue/property/front-desk/"),
                                ("calendar", "/admin/inventory/roomnight/calendar/")):
                response = page.goto(live_server.url + path)
                assert response.status == 200, (label, response.status)
                seen[name, label] = {
                    "width": page.evaluate("document.documentElement.scrollWidth"),
                    "grid": page.evaluate("(() => { const t = document.querySelector('.inv-grid');"
                                          " return t ? t.getBoundingClientRect().right : 0 })()"),
                    "text": page.inner_text("#content"),
                    "axe": serious_violations(page),
                }
                screenshot(page, f"staff-{label}-{name}")
        finally:
            context.close()

    for (name, label), found in seen.items():
        assert found["axe"] == [], (name, label, found["axe"])
        assert found["width"] <= (LAPTOP if name == "laptop" else PHONE)["width"], (name, label, found["width"])
    assert seen["laptop", "calendar"]["grid"] <= LAPTOP["width"]  # a whole month on a laptop
    for name in ("laptop", "phone"):
        desk = seen[name, "front-desk"]["text"]
        assert "Ana Arrive" in desk and "Ines House" in desk and "Bruno Bravo" not in desk
        assert "Front desk" in seen[name, "index"]["text"] and "Outbox" not in seen[name, "index"]["text"]


def test_a_range_edit_by_clicking(browser_page, live_server, world, desk_staff):
    alpha, _, today = world
    page = browser_page
    sign_in(page, live_server.url)
    page.goto(live_server.url + "/admin/inventory/roomnight/calendar/")

    page.fill("#id_first", str(today + timedelta(days=5)))
    page.fill("#id_last", str(today + timedelta(days=8)))
    page.fill("#id_total", "-2")
    page.get_by_role("button", name="Apply to every night").click()
    page.get_by_text("Nothing was saved.").wait_for()
    assert not RoomNight.objects.filter(room_type=alpha, stop_sell=True).exists()

    page.fill("#id_total", "")
    page.select_option("#id_stop_sell", "on")
    page.get_by_role("button", name="Apply to every night").click()
    page.get_by_text("Saved 4 changes").wait_for()

    stopped = RoomNight.objects.filter(room_type=alpha, stop_sell=True).values_list("date", flat=True)
    assert sorted(stopped) == [today + timedelta(days=d) for d in range(5, 9)]


def test_one_nights_restrictions_edited_from_its_cell_with_the_keyboard(browser_page, live_server, world, desk_staff,
                                                                        screenshot):
    alpha, _, today = world
    night = today + timedelta(days=4)
    versions = dict(RoomNight.objects.filter(room_type=alpha).values_list("date", "version"))
    page = browser_page
    sign_in(page, live_server.url)
    page.goto(live_server.url + "/admin/inventory/roomnight/calendar/")

    link = page.get_by_role("link", name=f"Edit restrictions: {alpha.name} {night.day} {night:%b}")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**night={night:%Y-%m-%d}")
    focused = page.evaluate("document.activeElement.id")
    page.keyboard.type("3")  # the form opens on the minimum stay
    page.select_option("#id_closed_to_arrival", "on")
    screenshot(page, "staff-calendar-one-night")
    page.get_by_role("button", name="Save this night").click()
    page.get_by_text("Saved 1 change from").wait_for()
    marks = page.get_by_role("link", name=f"Edit restrictions: {alpha.name} {night.day} {night:%b}").inner_text()

    assert focused == "id_min_stay"
    edited = RoomNight.objects.get(room_type=alpha, date=night)
    assert (edited.min_stay, edited.closed_to_arrival, edited.version) == (3, True, versions[night] + 1)
    changed = [n.date for n in RoomNight.objects.filter(room_type=alpha) if n.version != versions[n.date]]
    assert changed == [night]
    assert marks.split() == ["m3", "A"]
