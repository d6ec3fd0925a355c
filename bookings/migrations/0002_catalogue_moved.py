"""Room types and properties are the catalogue app's now: the foreign keys point at the same tables."""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('bookings', '0001_initial'),
        ('catalogue', '0001_moved_from_travel'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='booking',
                name='property',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='bookings', to='catalogue.property'),
            ),
            migrations.AlterField(
                model_name='booking',
                name='room_type',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='bookings', to='catalogue.roomtype'),
            ),
        ]),
    ]
