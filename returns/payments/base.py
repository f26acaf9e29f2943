"""The payment-gateway contract for refunds.

Expected gateway failures raise the GatewayError subclasses below; ``retryable`` tells the caller
whether the same request (same idempotency key) may be sent again later. Anything else is a bug.
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
    """Missing, wrong or revoked credentials."""


class RefundDeclined(GatewayError):
    """The gateway refused this refund (already refunded, charge disputed, amount too large…)."""


class GatewayRateLimited(GatewayError):
    retryable = True


class GatewayUnavailable(GatewayError):
    """5xx, timeouts, connection errors: the outcome is unknown, retry with the same idempotency key."""

    retryable = True


@dataclass(frozen=True)
class RefundRequestData:
    payment_reference: str  # the gateway's id of the original payment (e.g. a Stripe PaymentIntent)
    amount: Decimal  # major units, e.g. Decimal("12.50") or Decimal("25000") KRW
    currency: str  # ISO 4217, upper case
    idempotency_key: str  # derived from OUR refund row: a retry repeats the same key
    reason: str = "requested_by_customer"
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundResult:
    reference: str  # the gateway's refund id
    status: str  # "succeeded" | "pending" | "failed"
    amount: Decimal
    currency: str
    failure_reason: str = ""


@dataclass(frozen=True)
class GatewayCredentials:
    secret_key: str = ""
    extra: Mapping = field(default_factory=dict)


class PaymentGateway:
    slug: ClassVar[str]
    name: ClassVar[str]

    def __init__(self, credentials: GatewayCredentials | None = None):
        self.credentials = credentials or GatewayCredentials()

    def refund(self, request: RefundRequestData) -> RefundResult:
        raise NotImplementedError(f"{self.slug} cannot refund")
