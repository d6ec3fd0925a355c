"""Emails to travellers about their bookings: what each kind says (``kinds``), how a message is
built from the booking (``compose``), the voucher's calendar file (``ics``). Sending, once
per booking and kind, is ``bookings.services.emails``; the tasks that run it are in
``bookings.tasks``."""
