"""Bookings, price locks and crypto checkout. Built by its own issue; empty until then."""
