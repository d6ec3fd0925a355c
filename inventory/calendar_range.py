"""The calendar's range form: what staff set on every night from one date to another.

Empty fields leave each night as it is; a price field per rate plan of the property. Validation
here is about the input (dates in order, counts in bounds, prices that fit the column); what only
the nights can tell (rooms already sold, nights not loaded) is the range services' refusal.
"""
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from inventory.models import Rate, RatePlan, RoomNight
from inventory.services.adjust import MAX_ROOMS_PER_NIGHT
from inventory.services.ranges import MAX_RANGE_NIGHTS
from inventory.stays import MAX_NIGHTS

PRICE = Rate._meta.get_field("double")
UNCHANGED, ON, OFF = "", "on", "off"
SWITCH = [(UNCHANGED, "as is"), (ON, "on"), (OFF, "off")]
SWITCHES = {"stop_sell": "Stop-sell", "closed_to_arrival": "Closed to arrival", "closed_to_departure": "Closed to departure"}


class RangeForm(forms.Form):
    room_type = forms.ModelChoiceField(queryset=None, required=False, empty_label="All room types")
    first = forms.DateField(label="From night", widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(label="To night (included)", widget=forms.DateInput(attrs={"type": "date"}))
    total = forms.IntegerField(label="Rooms", required=False, min_value=0, max_value=MAX_ROOMS_PER_NIGHT,
                               widget=forms.NumberInput(attrs={"placeholder": "as is"}))
    min_stay = forms.IntegerField(label="Min stay", required=False, min_value=1, max_value=MAX_NIGHTS,
                                  widget=forms.NumberInput(attrs={"placeholder": "as is"}))
    stop_sell = forms.ChoiceField(label="Stop-sell", choices=SWITCH, required=False)
    closed_to_arrival = forms.ChoiceField(label="CTA", choices=SWITCH, required=False)
    closed_to_departure = forms.ChoiceField(label="CTD", choices=SWITCH, required=False)

    def __init__(self, *args, prop, night: RoomNight | None = None, **kwargs):
        """``night``: a grid cell's night to edit alone (its room type, first = last = its date)."""
        if night is not None:
            kwargs["initial"] = {"room_type": night.room_type_id, "first": night.date, "last": night.date}
        super().__init__(*args, **kwargs)
        self.prop, self.night = prop, night
        if night is not None:
            self.fields["min_stay"].widget.attrs["autofocus"] = True  # the link lands in the form
        self.fields["room_type"].queryset = prop.room_types.order_by("name")
        self.plans = list(RatePlan.objects.filter(property=prop))
        for plan in self.plans:
            self.fields[f"price_{plan.pk}"] = forms.DecimalField(
                label=f"{plan.name}: price for two", required=False, min_value=Decimal("0.01"),
                max_digits=PRICE.max_digits, decimal_places=PRICE.decimal_places,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "as is", "size": 7}))

    def price_fields(self):
        return [self[f"price_{plan.pk}"] for plan in self.plans]

    def clean(self):
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and last:
            if last < first:
                self.add_error("last", "The last night cannot be before the first.")
            elif (last - first).days >= MAX_RANGE_NIGHTS:
                self.add_error("last", f"A range is at most {MAX_RANGE_NIGHTS} nights.")
        if not self.errors and not self.night_changes() and not self.prices():
            raise ValidationError("Nothing to change: fill in at least one of rooms, minimum stay, a switch or a price.")
        return data

    def night_changes(self) -> dict:
        data = self.cleaned_data
        changes = {name: data[name] for name in ("total", "min_stay") if data.get(name) is not None}
        changes.update({name: data[name] == ON for name in SWITCHES if data.get(name) in (ON, OFF)})
        return changes

    def prices(self) -> list[tuple[RatePlan, Decimal]]:
        return [(plan, self.cleaned_data[f"price_{plan.pk}"]) for plan in self.plans
                if self.cleaned_data.get(f"price_{plan.pk}") is not None]

    def room_types(self):
        chosen = self.cleaned_data.get("room_type")
        return [chosen] if chosen else list(self.prop.room_types.select_related("property").order_by("name"))
