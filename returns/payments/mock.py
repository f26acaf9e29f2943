"""A gateway for tests and the demo. It behaves like a real one where it matters: the same
idempotency key returns the same refund instead of refunding twice, and payment references
beginning with "fail_" or "down_" produce a decline or an outage."""
from __future__ import annotations

import hashlib
import threading

from returns.payments.base import GatewayUnavailable, PaymentGateway, RefundDeclined, RefundRequestData, RefundResult


class MockGateway(PaymentGateway):
    slug = "mock"
    name = "Mock payments"

    # Shared across instances, like a remote service's memory; tests read it to count real refunds.
    _refunds: dict[str, RefundResult] = {}
    _lock = threading.Lock()

    def refund(self, request: RefundRequestData) -> RefundResult:
        if request.payment_reference.startswith("down_"):
            raise GatewayUnavailable("mock gateway is down")
        if request.payment_reference.startswith("fail_"):
            raise RefundDeclined("charge already refunded", code="charge_already_refunded")
        with self._lock:
            known = self._refunds.get(request.idempotency_key)
            if known is None:
                ref = "mre_" + hashlib.sha256(request.idempotency_key.encode()).hexdigest()[:16]
                known = RefundResult(reference=ref, status="succeeded", amount=request.amount,
                                     currency=request.currency)
                self._refunds[request.idempotency_key] = known
            return known

    @classmethod
    def issued(cls) -> list[RefundResult]:
        return list(cls._refunds.values())

    @classmethod
    def reset(cls) -> None:
        with cls._lock:
            cls._refunds.clear()
