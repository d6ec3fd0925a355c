"""The catalogue models, moved from the travel app. Their tables keep their names (db_table), so this
only tells Django the models live here now; the content types (and the staff permissions that point
at them) are renamed, not recreated."""
import datetime
from decimal import Decimal

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ['destination', 'amenity', 'property', 'propertyphoto', 'propertyslugredirect', 'roomtype']


def rename_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="travel", model__in=MODELS).update(app_label="catalogue")


def unrename_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="catalogue", model__in=MODELS).update(app_label="travel")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('travel', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='Amenity',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('code', models.SlugField(max_length=40, unique=True)),
                    ('name', models.CharField(max_length=80)),
                ],
                options={
                    'verbose_name_plural': 'amenities',
                    'db_table': 'travel_amenity',
                    'ordering': ['name'],
                },
            ),
            migrations.CreateModel(
                name='Destination',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(max_length=120)),
                    ('slug', models.SlugField(max_length=140, unique=True)),
                    ('country', models.CharField(max_length=80)),
                    ('country_code', models.CharField(max_length=2)),
                    ('summary', models.CharField(help_text='One sentence, used as meta description.', max_length=300)),
                    ('description', models.TextField(blank=True)),
                    ('latitude', models.DecimalField(decimal_places=6, max_digits=9)),
                    ('longitude', models.DecimalField(decimal_places=6, max_digits=9)),
                    ('timezone', models.CharField(default='UTC', max_length=64)),
                    ('image_url', models.CharField(blank=True, max_length=300)),
                    ('updated_at', models.DateTimeField(auto_now=True)),
                ],
                options={
                    'db_table': 'travel_destination',
                    'ordering': ['name'],
                },
            ),
            migrations.CreateModel(
                name='Property',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('chain', models.CharField(blank=True, max_length=120)),
                    ('name', models.CharField(max_length=160)),
                    ('slug', models.SlugField(max_length=180, unique=True)),
                    ('star_rating', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)])),
                    ('summary', models.CharField(help_text='One sentence, used as meta description.', max_length=300)),
                    ('description', models.TextField(blank=True)),
                    ('street_address', models.CharField(max_length=200)),
                    ('locality', models.CharField(max_length=120)),
                    ('region', models.CharField(blank=True, max_length=120)),
                    ('postal_code', models.CharField(blank=True, max_length=20)),
                    ('country_code', models.CharField(max_length=2)),
                    ('latitude', models.DecimalField(decimal_places=6, max_digits=9)),
                    ('longitude', models.DecimalField(decimal_places=6, max_digits=9)),
                    ('phone', models.CharField(blank=True, max_length=40)),
                    ('check_in_time', models.TimeField(default=datetime.time(14, 0))),
                    ('check_out_time', models.TimeField(default=datetime.time(12, 0))),
                    ('currency', models.CharField(default='USD', max_length=3)),
                    ('tax_percent', models.DecimalField(decimal_places=2, default=Decimal('10.00'), help_text='Taxes charged on the room price, in percent.', max_digits=5)),
                    ('fee_per_night', models.DecimalField(decimal_places=2, default=Decimal('0.00'), help_text='Resort or service fee per room and night, included in every total shown.', max_digits=8)),
                    ('is_active', models.BooleanField(default=True)),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('updated_at', models.DateTimeField(auto_now=True)),
                    ('amenities', models.ManyToManyField(blank=True, related_name='properties', to='catalogue.amenity')),
                    ('destination', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='properties', to='catalogue.destination')),
                    ('staff', models.ManyToManyField(blank=True, help_text='Hotel staff who manage this property in the admin.', related_name='staffed_properties', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name_plural': 'properties',
                    'db_table': 'travel_property',
                    'ordering': ['name'],
                },
            ),
            migrations.CreateModel(
                name='PropertyPhoto',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('url', models.CharField(help_text='An absolute URL or a path under /static/.', max_length=300)),
                    ('alt', models.CharField(max_length=200)),
                    ('position', models.PositiveSmallIntegerField(default=0)),
                    ('property', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='photos', to='catalogue.property')),
                ],
                options={
                    'db_table': 'travel_propertyphoto',
                    'ordering': ['position', 'id'],
                },
            ),
            migrations.CreateModel(
                name='PropertySlugRedirect',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('old_slug', models.SlugField(max_length=180, unique=True)),
                    ('property', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='slug_redirects', to='catalogue.property')),
                ],
                options={
                    'db_table': 'travel_propertyslugredirect',
                },
            ),
            migrations.CreateModel(
                name='RoomType',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('code', models.SlugField(max_length=40)),
                    ('name', models.CharField(max_length=120)),
                    ('description', models.TextField(blank=True)),
                    ('max_occupancy', models.PositiveSmallIntegerField(default=2)),
                    ('bed', models.CharField(blank=True, max_length=60)),
                    ('size_sqm', models.PositiveSmallIntegerField(blank=True, null=True)),
                    ('property', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='room_types', to='catalogue.property')),
                ],
                options={
                    'db_table': 'travel_roomtype',
                    'ordering': ['property', 'code'],
                    'constraints': [models.UniqueConstraint(fields=('property', 'code'), name='roomtype_unique_code_per_property')],
                },
            ),
        ]),
        migrations.RunPython(rename_content_types, unrename_content_types),
    ]
