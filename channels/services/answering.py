"""Our answer to each revision, sent to the channel after our commit, never inside it.

An applied revision is acknowledged (Booking.com-, Agoda-, Traveloka-, Trip.com-like) or confirmed
with our confirmation number (Expedia-like: the adapter knows which); a refused one is refused
with the reason. The call happens in a task; a retryable failure (timeout, 5xx, 429, "still
processing") raises so the task retries; a rejection by the channel is recorded and not retried.
"""
from django.db import transaction
from django.utils import timezone

from channels import events
from channels.adapters import adapter_for
from channels.adapters.base import ChannelError
from channels.models import ChannelRevision
from channels.revisions import reservation_from_data
from core.outbox import enqueue_after_commit

ANSWER_TASK = "channels.answer"
R = ChannelRevision.State
A = ChannelRevision.Answer


def answer_after_commit(revision: ChannelRevision) -> None:
    enqueue_after_commit(task=ANSWER_TASK, kwargs={"revision_id": revision.pk},
                         key=revision.booking.confirmation)


def revision_answer(*, revision_id: int) -> str:
    """Tell the channel what we decided on one revision; record that it heard. Returns the answer."""
    revision = ChannelRevision.objects.select_related("booking__channel").get(pk=revision_id)
    if revision.state not in (R.APPLIED, R.REFUSED):
        return ""  # nothing decided (yet): nothing to say
    booking = revision.booking
    reservation = reservation_from_data(revision.data)
    adapter = adapter_for(booking.channel.code)
    try:
        if revision.state == R.APPLIED:
            adapter.acknowledge(reservation=reservation, confirmation=booking.confirmation)
            answer = A.ACKNOWLEDGED
        else:
            adapter.refuse(reservation=reservation, reason=revision.reason or "Not available.")
            answer = A.REFUSED
    except ChannelError as exc:
        if exc.retryable:
            raise
        _answered(revision, answer=A.FAILED, data={"error": exc.message, "code": exc.code})
        return A.FAILED
    _answered(revision, answer=answer, data={"confirmation": booking.confirmation} if answer == A.ACKNOWLEDGED
              else {"reason": revision.reason})
    return answer


def _answered(revision: ChannelRevision, *, answer: str, data: dict) -> None:
    with transaction.atomic():
        revision.answer, revision.answered_at = answer, timezone.now()
        revision.save(update_fields=["answer", "answered_at"])
        action = {A.ACKNOWLEDGED: "acknowledged", A.REFUSED: "refusal_sent", A.FAILED: "answer_failed"}[answer]
        events.record(booking=revision.booking, action=action, revision=revision.revision, data=data)
