"""The Celery application.

RabbitMQ is the broker. Every task is acknowledged late and rejected (not lost) if its worker
dies; workers take one message at a time. Queues carry a dead-letter exchange: a task that has
used up its retries is rejected into ``dead-letter`` and recorded for staff (``ReliableTask``).
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "travel.settings.base")

app = Celery("travel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
