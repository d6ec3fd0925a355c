"""The catalogue's and the platform's tables now belong to the catalogue and core apps: only Django's
record of the models moves; the tables, their rows and their constraints stay as they are."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('bookings', '0002_catalogue_moved'),
        ('inventory', '0004_catalogue_moved'),
        ('travel', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.RemoveField(
                model_name='property',
                name='amenities',
            ),
            migrations.RemoveField(
                model_name='property',
                name='destination',
            ),
            migrations.DeleteModel(
                name='FailedTask',
            ),
            migrations.DeleteModel(
                name='OutboxMessage',
            ),
            migrations.RemoveField(
                model_name='property',
                name='staff',
            ),
            migrations.RemoveField(
                model_name='propertyslugredirect',
                name='property',
            ),
            migrations.RemoveField(
                model_name='roomtype',
                name='property',
            ),
            migrations.RemoveField(
                model_name='propertyphoto',
                name='property',
            ),
            migrations.DeleteModel(
                name='Amenity',
            ),
            migrations.DeleteModel(
                name='Destination',
            ),
            migrations.DeleteModel(
                name='PropertySlugRedirect',
            ),
            migrations.DeleteModel(
                name='RoomType',
            ),
            migrations.DeleteModel(
                name='Property',
            ),
            migrations.DeleteModel(
                name='PropertyPhoto',
            ),
        ]),
    ]
