"""Pure functions between our dataclasses and Stripe's wire format (no HTTP here)."""
from __future__ import annotations

from decimal import Decimal

from returns.payments.base import (
    GatewayAuthError,
    GatewayError,
    GatewayRateLimited,
    GatewayUnavailable,
    RefundDeclined,
    RefundRequestData,
    RefundResult,
)

# Stripe's zero-decimal currencies: amounts are sent in major units. Three-decimal ones in thousandths.
ZERO_DECIMAL = frozenset("BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split())
THREE_DECIMAL = frozenset("BHD JOD KWD OMR TND".split())
STATUS_MAP = {"succeeded": "succeeded", "pending": "pending", "requires_action": "pending",
              "failed": "failed", "canceled": "failed"}


def exponent(currency: str) -> int:
    currency = currency.upper()
    return 0 if currency in ZERO_DECIMAL else 3 if currency in THREE_DECIMAL else 2


def to_minor(amount: Decimal, currency: str) -> int:
    scaled = Decimal(amount).scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} {currency} has more precision than the currency allows")
    return int(scaled)


def from_minor(amount: int, currency: str) -> Decimal:
    return Decimal(amount).scaleb(-exponent(currency))


def refund_form(request: RefundRequestData) -> dict[str, str]:
    """Form fields for POST /v1/refunds (metadata uses Stripe's bracket notation)."""
    form = {
        "payment_intent": request.payment_reference,
        "amount": str(to_minor(request.amount, request.currency)),
        "reason": request.reason,
    }
    for key, value in request.metadata.items():
        form[f"metadata[{key}]"] = str(value)
    return form


def parse_refund(body: dict) -> RefundResult:
    if body.get("object") != "refund" or not body.get("id"):
        raise GatewayError("Stripe answered with something that is not a refund", code="unexpected_body")
    currency = str(body.get("currency", "")).upper()
    return RefundResult(
        reference=body["id"],
        status=STATUS_MAP.get(body.get("status", ""), "pending"),
        amount=from_minor(int(body.get("amount", 0)), currency),
        currency=currency,
        failure_reason=body.get("failure_reason") or "",
    )


def error_for(status: int, body: dict | None, *, retry_after: float | None = None) -> GatewayError:
    """Map an HTTP status and Stripe error object to our error types."""
    error = (body or {}).get("error") or {}
    message = error.get("message") or f"Stripe answered HTTP {status}"
    code = error.get("code") or error.get("type") or ""
    if status == 401 or status == 403:
        return GatewayAuthError(message, code=code)
    if status == 429:
        return GatewayRateLimited(message, code=code, retry_after=retry_after)
    if status >= 500 or error.get("type") == "api_error":
        return GatewayUnavailable(message, code=code, retry_after=retry_after)
    if error.get("type") == "idempotency_error" or status == 409:
        # Same key, different parameters: a bug on our side, never retried blindly.
        return GatewayError(message, code=code or "idempotency_error")
    return RefundDeclined(message, code=code)
