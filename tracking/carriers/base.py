"""The carrier-adapter contract. Adapters take and return these plain dataclasses and know nothing
of Django models, so each one is tested with recorded JSON alone.

Expected carrier failures (not found, auth, rate limit, carrier down) raise the CarrierError
subclasses below, which the ingestion layer turns into logged outcomes; anything else is a bug.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar, Mapping


class Capability(enum.Flag):
    NONE = 0
    WEBHOOKS = enum.auto()  # the carrier pushes status updates to us
    POLLING = enum.auto()  # we can fetch tracking on demand
    LABELS = enum.auto()  # return labels (PDF) and label-free QR codes
    PICKUPS = enum.auto()  # carrier collects the parcel from the shopper
    TRANSIT_TIMES = enum.auto()  # published transit-time estimates per service
    DELIVERY_CHANGES = enum.auto()  # reschedule / redirect / instructions after a failed attempt


# --- Errors ---------------------------------------------------------------------------------------
class CarrierError(Exception):
    """Base for expected carrier failures. ``retryable`` tells the caller whether to try later."""

    retryable = False

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class NotFound(CarrierError):
    """The carrier does not know this tracking number (yet)."""


class AuthError(CarrierError):
    """Credentials missing, wrong or revoked."""


class RateLimited(CarrierError):
    retryable = True


class CarrierUnavailable(CarrierError):
    """5xx, timeouts, connection errors."""

    retryable = True


class InvalidRequest(CarrierError):
    """The carrier rejected what we sent (bad tracking number format, unsupported service…)."""


class WebhookRejected(CarrierError):
    """An incoming webhook failed verification or could not be understood. ``status`` is the HTTP
    status to answer with (400 bad body, 401 bad signature, 413 too large, 422 unknown shape).

    ``reason_code`` says why in a word the ingestion log can rely on (one of the REASON_* values
    below, or "" when the adapter does not say); the message stays free text for people."""

    REASON_SIGNATURE = "signature"  # missing, malformed or wrong signature / token / secret
    REASON_STALE = "stale"  # signed timestamp outside the allowed window (a replay or a slow clock)
    REASON_BODY = "body"  # not JSON, unreadable
    REASON_SHAPE = "shape"  # JSON the adapter does not understand

    def __init__(self, message: str, *, status: int = 400, reason_code: str = ""):
        super().__init__(message)
        self.status = status
        self.reason_code = reason_code


# --- Data -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrackingEventData:
    occurred_at: datetime  # timezone-aware
    status: str  # canonical, from tracking.carriers.status
    reason: str = ""  # canonical reason or ""
    carrier_code: str = ""
    carrier_text: str = ""
    location: str = ""
    carrier_event_id: str = ""  # the carrier's own id for this event, if it has one
    details: Mapping = field(default_factory=dict)  # proof of delivery (signed_by, photo_url), extras


@dataclass(frozen=True)
class TrackingResult:
    tracking_number: str
    carrier: str  # slug
    events: list[TrackingEventData]
    estimated_delivery: date | None = None  # the carrier's own estimate
    service_level: str = ""
    carrier_url: str = ""  # public tracking page at the carrier
    provider_event_id: str = ""  # id of the webhook delivery itself, for delivery-level idempotency
    # The carrier *company* (tracking.carriers.companies id, e.g. "kr.cjlogistics") this result is
    # about, when the adapter knows it; pass it back as ``track(…, carrier_code=…)``.
    carrier_code: str = ""
    # True when the result is only a nudge: the provider said "something changed" without saying
    # what (tracker.delivery callbacks carry no events). ``events`` is then empty and the ingestion
    # layer must call ``adapter.track(tracking_number, carrier_code=carrier_code)`` to learn it.
    # An empty ``events`` list with needs_retrack=False means "nothing new", not "go and ask".
    needs_retrack: bool = False


@dataclass(frozen=True)
class TrackingRegistration:
    """What ``register_tracking`` arranged with a provider that pushes updates for a limited time.

    ``expires_at`` (timezone-aware) is when the provider stops calling back; the caller renews by
    calling ``register_tracking`` again before then. None: the registration does not lapse."""

    tracking_number: str
    carrier_code: str = ""  # carrier company id, as in TrackingResult.carrier_code
    callback_url: str = ""  # where the provider will call (secrets in it are the adapter's business)
    expires_at: datetime | None = None


@dataclass(frozen=True)
class Address:
    name: str
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str = ""
    region: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class LabelRequest:
    reference: str  # our RMA number
    from_address: Address  # the shopper
    to_address: Address  # the merchant's warehouse
    weight_grams: int = 1000
    service_level: str = ""
    label_free: bool = False  # QR code for drop-off instead of a printable label
    language: str = ""  # the shopper's language, for carriers that word their instructions in it


@dataclass(frozen=True)
class Label:
    tracking_number: str
    carrier: str
    format: str  # "pdf" or "qr_png"
    content: bytes
    cost: Decimal | None = None
    currency: str = ""
    instructions: str = ""


@dataclass(frozen=True)
class PickupRequest:
    tracking_number: str
    address: Address
    pickup_date: date
    reference: str = ""


@dataclass(frozen=True)
class Pickup:
    confirmation: str
    pickup_date: date
    window_start: str = ""  # "09:00"
    window_end: str = ""


@dataclass(frozen=True)
class TransitEstimate:
    service_level: str
    min_business_days: int
    max_business_days: int


@dataclass(frozen=True)
class DeliveryChange:
    """A shopper's request after a failed attempt."""

    tracking_number: str
    kind: str  # "reschedule" | "redirect_pickup_point" | "instructions"
    new_date: date | None = None
    pickup_point_id: str = ""
    instructions: str = ""


