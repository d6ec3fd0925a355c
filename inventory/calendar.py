"""The staff calendar grid: room types x dates for one property, edited through inventory's services.

GET shows a month (31 nights) from ``start`` (the hotel's today by default) for ``property``: each
night's rooms, what is left (the cell's colour is its occupancy), its restrictions, and each rate
plan's double-occupancy price. POST does one of two things:

- the grid: applies the cells whose values differ from what the editor was shown, each with the
  version the editor saw (``inventory_adjust`` / ``inventory_rate_adjust``). A cell someone else
  changed meanwhile is reported as a conflict and left as it is; bad input is reported per cell.
- a range (``_range`` in the form, ``RangeForm``): rooms, minimum stay, stop-sell, closed to
  arrival/departure and each plan's price set on every night from one date to another, for one room
  type or all of them, through ``inventory_range_adjust`` / ``inventory_rate_range_adjust`` in one
  transaction: bad input is a form error and a refusal (fewer rooms than sold, a night not loaded)
  writes nothing at all.

Each night cell's restrictions are a link (``?room_type=…&night=YYYY-MM-DD``) to the range form for
that one night and room type (first = last = that night), so restrictions of a single night are
set through the same range service, with or without JavaScript.

Nothing here writes a row directly.

Input is parsed strictly: ids, counts and versions are ASCII digits only, prices have at most
the rate's decimals and fit its column, a start date leaves room for the previous and next
pages. Anything else is a message (or a 404 for a property that is not the editor's), never a
500 and never a partial write of that cell.
"""
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext
from django.views import View

from catalogue.models import Property
from inventory.calendar_range import RangeForm
from inventory.errors import VersionConflict
from inventory.models import Rate, RoomNight
from inventory.services import inventory_adjust, inventory_rate_adjust
from inventory.services.ranges import NightChanges, inventory_range_adjust, inventory_rate_range_adjust

DAYS = 31
FLAGS = ("stop_sell", "closed_to_arrival", "closed_to_departure")
FIRST_START, LAST_START = date.min + timedelta(days=DAYS), date.max - timedelta(days=2 * DAYS)
ID = re.compile(r"[0-9]{1,18}")  # str.isdigit() also accepts "²" and "١", which int() then refuses or reads
CELL_KEY = re.compile(r"([cr])-([0-9]{1,18})-shown")
PRICE = Rate._meta.get_field("double")
PRICE_MESSAGE = (f"the price must be a number like 120.00, with at most {PRICE.decimal_places} decimals "
                 f"and below {10 ** (PRICE.max_digits - PRICE.decimal_places):,}.")


def whole_number(raw) -> int:
    """A count or version typed in a cell: ASCII digits only (ValueError otherwise)."""
    if not isinstance(raw, str) or not ID.fullmatch(raw.strip()):
        raise ValueError(raw)
    return int(raw)


def price(raw: str) -> Decimal:
    """A price typed in a cell that fits the rate's column (InvalidOperation otherwise)."""
    value = Decimal(raw)
    if not value.is_finite() or value.adjusted() >= PRICE.max_digits - PRICE.decimal_places:
        raise InvalidOperation(raw)
    if value != value.quantize(Decimal(1).scaleb(-PRICE.decimal_places)):
        raise InvalidOperation(raw)
    return value


def posted_ids(data, kind: str) -> list[int]:
    """The ids of the cells of ``kind`` ("c" nights, "r" rates) the form carried."""
    return [int(m.group(2)) for key in data if (m := CELL_KEY.fullmatch(key)) and m.group(1) == kind]


@dataclass
class Cell:
    night: RoomNight

    @property
    def shown(self) -> str:
        n = self.night
        return f"{n.total}|{n.min_stay}|{int(n.stop_sell)}|{int(n.closed_to_arrival)}|{int(n.closed_to_departure)}"

    @property
    def occupancy(self) -> int:
        """0 to 4: how full the night is (none, some, half, most, full), for its colour."""
        n = self.night
        if n.total == 0:
            return 0
        share = (n.total - n.available) / n.total
        return 4 if share >= 1 else 3 if share >= 0.7 else 2 if share >= 0.4 else 1 if share > 0 else 0


def visible_properties(user):
    properties = Property.objects.order_by("name")
    return properties if user.is_superuser else properties.filter(staff=user)


