"""The store-platform contract. A store adapter (Shopify, WooCommerce, Cafe24…) takes and returns
the plain frozen dataclasses below and knows nothing of Django models, so each one is tested with
recorded JSON alone. The Django half (models, webhook endpoint, services, tasks) is built on top.

How the pieces fit (what the Django half is expected to do):

* **Webhooks in.** ``verify_webhook`` (constant time; raises ``WebhookRejected`` with the HTTP
  status to answer) → store the raw delivery keyed by ``StoreWebhook.delivery_id`` → answer 2xx →
  ``parse_webhook`` in a task. ``parse_webhook`` never raises anything but ``WebhookRejected`` on
  junk. Every order-ish topic carries ``order_ids``; when ``needs_fetch`` is true the payload was
  thin (Cafe24) or partial (a fulfilment or refund without its order) and the task calls
  ``fetch_order`` for the truth.
* **Upserts are order-independent.** Deliveries arrive late, twice and out of order. Upsert a
  ``StoreOrder`` by ``(platform, shop, id)`` and keep the one with the newest ``updated_at``; an
  older one is ignored. ``order.deleted`` and ``product.deleted`` carry ids only.
* **Backfill.** ``fetch_orders(since=…)`` then keep calling with ``cursor=page.next_cursor`` until
  it is ``None``. The cursor is opaque and self-contained: persist it to resume after a crash.
* **Write back.** ``push_fulfilment_event`` (shipment status → platform) and ``create_refund``
  (money → platform, always with an idempotency key). A write that timed out after it was sent
  raises ``StoreUnavailable`` with ``outcome_unknown=True``: reconcile (fetch the order) before
  trying again.
* **Tokens.** Adapters never refresh tokens behind the caller's back (a rotated refresh token that
  is not persisted breaks the connection). ``needs_refresh()`` says when; ``refresh_access_token()``
  returns a ``TokenGrant`` to persist; ``TokenGrant.apply(credentials)`` gives the new credentials.

Expected platform failures raise the ``StoreError`` subclasses; anything else is a bug.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Callable, ClassVar, Generic, Mapping, Sequence, TypeVar

# --- Doorstep's own webhook topic names ---------------------------------------------------------
TOPIC_ORDER_CREATED = "order.created"
TOPIC_ORDER_UPDATED = "order.updated"
TOPIC_ORDER_CANCELLED = "order.cancelled"
TOPIC_ORDER_DELETED = "order.deleted"
TOPIC_FULFILMENT_CREATED = "fulfilment.created"
TOPIC_FULFILMENT_UPDATED = "fulfilment.updated"
TOPIC_REFUND_CREATED = "refund.created"
TOPIC_PRODUCT_CREATED = "product.created"
TOPIC_PRODUCT_UPDATED = "product.updated"
TOPIC_PRODUCT_DELETED = "product.deleted"
TOPIC_APP_UNINSTALLED = "app.uninstalled"
TOPIC_CUSTOMER_DATA_REQUEST = "customer.data_request"
TOPIC_CUSTOMER_REDACT = "customer.redact"
TOPIC_SHOP_REDACT = "shop.redact"
TOPIC_PING = "ping"  # a platform's "is this URL alive?" delivery (WooCommerce on webhook creation)
TOPIC_UNKNOWN = "unknown"  # a verified delivery we do not act on: acknowledge, store, ignore

TOPICS = frozenset({
    TOPIC_ORDER_CREATED, TOPIC_ORDER_UPDATED, TOPIC_ORDER_CANCELLED, TOPIC_ORDER_DELETED,
    TOPIC_FULFILMENT_CREATED, TOPIC_FULFILMENT_UPDATED, TOPIC_REFUND_CREATED,
    TOPIC_PRODUCT_CREATED, TOPIC_PRODUCT_UPDATED, TOPIC_PRODUCT_DELETED,
    TOPIC_APP_UNINSTALLED, TOPIC_CUSTOMER_DATA_REQUEST, TOPIC_CUSTOMER_REDACT, TOPIC_SHOP_REDACT,
    TOPIC_PING, TOPIC_UNKNOWN,
})
ORDER_TOPICS = frozenset({TOPIC_ORDER_CREATED, TOPIC_ORDER_UPDATED, TOPIC_ORDER_CANCELLED, TOPIC_ORDER_DELETED,
                          TOPIC_FULFILMENT_CREATED, TOPIC_FULFILMENT_UPDATED, TOPIC_REFUND_CREATED})
PRODUCT_TOPICS = frozenset({TOPIC_PRODUCT_CREATED, TOPIC_PRODUCT_UPDATED, TOPIC_PRODUCT_DELETED})
COMPLIANCE_TOPICS = frozenset({TOPIC_CUSTOMER_DATA_REQUEST, TOPIC_CUSTOMER_REDACT, TOPIC_SHOP_REDACT})

# Topics ``register_webhooks`` subscribes to when the caller names none.
DEFAULT_TOPICS = (
    TOPIC_ORDER_CREATED, TOPIC_ORDER_UPDATED, TOPIC_ORDER_CANCELLED, TOPIC_ORDER_DELETED,
    TOPIC_FULFILMENT_CREATED, TOPIC_FULFILMENT_UPDATED, TOPIC_REFUND_CREATED,
    TOPIC_PRODUCT_CREATED, TOPIC_PRODUCT_UPDATED, TOPIC_PRODUCT_DELETED, TOPIC_APP_UNINSTALLED,
)

# --- Normalised order statuses (the platform's own value stays in ``platform_status``) ----------
FINANCIAL_STATUSES = frozenset({"pending", "authorized", "paid", "partially_paid", "partially_refunded",
                                "refunded", "voided", "unknown"})
FULFILMENT_STATUSES = frozenset({"unfulfilled", "partial", "fulfilled", "restocked", "unknown"})


class Capability(enum.Flag):
    NONE = 0
    WEBHOOKS = enum.auto()  # the platform pushes order/product changes to us
    WEBHOOK_REGISTRATION = enum.auto()  # register_webhooks() creates the subscriptions by API
    OAUTH = enum.auto()  # authorize_url() / exchange_code() connect a store without pasting keys
    BACKFILL = enum.auto()  # fetch_orders() / fetch_products() page through history
    FULFILMENT_EVENTS = enum.auto()  # push_fulfilment_event() writes shipment status back
    REFUNDS = enum.auto()  # create_refund() issues refunds through the platform
    COMPLIANCE_WEBHOOKS = enum.auto()  # data-request / redact deliveries (Shopify's mandatory topics)
    POLLING = enum.auto()  # fetch_order() re-reads one order on demand (thin webhooks, reconciliation)


# --- Errors --------------------------------------------------------------------------------------
class StoreError(Exception):
    """Base for expected platform failures. ``retryable`` tells the caller whether to try later,
    ``retry_after`` how long the platform asked us to wait (seconds, or None).

    ``outcome_unknown`` is set when a non-idempotent write (a refund, a note) was sent but no answer
    came back: the platform may or may not have applied it, so reconcile before retrying."""

    retryable = False

    def __init__(self, message: str, *, retry_after: float | None = None, outcome_unknown: bool = False):
        super().__init__(message)
        self.retry_after = retry_after
        self.outcome_unknown = outcome_unknown


class AuthError(StoreError):
    """The connection needs re-authorisation: token missing, expired, revoked (app uninstalled),
    or lacking a scope. ``reason`` is one of the REASON_* values."""

    REASON_INVALID = "invalid"  # wrong or revoked token / keys
    REASON_EXPIRED = "expired"  # the access token expired: refresh it (refresh_access_token)
    REASON_SCOPE = "scope"  # the token works but lacks a permission: re-authorise with more scopes

    def __init__(self, message: str, *, reason: str = "invalid", **kwargs):
        super().__init__(message, **kwargs)
        self.reason = reason


class RateLimited(StoreError):
    retryable = True


class StoreUnavailable(StoreError):
    """5xx, timeouts, connection errors, frozen or locked shops."""

    retryable = True


class NotFound(StoreError):
    """The platform does not know this order / product / fulfilment (or the shop)."""


class InvalidRequest(StoreError):
    """The platform rejected what we sent (GraphQL userErrors, 400/422), or answered with a body we
    cannot read. ``errors`` holds the platform's messages when it gave any."""

    def __init__(self, message: str, *, errors: Sequence[str] = (), **kwargs):
        super().__init__(message, **kwargs)
        self.errors = tuple(errors)