@dataclass(frozen=True)
class PickupPoint:
    """A parcel shop or locker a failed delivery can be redirected to."""

    id: str
    name: str
    address: str
    postal_code: str
    opening_hours: str = ""


@dataclass(frozen=True)
class DeliveryChangeResult:
    accepted: bool
    confirmation: str = ""
    message: str = ""


@dataclass(frozen=True)
class CarrierCredentials:
    """What a carrier account stores for the adapter. Adapters never read Django settings."""

    api_key: str = ""
    webhook_secret: str = ""
    # Base URL of the provider's API; "" means the adapter's published production URL. The registry
    # fills it from settings.DOORSTEP_<PROVIDER>_API_URL so a sandbox or a local fake can stand in.
    api_url: str = ""
    # Secrets still accepted during a rotation overlap window.
    previous_webhook_secrets: tuple[str, ...] = ()
    extra: Mapping = field(default_factory=dict)

    @property
    def webhook_secrets(self) -> tuple[str, ...]:
        """Every secret a delivery may be signed with right now (current first), empties dropped."""
        return tuple(s for s in (self.webhook_secret, *self.previous_webhook_secrets) if s)


# --- The contract ---------------------------------------------------------------------------------
class CarrierAdapter:
    """Subclass per carrier. Override what the capabilities promise; the rest raises."""

    slug: ClassVar[str]
    name: ClassVar[str]
    capabilities: ClassVar[Capability] = Capability.NONE
    # Largest webhook body we read before answering 413.
    max_webhook_bytes: ClassVar[int] = 512 * 1024

    def __init__(self, credentials: CarrierCredentials | None = None):
        self.credentials = credentials or CarrierCredentials()

    def supports(self, capability: Capability) -> bool:
        return bool(self.capabilities & capability)

    # Tracking
    #
    # ``carrier_code`` is the carrier *company* (a tracking.carriers.companies id such as
    # "kr.cjlogistics") for adapters that track many companies and cannot always tell which from the
    # number alone (tracker.delivery, Sweet Tracker). Adapters that work it out themselves accept
    # and ignore it, so callers may always pass it. Third-party adapters written before it existed
    # take only the number: callers pass the keyword only when they have a value.
    def track(self, tracking_number: str, *, carrier_code: str = "") -> TrackingResult:
        raise NotImplementedError(f"{self.slug} cannot poll tracking")

    def register_tracking(
        self,
        tracking_number: str,
        *,
        carrier_code: str = "",
        callback_url: str = "",
        expires_at: datetime | None = None,
    ) -> TrackingRegistration | None:
        """Ask the carrier/aggregator to start pushing webhooks for this number.

        ``callback_url`` is the account's webhook URL, for providers that take one per registration;
        ``expires_at`` asks for a registration that lapses then (the adapter picks a default when
        None). Returns a TrackingRegistration when the provider's registration lapses (renew it
        before ``expires_at``), None when nothing needs renewing (or nothing was needed at all)."""
        return None

    def tracking_url(self, tracking_number: str) -> str:
        return ""

    # Webhooks
    def verify_webhook(self, *, headers: Mapping[str, str], body: bytes, url_token: str = "") -> None:
        """Raise WebhookRejected unless this delivery is authentic. Must compare in constant time."""
        raise WebhookRejected(f"{self.slug} does not accept webhooks", status=404)

    def parse_webhook(self, *, headers: Mapping[str, str], body: bytes) -> list[TrackingResult]:
        """Turn a verified delivery into tracking results. Raise WebhookRejected for unknown shapes."""
        raise WebhookRejected(f"{self.slug} does not accept webhooks", status=404)

    # Returns
    def create_label(self, request: LabelRequest) -> Label:
        raise NotImplementedError(f"{self.slug} cannot create labels")

    def schedule_pickup(self, request: PickupRequest) -> Pickup:
        raise NotImplementedError(f"{self.slug} cannot schedule pickups")

    # Delivery promise and failed-delivery recovery
    def transit_estimates(self, *, origin_country: str, destination_country: str) -> list[TransitEstimate]:
        return []

    def request_delivery_change(self, change: DeliveryChange) -> DeliveryChangeResult:
        raise NotImplementedError(f"{self.slug} cannot change deliveries")

    def pickup_points(self, postal_code: str) -> list[PickupPoint]:
        """Where a failed delivery may be redirected near ``postal_code`` (empty when unsupported)."""
        return []


def header(headers: Mapping[str, str], name: str) -> str:
    """Case-insensitive header lookup that works on plain dicts as well as Django's request.headers,
    and on the odd non-string value a fuzzer or a broken proxy sends (treated as absent). A direct
    hit answers at once (always the case for request.headers, which is case-insensitive itself;
    in a plain dict the exact spelling wins); otherwise every key is compared."""
    value = headers.get(name)
    if isinstance(value, str):
        return value
    wanted = name.lower()
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == wanted:
            return value if isinstance(value, str) else ""
    return ""