class CalendarView(View):
    model_admin = None
    template_name = "admin/inventory/calendar.html"

    def get(self, request):
        if not self.model_admin.has_view_permission(request):
            raise PermissionDenied
        properties = visible_properties(request.user)
        prop = self._property(request, properties)
        today = prop.local_today() if prop is not None else timezone.localdate()
        start = self._start(request.GET.get("start"), today=today)
        if start is None:
            messages.error(request, "That start date is not a date the calendar can show (YYYY-MM-DD, "
                                    "within the years 0001 to 9999): showing from today.")
            return HttpResponseRedirect(self._url(prop, None))
        one_night = self._one_night(request, prop) if prop is not None else None
        range_form = RangeForm(prop=prop, night=one_night, initial={"first": start, "last": start + timedelta(days=6)}
                               ) if prop else None
        return self._page(request, properties, prop, start, range_form)

    @staticmethod
    def _one_night(request, prop) -> RoomNight | None:
        """The night a grid cell's edit link asks for (``room_type`` and ``night`` in the query), or
        None when it asks for none; a link that names no night of this property is a message."""
        raw_type, raw_night = request.GET.get("room_type"), request.GET.get("night")
        if raw_type is None and raw_night is None:
            return None
        night = None
        try:
            night_date = date.fromisoformat(raw_night or "")
        except ValueError:
            night_date = None
        if night_date is not None and ID.fullmatch(raw_type or ""):
            night = RoomNight.objects.filter(room_type__property=prop, room_type_id=int(raw_type), date=night_date
                                             ).select_related("room_type").first()
        if night is None:
            messages.error(request, "That night is not one of this property's loaded nights: choose the nights "
                                    "in the range form.")
        return night

    def _page(self, request, properties, prop, start, range_form, status=200):
        dates = [start + timedelta(days=i) for i in range(DAYS)]
        rows = []
        if prop is not None:
            nights = RoomNight.objects.filter(room_type__property=prop, date__in=dates).order_by()
            by_key = {(n.room_type_id, n.date): n for n in nights}
            rates = Rate.objects.filter(room_type__property=prop, date__in=dates).select_related("rate_plan")
            rate_by_key = {(r.room_type_id, r.rate_plan_id, r.date): r for r in rates}
            plans = list(prop.rate_plans.all())
            for room_type in prop.room_types.order_by("name"):
                rows.append((room_type, [Cell(by_key[(room_type.pk, d)]) if (room_type.pk, d) in by_key else None
                                         for d in dates],
                             [(plan, [rate_by_key.get((room_type.pk, plan.pk, d)) for d in dates]) for plan in plans]))
        context = {
            **self.model_admin.admin_site.each_context(request),
            "title": f"Inventory calendar{f' · {prop.name}' if prop else ''}",
            "opts": self.model_admin.model._meta,
            "properties": properties, "property": prop, "dates": dates, "rows": rows, "start": start,
            "previous": start - timedelta(days=DAYS), "next": start + timedelta(days=DAYS),
            "can_change": self.model_admin.has_change_permission(request),
            "range_form": range_form,
        }
        return TemplateResponse(request, self.template_name, context, status=status)

    def post(self, request):
        if not self.model_admin.has_change_permission(request):
            raise PermissionDenied
        properties = visible_properties(request.user)
        prop = self._property(request, properties, data=request.POST)
        if prop is None:
            raise Http404("Choose one of your properties.")
        if "_range" in request.POST:
            return self._post_range(request, properties, prop)
        nights = RoomNight.objects.filter(pk__in=posted_ids(request.POST, "c"), room_type__property=prop
                                          ).select_related("room_type")
        rates = Rate.objects.filter(pk__in=posted_ids(request.POST, "r"), room_type__property=prop
                                    ).select_related("room_type", "rate_plan")
        saved, problems = 0, []
        for night in sorted(nights, key=lambda n: (n.room_type.name, n.date)):
            outcome = self._apply(request, night)
            if outcome is True:
                saved += 1
            elif outcome:
                problems.append(f"{night.room_type.name} {night.date:%d %b}: {outcome}")
        for rate in sorted(rates, key=lambda r: (r.room_type.name, r.rate_plan.name, r.date)):
            outcome = self._apply_rate(request, rate)
            if outcome is True:
                saved += 1
            elif outcome:
                problems.append(f"{rate.room_type.name} {rate.rate_plan.name} {rate.date:%d %b}: {outcome}")
        if saved:
            messages.success(request, f"Saved {saved} {ngettext('change', 'changes', saved)}.")
        for problem in problems:
            messages.error(request, problem)
        if not saved and not problems:
            messages.info(request, "Nothing changed.")
        return HttpResponseRedirect(self._url(prop, self._start(request.POST.get("start"), today=prop.local_today())))

    def _post_range(self, request, properties, prop):
        """Apply a range edit as a whole, or show the form again with what is wrong (nothing written)."""
        start = self._start(request.POST.get("start"), today=prop.local_today()) or prop.local_today()
        form = RangeForm(request.POST, prop=prop)
        if form.is_valid():
            try:
                written = self._apply_range(request, form)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                data = form.cleaned_data
                messages.success(request, f"Saved {written} {ngettext('change', 'changes', written)} from "
                                          f"{data['first']:%d %b %Y} to "
                                          f"{data['last']:%d %b %Y}.")
                return HttpResponseRedirect(self._url(prop, start))
        return self._page(request, properties, prop, start, form, status=400)

    @staticmethod
    def _apply_range(request, form: RangeForm) -> int:
        """Every room type's nights, then each priced plan's rates: all in one transaction, or none."""
        data, source = form.cleaned_data, f"staff:{request.user.get_username()}"
        changes = NightChanges(**form.night_changes())
        written = 0
        with transaction.atomic():
            for room_type in form.room_types():
                if changes.fields():
                    written += len(inventory_range_adjust(room_type=room_type, first=data["first"], last=data["last"],
                                                          changes=changes, source=source))
                for plan, double in form.prices():
                    written += len(inventory_rate_range_adjust(room_type=room_type, rate_plan=plan, first=data["first"],
                                                               last=data["last"], double=double, source=source))
        return written

    def _apply(self, request, night: RoomNight):
        """True when saved, a message when refused, None when the editor changed nothing here."""
        prefix = f"c-{night.pk}-"
        data = request.POST
        try:
            total = whole_number(data.get(prefix + "total", ""))
            min_stay = whole_number(data.get(prefix + "min_stay", ""))
            version = whole_number(data.get(prefix + "version", ""))
        except ValueError:
            return "rooms, minimum stay and version must be whole numbers."
        flags = {name: data.get(prefix + name) == "on" for name in FLAGS}
        wanted = f"{total}|{min_stay}|{int(flags['stop_sell'])}|{int(flags['closed_to_arrival'])}|" \
                 f"{int(flags['closed_to_departure'])}"
        shown = data.get(prefix + "shown", "")
        if wanted == shown:
            return None
        before = dict(zip(("total", "min_stay", *FLAGS), shown.split("|"), strict=False)) if shown.count("|") == 4 else {}
        changes = {}
        if str(total) != before.get("total"):
            changes["total"] = total
        if str(min_stay) != before.get("min_stay"):
            changes["min_stay"] = min_stay
        for name in FLAGS:
            if str(int(flags[name])) != before.get(name):
                changes[name] = flags[name]
        try:
            inventory_adjust(room_type=night.room_type, night=night.date, version=version,
                             source=f"staff:{request.user.get_username()}", **changes)
        except VersionConflict as exc:
            return exc.message
        except ValidationError as exc:
            return " ".join(exc.messages)
        return True

    def _apply_rate(self, request, rate: Rate):
        """The double-occupancy price of one night and plan; same outcomes as ``_apply``."""
        prefix = f"r-{rate.pk}-"
        raw, shown = request.POST.get(prefix + "double", "").strip(), request.POST.get(prefix + "shown", "")
        if raw == shown:
            return None
        try:
            double, version = price(raw), whole_number(request.POST.get(prefix + "version", ""))
        except (InvalidOperation, ValueError):
            return PRICE_MESSAGE
        try:
            inventory_rate_adjust(rate=rate, version=version, double=double,
                                  source=f"staff:{request.user.get_username()}")
        except VersionConflict as exc:
            return exc.message
        except ValidationError as exc:
            return " ".join(exc.messages)
        return True

    @staticmethod
    def _property(request, properties, data=None):
        raw = (data or request.GET).get("property")
        if raw is None:
            return properties.first()
        if not ID.fullmatch(str(raw)):
            raise Http404("Unknown property.")
        prop = properties.filter(pk=int(raw)).first()
        if prop is None:
            raise Http404("Unknown property.")
        return prop

    @staticmethod
    def _start(raw, *, today: date) -> date | None:
        """The first night shown: today at the hotel when not given, None when unusable."""
        if not raw:
            return today
        try:
            start = date.fromisoformat(raw)
        except ValueError:
            return None
        return start if FIRST_START <= start <= LAST_START else None

    @staticmethod
    def _url(prop, start) -> str:
        query = {"property": prop.pk} if prop is not None else {}
        if start is not None:
            query["start"] = start.isoformat()
        return f"{reverse('admin:inventory_calendar')}?{urlencode(query)}" if query else reverse(
            "admin:inventory_calendar")
