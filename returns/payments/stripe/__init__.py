"""Stripe Refunds (POST /v1/refunds), written from Stripe's public API reference."""
from returns.payments.stripe.adapter import StripeGateway

__all__ = ["StripeGateway"]
