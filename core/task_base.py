"""The base class every background task of the platform uses.

- Retries with exponential backoff and jitter for the errors a task declares transient.
- After the last retry the message is rejected without requeue, so RabbitMQ moves it to the
  dead-letter exchange, and a ``FailedTask`` row makes it visible to staff. A task may add its
  own reaction (a booking goes to the review queue) by overriding ``on_exhausted``.
"""
import logging

from celery import Task

logger = logging.getLogger(__name__)


class ReliableTask(Task):
    acks_late = True
    reject_on_worker_lost = True
    # Rejected (not acknowledged) on final failure: the queue's dead-letter exchange takes it.
    acks_on_failure_or_timeout = False
    retry_backoff = 2
    retry_backoff_max = 300
    retry_jitter = True
    max_retries = 5

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        from core.services import failed_task_record

        logger.error("task %s[%s] gave up: %r", self.name, task_id, exc)
        failed_task_record(task_name=self.name, task_id=task_id, args=args, kwargs=kwargs, error=repr(exc))
        self.on_exhausted(exc=exc, args=args, kwargs=kwargs)

    def on_exhausted(self, *, exc, args, kwargs):
        """Hook for a task's own reaction to giving up. Runs after the FailedTask is recorded."""
