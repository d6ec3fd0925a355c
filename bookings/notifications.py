"""Emails to staff when something lands in the review queue (Django's email backend)."""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse

from bookings.models import ReviewItem


def review_recipients(item: ReviewItem) -> list[str]:
    """The property's staff for own-inventory bookings; the admins for supplier bookings."""
    booking = item.booking
    if booking.property_id:
        users = booking.property.staff.filter(is_active=True)
    else:
        users = get_user_model().objects.filter(is_superuser=True, is_active=True)
    return sorted({u.email for u in users if u.email})


def review_notify(*, item_id: int) -> int:
    item = ReviewItem.objects.select_related("booking", "booking__property").get(pk=item_id)
    recipients = review_recipients(item)
    if not recipients:
        return 0
    link = settings.SITE_URL.rstrip("/") + reverse("admin:bookings_reviewitem_change", args=[item.pk])
    return send_mail(
        subject=f"[Review] {item.booking.reference}: {item.get_reason_display()}",
        message=f"Booking {item.booking.reference} ({item.booking.title}) needs a look.\n\n"
                f"{item.get_reason_display()}: {item.detail}\n\nOpen it: {link}\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )
