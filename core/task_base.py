"""The base class every background task of the platform uses.

- Retries with exponential backoff and jitter for the errors a task declares transient.
- After the last retry the message is rejected without requeue, so RabbitMQ moves it to the
  dead-letter exchange, and a ``FailedTask`` row makes it visible to staff. A task may add its
  own reaction (a booking goes to the review queue) by overriding ``on_exhausted``.

Every task also carries the log context of whatever queued it (the web request's id, the booking
reference) in a message header, and binds it while it runs, so its log lines can be followed back
to the request (``core.logging``). This holds for any task, whichever base class it has.
"""
import logging
import time

import structlog
from celery import Task
from celery.signals import before_task_publish, task_postrun, task_prerun

from core.logging import LOG_CONTEXT_HEADER, propagated_context

logger = logging.getLogger(__name__)
log = structlog.get_logger(__name__)


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


@before_task_publish.connect(dispatch_uid="core.task_base.carry_log_context")
def carry_log_context(headers=None, **kwargs):
    """Put the current log context in the message: it is the context of the web request (or task)
    that queued it, also for outbox rows handed over in that request's after-commit hooks. A
    context already there (an outbox row's own, when the sweep hands it over later) is kept."""
    if headers is not None and LOG_CONTEXT_HEADER not in headers:
        headers[LOG_CONTEXT_HEADER] = propagated_context()


@task_prerun.connect(dispatch_uid="core.task_base.bind_log_context")
def bind_log_context(task_id=None, task=None, **kwargs):
    if task is None or task.request.is_eager:
        return  # in-process (embedded mode): the caller's context is already there; keep it
    structlog.contextvars.clear_contextvars()
    carried = getattr(task.request, LOG_CONTEXT_HEADER, None) or {}
    structlog.contextvars.bind_contextvars(**carried, task_id=task_id, task=task.name)
    task.request.started_at = time.monotonic()
    log.info("task_started")


@task_postrun.connect(dispatch_uid="core.task_base.clear_log_context")
def clear_log_context(task=None, state=None, **kwargs):
    if task is None or task.request.is_eager:
        return
    started = getattr(task.request, "started_at", None)
    log.info("task_finished", state=state,
             duration_ms=round((time.monotonic() - started) * 1000) if started else None)
    structlog.contextvars.clear_contextvars()
