"""Seed the coin registry (131 coins). Idempotent: an existing code is left as staff set it."""
from decimal import Decimal

from django.db import migrations


def seed(apps, schema_editor):
    from bookings.payments.coin_data import COINS

    Coin = apps.get_model("payments", "Coin")
    existing = set(Coin.objects.values_list("code", flat=True))
    Coin.objects.bulk_create([
        Coin(code=code, symbol=symbol, name=name, network=network, decimals=decimals,
             confirmations_required=confirmations, minimum_amount=Decimal(minimum), uri_scheme=scheme,
             sort_order=position)
        for position, (code, symbol, name, network, decimals, confirmations, minimum, scheme) in enumerate(COINS)
        if code not in existing
    ])


def unseed(apps, schema_editor):
    from bookings.payments.coin_data import COINS

    apps.get_model("payments", "Coin").objects.filter(code__in=[c[0] for c in COINS], invoices=None).delete()


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
