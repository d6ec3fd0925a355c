"""The outbox keeps what has not gone out, and forgets what went out long ago."""
from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import OutboxMessage
from core.tasks import outbox_prune_task

pytestmark = pytest.mark.django_db


def row(key: str, *, published_days_ago: float | None) -> OutboxMessage:
    published = None if published_days_ago is None else timezone.now() - timedelta(days=published_days_ago)
    message = OutboxMessage.objects.create(topic="drill.event", key=key, payload={})
    OutboxMessage.objects.filter(pk=message.pk).update(published_at=published,
                                                      created_at=timezone.now() - timedelta(days=30))
    return message


def test_the_daily_prune_deletes_rows_handed_over_long_ago_and_keeps_the_rest(settings):
    settings.OUTBOX_KEEP_DAYS = 7
    row("old-sent", published_days_ago=8)
    row("recent-sent", published_days_ago=6)
    row("never-sent", published_days_ago=None)

    deleted = outbox_prune_task.apply().get()

    assert deleted == 1
    assert sorted(OutboxMessage.objects.values_list("key", flat=True)) == ["never-sent", "recent-sent"]
