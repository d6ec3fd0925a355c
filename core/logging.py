"""Structured logs: one line per event, carrying the request id (and, where there is one, the
booking reference) from the web request through every task it caused.

Every log line, whether written with ``structlog.get_logger()`` or the standard
``logging.getLogger()``, goes through one ``ProcessorFormatter``: the context bound with
``structlog.contextvars`` (``request_id``, ``booking_reference``, ``task_id``, ``user_id``) is merged
in, then the line is rendered as JSON (production) or as a readable console line (development).
The settings pick the formatter by name (``LOG_FORMAT``); this module builds it.

Context is bound by ``core.middleware.RequestId`` for a web request, by ``bind_booking`` where a
booking is placed or changed, and by ``core.task_base`` for a task (from its message headers).
"""
import re
import sys
import uuid

import structlog
import structlog.tracebacks

# The message header a task's log context travels in (core.task_base), and the key of an outbox
# task row that keeps it until the row is handed over (core.outbox).
LOG_CONTEXT_HEADER = "log_context"
# The context that travels with a task: what a web request (or a parent task) bound.
PROPAGATED_KEYS = ("request_id", "booking_reference", "user_id")
# An upstream X-Request-ID is kept when it looks like an id (a proxy's UUID, a trace id), never
# when it could smuggle a line break or a page of text into the logs.
_WELL_FORMED_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]{7,127}")

SHARED_PROCESSORS = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.stdlib.PositionalArgumentsFormatter(),
    structlog.processors.StackInfoRenderer(),
]


def request_id_from(header_value: str | None) -> str:
    """The id of a request: the caller's ``X-Request-ID`` when well formed, else a new one."""
    if header_value and _WELL_FORMED_REQUEST_ID.fullmatch(header_value):
        return header_value
    return uuid.uuid4().hex


def bind_booking(reference: str) -> None:
    """Name the booking this request or task is about in every log line that follows."""
    structlog.contextvars.bind_contextvars(booking_reference=str(reference))


def propagated_context() -> dict:
    """What a task queued now carries to the worker (see ``core.task_base``)."""
    context = structlog.contextvars.get_contextvars()
    return {key: context[key] for key in PROPAGATED_KEYS if context.get(key) is not None}


# A traceback as structured data, without the frames' local variables (they may hold secrets).
_EXCEPTION_AS_DICT = structlog.processors.ExceptionRenderer(
    structlog.tracebacks.ExceptionDictTransformer(show_locals=False))


def configure_structlog() -> None:
    """structlog's own loggers hand their events to the standard logging handlers (and so to the
    formatter below), so both kinds of logger come out alike."""
    structlog.configure(
        processors=[*SHARED_PROCESSORS, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def json_formatter() -> structlog.stdlib.ProcessorFormatter:
    """One JSON object per line (production): ``LOGGING`` formatter ``{"()": "core.logging.json_formatter"}``."""
    return _formatter(_EXCEPTION_AS_DICT, structlog.processors.JSONRenderer())


def console_formatter() -> structlog.stdlib.ProcessorFormatter:
    """A readable line with ``key=value`` context (development); it renders tracebacks itself."""
    return _formatter(structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty()))


def _formatter(*renderers) -> structlog.stdlib.ProcessorFormatter:
    configure_structlog()
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=SHARED_PROCESSORS,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *renderers],
    )
