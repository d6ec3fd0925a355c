"""Crypto payment models (currencies, rates, invoices, payments, refunds)."""