class Unsupported(StoreError):
    """The adapter does not offer this capability (see ``StoreAdapter.capabilities``)."""


class OAuthRejected(StoreError):
    """An OAuth callback is not authentic or not ours: bad or missing hmac, wrong state, a shop
    domain that is not the platform's, a stale timestamp. Answer 400 and start over."""


class WebhookRejected(StoreError):
    """An incoming webhook failed verification or could not be understood. ``status`` is the HTTP
    status to answer with (400 bad body, 401 bad signature, 413 too large, 422 unknown shape);
    ``reason_code`` one of the REASON_* values (the same words the carrier layer uses)."""

    REASON_SIGNATURE = "signature"
    REASON_STALE = "stale"
    REASON_BODY = "body"
    REASON_SHAPE = "shape"

    def __init__(self, message: str, *, status: int = 400, reason_code: str = ""):
        super().__init__(message)
        self.status = status
        self.reason_code = reason_code


# --- Data ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StoreCustomer:
    id: str = ""  # platform customer id; "" for a guest checkout
    email: str = ""
    phone: str = ""
    first_name: str = ""
    last_name: str = ""

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


@dataclass(frozen=True)
class StoreAddress:
    name: str = ""
    company: str = ""
    line1: str = ""
    line2: str = ""
    city: str = ""
    region: str = ""  # province / state / 시·도 as given
    postal_code: str = ""
    country_code: str = ""  # ISO 3166-1 alpha-2 when the platform gives one
    phone: str = ""


