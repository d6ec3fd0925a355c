"""What every channel adapter offers, in our terms.

An adapter speaks one OTA's API over real HTTP (the pooled ``core.http_client``) and translates
it into these types; nothing above this package sees XML, JSON shapes, signatures or the
channel's error codes. Adapters hold no state and never touch the database.

Inbound (part 1): a webhook is verified and read as a ``Notice``; details are fetched where the
notice is only a hint; ``pull`` is both the polling of channels without webhooks (a cursor) and
the safety net of webhook channels (everything not yet acknowledged); each revision is answered
with ``acknowledge`` (our confirmation number) or ``refuse``; ``report_no_show`` where the API
has one. Outbound (part 2): ``push`` sends availability, rates and restrictions; ``read_back``
returns the channel's own view of them.
"""
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

NEW, MODIFIED, CANCELLED = "new", "modified", "cancelled"


@dataclass(frozen=True)
class Reservation:
    """One revision of a reservation as the channel states it: always the whole stay, so the
    latest revision alone says what the guest holds now."""

    channel: str  # our channel code: booking_com, expedia, agoda, traveloka, trip_com
    reservation_id: str  # the channel's id
    revision: int  # grows with every change the channel makes to this reservation
    status: str  # NEW | MODIFIED | CANCELLED
    hotel_code: str  # the channel's code of the property
    room_code: str  # the channel's code of the room type
    rate_code: str  # the channel's code of the rate plan
    check_in: date
    check_out: date
    rooms: int
    guests: int
    guest_name: str
    guest_email: str = ""
    guest_phone: str = ""
    total: Decimal = Decimal("0")
    currency: str = "USD"
    raw: str = ""  # this reservation as received (the XML element or JSON object, as text)


@dataclass(frozen=True)
class Notice:
    """What a verified webhook says: which reservation changed, with its details when the
    channel sends them (Expedia-like), or only as a hint to fetch them (Booking.com-, Agoda-like)."""

    channel: str
    hotel_code: str
    reservation_id: str
    revision: int | None = None
    reservation: Reservation | None = None


@dataclass(frozen=True)
class Pull:
    reservations: list[Reservation]
    cursor: str = ""  # where the next pull starts; "" for channels that list what is unacknowledged


@dataclass(frozen=True)
class Update:
    """Availability, rate and restrictions of one room type (and rate plan) over ``start``..``end``
    inclusive. A field left None is not changed."""

    room_code: str
    start: date
    end: date
    rate_code: str = ""
    available: int | None = None
    price: Decimal | None = None
    currency: str = "USD"
    min_stay: int | None = None
    max_stay: int | None = None
    closed_to_arrival: bool | None = None
    closed_to_departure: bool | None = None
    stop_sell: bool | None = None


@dataclass(frozen=True)
class Refusal:
    update: Update
    code: str
    message: str


@dataclass(frozen=True)
class PushResult:
    calls: int  # HTTP calls it took
    refused: list[Refusal] = field(default_factory=list)  # items the channel refused (partial success)


# --- errors -----------------------------------------------------------------------------------

class ChannelError(Exception):
    """The channel did not do what we asked. ``retryable`` says whether trying later may help."""

    retryable = False

    def __init__(self, message: str, *, code: str = "", retry_after: float | None = None):
        super().__init__(message)
        self.message, self.code, self.retry_after = message, code, retry_after


class ChannelUnavailable(ChannelError):
    """Timeout, connection refused, 5xx."""

    retryable = True


class RateLimited(ChannelError):
    """429: wait ``retry_after`` seconds."""

    retryable = True


class StillProcessing(ChannelError):
    """The channel answered "still processing, ask again" (Trip.com-like)."""

    retryable = True


class ChannelRejected(ChannelError):
    """4xx or an error code the channel means: our request is wrong or not allowed; do not retry."""


class ContractBroken(ChannelError):
    """The channel's answer does not have the shape its API promises; the message names the field."""


class WebhookRejected(ChannelError):
    """A webhook that is forged, outside the timestamp window or unreadable. Nothing may change."""


# --- the interface ----------------------------------------------------------------------------

class ChannelAdapter(ABC):
    code: str
    webhooks: bool  # does this channel push notifications (else: polled only)
    single_date_pushes: bool = False  # one date and one room type per availability call (Agoda-like)

    @abstractmethod
    def verify_webhook(self, *, body: bytes, headers: Mapping[str, str], now: float | None = None) -> Notice:
        """Check signature and timestamp window, parse; raise WebhookRejected."""

    @abstractmethod
    def fetch(self, *, hotel_code: str, reservation_id: str) -> Reservation:
        """The current revision of one reservation."""

    @abstractmethod
    def pull(self, *, hotel_code: str, cursor: str = "") -> Pull:
        """Polled channels: every revision after ``cursor``. Webhook channels: every revision not
        yet acknowledged (the safety net for lost webhooks)."""

    @abstractmethod
    def acknowledge(self, *, reservation: Reservation, confirmation: str) -> None:
        """We hold it (or released it, for a cancellation): tell the channel, with our number."""

    @abstractmethod
    def refuse(self, *, reservation: Reservation, reason: str) -> None:
        """We cannot honour this revision (sold out, unmapped for good): tell the channel why."""

    @abstractmethod
    def report_no_show(self, *, reservation: Reservation) -> bool:
        """Report the guest as a no-show. False where the channel's API has no such call."""

    @abstractmethod
    def push(self, *, hotel_code: str, updates: list[Update]) -> PushResult:
        """Send updates in as few calls as the API allows (bounded message size, one date per call
        for single-date channels). Raises for a whole-call failure; item refusals are returned."""

    @abstractmethod
    def read_back(self, *, hotel_code: str, room_code: str, start: date, end: date) -> list[Update]:
        """The channel's own view, one Update per date (available, price, restrictions)."""
