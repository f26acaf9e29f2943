"""Toss Payments refunds (결제 취소) behind the PaymentGateway contract.

* ``refund()``: ``POST /v1/payments/{paymentKey}/cancel`` with ``cancelReason``; ``cancelAmount`` for a
  partial cancel, none for a full one (the amount equals ``known_refundable``); ``refundableAmount`` as a
  server-side guard when the caller knows it; ``refundReceiveAccount`` for virtual-account payments
  (``RefundRequestData.refund_account``). ``Idempotency-Key`` is our refund's key, so a retried cancel
  never refunds twice. The result's ``reference`` is the new cancel's ``transactionKey``.
* ``payment_balance()``: ``GET /v1/payments/{paymentKey}`` -> ``balanceAmount`` (still refundable).
* Errors keep Toss' code in ``.code``; retryable ones are retried a bounded number of times with
  ``tracking.backoff.backoff_seconds`` before the caller (the Celery task) gets them.
* Base URL from ``GatewayCredentials.api_url`` (DOORSTEP_TOSSPAYMENTS_API_URL via the registry).
"""
from __future__ import annotations

import time
from typing import Callable, ClassVar

from returns.payments.base import (
    GatewayAuthError,
    PaymentBalance,
    PaymentGateway,
    RefundRequestData,
    RefundResult,
    check_refundable,
)
from returns.payments.toss import parse
from returns.payments.toss.client import DEFAULT_TIMEOUT, TossClient


class TossPaymentsGateway(PaymentGateway):
    slug = "toss"
    name = "Toss Payments"
    supports_balance = True
    timeout: ClassVar[tuple[float, float]] = DEFAULT_TIMEOUT
    max_retries: ClassVar[int] = 2
    backoff_base: ClassVar[float] = 0.5
    backoff_cap: ClassVar[float] = 30.0
    sleep: Callable[[float], None] = staticmethod(time.sleep)

    def _client(self) -> TossClient:
        if not self.credentials.secret_key:
            raise GatewayAuthError("No Toss Payments secret key configured", code="missing_key")
        return TossClient(self.credentials.secret_key, base_url=self.credentials.api_url, timeout=self.timeout,
                          max_retries=self.max_retries, backoff_base=self.backoff_base,
                          backoff_cap=self.backoff_cap, sleep=self.sleep)

    def refund(self, request: RefundRequestData) -> RefundResult:
        client = self._client()
        check_refundable(request)
        body = parse.cancel_body(request)
        payment = client.cancel(request.payment_reference, body, idempotency_key=request.idempotency_key)
        return parse.parse_cancel(payment)

    def payment_balance(self, payment_reference: str) -> PaymentBalance:
        return parse.parse_balance(self._client().get_payment(payment_reference))
