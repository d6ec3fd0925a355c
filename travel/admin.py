"""Admin pages of the site layer (discovered by django.contrib.admin)."""
from travel.staff import admin as staff_admin  # noqa: F401  (registers the front desk)
