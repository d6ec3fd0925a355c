"""Seed the coin registry (131 coins). Idempotent: an existing code is left as staff set it."""
from django.db import migrations


def seed(apps, schema_editor):
    from bookings.payments.coin_data import coins_seed

    coins_seed(apps.get_model("payments", "Coin"))


def unseed(apps, schema_editor):
    from bookings.payments.coin_data import COINS

    apps.get_model("payments", "Coin").objects.filter(code__in=[c[0] for c in COINS], invoices=None).delete()


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
