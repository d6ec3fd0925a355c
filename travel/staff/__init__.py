"""Hotel staff's screens that read across apps (own bookings and channel bookings): the front desk."""
