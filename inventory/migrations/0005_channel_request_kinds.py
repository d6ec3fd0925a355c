"""Channel requests carry their kind (new, modify, cancel) and the hold a change is about; a
hold can now have several requests (the booking and each modification), and a cancellation
ends "released"."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0002_destination_timezone_validated'),
        ('inventory', '0004_catalogue_moved'),
    ]

    operations = [
        migrations.AddField(
            model_name='channelrequest',
            name='kind',
            field=models.CharField(choices=[('new', 'New reservation'), ('modify', 'Modification'), ('cancel', 'Cancellation')], default='new', max_length=10),
        ),
        migrations.AddField(
            model_name='channelrequest',
            name='replaces',
            field=models.ForeignKey(blank=True, help_text='The hold a modification or cancellation is about.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='replacing_requests', to='inventory.hold'),
        ),
        migrations.AlterField(
            model_name='channelrequest',
            name='hold',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='channel_requests', to='inventory.hold'),
        ),
        migrations.AlterField(
            model_name='channelrequest',
            name='status',
            field=models.CharField(choices=[('pending', 'Pending'), ('held', 'Held'), ('refused', 'Refused'), ('released', 'Released')], default='pending', max_length=10),
        ),
        migrations.AddConstraint(
            model_name='channelrequest',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'new'), ('replaces__isnull', True)), models.Q(models.Q(('kind', 'new'), _negated=True), ('replaces__isnull', False)), _connector='OR'), name='channelrequest_replaces_only_for_changes'),
        ),
    ]
