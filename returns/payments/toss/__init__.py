"""Toss Payments refunds (결제 취소: POST /v1/payments/{paymentKey}/cancel), written from Toss Payments'
public API reference. client.py is HTTP only, parse.py pure functions, adapter.py the PaymentGateway."""
from returns.payments.toss.adapter import TossPaymentsGateway

__all__ = ["TossPaymentsGateway"]
