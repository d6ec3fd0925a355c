"""The only writers of bookings: one function per use case, each in one transaction.

- quoting: ``price_lock_stay``, ``price_lock_offer``
- placing: ``booking_place``
- lifecycle: ``booking_on_payment``, ``booking_cancel``, ``bookings_expire_unpaid``,
  ``bookings_complete_stays``, ``booking_refund_by_staff``, ``booking_mark_no_show``
- supplier: ``booking_supplier_confirm``, ``supplier_confirmation_gave_up``
- review: ``review_open``, ``review_retry``, ``review_cancel_refund``, ``review_resolve``
"""
