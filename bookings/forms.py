"""Parsing what travellers send at checkout into typed values, with clear messages."""
from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from bookings.guests import (
    MAX_NAME,
    MAX_REQUESTS,
    PHONE_HELP,
    GuestDetails,
    Person,
    document_number,
    guest_name,
    phone_e164,
)
from bookings.selectors import stay_choice
from inventory.stays import MAX_GUESTS_PER_ROOM, MAX_ROOMS


class StayForm(forms.Form):
    room_type = forms.IntegerField(min_value=1, error_messages={"required": "Choose a room."})
    rate_plan = forms.IntegerField(min_value=1, required=False)
    check_in = forms.DateField(error_messages={"required": "Choose a check-in date.",
                                               "invalid": "Enter the check-in date as YYYY-MM-DD."})
    check_out = forms.DateField(error_messages={"required": "Choose a check-out date.",
                                                "invalid": "Enter the check-out date as YYYY-MM-DD."})
    rooms = forms.IntegerField(min_value=1, max_value=MAX_ROOMS, required=False)
    guests = forms.IntegerField(min_value=1, max_value=MAX_ROOMS * MAX_GUESTS_PER_ROOM, required=False)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        choice = stay_choice(room_type_id=data["room_type"], rate_plan_id=data.get("rate_plan"),
                             check_in=data["check_in"], check_out=data["check_out"],
                             rooms=data.get("rooms") or 1, guests=data.get("guests") or 2)
        return {**data, "stay": choice.stay, "room_type_obj": choice.room_type,
                "rate_plan_obj": choice.rate_plan, "rate_plans": choice.rate_plans}


class OfferForm(forms.Form):
    kind = forms.ChoiceField(choices=[("hotel", "Hotel"), ("flight", "Flight"), ("activity", "Activity")],
                             error_messages={"required": "Say which kind of offer this is.",
                                             "invalid_choice": "Choose a hotel, flight or activity offer."})
    offer_id = forms.CharField(max_length=120, error_messages={"required": "Choose an offer."})


class PayWithForm(forms.Form):
    coin = forms.CharField(max_length=16, error_messages={"required": "Choose a coin to pay with."})
    points = forms.IntegerField(min_value=0, max_value=10_000_000, required=False,
                                error_messages={"min_value": "Points cannot be negative."})
    credit = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False,
                                error_messages={"min_value": "Credit cannot be negative.",
                                                "invalid": "Enter the credit as an amount, e.g. 12.50."})


class PlaceForm(forms.Form):
    lock_id = forms.CharField(max_length=64)
    idempotency_key = forms.CharField(max_length=100)


class GuestsForm(forms.Form):
    """Who is travelling, on the "Book now" step. The other guests' names come as repeated
    ``other_name`` fields (one input per guest after the lead)."""

    lead_name = forms.CharField(max_length=MAX_NAME, label="Full name",
                                error_messages={"required": "Enter the lead guest's full name."})
    lead_email = forms.EmailField(max_length=254, label="Email", error_messages={
        "required": "Enter the lead guest's email address.",
        "invalid": "Enter a valid email address, e.g. ana@example.com."})
    lead_phone = forms.CharField(max_length=40, label="Phone", error_messages={"required": PHONE_HELP})
    arrival_time = forms.TimeField(required=False, label="Arrival time (optional)",
                                   error_messages={"invalid": "Enter the arrival time as HH:MM."})
    special_requests = forms.CharField(max_length=MAX_REQUESTS, required=False, label="Special requests (optional)",
                                       widget=forms.Textarea(attrs={"rows": 3}))

    lead_date_of_birth = forms.DateField(required=False, label="Date of birth",
                                         error_messages={"invalid": "Enter the date of birth as YYYY-MM-DD."})
    lead_document_number = forms.CharField(max_length=40, required=False, label="Passport or ID number")

    def __init__(self, *args, others: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.others = others  # how many name inputs to show after the lead

    def clean_lead_document_number(self):
        return document_number(self.cleaned_data.get("lead_document_number") or "")

    def clean_lead_name(self):
        return guest_name(self.cleaned_data["lead_name"])

    def clean_lead_phone(self):
        return phone_e164(self.cleaned_data["lead_phone"])

    def clean(self):
        data = super().clean()
        try:
            data["others"] = tuple(self._person(*row) for row in self._other_rows())
        except ValidationError as exc:
            self.add_error(None, exc)
        return data

    def _other_rows(self) -> list[tuple[str, str, str]]:
        """(name, date of birth, document number) as typed, one per other guest's name input."""
        if not (self.is_bound and hasattr(self.data, "getlist")):
            return []
        names = self.data.getlist("other_name")

        def column(field: str) -> list[str]:
            values = self.data.getlist(field)
            return (values + [""] * len(names))[: len(names)]

        return list(zip(names, column("other_date_of_birth"), column("other_document_number"), strict=True))

    @staticmethod
    def _person(name: str, born: str, document: str) -> Person:
        try:
            date_of_birth = date.fromisoformat(born.strip()) if born.strip() else None
        except ValueError:
            raise ValidationError("Enter each date of birth as YYYY-MM-DD.", code="date_of_birth") from None
        return Person(name=guest_name(name), date_of_birth=date_of_birth, document_number=document_number(document))

    def other_rows(self) -> list[tuple[str, str, str]]:
        """What to show in the other guests' inputs (empty ones on a fresh form)."""
        return self._other_rows() if self.is_bound else [("", "", "")] * self.others

    def details(self) -> GuestDetails:
        d = self.cleaned_data
        return GuestDetails(lead_name=d["lead_name"], lead_email=d["lead_email"], lead_phone=d["lead_phone"],
                            lead_date_of_birth=d.get("lead_date_of_birth"),
                            lead_document_number=d.get("lead_document_number") or "",
                            others=d["others"], arrival_time=d.get("arrival_time"),
                            special_requests=(d.get("special_requests") or "").strip())


class CancelForm(forms.Form):
    method = forms.ChoiceField(choices=[("crypto", "Refund in crypto"), ("credit", "Platform credit")],
                               required=False)


def first_error(form: forms.Form) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return "Check what you entered."
