"""The stay a traveller asks a hotel page about, parsed from the query string.

Bad input never raises: the page shows the form again with a message a traveller understands.
The rules themselves (dates order, horizon, rooms, guests) are inventory's ``Stay``, checked
against ``today``: the hotel's (or destination's) own date when the page is about one place.
"""
from datetime import date, timedelta

from django import forms

from inventory.stays import MAX_GUESTS_PER_ROOM, MAX_ROOMS, Stay
from travel.occupancy import stay_or_error

STAY_FIELDS = ("check_in", "check_out", "guests", "rooms")


class StayForm(forms.Form):
    check_in = forms.DateField(
        label="Check-in", widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Check-in is not a date; use the format YYYY-MM-DD."},
    )
    check_out = forms.DateField(
        label="Check-out", widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Check-out is not a date; use the format YYYY-MM-DD."},
    )
    guests = forms.IntegerField(
        label="Guests", initial=2, min_value=1, max_value=MAX_ROOMS * MAX_GUESTS_PER_ROOM,
        error_messages={"invalid": "Guests must be a whole number."},
    )
    rooms = forms.IntegerField(
        label="Rooms", initial=1, min_value=1, max_value=MAX_ROOMS,
        error_messages={"invalid": "Rooms must be a whole number."},
    )

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    @property
    def first_check_out(self) -> date | None:
        """The earliest check-out the calendar offers: one night after today."""
        return self.today + timedelta(days=1) if self.today else None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        data["stay"] = stay_or_error(data["check_in"], data["check_out"], rooms=data["rooms"],
                                     guests=data["guests"], today=self.today)
        return data


def stay_from_query(query, *, today: date | None = None) -> tuple[StayForm, Stay | None]:
    """A bound form when the query names a stay (any of its fields), else an unbound one.
    ``today`` is the place's own date (``Property.local_today()``)."""
    if not any(query.get(name) for name in STAY_FIELDS):
        return StayForm(initial={"guests": 2, "rooms": 1}, today=today), None
    defaults = {"guests": "2", "rooms": "1"}
    data = {name: query.get(name) or defaults.get(name, "") for name in STAY_FIELDS}
    form = StayForm(data=data, today=today)
    if form.is_valid():
        return form, form.cleaned_data["stay"]
    return form, None
