"""The channel manager's data: the sales channels (OTAs and direct) and how each is reached."""
from django.db import models


class Channel(models.Model):
    class PushMode(models.TextChoices):
        BULK = "bulk", "Bulk (date ranges)"
        SINGLE_DATE = "single_date", "One date per message"

    class InboundMode(models.TextChoices):
        WEBHOOK = "webhook", "Signed webhooks"
        POLLING = "polling", "Polling"
        DIRECT = "direct", "Our own site"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    push_mode = models.CharField(max_length=12, choices=PushMode.choices, default=PushMode.BULK)
    inbound_mode = models.CharField(max_length=10, choices=InboundMode.choices, default=InboundMode.WEBHOOK)
    commission_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
