"""Staff re-drive dead letters from the admin: each is sent again once, with its arguments."""
import pytest

from core.models import FailedTask, OutboxMessage
from tests.factories import UserFactory

CHANGELIST = "/admin/core/failedtask/"


@pytest.fixture
def platform_admin(client):
    client.force_login(UserFactory(username="platform", is_staff=True, is_superuser=True))
    return client


def failed(task_id: str, **kwargs) -> FailedTask:
    return FailedTask.objects.create(task_name="core.ping", task_id=task_id, args=[], kwargs=kwargs,
                                     error="RuntimeError('gave up')")


def redrive(client, *records):
    return client.post(CHANGELIST, {"action": "redrive", "_selected_action": [r.pk for r in records]},
                       follow=True)


@pytest.mark.django_db
def test_the_redrive_action_sends_each_selected_task_again_once(platform_admin):
    first, second = failed("t-1"), failed("t-2")

    page = redrive(platform_admin, first, second).content.decode()
    again = redrive(platform_admin, first).content.decode()

    queued = OutboxMessage.objects.filter(topic="task:core.ping").values_list("key", flat=True)
    assert sorted(queued) == sorted([f"failed-task:{first.pk}", f"failed-task:{second.pk}"])
    assert "Sent 2 tasks again." in page
    assert "Sent 0 tasks again. 1 already re-driven or resolved: not sent twice." in again
    first.refresh_from_db()
    assert first.resolved_at is not None and "re-driven" in first.resolution_note and "platform" in first.resolution_note


@pytest.mark.django_db
def test_the_list_separates_open_dead_letters_from_resolved_ones(platform_admin):
    failed("t-open")
    done = failed("t-done")
    redrive(platform_admin, done)

    page = platform_admin.get(CHANGELIST, {"resolved_at__isempty": "1"}).content.decode()

    assert "t-open" in page and "t-done" not in page
