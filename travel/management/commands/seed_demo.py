"""Create the demo data. Idempotent: running it again changes nothing that exists.

Each app that has demo data offers ``<app>/demo.py`` with a ``seed()`` function; they run in
INSTALLED_APPS order, lowest app first, so this command never imports a higher app by name.
"""
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Create demo destinations, hotels, inventory, channels, currencies and users."

    def handle(self, *args, **options):
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            # Our apps live in the project, possibly nested (bookings.payments); not in .venv.
            top = Path(config.path).parents[len(config.name.split(".")) - 1]
            is_ours = top == Path(settings.BASE_DIR)
            if not is_ours or find_spec(module_name) is None:
                continue
            with transaction.atomic():
                import_module(module_name).seed()
            self.stdout.write(f"seeded {config.label}")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
