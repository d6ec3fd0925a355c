"""Where a property sells: its listing on each channel, with the channel's codes for its room
types and rate plans. A reservation is matched to our rooms only through these mappings: a code
without a mapping parks the reservation for staff, it is never guessed."""
from django.db import models

from catalogue.models import Property, RoomType
from channels.models.channels import Channel
from inventory.models import RatePlan


class Listing(models.Model):
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="listings")
    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="channel_listings")
    hotel_code = models.CharField(max_length=60, help_text="The channel's id of this property.")
    is_active = models.BooleanField(default=True)
    cursor = models.CharField(max_length=200, blank=True,
                              help_text="Polled channels: where the next pull of reservations starts.")
    last_pulled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["property__name", "channel__name"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "property"], name="listing_once_per_channel"),
            models.UniqueConstraint(fields=["channel", "hotel_code"], name="listing_unique_hotel_code"),
        ]

    def __str__(self):
        return f"{self.property} on {self.channel} ({self.hotel_code})"


class RoomMapping(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="room_mappings")
    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, related_name="channel_mappings")
    room_code = models.CharField(max_length=60, help_text="The channel's code of this room type.")

    class Meta:
        ordering = ["listing", "room_code"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "room_code"], name="roommapping_unique_code"),
            models.UniqueConstraint(fields=["listing", "room_type"], name="roommapping_once_per_room_type"),
        ]

    def __str__(self):
        return f"{self.room_code} → {self.room_type}"


class RateMapping(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="rate_mappings")
    rate_plan = models.ForeignKey(RatePlan, on_delete=models.CASCADE, related_name="channel_mappings")
    rate_code = models.CharField(max_length=60, help_text="The channel's code of this rate plan.")

    class Meta:
        ordering = ["listing", "rate_code"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "rate_code"], name="ratemapping_unique_code"),
            models.UniqueConstraint(fields=["listing", "rate_plan"], name="ratemapping_once_per_rate_plan"),
        ]

    def __str__(self):
        return f"{self.rate_code} → {self.rate_plan}"
