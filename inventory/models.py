"""What can be sold: one row per room type and night, with its version, rates and restrictions.

``RoomNight`` is the single source of truth of availability. Only ``inventory.services``
writes it; a database CHECK keeps ``0 <= available <= total`` so that even a bug cannot oversell.
"""
from django.db import models
from django.db.models import F, Q

from catalogue.models import Property, RoomType


class RatePlan(models.Model):
    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="rate_plans")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    refundable = models.BooleanField(default=True)
    free_cancellation_days = models.PositiveSmallIntegerField(
        default=2, help_text="Refundable plans: full refund until this many days before check-in."
    )
    breakfast_included = models.BooleanField(default=False)

    class Meta:
        ordering = ["property", "-refundable", "code"]
        constraints = [
            models.UniqueConstraint(fields=["property", "code"], name="rateplan_unique_code_per_property"),
        ]

    def __str__(self):
        return f"{self.property.name} · {self.name}"


class RoomNight(models.Model):
    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, related_name="nights")
    date = models.DateField()
    total = models.PositiveIntegerField()
    available = models.IntegerField()
    version = models.PositiveBigIntegerField(default=1, help_text="Bumped by every change.")
    stop_sell = models.BooleanField(default=False)
    min_stay = models.PositiveSmallIntegerField(default=1)
    max_stay = models.PositiveSmallIntegerField(default=30)
    closed_to_arrival = models.BooleanField(default=False)
    closed_to_departure = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["room_type_id", "date"]  # by id: no join (and no locks) on the catalogue
        constraints = [
            models.UniqueConstraint(fields=["room_type", "date"], name="roomnight_unique_per_date"),
            models.CheckConstraint(
                condition=Q(available__gte=0) & Q(available__lte=F("total")),
                name="roomnight_available_within_total",
            ),
        ]

    def __str__(self):
        return f"{self.room_type} {self.date}: {self.available}/{self.total} v{self.version}"

    @property
    def sold(self) -> int:
        return self.total - self.available


class Rate(models.Model):
    """The price of one room for one night under one rate plan, by occupancy."""

    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, related_name="rates")
    rate_plan = models.ForeignKey(RatePlan, on_delete=models.CASCADE, related_name="rates")
    date = models.DateField()
    single = models.DecimalField(max_digits=10, decimal_places=2, help_text="One guest.")
    double = models.DecimalField(max_digits=10, decimal_places=2, help_text="Two guests.")
    extra_guest = models.DecimalField(
        max_digits=10, decimal_places=2, default=0, help_text="Each guest beyond two."
    )
    version = models.PositiveBigIntegerField(default=1)

    class Meta:
        ordering = ["room_type_id", "rate_plan_id", "date"]
        constraints = [
            models.UniqueConstraint(fields=["room_type", "rate_plan", "date"], name="rate_unique_per_date"),
            models.CheckConstraint(
                condition=Q(single__gt=0) & Q(double__gt=0) & Q(extra_guest__gte=0), name="rate_positive"
            ),
        ]

    def price_for(self, guests: int):
        if guests <= 1:
            return self.single
        return self.double + self.extra_guest * max(0, guests - 2)


class Hold(models.Model):
    """The nights one reservation took, so that a release gives back exactly those, once."""

    class Status(models.TextChoices):
        HELD = "held", "Held"
        RELEASED = "released", "Released"

    reference = models.CharField(max_length=64, unique=True)
    room_type = models.ForeignKey(RoomType, on_delete=models.PROTECT, related_name="holds")
    check_in = models.DateField()
    check_out = models.DateField()
    rooms = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=40, help_text="The sales channel that asked for it.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.reference} {self.room_type} {self.check_in}→{self.check_out} ×{self.rooms}"


class HoldNight(models.Model):
    hold = models.ForeignKey(Hold, on_delete=models.CASCADE, related_name="nights")
    room_night = models.ForeignKey(RoomNight, on_delete=models.PROTECT, related_name="hold_nights")
    rooms = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hold", "room_night"], name="holdnight_unique"),
        ]


class ChannelRequest(models.Model):
    """A request from a sales channel (a new reservation, a modification or a cancellation),
    decided by a hash-routed task.

    Keyed on the channel's own reference, so a redelivered or retried task decides it once.
    ``queues`` records the shard queue of every attempt (retries must stay on their shard).
    A modification or cancellation names the hold it ``replaces``; once decided, ``hold`` is the
    hold the reservation has, so several requests (the booking, each modification, the
    cancellation) point at the same hold. A cancellation records the stay of the hold it
    cancels (as it was when the cancellation arrived): that is what its shard is computed from.
    """

    class Kind(models.TextChoices):
        NEW = "new", "New reservation"
        MODIFY = "modify", "Modification"
        CANCEL = "cancel", "Cancellation"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        HELD = "held", "Held"
        REFUSED = "refused", "Refused"
        RELEASED = "released", "Released"

    reference = models.CharField(max_length=64, unique=True)
    source = models.CharField(max_length=40)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NEW)
    room_type = models.ForeignKey(RoomType, on_delete=models.PROTECT, related_name="channel_requests")
    check_in = models.DateField()
    check_out = models.DateField()
    rooms = models.PositiveSmallIntegerField(default=1)
    guests = models.PositiveSmallIntegerField(default=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    outcome = models.CharField(max_length=200, blank=True)
    replaces = models.ForeignKey(Hold, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="replacing_requests",
                                 help_text="The hold a modification or cancellation is about.")
    hold = models.ForeignKey(Hold, null=True, blank=True, on_delete=models.SET_NULL, related_name="channel_requests")
    queues = models.JSONField(default=list, help_text="The shard queue of each attempt, in order.")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="new", replaces__isnull=True) | (~models.Q(kind="new") & models.Q(
                    replaces__isnull=False)),
                name="channelrequest_replaces_only_for_changes",
            ),
        ]

    def __str__(self):
        return f"{self.source} {self.kind} {self.reference} {self.status}"
