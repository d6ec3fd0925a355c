"""Parsing what travellers send at checkout into typed values, with clear messages."""
from django import forms

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


class PlaceForm(forms.Form):
    lock_id = forms.CharField(max_length=64)
    idempotency_key = forms.CharField(max_length=100)


class CancelForm(forms.Form):
    method = forms.ChoiceField(choices=[("crypto", "Refund in crypto"), ("credit", "Platform credit")],
                               required=False)


def first_error(form: forms.Form) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return "Check what you entered."