@dataclass(frozen=True)
class StoreOrderLine:
    id: str  # the platform's line id (Shopify line item, WooCommerce item, Cafe24 order_item_code)
    product_id: str | None  # None when the product was deleted after the order
    variant_id: str | None  # None when deleted, or when the product has no variants
    sku: str
    title: str
    quantity: int
    unit_price: Decimal  # shop currency, before order-level discounts; may be 0 or negative
    variant_title: str = ""
    presentment_unit_price: Decimal | None = None  # in the currency the shopper paid in

    @property
    def product_deleted(self) -> bool:
        return self.product_id is None


@dataclass(frozen=True)
class StoreTracking:
    number: str  # as given (trimmed); see ``suspicious``
    company: str = ""  # carrier / company name exactly as the platform gave it
    url: str = ""
    carrier: str = ""  # Doorstep carrier company id (tracking.stores.carrier_names), "" = unknown
    suspicious: bool = False  # characters or a length no carrier uses: kept, but worth a look


@dataclass(frozen=True)
class StoreFulfilmentLine:
    line_id: str
    quantity: int


@dataclass(frozen=True)
class StoreFulfilment:
    id: str
    status: str  # "pending" | "open" | "success" | "cancelled" | "error" | "failure" (Shopify words)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    lines: tuple[StoreFulfilmentLine, ...] = ()
    trackings: tuple[StoreTracking, ...] = ()  # none, one, or several parcels per fulfilment
    shipment_status: str = ""  # the platform's own last shipment status, if it keeps one
    order_id: str = ""


@dataclass(frozen=True)
class StoreRefundLine:
    line_id: str
    quantity: int
    amount: Decimal | None = None


