"""The outbox and failed-task records, moved from the travel app. Their tables keep their names
(db_table), so this only tells Django the models live here now; the content types are renamed."""
from django.db import migrations, models

MODELS = ['outboxmessage', 'failedtask']


def rename_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="travel", model__in=MODELS).update(app_label="core")


def unrename_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="core", model__in=MODELS).update(app_label="travel")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('travel', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='FailedTask',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('task_name', models.CharField(max_length=200)),
                    ('task_id', models.CharField(max_length=64, unique=True)),
                    ('args', models.JSONField(default=list)),
                    ('kwargs', models.JSONField(default=dict)),
                    ('error', models.TextField()),
                    ('failed_at', models.DateTimeField(auto_now_add=True)),
                    ('resolved_at', models.DateTimeField(blank=True, null=True)),
                    ('resolution_note', models.TextField(blank=True)),
                ],
                options={
                    'db_table': 'travel_failedtask',
                    'ordering': ['-failed_at'],
                },
            ),
            migrations.CreateModel(
                name='OutboxMessage',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('topic', models.CharField(db_index=True, max_length=100)),
                    ('key', models.CharField(blank=True, help_text='The aggregate it is about.', max_length=100)),
                    ('payload', models.JSONField(default=dict)),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('published_at', models.DateTimeField(blank=True, null=True)),
                    ('attempts', models.PositiveIntegerField(default=0)),
                    ('last_error', models.TextField(blank=True)),
                ],
                options={
                    'db_table': 'travel_outboxmessage',
                    'ordering': ['id'],
                    'indexes': [models.Index(condition=models.Q(('published_at__isnull', True)), fields=['id'], name='outbox_unpublished_idx')],
                },
            ),
        ]),
        migrations.RunPython(rename_content_types, unrename_content_types),
    ]
