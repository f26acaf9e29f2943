"""Pure functions between our dataclasses and Toss Payments' wire format (no HTTP here).

The answer to a cancel is the whole Payment object; the cancel we just made is the entry of
``cancels`` whose ``transactionKey`` is the payment's ``lastTransactionKey`` (else the latest one).
Amounts are JSON numbers in the currency's major unit (KRW has no minor unit).
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from returns.payments.base import (
    GatewayAuthError,
    GatewayError,
    GatewayRateLimited,
    GatewayUnavailable,
    PaymentBalance,
    RefundDeclined,
    RefundRequestData,
    RefundResult,
)

MAX_REASON = 200  # Toss limits cancelReason to 200 characters
MAX_IDEMPOTENCY_KEY = 300  # and Idempotency-Key to 300 (keys stay valid for 15 days)
DECIMALS = {"KRW": 0, "JPY": 0}  # everything else Toss settles (USD via PayPal…) has cents

REASONS = {
    "requested_by_customer": "고객 요청에 의한 환불",
    "duplicate": "중복 결제 환불",
    "fraudulent": "부정 결제 환불",
}

# Error codes from Toss Payments' error reference (결제 취소 and common errors), by how we treat them.
AUTH_CODES = frozenset({
    "UNAUTHORIZED_KEY", "INVALID_API_KEY", "INCORRECT_BASIC_AUTH_FORMAT", "FORBIDDEN_REQUEST",
    "INVALID_AUTHORIZE_AUTH",
})
# Temporary on Toss', the bank's or the card company's side: the same request (same key) may succeed later.
UNAVAILABLE_CODES = frozenset({
    "PROVIDER_ERROR", "FAILED_INTERNAL_SYSTEM_PROCESSING", "FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING",
    "FAILED_REFUND_PROCESS", "FAILED_METHOD_HANDLING_CANCEL", "FAILED_PARTIAL_REFUND", "COMMON_ERROR",
    "NOT_AVAILABLE_BANK", "UNKNOWN_PAYMENT_ERROR", "IDEMPOTENT_REQUEST_PROCESSING",
})
# "Repeated requests are not allowed, try again shortly": a second cancel within a second.
RATE_LIMIT_CODES = frozenset({"FORBIDDEN_CONSECUTIVE_REQUEST", "TOO_MANY_REQUESTS"})
# Our request is malformed: a bug on our side, never retried and not the shopper's refund being refused.
BUG_CODES = frozenset({"INVALID_REQUEST", "INVALID_IDEMPOTENCY_KEY", "INVALID_PAYMENT_KEY"})
# Everything else that comes back with a code is Toss refusing this refund (RefundDeclined), e.g.
# ALREADY_CANCELED_PAYMENT, ALREADY_REFUND_PAYMENT, NOT_CANCELABLE_AMOUNT, NOT_CANCELABLE_PAYMENT,
# NOT_MATCHES_REFUNDABLE_AMOUNT, EXCEED_CANCEL_AMOUNT_DISCOUNT_AMOUNT, EXCEED_MAX_REFUND_DUE,
# NOT_ALLOWED_PARTIAL_REFUND(_WAITING_DEPOSIT), INVALID_REFUND_ACCOUNT_INFO, INVALID_REFUND_ACCOUNT_NUMBER,
# INVALID_BANK, REFUND_REJECTED, FORBIDDEN_BANK_REFUND_REQUEST, FAILED_CLOSED_ACCOUNT_REFUND,
# NOT_CANCELABLE_PAYMENT_FOR_DORMANT_USER, NOT_FOUND_PAYMENT.
CONSECUTIVE_REQUEST_WAIT = 1.0  # Toss processes only the first of two cancels of one payment within 1 s


def wire_amount(amount: Decimal, currency: str) -> int | float:
    """A JSON number for ``amount`` in major units, refusing more precision than the currency has."""
    places = DECIMALS.get(currency.upper(), 2)
    quantum = Decimal(1).scaleb(-places)
    if amount != amount.quantize(quantum):
        raise RefundDeclined(f"{amount} {currency} has more precision than the currency allows",
                             code="invalid_amount")
    if places == 0:
        return int(amount)
    return float(amount)  # at the wire only; repr() of a 2-place value round-trips exactly


def cancel_reason(request: RefundRequestData) -> str:
    text = REASONS.get(request.reason, request.reason or "환불")
    rma = request.metadata.get("rma")
    if rma:
        text = f"{text} (RMA {rma})"
    return text[:MAX_REASON]


def is_full_cancel(request: RefundRequestData) -> bool:
    """A refund of everything still refundable goes out as a full cancel (no ``cancelAmount``), so it
    also works for payment methods that allow no partial cancel. Without ``known_refundable`` we cannot
    know, and send the amount (a partial cancel)."""
    return request.known_refundable is not None and request.amount == request.known_refundable


def cancel_body(request: RefundRequestData) -> dict:
    """JSON body for POST /v1/payments/{paymentKey}/cancel."""
    body: dict = {"cancelReason": cancel_reason(request)}
    amount = wire_amount(request.amount, request.currency)
    if not is_full_cancel(request):
        body["cancelAmount"] = amount
        if request.known_refundable is not None:
            # Toss checks this against the payment's balance and answers NOT_MATCHES_REFUNDABLE_AMOUNT
            # if another cancel got there first, instead of refunding on a stale picture.
            body["refundableAmount"] = wire_amount(request.known_refundable, request.currency)
    if request.refund_account is not None:
        account = request.refund_account
        body["refundReceiveAccount"] = {"bank": account.bank, "accountNumber": account.account_number,
                                        "holderName": account.holder_name}
    return body


def _decimal(value, what: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise GatewayError(f"Toss answered a {what} that is not a number: {value!r}",
                           code="unexpected_body") from None


def _when(cancel: dict) -> datetime:
    try:
        return datetime.fromisoformat(str(cancel.get("canceledAt") or ""))
    except ValueError:
        return datetime.min


def latest_cancel(payment: dict) -> dict:
    cancels = [c for c in (payment.get("cancels") or []) if isinstance(c, dict)]
    if not cancels:
        raise GatewayError("Toss answered a payment without any cancel", code="unexpected_body")
    last_key = payment.get("lastTransactionKey") or payment.get("transactionKey")
    for cancel in cancels:
        if last_key and cancel.get("transactionKey") == last_key:
            return cancel
    aware = [c for c in cancels if _when(c).tzinfo is not None]
    return max(aware, key=_when) if len(aware) == len(cancels) else cancels[-1]


def _status(payment: dict, cancel: dict) -> tuple[str, str]:
    """(our status, failure reason) for the cancel just made."""
    cancel_status = cancel.get("cancelStatus") or "DONE"  # older API versions omit it
    if cancel_status in ("ABORTED", "FAILED"):
        return "failed", f"cancel {cancel_status.lower()}"
    if cancel_status != "DONE":
        return "pending", ""
    account = payment.get("virtualAccount")
    if isinstance(account, dict):
        # A deposit already made to a virtual account is paid back to refundReceiveAccount by bank
        # transfer: the cancel is done, the money may not have arrived yet.
        refund_status = account.get("refundStatus") or "NONE"
        if refund_status == "PENDING":
            return "pending", ""
        if refund_status in ("FAILED", "PARTIAL_FAILED"):
            return "failed", f"bank transfer of the refund {refund_status.lower().replace('_', ' ')}"
    return "succeeded", ""


def parse_cancel(payment: dict) -> RefundResult:
    """The Payment object Toss answers a cancel with -> our RefundResult for that cancel."""
    if not isinstance(payment, dict) or not payment.get("paymentKey"):
        raise GatewayError("Toss answered with something that is not a payment", code="unexpected_body")
    if payment.get("status") not in ("CANCELED", "PARTIAL_CANCELED"):
        raise GatewayError(f"Toss answered a cancel with payment status {payment.get('status')!r}",
                           code="unexpected_body")
    cancel = latest_cancel(payment)
    if not cancel.get("transactionKey"):
        raise GatewayError("Toss answered a cancel without a transactionKey", code="unexpected_body")
    status, failure = _status(payment, cancel)
    refundable = cancel.get("refundableAmount")
    if refundable is None:
        refundable = payment.get("balanceAmount")
    return RefundResult(
        reference=cancel["transactionKey"],
        status=status,
        amount=_decimal(cancel.get("cancelAmount", 0), "cancelAmount"),
        currency=str(payment.get("currency") or "KRW").upper(),
        failure_reason=failure,
        refundable_after=_decimal(refundable, "refundableAmount") if refundable is not None else None,
    )


def parse_balance(payment: dict) -> PaymentBalance:
    """GET /v1/payments/{paymentKey} -> what is still refundable (``balanceAmount``)."""
    if not isinstance(payment, dict) or not payment.get("paymentKey"):
        raise GatewayError("Toss answered with something that is not a payment", code="unexpected_body")
    return PaymentBalance(
        reference=payment["paymentKey"],
        currency=str(payment.get("currency") or "KRW").upper(),
        total=_decimal(payment.get("totalAmount", 0), "totalAmount"),
        refundable=_decimal(payment.get("balanceAmount", 0), "balanceAmount"),
        status=str(payment.get("status") or ""),
        needs_refund_account=isinstance(payment.get("virtualAccount"), dict) or payment.get("method") in (
            "가상계좌", "VIRTUAL_ACCOUNT"),
    )


def error_for(status: int, body: dict | None, *, retry_after: float | None = None) -> GatewayError:
    """Map an HTTP status and Toss error object ``{"code", "message"}`` to our error types; the Toss
    code is kept in ``.code``. ``body`` is None when the answer was not JSON (an HTML error page)."""
    code = str((body or {}).get("code") or "")
    message = (body or {}).get("message") or f"Toss Payments answered HTTP {status}"
    if code in AUTH_CODES or (not code and status in (401, 403)) or status == 401:
        return GatewayAuthError(message, code=code or f"http_{status}")
    if code in RATE_LIMIT_CODES or status == 429:
        return GatewayRateLimited(message, code=code or "http_429",
                                  retry_after=retry_after if retry_after is not None else CONSECUTIVE_REQUEST_WAIT)
    if code in UNAVAILABLE_CODES or (status >= 500 and code != "FAILED_CLOSED_ACCOUNT_REFUND"):
        wait = retry_after
        if wait is None and code == "IDEMPOTENT_REQUEST_PROCESSING":
            wait = CONSECUTIVE_REQUEST_WAIT
        return GatewayUnavailable(message, code=code or f"http_{status}", retry_after=wait)
    if code in BUG_CODES or not code:
        return GatewayError(message, code=code or f"http_{status}")
    return RefundDeclined(message, code=code)