@dataclass(frozen=True)
class StoreRefund:
    id: str
    amount: Decimal  # positive
    currency: str
    created_at: datetime | None = None
    lines: tuple[StoreRefundLine, ...] = ()
    note: str = ""
    order_id: str = ""


@dataclass(frozen=True)
class StoreTotals:
    total: Decimal = Decimal("0")
    subtotal: Decimal = Decimal("0")
    tax: Decimal = Decimal("0")
    shipping: Decimal = Decimal("0")
    discounts: Decimal = Decimal("0")
    refunded: Decimal = Decimal("0")


@dataclass(frozen=True)
class StoreOrder:
    platform: str
    id: str  # stable platform id as text (Shopify: the numeric id, not the gid)
    number: str  # what shoppers and staff see: "#1001", "1234", "20260104-0000013"
    created_at: datetime | None
    updated_at: datetime | None  # upsert key: keep the newest
    currency: str  # shop currency of ``totals`` and ``unit_price``
    totals: StoreTotals
    cancelled_at: datetime | None = None
    cancel_reason: str = ""
    presentment_currency: str = ""  # what the shopper paid in ("" when the platform has one currency)
    presentment_totals: StoreTotals | None = None
    customer: StoreCustomer | None = None  # None: POS / guest order with no customer record
    email: str = ""  # order contact email (may exist without a customer, or be empty on POS)
    phone: str = ""
    shipping_address: StoreAddress | None = None
    lines: tuple[StoreOrderLine, ...] = ()
    fulfilments: tuple[StoreFulfilment, ...] = ()
    refunds: tuple[StoreRefund, ...] = ()
    financial_status: str = "unknown"  # one of FINANCIAL_STATUSES
    fulfilment_status: str = "unknown"  # one of FULFILMENT_STATUSES
    platform_status: str = ""  # the platform's own status words, for display and debugging
    payment_gateways: tuple[str, ...] = ()
    source: str = ""  # "web", "pos", "checkout", "NCHECKOUT"… as given
    raw_id: str = ""  # the platform's global id (Shopify gid) when it differs from ``id``
    test: bool = False

    @property
    def trackings(self) -> tuple[StoreTracking, ...]:
        return tuple(t for f in self.fulfilments for t in f.trackings)


@dataclass(frozen=True)
class StoreVariant:
    id: str
    title: str = ""
    sku: str = ""
    price: Decimal | None = None
    stock: int | None = None  # None when the platform does not track stock for it


@dataclass(frozen=True)
class StoreProduct:
    platform: str
    id: str
    title: str
    handle: str = ""
    image_url: str = ""
    variants: tuple[StoreVariant, ...] = ()
    status: str = ""
    updated_at: datetime | None = None


@dataclass(frozen=True)
class ComplianceRequest:
    """A privacy request (Shopify's mandatory compliance topics)."""

    kind: str  # TOPIC_CUSTOMER_DATA_REQUEST | TOPIC_CUSTOMER_REDACT | TOPIC_SHOP_REDACT
    shop_id: str = ""
    shop_domain: str = ""
    customer_id: str = ""
    customer_email: str = ""
    customer_phone: str = ""
    order_ids: tuple[str, ...] = ()
    data_request_id: str = ""


@dataclass(frozen=True)
class StoreWebhook:
    platform: str
    topic: str  # one of TOPICS
    platform_topic: str  # as sent: "orders/create", "order.updated", "90023"
    delivery_id: str  # dedupe key for this delivery (stable across the platform's retries)
    shop: str  # shop domain / store URL / mall id the delivery says it is for
    triggered_at: datetime | None = None
    event_id: str = ""  # the platform's id for the underlying event, when it has one
    api_version: str = ""
    order_ids: tuple[str, ...] = ()
    orders: tuple[StoreOrder, ...] = ()
    fulfilments: tuple[StoreFulfilment, ...] = ()
    refunds: tuple[StoreRefund, ...] = ()
    product_ids: tuple[str, ...] = ()
    products: tuple[StoreProduct, ...] = ()
    compliance: ComplianceRequest | None = None
    needs_fetch: bool = False  # the payload does not carry the full order: fetch_order(order_ids)


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    next_cursor: str | None = None  # opaque; None when there is nothing more

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None


