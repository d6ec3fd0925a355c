"""The loyalty ledger. Built by its own issue; empty until then."""
