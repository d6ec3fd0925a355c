"""The outbox's publisher: Celery's own task messages, without ``apply_async`` for each one.

Each message is built with ``app.amqp.create_task_message`` and sent with
``app.amqp.send_task_message``, so Celery's exchange and routing-key rules, queue declaring, retry
policy and publish signals all apply; what ``apply_async`` would redo for every message (merging
options, asking the router, reading the configuration, copying the queue to bind it) is worked
out once per task name and row options, and the queue bound once per channel. Whatever cannot be
shown to publish the same message takes ``apply_async`` (``Publisher._direct`` says which).
``tests/core/test_outbox_publish.py`` compares both on real RabbitMQ queues.
"""
import weakref

from celery import Task
from celery.app.routes import MapRoute
from kombu.utils.uuid import uuid

# The options an outbox row may carry to route its task (core.outbox.enqueue_after_commit).
ROUTING_OPTIONS = ("queue", "countdown", "priority")

# A task class may set this to say that its own ``apply_async`` adds nothing to what an outbox row
# carries (e.g. it only fills in a queue that every row names): its rows then take the direct path.
OUTBOX_PUBLISH_DIRECT = "outbox_publish_direct"


class Publisher:
    """Publishes task messages on one producer exactly as ``Task.apply_async`` would, without
    going through it (and ``app.send_task``) for every message.

    The message is Celery's own (``app.amqp.create_task_message``: id, headers, argsrepr and
    kwargsrepr, time limits, root and parent ids, reply-to) and goes out through Celery's own
    ``app.amqp.send_task_message`` (its exchange and routing-key rules, declaring the queue, the
    publish retry policy, the before/after publish signals). What is skipped is the work that is
    the same for every message of a task name: merging the task's options, asking the router
    (answered once per task name and row options, ``_plan``), reading the configuration, and
    copying the queue to bind it to the channel on every publish (bound once per channel here).
    Whatever this cannot show to be the same goes through ``apply_async`` as before (``_direct``):
    the embedded mode, a task class with its own ``apply_async`` (unless it sets
    ``OUTBOX_PUBLISH_DIRECT``) or shadow name, a result to store, a countdown, an expiry, a router
    that is a function, sent events. ``tests/core/test_outbox_publish.py`` compares both on RabbitMQ.
    """

    def __init__(self, app, producer) -> None:
        self.app, self.producer = app, producer
        self.amqp = app.amqp if producer is not None else None
        self.parent = app.current_worker_task  # the sweep runs in a worker task; the relay thread has none
        self.root_id = self.parent_id = None
        if self.parent is not None:
            self.root_id = self.parent.request.root_id or self.parent.request.id
            self.parent_id = self.parent.request.id
        conf = app.conf
        self.usable = producer is not None and not conf.task_send_sent_event and not (
            self.parent is not None and conf.task_inherit_parent_priority) and _routes_are_maps(self.amqp.router)
        self.reply_to = app.thread_oid if self.usable else None

    def send(self, task_name: str, *, args, kwargs: dict, options: dict, headers: dict | None,
             argsrepr: str | None = None, kwargsrepr: str | None = None) -> None:
        task = self.app.tasks[task_name]  # KeyError: an unknown task (this message fails alone)
        plan = self._direct(task, options)
        if plan is None:
            extra = {} if argsrepr is None else {"argsrepr": argsrepr, "kwargsrepr": kwargsrepr}
            task.apply_async(args=args, kwargs=kwargs, headers=headers, producer=self.producer, **extra, **options)
            return
        check_arguments = getattr(task, "__header__", None) if task.typing else None
        if check_arguments is not None:  # what apply_async checks first: arguments the task does not take
            check_arguments(*args, **kwargs)
        time_limit, soft_time_limit, ignore_result, route = plan
        route = dict(route) if argsrepr is None else dict(route, argsrepr=argsrepr, kwargsrepr=kwargsrepr)
        task_id = uuid()
        message = self.amqp.create_task_message(
            task_id, task_name, args, kwargs, None, None, None, None, None, 0, None, None, None,
            self.reply_to, time_limit, soft_time_limit, False, self.root_id, self.parent_id, None, None,
            ignore_result=ignore_result, replaced_task_nesting=0, headers=headers, **route)
        with self.producer.connection._reraise_as_library_errors():
            if "queue" in route:
                route["queue"] = self._bound(route["queue"])
            self.amqp.send_task_message(self.producer, task_name, message, headers=headers, **route)
        if self.parent is not None:  # as apply_async records a child of the task that queued it
            result = task.AsyncResult(task_id)
            result.ignored = ignore_result
            self.parent.add_trail(result)

    def _direct(self, task, options: dict):
        """The plan to publish ``task`` with these row options directly, or None for apply_async."""
        if not self.usable or options.get("countdown") or not _DIRECT_OPTIONS.issuperset(options):
            return None
        cls = type(task)
        if (cls.apply_async is not Task.apply_async and not getattr(task, OUTBOX_PUBLISH_DIRECT, False)) or (
                cls.shadow_name is not Task.shadow_name or task.__v2_compat__
                or task._dump_pydantic_arguments is not None):
            return None
        return _plan(self.amqp.router, task, options)

    def _bound(self, queue):
        """``queue`` bound to the producer's channel (kombu binds a copy of an unbound queue for
        every publish), kept while that channel lasts. Only on a connection that is up: opening it
        is left to the publish, with kombu's retries."""
        if not self.producer.connection.connected:
            return queue
        channel = self.producer.channel
        unbound, bound = _bound_queues.get(queue.name, (None, None))
        if unbound is not queue or bound.channel is not channel:
            bound = queue.bind(channel)
            _bound_queues[queue.name] = (queue, bound)
        return bound


# The row options the direct path knows (``enqueue_after_commit`` writes no others); a countdown
# only when it is 0 (an ETA is worked out per message: apply_async).
_DIRECT_OPTIONS = frozenset(ROUTING_OPTIONS)

# Queue name → (the queue, bound to the channel it was last published on); bound again when the
# channel changes (another pooled connection, a reconnection) or the name stands for another queue.
_bound_queues: dict = {}


def _routes_are_maps(router) -> bool:
    """Routes that depend on the task name and options only (dicts and globs, not functions)."""
    return all(isinstance(route, MapRoute) for route in router.routes)


_plans: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # by router: what _plan worked out


def _plan(router, task, options: dict):
    """What ``apply_async`` and ``send_task`` work out for every message of ``task`` with these
    row options: (time limit, soft time limit, ignore_result, the routed options), or None when a
    message of this kind needs apply_async (an expiry, a result to store). Cached per router."""
    key = (task.name, tuple(sorted(options.items())))
    plans = _plans.setdefault(router, {})
    try:
        return plans[key]
    except KeyError:
        pass
    if task.soft_time_limit and task.time_limit and task.soft_time_limit > task.time_limit:
        plan = None  # apply_async raises its ValueError for each message
    else:
        merged = dict(task._get_exec_options(), **options)
        merged.pop("countdown", None)  # 0 here (_direct): no ETA, as send_task takes it
        merged.setdefault("ignore_result", task.ignore_result)
        time_limit, soft_time_limit = merged.pop("time_limit", None), merged.pop("soft_time_limit", None)
        expires, ignore_result = merged.pop("expires", None), merged.pop("ignore_result", None)
        if expires is not None or not ignore_result:
            plan = None
        else:
            plan = (time_limit, soft_time_limit, ignore_result, router.route(merged, task.name, (), {}, task))
    plans[key] = plan
    return plan


