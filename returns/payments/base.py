"""The payment-gateway contract for refunds.

Expected gateway failures raise the GatewayError subclasses below; ``retryable`` tells the caller
whether the same request (same idempotency key) may be sent again later. Anything else is a bug.

Optional capability: a gateway with ``supports_balance = True`` answers ``payment_balance()`` (what
is still refundable on a payment, as the gateway sees it). Independently of that, a caller that
already knows the remaining amount passes it as ``RefundRequestData.known_refundable``; adapters call
``check_refundable()`` first, so a refund larger than that is refused before any network call.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar, Mapping


class GatewayError(Exception):
    retryable = False

    def __init__(self, message: str, *, code: str = "", retry_after: float | None = None):
        super().__init__(message)
        self.code = code
        self.retry_after = retry_after


class GatewayAuthError(GatewayError):
    """Missing, wrong or revoked credentials (or a key not allowed to do this)."""


class RefundDeclined(GatewayError):
    """The gateway refused this refund (already refunded, charge disputed, amount too large…)."""


class GatewayRateLimited(GatewayError):
    retryable = True


class GatewayUnavailable(GatewayError):
    """5xx, timeouts, connection errors: the outcome is unknown, retry with the same idempotency key."""

    retryable = True


@dataclass(frozen=True)
class BankAccount:
    """Where a refund of a bank-transfer payment (e.g. a Korean virtual account, 가상계좌) is paid to.

    ``bank`` is the gateway's bank code (Toss Payments uses two-digit codes such as "88" = Shinhan);
    ``account_number`` digits only. Kept out of ``repr`` so it does not end up in logs."""

    bank: str
    account_number: str = field(repr=False)
    holder_name: str = field(repr=False)


@dataclass(frozen=True)
class RefundRequestData:
    payment_reference: str  # the gateway's id of the original payment (Stripe PaymentIntent, Toss paymentKey)
    amount: Decimal  # major units, e.g. Decimal("12.50") or Decimal("25000") KRW
    currency: str  # ISO 4217, upper case
    idempotency_key: str  # derived from OUR refund row: a retry repeats the same key
    reason: str = "requested_by_customer"
    metadata: Mapping[str, str] = field(default_factory=dict)
    # Needed by gateways that pay bank-transfer refunds to an account (Toss virtual accounts); others ignore it.
    refund_account: BankAccount | None = field(default=None, repr=False)
    # What the caller knows is still refundable on this payment (its own ledger, or payment_balance()).
    # Given: a larger ``amount`` is refused before any call, and gateways that can check it server-side
    # (Toss ``refundableAmount``) send it along so a concurrent refund elsewhere is caught too.
    known_refundable: Decimal | None = None


@dataclass(frozen=True)
class RefundResult:
    reference: str  # the gateway's refund id (Stripe re_…, Toss the cancel's transactionKey)
    status: str  # "succeeded" | "pending" | "failed"
    amount: Decimal
    currency: str
    failure_reason: str = ""
    # What the gateway says is still refundable after this refund, when it says so (Toss does).
    refundable_after: Decimal | None = None


@dataclass(frozen=True)
class PaymentBalance:
    """A payment as the gateway sees it now, for deciding how much may still be refunded."""

    reference: str
    currency: str
    total: Decimal  # what was paid
    refundable: Decimal  # what can still be refunded (Toss ``balanceAmount``)
    status: str  # the gateway's own status word, e.g. "DONE", "PARTIAL_CANCELED", "CANCELED"
    # A bank-transfer payment (Toss virtual account, 가상계좌) whose refund is paid to an account the
    # shopper names (RefundRequestData.refund_account).
    needs_refund_account: bool = False


@dataclass(frozen=True)
class GatewayCredentials:
    secret_key: str = field(default="", repr=False)
    extra: Mapping = field(default_factory=dict)
    # Base URL override (sandbox, local fake). Empty: the adapter's public default. Filled by
    # registry.get_gateway from DOORSTEP_PAYMENT_CREDENTIALS[slug]["api_url"]; adapters never read settings.
    api_url: str = ""


def check_refundable(request: RefundRequestData) -> None:
    """Refuse, before any network call, a refund larger than the known refundable amount (when known),
    and a non-positive one."""
    if request.amount <= 0:
        raise RefundDeclined(f"refund amount must be positive, got {request.amount}", code="invalid_amount")
    if request.known_refundable is not None and request.amount > request.known_refundable:
        raise RefundDeclined(
            f"refund of {request.amount} {request.currency} exceeds the {request.known_refundable} "
            f"{request.currency} still refundable", code="exceeds_refundable")


class PaymentGateway:
    slug: ClassVar[str]
    name: ClassVar[str]
    supports_balance: ClassVar[bool] = False

    def __init__(self, credentials: GatewayCredentials | None = None):
        self.credentials = credentials or GatewayCredentials()

    def refund(self, request: RefundRequestData) -> RefundResult:
        raise NotImplementedError(f"{self.slug} cannot refund")

    def payment_balance(self, payment_reference: str) -> PaymentBalance:
        """What is still refundable on a payment. Only where ``supports_balance`` is true."""
        raise NotImplementedError(f"{self.slug} cannot report a payment's refundable amount")
