from .append_only import AppendOnly, AppendOnlyModel, AppendOnlyQuerySet
from .outbox import FailedTask, OutboxMessage

__all__ = ["AppendOnly", "AppendOnlyModel", "AppendOnlyQuerySet", "FailedTask", "OutboxMessage"]
