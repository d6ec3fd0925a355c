"""Room types and properties are the catalogue app's now: the foreign keys point at the same tables."""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0001_moved_from_travel'),
        ('inventory', '0003_ordering_by_ids'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='channelrequest',
                name='room_type',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='channel_requests', to='catalogue.roomtype'),
            ),
            migrations.AlterField(
                model_name='hold',
                name='room_type',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='holds', to='catalogue.roomtype'),
            ),
            migrations.AlterField(
                model_name='rate',
                name='room_type',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rates', to='catalogue.roomtype'),
            ),
            migrations.AlterField(
                model_name='rateplan',
                name='property',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rate_plans', to='catalogue.property'),
            ),
            migrations.AlterField(
                model_name='roomnight',
                name='room_type',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='nights', to='catalogue.roomtype'),
            ),
        ]),
    ]