@dataclass(frozen=True)
class PushResult:
    """What ``push_fulfilment_event`` did. ``accepted`` False with a ``skipped_reason`` is not an
    error: the platform has no way to say it (e.g. Shopify has no event for "cancelled")."""

    accepted: bool
    platform_status: str = ""  # the value we sent ("IN_TRANSIT", "shipping", a note)
    remote_id: str = ""  # id of what we created (fulfilment event, note, tracking item)
    skipped_reason: str = ""


@dataclass(frozen=True)
class RefundLineRequest:
    line_id: str
    quantity: int
    restock: bool = False


@dataclass(frozen=True)
class StoreCredentials:
    """What a store connection stores for the adapter. Adapters read nothing else (no settings).

    ``shop``: Shopify shop domain (``x.myshopify.com``), WooCommerce store URL
    (``https://shop.example``), Cafe24 mall id. ``api_url`` overrides the platform base URL for a
    sandbox or a local fake; it may contain ``{shop}`` / ``{mall_id}``.
    """

    shop: str = ""
    access_token: str = field(default="", repr=False)
    refresh_token: str = field(default="", repr=False)
    token_expires_at: datetime | None = None
    refresh_token_expires_at: datetime | None = None
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    webhook_secret: str = field(default="", repr=False)
    previous_webhook_secrets: tuple[str, ...] = field(default=(), repr=False)  # rotation overlap
    consumer_key: str = field(default="", repr=False)
    consumer_secret: str = field(default="", repr=False)
    api_url: str = ""
    api_version: str = ""
    scopes: tuple[str, ...] = ()
    extra: Mapping = field(default_factory=dict)

    @property
    def webhook_secrets(self) -> tuple[str, ...]:
        """Every secret a delivery may be signed with right now (current first), empties dropped."""
        return tuple(s for s in (self.webhook_secret, *self.previous_webhook_secrets) if s)


@dataclass(frozen=True)
class TokenGrant:
    """Tokens from an OAuth code exchange or refresh. Persist it, then ``apply`` it."""

    access_token: str = field(repr=False)
    refresh_token: str = field(default="", repr=False)
    expires_at: datetime | None = None
    refresh_token_expires_at: datetime | None = None
    scopes: tuple[str, ...] = ()
    shop: str = ""

    def apply(self, credentials: StoreCredentials) -> StoreCredentials:
        return replace(
            credentials,
            access_token=self.access_token,
            refresh_token=self.refresh_token or credentials.refresh_token,
            token_expires_at=self.expires_at,
            refresh_token_expires_at=self.refresh_token_expires_at or credentials.refresh_token_expires_at,
            scopes=self.scopes or credentials.scopes,
        )


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


