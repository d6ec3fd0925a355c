"""Writes of the platform's own records."""
from core.models import FailedTask


def failed_task_record(*, task_name: str, task_id: str, args, kwargs, error: str) -> FailedTask:
    """Record a task that gave up; recording the same task twice keeps the first record."""
    failed, _ = FailedTask.objects.get_or_create(
        task_id=task_id,
        defaults={"task_name": task_name, "args": list(args or []), "kwargs": dict(kwargs or {}), "error": error},
    )
    return failed