# --- The contract ---------------------------------------------------------------------------------
class StoreAdapter:
    """Subclass per platform. Override what the capabilities promise; the rest raises Unsupported.

    Constructor: ``Adapter(credentials, *, session=None, sleep=None, now=None)``. ``session`` (a
    requests.Session) and ``sleep`` are injectable for tests and benches; ``now`` returns an aware
    datetime (token expiry checks)."""

    slug: ClassVar[str]
    name: ClassVar[str]
    capabilities: ClassVar[Capability] = Capability.NONE
    # Largest webhook body we read before answering 413 (a Shopify order with 250 lines is ~1 MB).
    max_webhook_bytes: ClassVar[int] = 4 * 1024 * 1024

    def __init__(self, credentials: StoreCredentials | None = None, *, session=None,
                 sleep: Callable[[float], None] | None = None, now: Callable[[], datetime] | None = None):
        self.credentials = credentials or StoreCredentials()
        self._session = session
        self._sleep = sleep
        self._now = now or _utcnow

    def supports(self, capability: Capability) -> bool:
        return bool(self.capabilities & capability)

    def _unsupported(self, what: str):
        return Unsupported(f"{self.slug} cannot {what}")

    # Webhooks
    def verify_webhook(self, *, headers: Mapping[str, str], body: bytes, url_token: str = "") -> None:
        """Raise WebhookRejected unless this delivery is authentic. Compares in constant time.
        ``url_token`` is the secret path/query token of the callback URL, for platforms that sign
        nothing."""
        raise WebhookRejected(f"{self.slug} does not accept webhooks", status=404)

    def parse_webhook(self, *, headers: Mapping[str, str], body: bytes) -> StoreWebhook:
        """Turn a verified delivery into a StoreWebhook. Raises only WebhookRejected (400/422)."""
        raise WebhookRejected(f"{self.slug} does not accept webhooks", status=404)

    def register_webhooks(self, *, callback_url: str, topics: Sequence[str] | None = None) -> list[str]:
        """Subscribe ``callback_url`` to ``topics`` (Doorstep names; DEFAULT_TOPICS when None).
        Returns the platform's ids of the subscriptions created."""
        raise self._unsupported("register webhooks")

    # Backfill and polling
    def fetch_orders(self, *, since: datetime | None = None, cursor: str | None = None,
                     page_size: int = 50) -> Page[StoreOrder]:
        """Orders changed since ``since`` (None: all), oldest change first. With ``cursor``,
        ``since`` is ignored: the cursor carries it."""
        raise self._unsupported("backfill orders")

    def fetch_order(self, order_id: str) -> StoreOrder:
        raise self._unsupported("fetch an order")

    def fetch_products(self, *, since: datetime | None = None, cursor: str | None = None,
                       page_size: int = 50) -> Page[StoreProduct]:
        raise self._unsupported("backfill products")

    # Write back
    def push_fulfilment_event(self, *, order_id: str, fulfilment_id: str, tracking_number: str, status: str,
                              happened_at: datetime, reason: str = "", message: str = "", carrier: str = "",
                              location: str = "", estimated_delivery_at: datetime | None = None) -> PushResult:
        """Tell the platform a parcel moved. ``status`` is canonical (tracking.carriers.status).
        ``fulfilment_id`` "" means the platform does not know the parcel yet: adapters that can
        attach it (WooCommerce Shipment Tracking, Cafe24 shipments) do, the others skip."""
        raise self._unsupported("push fulfilment events")

    def create_refund(self, *, order_id: str, amount: Decimal, currency: str, idempotency_key: str,
                      lines: Sequence[RefundLineRequest] = (), note: str = "", notify: bool = False) -> StoreRefund:
        """Refund ``amount`` (in ``currency``, the currency the shopper paid in) to the original
        payment. ``idempotency_key`` must be stable across retries of the same refund."""
        raise self._unsupported("create refunds")

    # OAuth
    def authorize_url(self, *, redirect_uri: str, state: str, scopes: Sequence[str] = ()) -> str:
        raise self._unsupported("start OAuth")

    def exchange_code(self, *, code: str, redirect_uri: str = "") -> TokenGrant:
        raise self._unsupported("exchange an OAuth code")

    def refresh_access_token(self) -> TokenGrant:
        """Trade the refresh token for new tokens. Updates this adapter's credentials and returns
        the grant to persist (refresh tokens rotate: the old one stops working)."""
        raise self._unsupported("refresh tokens")

    def needs_refresh(self, *, margin: timedelta = timedelta(minutes=5)) -> bool:
        """True when the access token expires within ``margin`` and a refresh token exists."""
        expires = self.credentials.token_expires_at
        return bool(self.credentials.refresh_token) and expires is not None and expires - margin <= self._now()
